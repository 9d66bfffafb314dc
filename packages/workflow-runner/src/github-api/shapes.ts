// Objects in the shapes api.github.com returns (checked against the OpenAPI description on every response).
export interface Ctx {
  api: string;
  server: string;
  owner: string;
  repo: string;
}

const NOW = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
export const now = NOW;

export function user(c: Ctx, login = 'github-actions[bot]', id = 41898282) {
  const url = `${c.api}/users/${encodeURIComponent(login)}`;
  return {
    login,
    id,
    node_id: 'MDM6Qm90NDE4OTgyODI=',
    avatar_url: 'https://avatars.githubusercontent.com/in/15368?v=4',
    gravatar_id: '',
    url,
    html_url: `${c.server}/apps/github-actions`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: 'Bot',
    site_admin: false,
  };
}

const repoApi = (c: Ctx) => `${c.api}/repos/${c.owner}/${c.repo}`;
const repoHtml = (c: Ctx) => `${c.server}/${c.owner}/${c.repo}`;

export function tag(c: Ctx, name: string, sha: string) {
  return {
    name,
    commit: { sha, url: `${repoApi(c)}/commits/${sha}` },
    zipball_url: `${repoApi(c)}/zipball/refs/tags/${name}`,
    tarball_url: `${repoApi(c)}/tarball/refs/tags/${name}`,
    node_id: Buffer.from(`tag:${name}`).toString('base64'),
  };
}

export function gitRef(c: Ctx, ref: string, sha: string) {
  return {
    ref,
    node_id: Buffer.from(`ref:${ref}`).toString('base64'),
    url: `${repoApi(c)}/git/${ref}`,
    object: { type: 'commit', sha, url: `${repoApi(c)}/git/commits/${sha}` },
  };
}

export interface CommitInfo {
  sha: string;
  message: string;
  parents: string[];
  date: string;
  author: string;
  email: string;
  tree: string;
}

export function commit(c: Ctx, info: CommitInfo) {
  const person = { name: info.author, email: info.email, date: info.date };
  return {
    url: `${repoApi(c)}/commits/${info.sha}`,
    sha: info.sha,
    node_id: Buffer.from(`commit:${info.sha}`).toString('base64'),
    html_url: `${repoHtml(c)}/commit/${info.sha}`,
    comments_url: `${repoApi(c)}/commits/${info.sha}/comments`,
    commit: {
      url: `${repoApi(c)}/git/commits/${info.sha}`,
      author: person,
      committer: person,
      message: info.message,
      comment_count: 0,
      tree: { sha: info.tree, url: `${repoApi(c)}/git/trees/${info.tree}` },
      verification: { verified: false, reason: 'unsigned', payload: null, signature: null, verified_at: null },
    },
    author: null,
    committer: null,
    parents: info.parents.map((p) => ({
      sha: p,
      url: `${repoApi(c)}/commits/${p}`,
      html_url: `${repoHtml(c)}/commit/${p}`,
    })),
  };
}

export interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  task: string;
  payload: Record<string, unknown> | string;
  environment: string;
  original_environment: string;
  description: string | null;
  created_at: string;
  updated_at: string;
  transient_environment: boolean;
  production_environment: boolean;
}

export function deployment(c: Ctx, d: DeploymentRecord) {
  return {
    url: `${repoApi(c)}/deployments/${d.id}`,
    id: d.id,
    node_id: Buffer.from(`deployment:${d.id}`).toString('base64'),
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.original_environment,
    environment: d.environment,
    description: d.description,
    creator: user(c),
    created_at: d.created_at,
    updated_at: d.updated_at,
    statuses_url: `${repoApi(c)}/deployments/${d.id}/statuses`,
    repository_url: repoApi(c),
    transient_environment: d.transient_environment,
    production_environment: d.production_environment,
  };
}

export interface StatusRecord {
  id: number;
  deploymentId: number;
  state: string;
  description: string;
  environment: string;
  environment_url: string;
  log_url: string;
  created_at: string;
}

export function deploymentStatus(c: Ctx, s: StatusRecord) {
  return {
    url: `${repoApi(c)}/deployments/${s.deploymentId}/statuses/${s.id}`,
    id: s.id,
    node_id: Buffer.from(`status:${s.id}`).toString('base64'),
    state: s.state,
    creator: user(c),
    description: s.description,
    environment: s.environment,
    target_url: s.log_url,
    created_at: s.created_at,
    updated_at: s.created_at,
    deployment_url: `${repoApi(c)}/deployments/${s.deploymentId}`,
    repository_url: repoApi(c),
    environment_url: s.environment_url,
    log_url: s.log_url,
  };
}

export interface ReleaseRecord {
  id: number;
  tag_name: string;
  target_commitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  created_at: string;
  published_at: string | null;
  make_latest?: string;
}

export function release(c: Ctx, r: ReleaseRecord) {
  return {
    url: `${repoApi(c)}/releases/${r.id}`,
    html_url: `${repoHtml(c)}/releases/tag/${r.tag_name}`,
    assets_url: `${repoApi(c)}/releases/${r.id}/assets`,
    upload_url: `https://uploads.github.com/repos/${c.owner}/${c.repo}/releases/${r.id}/assets{?name,label}`,
    tarball_url: `${repoApi(c)}/tarball/${r.tag_name}`,
    zipball_url: `${repoApi(c)}/zipball/${r.tag_name}`,
    id: r.id,
    node_id: Buffer.from(`release:${r.id}`).toString('base64'),
    tag_name: r.tag_name,
    target_commitish: r.target_commitish,
    name: r.name,
    body: r.body,
    draft: r.draft,
    prerelease: r.prerelease,
    immutable: false,
    created_at: r.created_at,
    published_at: r.published_at,
    updated_at: r.published_at,
    author: user(c),
    assets: [],
  };
}

export interface CommentRecord {
  id: number;
  issueNumber: number;
  body: string;
  created_at: string;
  updated_at: string;
}

/** An issue (or pull request) comment, as written by the job's GITHUB_TOKEN (github-actions[bot]). */
export function issueComment(c: Ctx, r: CommentRecord) {
  return {
    id: r.id,
    node_id: Buffer.from(`comment:${r.id}`).toString('base64'),
    url: `${repoApi(c)}/issues/comments/${r.id}`,
    body: r.body,
    html_url: `${repoHtml(c)}/pull/${r.issueNumber}#issuecomment-${r.id}`,
    issue_url: `${repoApi(c)}/issues/${r.issueNumber}`,
    user: user(c),
    created_at: r.created_at,
    updated_at: r.updated_at,
    author_association: 'NONE',
  };
}

export function basicError(message: string, status: number) {
  return {
    message,
    documentation_url: 'https://docs.github.com/rest',
    status: String(status),
  };
}
