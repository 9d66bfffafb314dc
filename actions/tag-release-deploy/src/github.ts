import { getOctokit } from '@actions/github';
import { DeployFailure } from '@deploy-actions/kit/runtime';
import { mergeReleaseBody, releaseBody } from './plan';

// GitHub REST through @actions/github's Octokit: tags, deployments + statuses, releases. Base URL from GITHUB_API_URL
// (GHES, and the tests' fake server).

export type Octokit = ReturnType<typeof getOctokit>;

export interface Repo {
  owner: string;
  repo: string;
}

export function createOctokit(token: string, apiUrl: string): Octokit {
  return getOctokit(token, { baseUrl: apiUrl.replace(/\/+$/, ''), userAgent: 'deploy-actions/tag-release-deploy' });
}

const PERMISSION_HINT: Record<number, string> = {
  401: 'the token is invalid or expired',
  403: 'the token lacks a permission: the job needs `permissions: { contents: write, deployments: write }`',
  404: 'not found (or the token cannot see the repository)',
};

/** Run one GitHub call; an HTTP error becomes one DeployFailure naming the call and the status. */
export async function githubCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (typeof status !== 'number') throw err;
    const message = (err as Error).message.split('\n')[0];
    const hint = PERMISSION_HINT[status];
    throw new DeployFailure(`GitHub ${what} failed: HTTP ${status} ${message}${hint ? ` (${hint})` : ''}`, {
      cause: err,
    });
  }
}

/** Every tag name of the repository (paginated, 100 a page). */
export async function listTagNames(octokit: Octokit, r: Repo): Promise<string[]> {
  return githubCall('list tags', async () => {
    const tags = await octokit.paginate(octokit.rest.repos.listTags, { ...r, per_page: 100 });
    return tags.map((t) => t.name);
  });
}

export interface DeploymentRequest {
  ref: string;
  environment: string;
  description: string;
  payload: Record<string, unknown>;
}

/** POST /deployments. A 202 (GitHub tried to merge the default branch) has no id: refused (auto_merge is false). */
export async function createDeployment(octokit: Octokit, r: Repo, d: DeploymentRequest): Promise<number> {
  const res = await githubCall('create deployment', () =>
    octokit.rest.repos.createDeployment({
      ...r,
      ref: d.ref,
      task: 'deploy',
      environment: d.environment,
      description: d.description.slice(0, 140),
      auto_merge: false,
      required_contexts: [],
      payload: d.payload as { [key: string]: unknown },
      production_environment: d.environment === 'production',
      transient_environment: false,
    }),
  );
  const id = (res.data as { id?: number }).id;
  if (res.status !== 201 || typeof id !== 'number') {
    throw new DeployFailure(
      `GitHub create deployment answered ${res.status} without a deployment id: ${(res.data as { message?: string }).message ?? ''}`.trim(),
    );
  }
  return id;
}

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'inactive';

export interface StatusRequest {
  state: DeploymentState;
  environment: string;
  description: string;
  environmentUrl?: string | undefined;
  logUrl?: string | undefined;
}

/**
 * GET /deployments/{id}: its environment, or undefined when there is no such deployment (read before the finishing
 * step writes a status, so a wrong id is an input error, not a failed write).
 */
export async function getDeployment(
  octokit: Octokit,
  r: Repo,
  id: number,
): Promise<{ environment: string } | undefined> {
  try {
    const res = await octokit.rest.repos.getDeployment({ ...r, deployment_id: id });
    return { environment: res.data.environment };
  } catch (err) {
    if ((err as { status?: number }).status === 404) return undefined;
    return githubCall(`get deployment ${id}`, () => Promise.reject(err));
  }
}

export async function setDeploymentStatus(octokit: Octokit, r: Repo, id: number, s: StatusRequest): Promise<void> {
  await githubCall(`set deployment ${id} status ${s.state}`, () =>
    octokit.rest.repos.createDeploymentStatus({
      ...r,
      deployment_id: id,
      state: s.state,
      environment: s.environment,
      description: s.description.slice(0, 140),
      ...(s.environmentUrl ? { environment_url: s.environmentUrl } : {}),
      ...(s.logUrl ? { log_url: s.logUrl } : {}),
    }),
  );
}

export interface ReleaseRequest {
  tag: string;
  name: string;
  prerelease: boolean;
  previousTag: string | undefined;
  /** The images section (may be empty). */
  section: string;
}

export interface ReleaseResult {
  url: string;
  id: number;
  created: boolean;
}

async function findRelease(octokit: Octokit, r: Repo, tag: string) {
  try {
    return (await octokit.rest.repos.getReleaseByTag({ ...r, tag })).data;
  } catch (err) {
    if ((err as { status?: number }).status === 404) return undefined;
    return githubCall(`get release ${tag}`, () => Promise.reject(err));
  }
}

/**
 * Create the release for the tag with generated notes (previous semver tag as the start) and the images section,
 * or, when it exists (re-run), update it: images section replaced, prerelease flag set; never a second release.
 */
export async function upsertRelease(octokit: Octokit, r: Repo, req: ReleaseRequest): Promise<ReleaseResult> {
  const makeLatest = req.prerelease ? ('false' as const) : ('legacy' as const);
  let existing = await findRelease(octokit, r, req.tag);
  if (!existing) {
    const notes = await githubCall('generate release notes', () =>
      octokit.rest.repos.generateReleaseNotes({
        ...r,
        tag_name: req.tag,
        ...(req.previousTag ? { previous_tag_name: req.previousTag } : {}),
      }),
    );
    try {
      const created = await octokit.rest.repos.createRelease({
        ...r,
        tag_name: req.tag,
        name: notes.data.name || req.name,
        body: releaseBody(notes.data.body, req.section),
        prerelease: req.prerelease,
        draft: false,
        make_latest: makeLatest,
      });
      return { url: created.data.html_url, id: created.data.id, created: true };
    } catch (err) {
      // 422 already_exists: a concurrent run created it in between; fall through to the update.
      if ((err as { status?: number }).status !== 422) return githubCall('create release', () => Promise.reject(err));
      existing = await findRelease(octokit, r, req.tag);
      if (!existing) return githubCall('create release', () => Promise.reject(err));
    }
  }
  const id = existing.id;
  const updated = await githubCall(`update release ${req.tag}`, () =>
    octokit.rest.repos.updateRelease({
      ...r,
      release_id: id,
      body: mergeReleaseBody(existing.body, req.section),
      prerelease: req.prerelease,
    }),
  );
  return { url: updated.data.html_url, id, created: false };
}
