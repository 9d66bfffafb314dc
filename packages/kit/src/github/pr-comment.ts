import { readFileSync } from 'node:fs';
import { getOctokit } from '@actions/github';
import { errorMessage } from '../runtime/errors';

// One pull request comment per plan, updated in place: found again by a hidden marker in its body (never a second
// one), through the REST API with the job's GITHUB_TOKEN (`permissions: pull-requests: write`). A pull request's
// conversation comments are issue comments (GET/POST /repos/{o}/{r}/issues/{n}/comments, PATCH …/issues/comments/{id}).

export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
}

/** GitHub refuses comment bodies over 65536 characters. */
export const MAX_COMMENT_CHARS = 65536;

/** The pull request this run is for (pull_request / pull_request_target events), or why there is none. */
export function pullRequestOfEvent(env: NodeJS.ProcessEnv = process.env): PullRequestRef | { none: string } {
  const event = env.GITHUB_EVENT_NAME ?? '';
  if (event !== 'pull_request' && event !== 'pull_request_target') {
    return { none: `the event is ${event || 'unknown'}, not pull_request` };
  }
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  let number: unknown;
  try {
    const payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH ?? '', 'utf8')) as {
      pull_request?: { number?: unknown };
      number?: unknown;
    };
    number = payload.pull_request?.number ?? payload.number;
  } catch (err) {
    return { none: `the event payload (GITHUB_EVENT_PATH) cannot be read: ${errorMessage(err)}` };
  }
  if (!owner || !repo || typeof number !== 'number') return { none: 'the event payload names no pull request' };
  return { owner, repo, number };
}

/** The hidden line that identifies our comment (`id`: which step's comment it is). */
export function commentMarker(id: string): string {
  return `<!-- deploy-actions: ${id.replace(/-->/g, '')} -->`;
}

/** The body with its marker first, cut to GitHub's limit (the job summary keeps the whole text). */
export function commentBody(
  marker: string,
  markdown: string,
  note = '_(cut: the whole plan is in the job summary)_',
): string {
  const full = `${marker}\n${markdown}`;
  if (full.length <= MAX_COMMENT_CHARS) return full;
  return `${full.slice(0, MAX_COMMENT_CHARS - note.length - 2)}\n\n${note}`;
}

export interface UpsertOptions {
  token: string;
  /** GITHUB_API_URL (GHES, tests). */
  apiUrl: string;
  pr: PullRequestRef;
  marker: string;
  body: string;
  userAgent: string;
}

export interface UpsertResult {
  action: 'created' | 'updated';
  id: number;
  url: string;
}

/** Create our comment, or update the one carrying the marker (the oldest, if a race ever made two). */
export async function upsertPullRequestComment(o: UpsertOptions): Promise<UpsertResult> {
  const octokit = getOctokit(o.token, { baseUrl: o.apiUrl.replace(/\/+$/, ''), userAgent: o.userAgent });
  const where = { owner: o.pr.owner, repo: o.pr.repo };
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    ...where,
    issue_number: o.pr.number,
    per_page: 100,
  });
  const ours = comments.find((c) => (c.body ?? '').includes(o.marker));
  if (ours) {
    const res = await octokit.rest.issues.updateComment({ ...where, comment_id: ours.id, body: o.body });
    return { action: 'updated', id: res.data.id, url: res.data.html_url };
  }
  const res = await octokit.rest.issues.createComment({ ...where, issue_number: o.pr.number, body: o.body });
  return { action: 'created', id: res.data.id, url: res.data.html_url };
}

/** Why a comment call failed, with the permission hint for 403 / 404. */
export function commentFailureText(err: unknown): string {
  const status = (err as { status?: number }).status;
  const hint =
    status === 403 || status === 404
      ? ' (the job needs `permissions: pull-requests: write`; pull requests from forks get a read-only token)'
      : status === 401
        ? ' (the github-token is invalid or expired)'
        : '';
  return `${status ? `HTTP ${status} ` : ''}${errorMessage(err).split('\n')[0]}${hint}`;
}
