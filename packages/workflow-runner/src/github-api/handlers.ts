// The operations the stand-in GitHub API implements (what tag-release-deploy, the deploy actions' plan comments and
// the workflows call): tags and tag refs from the app repo's git, compare, deployments and their statuses, releases
// (get by tag, create, update, generate notes), issue / pull request comments (list, create, update). State lives for
// one run.
import type { AppRepo } from '../repo/app-repo.ts';
import { git, tryGit } from '../repo/git.ts';
import {
  basicError,
  type CommentRecord,
  type CommitInfo,
  type Ctx,
  commit,
  type DeploymentRecord,
  deployment,
  deploymentStatus,
  gitRef,
  issueComment,
  now,
  type ReleaseRecord,
  release,
  type StatusRecord,
  tag,
} from './shapes.ts';

export interface ApiRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
}

export type Handler = (req: ApiRequest) => ApiResponse;

export interface ApiState {
  deployments: DeploymentRecord[];
  statuses: StatusRecord[];
  releases: ReleaseRecord[];
  /** Comments on issues and pull requests (a pull request's conversation comments are issue comments). */
  comments: CommentRecord[];
  nextId: number;
}

type Need = [string, 'read' | 'write'];

/**
 * Permission each operation needs from the job's GITHUB_TOKEN; a list means any one of them will do (issue comments on
 * a pull request: `issues` or `pull-requests`, as GitHub's REST docs list for these endpoints).
 */
export const REQUIRED_PERMISSION: Record<string, Need | Need[]> = {
  'repos/list-tags': ['contents', 'read'],
  'git/get-ref': ['contents', 'read'],
  'git/list-matching-refs': ['contents', 'read'],
  'repos/compare-commits-with-basehead': ['contents', 'read'],
  'repos/compare-commits': ['contents', 'read'],
  'repos/get-commit': ['contents', 'read'],
  'repos/create-deployment': ['deployments', 'write'],
  'repos/list-deployments': ['deployments', 'read'],
  'repos/get-deployment': ['deployments', 'read'],
  'repos/create-deployment-status': ['deployments', 'write'],
  'repos/list-deployment-statuses': ['deployments', 'read'],
  'repos/get-release-by-tag': ['contents', 'read'],
  'repos/get-release': ['contents', 'read'],
  'repos/list-releases': ['contents', 'read'],
  'repos/create-release': ['contents', 'write'],
  'repos/update-release': ['contents', 'write'],
  'repos/generate-release-notes': ['contents', 'write'],
  'issues/list-comments': [
    ['issues', 'read'],
    ['pull-requests', 'read'],
  ],
  'issues/create-comment': [
    ['issues', 'write'],
    ['pull-requests', 'write'],
  ],
  'issues/update-comment': [
    ['issues', 'write'],
    ['pull-requests', 'write'],
  ],
};

const notFound = (): ApiResponse => ({ status: 404, body: basicError('Not Found', 404) });

function commitInfo(app: AppRepo, rev: string): CommitInfo | undefined {
  const out = tryGit(app.dir, ['log', '-1', '--format=%H%x00%P%x00%T%x00%aI%x00%an%x00%ae%x00%B', `${rev}^{commit}`]);
  if (!out) return undefined;
  const [sha, parents, tree, date, author, email, message] = out.split('\0');
  return {
    sha: sha as string,
    parents: (parents as string).split(' ').filter(Boolean),
    tree: tree as string,
    date: (date as string).replace(/\+00:00$/, 'Z'),
    author: author as string,
    email: email as string,
    message: (message ?? '').trim(),
  };
}

function page<T>(items: T[], query: URLSearchParams): T[] {
  const per = Math.min(Number(query.get('per_page') ?? 30) || 30, 100);
  const p = Math.max(Number(query.get('page') ?? 1) || 1, 1);
  return items.slice((p - 1) * per, p * per);
}

export function createHandlers(c: Ctx, app: AppRepo, state: ApiState): Record<string, Handler> {
  const id = () => state.nextId++;
  const findRelease = (tagName: string) => state.releases.find((r) => r.tag_name === tagName);
  const handlers: Record<string, Handler> = {
    'repos/list-tags': ({ query }) => ({
      status: 200,
      body: page(
        app.tags().map((t) => tag(c, t.name, t.sha)),
        query,
      ),
    }),
    'git/get-ref': ({ params }) => {
      const ref = `refs/${params.ref}`;
      const sha = tryGit(app.dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
      return sha ? { status: 200, body: gitRef(c, ref, sha) } : notFound();
    },
    'git/list-matching-refs': ({ params }) => {
      const prefix = `refs/${params.ref}`;
      const lines = (tryGit(app.dir, ['for-each-ref', '--format=%(refname) %(objectname) %(*objectname)']) ?? '')
        .split('\n')
        .filter(Boolean);
      return {
        status: 200,
        body: lines
          .map((l) => l.split(' '))
          .filter(([name]) => (name as string).startsWith(prefix))
          .map(([name, obj, peeled]) => gitRef(c, name as string, (peeled || obj) as string)),
      };
    },
    'repos/get-commit': ({ params }) => {
      const info = commitInfo(app, params.ref as string);
      return info
        ? { status: 200, body: { ...commit(c, info), files: [], stats: { additions: 0, deletions: 0, total: 0 } } }
        : notFound();
    },
    'repos/compare-commits-with-basehead': ({ params }) => {
      const [base, head] = (params.basehead as string).split('...');
      const b = base ? commitInfo(app, base) : undefined;
      const h = head ? commitInfo(app, head) : undefined;
      if (!b || !h) return notFound();
      const mergeBase = tryGit(app.dir, ['merge-base', b.sha, h.sha]);
      const mb = mergeBase ? commitInfo(app, mergeBase) : b;
      const ahead = git(app.dir, ['rev-list', '--reverse', `${b.sha}..${h.sha}`])
        .split('\n')
        .filter(Boolean);
      const behind = Number(git(app.dir, ['rev-list', '--count', `${h.sha}..${b.sha}`]));
      const status = ahead.length && behind ? 'diverged' : ahead.length ? 'ahead' : behind ? 'behind' : 'identical';
      const files = git(app.dir, ['diff', '--name-status', '--no-renames', b.sha, h.sha])
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [code, filename] = line.split('\t');
          const s = code === 'A' ? 'added' : code === 'D' ? 'removed' : 'modified';
          return {
            sha: h.sha,
            filename: filename as string,
            status: s,
            additions: 0,
            deletions: 0,
            changes: 0,
            blob_url: `${c.server}/${c.owner}/${c.repo}/blob/${h.sha}/${filename}`,
            raw_url: `${c.server}/${c.owner}/${c.repo}/raw/${h.sha}/${filename}`,
            contents_url: `${c.api}/repos/${c.owner}/${c.repo}/contents/${filename}?ref=${h.sha}`,
          };
        });
      const html = `${c.server}/${c.owner}/${c.repo}/compare/${params.basehead}`;
      return {
        status: 200,
        body: {
          url: `${c.api}/repos/${c.owner}/${c.repo}/compare/${params.basehead}`,
          html_url: html,
          permalink_url: html,
          diff_url: `${html}.diff`,
          patch_url: `${html}.patch`,
          base_commit: commit(c, b),
          merge_base_commit: commit(c, mb ?? b),
          status,
          ahead_by: ahead.length,
          behind_by: behind,
          total_commits: ahead.length,
          commits: ahead.map((sha) => commit(c, commitInfo(app, sha) as CommitInfo)),
          files,
        },
      };
    },
    'repos/create-deployment': ({ body }) => {
      const ref = String(body.ref);
      const sha = tryGit(app.dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
      if (!sha)
        return {
          status: 422,
          body: { message: `No ref found for: ${ref}`, documentation_url: 'https://docs.github.com/rest' },
        };
      const environment = String(body.environment ?? 'production');
      const t = now();
      const d: DeploymentRecord = {
        id: id(),
        sha,
        ref,
        task: String(body.task ?? 'deploy'),
        payload: (body.payload as Record<string, unknown>) ?? {},
        environment,
        original_environment: environment,
        description: (body.description as string | undefined) ?? null,
        created_at: t,
        updated_at: t,
        transient_environment: Boolean(body.transient_environment),
        production_environment:
          body.production_environment === undefined
            ? environment === 'production'
            : Boolean(body.production_environment),
      };
      state.deployments.push(d);
      return { status: 201, body: deployment(c, d) };
    },
    'repos/list-deployments': ({ query }) => {
      const env = query.get('environment');
      const list = state.deployments.filter((d) => !env || d.environment === env).reverse();
      return {
        status: 200,
        body: page(
          list.map((d) => deployment(c, d)),
          query,
        ),
      };
    },
    'repos/get-deployment': ({ params }) => {
      const d = state.deployments.find((x) => x.id === Number(params.deployment_id));
      return d ? { status: 200, body: deployment(c, d) } : notFound();
    },
    'repos/create-deployment-status': ({ params, body }) => {
      const d = state.deployments.find((x) => x.id === Number(params.deployment_id));
      if (!d) return notFound();
      const s: StatusRecord = {
        id: id(),
        deploymentId: d.id,
        state: String(body.state),
        description: String(body.description ?? ''),
        environment: String(body.environment ?? d.environment),
        environment_url: String(body.environment_url ?? ''),
        // format: uri in the description (an empty string does not validate)
        log_url: String(body.log_url ?? body.target_url ?? `${c.server}/${c.owner}/${c.repo}/actions`),
        created_at: now(),
      };
      state.statuses.push(s);
      d.updated_at = s.created_at;
      return { status: 201, body: deploymentStatus(c, s) };
    },
    'repos/list-deployment-statuses': ({ params, query }) => ({
      status: 200,
      body: page(
        state.statuses
          .filter((s) => s.deploymentId === Number(params.deployment_id))
          .reverse()
          .map((s) => deploymentStatus(c, s)),
        query,
      ),
    }),
    'repos/get-release-by-tag': ({ params }) => {
      const r = findRelease(params.tag as string);
      return r ? { status: 200, body: release(c, r) } : notFound();
    },
    'repos/get-release': ({ params }) => {
      const r = state.releases.find((x) => x.id === Number(params.release_id));
      return r ? { status: 200, body: release(c, r) } : notFound();
    },
    'repos/list-releases': ({ query }) => ({
      status: 200,
      body: page(
        [...state.releases].reverse().map((r) => release(c, r)),
        query,
      ),
    }),
    'repos/create-release': ({ body }) => {
      const tagName = String(body.tag_name);
      if (findRelease(tagName)) {
        return {
          status: 422,
          body: {
            message: 'Validation Failed',
            errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }],
            documentation_url: 'https://docs.github.com/rest/releases/releases#create-a-release',
          },
        };
      }
      const t = now();
      const r: ReleaseRecord = {
        id: id(),
        tag_name: tagName,
        target_commitish: String(body.target_commitish ?? 'main'),
        name: (body.name as string | undefined) ?? tagName,
        body: (body.body as string | undefined) ?? '',
        draft: Boolean(body.draft),
        prerelease: Boolean(body.prerelease),
        created_at: t,
        published_at: body.draft ? null : t,
      };
      state.releases.push(r);
      return { status: 201, body: release(c, r) };
    },
    'repos/update-release': ({ params, body }) => {
      const r = state.releases.find((x) => x.id === Number(params.release_id));
      if (!r) return notFound();
      for (const k of ['tag_name', 'target_commitish', 'name', 'body'] as const) {
        if (typeof body[k] === 'string') (r as unknown as Record<string, unknown>)[k] = body[k];
      }
      if (typeof body.draft === 'boolean') r.draft = body.draft;
      if (typeof body.prerelease === 'boolean') r.prerelease = body.prerelease;
      return { status: 200, body: release(c, r) };
    },
    'repos/generate-release-notes': ({ body }) => {
      const tagName = String(body.tag_name);
      const prev = typeof body.previous_tag_name === 'string' ? body.previous_tag_name : undefined;
      const headRev = tryGit(app.dir, ['rev-parse', '--verify', '--quiet', `refs/tags/${tagName}^{commit}`]) ?? app.sha;
      const range = prev ? `refs/tags/${prev}..${headRev}` : headRev;
      const subjects = (tryGit(app.dir, ['log', '--format=%s', range]) ?? '').split('\n').filter(Boolean);
      const lines = subjects.map((s) => `* ${s} by @${c.owner}`);
      const compare = prev
        ? `\n\n**Full Changelog**: ${c.server}/${c.owner}/${c.repo}/compare/${prev}...${tagName}`
        : '';
      return {
        status: 200,
        body: { name: tagName, body: `## What's Changed\n${lines.join('\n')}${compare}\n` },
      };
    },
  };
  handlers['issues/list-comments'] = ({ params, query }) => ({
    status: 200,
    body: page(
      state.comments.filter((x) => x.issueNumber === Number(params.issue_number)).map((x) => issueComment(c, x)),
      query,
    ),
  });
  handlers['issues/create-comment'] = ({ params, body }) => {
    const t = now();
    const record: CommentRecord = {
      id: id(),
      issueNumber: Number(params.issue_number),
      body: String(body.body),
      created_at: t,
      updated_at: t,
    };
    state.comments.push(record);
    return { status: 201, body: issueComment(c, record) };
  };
  handlers['issues/update-comment'] = ({ params, body }) => {
    const record = state.comments.find((x) => x.id === Number(params.comment_id));
    if (!record) return notFound();
    record.body = String(body.body);
    record.updated_at = now();
    return { status: 200, body: issueComment(c, record) };
  };
  // The same operation under its older path template `/compare/{base}...{head}`.
  handlers['repos/compare-commits'] = (req) =>
    (handlers['repos/compare-commits-with-basehead'] as Handler)({
      ...req,
      params: { ...req.params, basehead: `${req.params.base}...${req.params.head}` },
    });
  return handlers;
}
