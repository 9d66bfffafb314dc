import { createHash } from 'node:crypto';
import { type Clock, isErrorNamed, poll, realClock } from '@deploy-actions/kit/runtime';
import { type CloudFrontClient, cloudFrontSdk } from './cloudfront-sdk';
import { byCodeUnits } from './compare';

// CloudFront invalidation helpers: a pure path planner (aliases for directory indexes, wildcard collapsing within
// the service limits), an idempotent CallerReference, and submit/wait wrappers built on the kit poller.
//
// Limits (CloudFront developer guide, "Invalidation limits"): at most 3,000 individual paths and 15 wildcard paths
// in progress per distribution, independently. Pricing: the first 1,000 paths per month per account are free; a
// wildcard path counts as one path.

export const MAX_FILE_PATHS_IN_PROGRESS = 3000;
export const MAX_WILDCARDS_IN_PROGRESS = 15;
export const FREE_PATHS_PER_MONTH = 1000;

export interface InvalidationPlanOptions {
  /** Individual paths allowed in one invalidation (default 3,000). */
  maxPaths?: number;
  /** Wildcard paths allowed in one invalidation (default 15). */
  maxWildcards?: number;
  /** A directory with at least this many changed paths under it becomes one wildcard (default 10). */
  collapseAt?: number;
  /** Index document name whose directory URLs (`/dir/`, `/dir`) are served from it (default index.html). */
  indexDocument?: string;
}

export interface InvalidationPlan {
  /** Paths to send, sorted; empty when nothing needs invalidating. */
  paths: string[];
  /** How many of them are wildcards. */
  wildcards: number;
  /** Individual paths before collapsing (after adding directory aliases). */
  requested: number;
  /** Why `/*` or wildcards were used, if they were. */
  note?: string;
}

/** Encode a URL path for an invalidation: each segment percent-encoded, `/` kept. */
export function encodeInvalidationPath(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/[!'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

/** `/dir/index.html` → [`/dir/index.html`, `/dir/`, `/dir`]; `/index.html` → [`/index.html`, `/`]; else [path]. */
export function invalidationAliases(path: string, indexDocument = 'index.html'): string[] {
  const p = path.startsWith('/') ? path : `/${path}`;
  const suffix = `/${indexDocument}`;
  if (!p.endsWith(suffix)) return [p];
  const dir = p.slice(0, -indexDocument.length); // keeps the trailing slash
  if (dir === '/') return [p, '/'];
  return [p, dir, dir.slice(0, -1)];
}

interface Entry {
  /** URL path of a changed file (`/a/b.html`). */
  file: string;
  /** Directory the file lives in, with trailing slash (`/a/`). */
  dir: string;
  /** Paths it contributes (the file and its directory aliases). */
  paths: string[];
  covered: boolean;
}

/**
 * Plan the paths of one invalidation for the changed files (URL paths, e.g. `/index.html`, `/docs/a.html`):
 * directory indexes also get `/dir/` and `/dir`; directories with many changed paths collapse into one wildcard
 * (deepest first, so `/docs/*` is preferred over `/*`), at most `maxWildcards`; if the individual paths left still
 * exceed `maxPaths`, everything collapses to `/*`. Pure and deterministic.
 */
export function planInvalidationPaths(
  files: readonly string[],
  options: InvalidationPlanOptions = {},
): InvalidationPlan {
  const maxPaths = options.maxPaths ?? MAX_FILE_PATHS_IN_PROGRESS;
  const maxWildcards = options.maxWildcards ?? MAX_WILDCARDS_IN_PROGRESS;
  const collapseAt = options.collapseAt ?? 10;
  const indexDocument = options.indexDocument ?? 'index.html';

  const unique = [...new Set(files.map((f) => (f.startsWith('/') ? f : `/${f}`)))].sort();
  const entries: Entry[] = unique.map((file) => ({
    file,
    dir: file.slice(0, file.lastIndexOf('/') + 1),
    paths: invalidationAliases(file, indexDocument).map(encodeInvalidationPath),
    covered: false,
  }));
  const requested = new Set(entries.flatMap((e) => e.paths)).size;
  if (requested === 0) return { paths: [], wildcards: 0, requested: 0 };

  // Every ancestor directory of every entry, deepest first.
  const dirs = new Set<string>();
  for (const e of entries) {
    let d = e.dir;
    for (;;) {
      dirs.add(d);
      if (d === '/') break;
      d = d.slice(0, d.slice(0, -1).lastIndexOf('/') + 1);
    }
  }
  const ordered = [...dirs].sort((a, b) => b.split('/').length - a.split('/').length || byCodeUnits(a, b));

  const wildcards = new Map<string, string>(); // dir -> wildcard path
  for (const dir of ordered) {
    const under = entries.filter((e) => !e.covered && e.dir.startsWith(dir));
    const weight = under.reduce((n, e) => n + e.paths.length, 0);
    // A nested wildcard already chosen is replaced by this one, so it frees a slot.
    const nested = [...wildcards.keys()].filter((d) => d !== dir && d.startsWith(dir));
    const used = wildcards.size - nested.length;
    if (weight + nested.length < collapseAt || weight === 0 || used >= maxWildcards) continue;
    for (const d of nested) wildcards.delete(d);
    // `/dir/*` misses the bare `/dir` alias of `/dir/index.html`; `/dir*` covers it.
    const coversBare = dir !== '/' && under.some((e) => e.file === `${dir}${indexDocument}`);
    wildcards.set(dir, `${encodeInvalidationPath(coversBare ? dir.slice(0, -1) : dir)}*`);
    for (const e of entries) if (e.dir.startsWith(dir)) e.covered = true;
  }

  const individual = [...new Set(entries.filter((e) => !e.covered).flatMap((e) => e.paths))];
  if (individual.length > maxPaths || wildcards.size > maxWildcards) {
    return {
      paths: ['/*'],
      wildcards: 1,
      requested,
      note: `${requested} paths exceed the per-invalidation limits: using /*`,
    };
  }
  const paths = [...individual, ...wildcards.values()].sort();
  const result: InvalidationPlan = { paths, wildcards: wildcards.size, requested };
  if (wildcards.size > 0) {
    result.note = `${requested} paths collapsed to ${paths.length} (${wildcards.size} wildcard${wildcards.size === 1 ? '' : 's'})`;
  }
  return result;
}

export interface CallerReferenceParts {
  /** GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT: a new attempt of a workflow run is a new publish. */
  runId: string;
  attempt: string;
  /** What is published: a deploy of a release, or a rollback to one (issue #13). */
  mode: 'deploy' | 'rollback';
  releaseId: string;
  /**
   * The release record that says this release is live once the run is done: the one it writes, or the one a run
   * that changed nothing found. A deploy of r2, a rollback to r1 and a deploy of r2 again in one run write three
   * records, so each gets its own invalidation; a re-run that finds its release already recorded reuses its own.
   */
  record: string;
  paths: readonly string[];
}

/**
 * Deterministic CallerReference: the same publish (run, attempt, mode, release, record) of the same paths gives the
 * same reference, so a retried or re-run request returns the existing invalidation instead of creating (and paying
 * for) a second one; every distinct publish gets its own. CloudFront returns the earlier invalidation for a reused
 * reference with the same paths, and creates none (CreateInvalidation, "CallerReference").
 */
export function invalidationCallerReference(parts: CallerReferenceParts): string {
  const hash = createHash('sha256')
    .update(
      [parts.runId, parts.attempt, parts.mode, parts.releaseId, parts.record, '', ...[...parts.paths].sort()].join(
        '\n',
      ),
    )
    .digest('hex');
  return `deploy-actions-${hash.slice(0, 40)}`;
}

/** Markdown-ready sentence about the cost of an invalidation against the free tier. */
export function invalidationCostText(paths: readonly string[]): string {
  const n = paths.length;
  // (not toLocaleString: loading ICU's number formats costs ~10 ms of the redeploy's start)
  const free = String(FREE_PATHS_PER_MONTH).replace(/\B(?=(\d{3})+$)/g, ',');
  return `${n} invalidation path${n === 1 ? '' : 's'} used (a wildcard counts as one) of the ${free} free per month per AWS account; beyond that each path costs $0.005.`;
}

export interface SubmitInvalidationOptions {
  distributionId: string;
  paths: readonly string[];
  callerReference: string;
  /** How long to keep retrying TooManyInvalidationsInProgress (default 5 minutes). */
  timeoutMs?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  clock?: Clock;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface SubmittedInvalidation {
  id: string;
  status: string;
  /** How many TooManyInvalidationsInProgress answers were waited out. */
  backoffs: number;
}

/**
 * CreateInvalidation, backing off (kit poller: capped exponential, jitter, deadline, abort) while CloudFront answers
 * TooManyInvalidationsInProgress. Other errors propagate. The same CallerReference on every attempt keeps it idempotent.
 */
export async function submitInvalidation(
  client: CloudFrontClient,
  options: SubmitInvalidationOptions,
): Promise<SubmittedInvalidation> {
  const { CreateInvalidationCommand } = await cloudFrontSdk();
  let backoffs = 0;
  const result = await poll<{ id: string; status: string }>(
    async () => {
      try {
        const out = await client.send(
          new CreateInvalidationCommand({
            DistributionId: options.distributionId,
            InvalidationBatch: {
              CallerReference: options.callerReference,
              Paths: { Quantity: options.paths.length, Items: [...options.paths] },
            },
          }),
          options.signal ? { abortSignal: options.signal } : {},
        );
        return { done: true, value: { id: out.Invalidation?.Id ?? '', status: out.Invalidation?.Status ?? '' } };
      } catch (err) {
        if (!isErrorNamed(err, 'TooManyInvalidationsInProgress')) throw err;
        backoffs += 1;
        return { done: false, progress: 'CloudFront: too many invalidations in progress; retrying' };
      }
    },
    {
      timeoutMs: options.timeoutMs ?? 5 * 60_000,
      initialDelayMs: options.initialDelayMs ?? 5000,
      maxDelayMs: options.maxDelayMs ?? 60_000,
      clock: options.clock ?? realClock,
      description: 'a free CloudFront invalidation slot',
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      progressEveryMs: 0,
    },
  );
  return { ...result, backoffs };
}

export interface WaitInvalidationOptions {
  distributionId: string;
  id: string;
  timeoutMs: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  clock?: Clock;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

/** Poll GetInvalidation until Completed; throws the kit's PollTimeoutError / PollAbortedError. */
export async function waitForInvalidation(client: CloudFrontClient, options: WaitInvalidationOptions): Promise<void> {
  const { GetInvalidationCommand } = await cloudFrontSdk();
  await poll<void>(
    async () => {
      const out = await client.send(
        new GetInvalidationCommand({ DistributionId: options.distributionId, Id: options.id }),
        options.signal ? { abortSignal: options.signal } : {},
      );
      const status = out.Invalidation?.Status ?? 'unknown';
      if (status === 'Completed') return { done: true, value: undefined };
      return { done: false, progress: `invalidation ${options.id}: ${status}` };
    },
    {
      timeoutMs: options.timeoutMs,
      initialDelayMs: options.initialDelayMs ?? 5000,
      maxDelayMs: options.maxDelayMs ?? 20_000,
      clock: options.clock ?? realClock,
      description: `CloudFront invalidation ${options.id}`,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    },
  );
}
