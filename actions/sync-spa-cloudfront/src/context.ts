import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  type Clock,
  ConfigurationError,
  core,
  DeployFailure,
  describeAwsError,
  errorMessage,
  isAwsError,
  isErrorNamed,
} from '@deploy-actions/kit/runtime';
import { BatchError } from './concurrency';
import { collectGarbage } from './gc';
import type { Inputs } from './inputs';
import type { FileStep, LocalFile, RemoteObject } from './plan';
import { copyObjectReplace, listAllObjects, uploadFile } from './s3-objects';
import { assertUnchanged, realPathOf } from './walk';

// What a deploy or rollback runs with, and the S3 writes both make (each counted for the summary and the bench).

/** From this many files on, memory is reclaimed eagerly (see gc.ts). */
export const LARGE_SITE = 5000;
/** Listings collect garbage every this many pages (so only large ones, 5,000 objects or more, ever do). */
const LIST_GC_PAGES = 5;

export interface Context {
  inputs: Inputs;
  s3: S3Client;
  cloudfront: CloudFrontClient | undefined;
  clock: Clock;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** Requests made, by operation (in the summary; the bench checks them against its budget). */
  requests: Record<string, number>;
}

/** Memory at a phase boundary, in the debug log (the 50,000-file goal is ≤256 MB RSS). */
export function memory(phase: string, large = false): void {
  if (large) collectGarbage();
  const m = process.memoryUsage();
  const mb = (n: number) => `${Math.round(n / 1048576)}MB`;
  core.debug(
    `memory after ${phase}: rss ${mb(m.rss)}, heap ${mb(m.heapUsed)}/${mb(m.heapTotal)}, external ${mb(m.external)}, buffers ${mb(m.arrayBuffers)}`,
  );
}

export function count(ctx: Context, what: string, n = 1): void {
  ctx.requests[what] = (ctx.requests[what] ?? 0) + n;
}

/** One listing of everything under the prefix: the site's objects and this action's records. */
export async function listSite(ctx: Context): Promise<{ listPrefix: string; objects: RemoteObject[]; pages: number }> {
  const prefix = ctx.inputs.prefix === '' ? '' : `${ctx.inputs.prefix}/`;
  // Each page's XML parse leaves ~1 MB of garbage that V8 would otherwise let pile up (and keep as RSS) on a
  // 50-page listing: collect every few pages once the listing is large.
  let listed: Awaited<ReturnType<typeof listAllObjects>>;
  try {
    listed = await listAllObjects(ctx.s3, ctx.inputs.bucket, prefix, {
      signal: ctx.signal,
      onPage: (pages) => {
        if (pages % LIST_GC_PAGES === 0) collectGarbage();
      },
    });
  } catch (err) {
    // The first S3 call of every run, before any write: a missing bucket is the user's input, said once.
    if (isErrorNamed(err, 'NoSuchBucket')) {
      throw new ConfigurationError(
        'bucket',
        `there is no S3 bucket ${JSON.stringify(ctx.inputs.bucket)} (ListObjectsV2: NoSuchBucket); nothing was written`,
      );
    }
    throw err;
  }
  count(ctx, 'ListObjectsV2', listed.pages);
  return { listPrefix: prefix, ...listed };
}

export function unwrapBatch(err: unknown): never {
  if (err instanceof BatchError) {
    const first = err.failures[0]!.error;
    throw first;
  }
  throw err;
}

/** Run a publishing phase; any failure becomes one DeployFailure saying what is (and is not) live. */
export async function runPhase(phase: 'assets' | 'html', fn: () => Promise<void>, what: string): Promise<void> {
  core.info(`Publishing ${phase}: ${what}.`);
  try {
    await fn();
  } catch (err) {
    const failures = err instanceof BatchError ? err.failures : [{ item: undefined, error: err }];
    const lines = failures.slice(0, 10).map(({ item, error }) => {
      const key =
        item && typeof item === 'object'
          ? 'key' in item
            ? item.key
            : 'blob' in item
              ? (item.blob as { key: string }).key
              : ''
          : '';
      return `  ${key}: ${isAwsError(error) ? describeAwsError(error) : errorMessage(error)}`;
    });
    const consequence =
      phase === 'assets'
        ? 'No HTML was published: the live site still serves the previous release.'
        : 'Some HTML files may already be updated; all assets they reference are in place. Re-run to finish.';
    throw new DeployFailure(`${failures.length} ${phase} write(s) failed. ${consequence}`, {
      details: lines.join('\n'),
      cause: failures[0]?.error,
    });
  }
}

/** Upload a local file, read through the real path the walk checked (re-checked right before: walk.ts). */
export async function putFile(ctx: Context, file: LocalFile, key: string, source: string): Promise<string> {
  const path = realPathOf(source, file);
  await assertUnchanged(path, file.path);
  const result = await uploadFile(ctx.s3, {
    bucket: ctx.inputs.bucket,
    key,
    path,
    size: file.size,
    partSize: ctx.inputs.partSize,
    checksums: ctx.inputs.checksumMode === 'when_supported',
    cacheControl: file.cacheControl,
    contentType: file.contentType,
    metadata: { sha256: file.sha256 },
    signal: ctx.signal,
  });
  if (result.multipart) count(ctx, 'Multipart', result.requests);
  else count(ctx, 'PutObject');
  return result.etag;
}

export async function applyStep(ctx: Context, step: FileStep, source: string): Promise<string> {
  if (step.kind === 'upload') return putFile(ctx, step.file, step.key, source);
  count(ctx, 'CopyObject');
  return copyObjectReplace(ctx.s3, {
    bucket: ctx.inputs.bucket,
    sourceKey: step.key,
    key: step.key,
    cacheControl: step.file.cacheControl,
    contentType: step.file.contentType,
    metadata: { sha256: step.file.sha256 },
    signal: ctx.signal,
  });
}
