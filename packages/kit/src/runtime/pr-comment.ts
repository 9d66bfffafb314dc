import { readFileSync } from 'node:fs';

// One pull-request comment per step, updated in place: how plan mode (`plan: true`, `comment: true`) tells a pull
// request what a merge would change (issue #13). The comment carries a hidden marker naming the step's target, so a
// re-run or a new push edits it instead of adding another. Written for sync-spa-cloudfront, meant for deploy-ecs and
// deploy-ecs-wait as well.
//
// GitHub REST through fetch (three calls; @actions/github's Octokit would add ~0.5 MB to every bundle that imports
// the kit's runtime): issue comments, since a pull request is an issue for comments ("Working with comments",
// docs.github.com/rest/guides/working-with-comments). GITHUB_TOKEN needs `pull-requests: write` (GitHub keys the
// permission of issues.createComment off the target, a pull request); a fork's pull_request run has a read-only
// token, so writing fails there with 403.

/** GitHub's limit on a comment body is 65,536 characters; ours stays below it, with room for the marker. */
export const MAX_COMMENT_CHARS = 65_000;

export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
}

/** The pull request a run is for: `pull_request` and `pull_request_target` events only, read from the event file. */
export function pullRequestFromEvent(
  env: NodeJS.ProcessEnv,
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): PullRequestRef | undefined {
  if (env.GITHUB_EVENT_NAME !== 'pull_request' && env.GITHUB_EVENT_NAME !== 'pull_request_target') return undefined;
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo || !env.GITHUB_EVENT_PATH) return undefined;
  let event: { pull_request?: { number?: unknown }; number?: unknown };
  try {
    event = JSON.parse(read(env.GITHUB_EVENT_PATH)) as typeof event;
  } catch {
    return undefined;
  }
  const number = event.pull_request?.number ?? event.number;
  return typeof number === 'number' && Number.isInteger(number) && number > 0 ? { owner, repo, number } : undefined;
}

/** The hidden line that identifies a step's comment (`id`: what the step acts on, e.g. `sync-spa-cloudfront s3://b/p`). */
export function commentMarker(id: string): string {
  return `<!-- deploy-actions:${id.replace(/--/g, '-')} -->`;
}

/** The comment body: marker first, then the text, cut to GitHub's limit with a note. */
export function commentBody(marker: string, text: string): string {
  const room = MAX_COMMENT_CHARS - marker.length - 1;
  const body =
    text.length <= room ? text : `${text.slice(0, room - 80)}\n\n_…cut to fit a comment; the job summary has it all._`;
  return `${marker}\n${body}`;
}

export class GitHubApiError extends Error {
  constructor(
    readonly status: number,
    readonly call: string,
    message: string,
  ) {
    super(
      `GitHub ${call} failed: HTTP ${status} ${message}${status === 403 || status === 404 ? ' (the job needs permissions: pull-requests: write; a pull request from a fork gets a read-only token)' : ''}`,
    );
    this.name = 'GitHubApiError';
  }
}

export interface UpsertCommentOptions extends PullRequestRef {
  token: string;
  /** GITHUB_API_URL (GHES, tests); default https://api.github.com. */
  apiUrl?: string;
  marker: string;
  text: string;
  userAgent?: string;
  fetch?: typeof globalThis.fetch;
}

export interface UpsertedComment {
  action: 'created' | 'updated' | 'unchanged';
  id: number;
  url: string;
}

interface Comment {
  id: number;
  body?: string;
  html_url: string;
}

/**
 * Create the step's comment on the pull request, or update the one that carries `marker` (the first, oldest, if a
 * race ever made two). Never adds a second comment for the same marker.
 */
export async function upsertPullRequestComment(o: UpsertCommentOptions): Promise<UpsertedComment> {
  const fetchFn = o.fetch ?? globalThis.fetch;
  const api = (o.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  const repo = `${api}/repos/${encodeURIComponent(o.owner)}/${encodeURIComponent(o.repo)}`;
  const headers = {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${o.token}`,
    'x-github-api-version': '2022-11-28',
    'user-agent': o.userAgent ?? 'deploy-actions',
  };
  const call = async <T>(what: string, url: string, init: RequestInit = {}): Promise<{ data: T; link: string }> => {
    const res = await fetchFn(url, {
      ...init,
      headers: { ...headers, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    });
    const text = await res.text();
    if (!res.ok) {
      let message = text.slice(0, 200);
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // not JSON: the start of the text
      }
      throw new GitHubApiError(res.status, what, message);
    }
    return { data: JSON.parse(text) as T, link: res.headers.get('link') ?? '' };
  };
  const body = commentBody(o.marker, o.text);
  let url: string | undefined = `${repo}/issues/${o.number}/comments?per_page=100`;
  while (url) {
    const page: { data: Comment[]; link: string } = await call<Comment[]>('list comments', url);
    const mine = page.data.find((c) => c.body?.includes(o.marker));
    if (mine) {
      if (mine.body === body) return { action: 'unchanged', id: mine.id, url: mine.html_url };
      const updated = await call<Comment>('update comment', `${repo}/issues/comments/${mine.id}`, {
        method: 'PATCH',
        body: JSON.stringify({ body }),
      });
      return { action: 'updated', id: updated.data.id, url: updated.data.html_url };
    }
    url = /<([^>]+)>;\s*rel="next"/.exec(page.link)?.[1];
  }
  const created = await call<Comment>('create comment', `${repo}/issues/${o.number}/comments`, {
    method: 'POST',
    body: JSON.stringify({ body }),
  });
  return { action: 'created', id: created.data.id, url: created.data.html_url };
}
