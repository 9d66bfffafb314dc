import { hash } from 'node:crypto';
import {
  core,
  DeployFailure,
  describeAwsError,
  errorMessage,
  isAwsError,
  retryableFailure,
} from '@deploy-actions/kit/runtime';
import { BodyPool } from '../body-pool';
import { BatchError, ByteBudget, ConcurrencyLimit, mapAdaptive } from '../concurrency';
import { gcEvery, memory } from '../gc';
import type { Plan, Write } from '../release-plan';
import { SMALL_FILE } from '../s3-etag';
import { FastPut } from '../s3-fast-put';
import { copyObjectReplace, putBytes, uploadFile } from '../s3-writes';
import type { Session } from '../session';
import { assertUnchanged, readCheckedSync, realPathOf } from '../walk';

// Stage 3: the writes, in two phases. Assets first (nothing live refers to them yet), then HTML, only once every
// asset is in place (amplify-cli#2087), so a failure before the HTML leaves the live site as it was. Writes in
// flight start at `concurrency` and follow S3's answers (concurrency.ts: AIMD, exhausted requests tried again).

/**
 * By release-record path, what the record stage writes down: the ETag S3 returned, and an upload's MD5 when the scan
 * hashed the file without it (S3's, when its answer says the ETag is the MD5; else hashed from the bytes sent).
 */
export type Written = Map<string, { etag: string; md5?: string }>;

/** Bytes of upload bodies held in memory at once (the 50,000-file goal is ≤256 MB RSS). */
const BODY_BUDGET = 64 * 1024 * 1024;

export async function publish(session: Session, plan: Plan): Promise<Written> {
  const written: Written = new Map();
  const tick = gcEvery(2000, plan.large);
  const limit = new ConcurrencyLimit(session.inputs.concurrency);
  const budget = new ByteBudget(BODY_BUDGET);
  // small uploads after the first few skip the SDK's per-call path (s3-fast-put.ts); counted as the SDK's calls are
  const fast = new FastPut(session.s3, () => {
    session.requests.PutObject = (session.requests.PutObject ?? 0) + 1;
  });
  // small files are read into buffers used again (body-pool.ts); as many are kept as writes can be in flight
  const bodies = new BodyPool(SMALL_FILE, limit.max);
  const write = async (w: Write) => {
    tick();
    const done = await writeOne(session, plan, w, { budget, fast, bodies });
    if (w.recordPath !== undefined) written.set(w.recordPath, done);
  };
  if (plan.assets.length > 0) await runPhase(session, 'assets', plan.assets, limit, write);
  memory('assets', plan.large);
  if (plan.html.length > 0) await runPhase(session, 'html', plan.html, limit, write);
  memory('html', plan.large);
  return written;
}

/** Run a publishing phase; any failure becomes one DeployFailure saying what is (and is not) live. */
async function runPhase(
  session: Session,
  phase: 'assets' | 'html',
  writes: readonly Write[],
  limit: ConcurrencyLimit,
  write: (w: Write) => Promise<void>,
): Promise<void> {
  core.info(`Publishing ${phase}: ${writes.length} ${phase === 'assets' ? 'asset' : 'HTML'} writes.`);
  try {
    await mapAdaptive(writes, limit, write, {
      classify: retryableFailure,
      signal: session.signal,
      onDecrease: (n) =>
        core.info(`S3 keeps throttling: ${n} write(s) in flight from now on (it grows back as writes succeed).`),
    });
  } catch (err) {
    const failures =
      err instanceof BatchError
        ? (err.failures as Array<{ item: Write | undefined; error: unknown }>)
        : [{ item: undefined, error: err }];
    const lines = failures
      .slice(0, 10)
      .map(
        ({ item, error }) =>
          `  ${item?.key ?? ''}: ${isAwsError(error) ? describeAwsError(error) : errorMessage(error)}`,
      );
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

/** What the writes of one publish share. */
interface Writers {
  budget: ByteBudget;
  fast: FastPut;
  bodies: BodyPool;
}

/** One write; returns the ETag S3 gave the object, and an upload's MD5 (see Written). */
async function writeOne(
  session: Session,
  plan: Plan,
  w: Write,
  { budget, fast, bodies }: Writers,
): Promise<{ etag: string; md5?: string }> {
  const { inputs, s3, signal } = session;
  if (w.kind === 'copy') {
    const etag = await copyObjectReplace(s3, {
      bucket: inputs.bucket,
      key: w.key,
      sourceKey: w.sourceKey,
      ...w.headers,
      signal,
    });
    return { etag };
  }
  if (w.kind === 'put') {
    return { etag: await putBytes(s3, { bucket: inputs.bucket, key: w.key, body: w.body, ...w.headers, signal }) };
  }
  // A file of source, read through the real path the walk checked (re-checked right before: walk.ts); small ones in
  // one synchronous step, as the scan read them, into a buffer of the pool.
  const path = realPathOf(plan.source!, w.file);
  const buffer = w.file.size <= SMALL_FILE ? bodies.take() : undefined;
  const bytes = buffer ? readCheckedSync(path, w.file.path, SMALL_FILE, buffer) : undefined;
  if (buffer && bytes?.buffer !== buffer.buffer) bodies.give(buffer); // (not read into it: it grew past SMALL_FILE)
  if (bytes === undefined) await assertUnchanged(path, w.file.path);
  // (S3 checks these bytes against the scan's sha256, which signs the request: see s3-writes.ts)
  const result = await uploadFile(s3, {
    bucket: inputs.bucket,
    key: w.key,
    path,
    size: w.file.size,
    partSize: inputs.partSize,
    checksums: inputs.checksumMode === 'when_supported',
    cacheControl: w.file.cacheControl,
    contentType: w.file.contentType,
    metadata: { sha256: w.file.sha256 },
    sha256: w.file.sha256,
    ...(bytes ? { body: bytes } : {}),
    budget,
    signal,
    fast,
  });
  // the MD5 the record keeps: the scan's, S3's when its answer says the ETag is one, else hashed from the bytes sent
  const md5 = w.file.md5 ?? result.md5 ?? (bytes ? hash('md5', bytes, 'hex') : undefined);
  if (buffer && bytes?.buffer === buffer.buffer) bodies.give(buffer); // accepted: S3 has read all of it
  return md5 === undefined ? { etag: result.etag } : { etag: result.etag, md5 };
}
