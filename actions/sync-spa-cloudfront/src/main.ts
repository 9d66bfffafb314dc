import { join } from 'node:path';
import * as core from '@actions/core';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import {
  type Clock,
  ConfigurationError,
  cancellationSignal,
  copyObjectReplace,
  createClient,
  DeployFailure,
  deleteKeys,
  describeAwsError,
  errorMessage,
  getJsonObject,
  headObject,
  type InvalidationPlan,
  invalidationCallerReference,
  isAwsError,
  isInsidePrefix,
  joinKey,
  listAllObjects,
  PollTimeoutError,
  planInvalidationPaths,
  putJsonObject,
  realClock,
  setOutputs,
  submitInvalidation,
  uploadFile,
  waitForInvalidation,
} from '@deploy-actions/kit';
import { BatchError, mapLimit } from './concurrency';
import { collectGarbage, gcEvery, limitYoungGeneration } from './gc';
import { getInputs, type Inputs } from './inputs';
import {
  changedUrlPaths,
  type FileStep,
  type HeadInfo,
  htmlBlobKey,
  type LocalFile,
  listReleases,
  type ManifestFile,
  type PrunePlan,
  planPrune,
  planSync,
  type ReleaseManifest,
  type ReleaseRef,
  type RemoteObject,
  releaseKey,
  type SyncPlan,
  urlPathForKey,
} from './plan';
import { scanSource } from './scan';
import { type Report, writeSummary } from './summary';

export const ACTION = 'sync-spa-cloudfront';
/** From this many files on, memory is reclaimed eagerly (see gc.ts). */
const LARGE_SITE = 5000;

/** Injected in tests; production uses the defaults. */
export interface Deps {
  s3?: S3Client;
  cloudfront?: CloudFrontClient;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

interface Context {
  inputs: Inputs;
  s3: S3Client;
  cloudfront: CloudFrontClient | undefined;
  clock: Clock;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  requests: Record<string, number>;
}

/** Memory at a phase boundary, in the debug log (the 50,000-file goal is ≤256 MB RSS). */
function memory(phase: string, large = false): void {
  if (large) collectGarbage();
  const m = process.memoryUsage();
  const mb = (n: number) => `${Math.round(n / 1048576)}MB`;
  core.debug(
    `memory after ${phase}: rss ${mb(m.rss)}, heap ${mb(m.heapUsed)}/${mb(m.heapTotal)}, external ${mb(m.external)}, buffers ${mb(m.arrayBuffers)}`,
  );
}

function count(ctx: Context, what: string, n = 1): void {
  ctx.requests[what] = (ctx.requests[what] ?? 0) + n;
}

export async function main(deps: Deps = {}): Promise<void> {
  limitYoungGeneration();
  const env = deps.env ?? process.env;
  const clock = deps.clock ?? realClock;
  const inputs = await getInputs(env, new Date(clock.now()));
  const s3 =
    deps.s3 ??
    createClient(S3Client, {
      action: ACTION,
      ...(inputs.region ? { region: inputs.region } : {}),
      s3ChecksumMode: inputs.checksumMode,
      env,
    });
  const cloudfront = invalidates(inputs)
    ? (deps.cloudfront ??
      createClient(CloudFrontClient, { action: ACTION, ...(inputs.region ? { region: inputs.region } : {}), env }))
    : undefined;
  const ctx: Context = {
    inputs,
    s3,
    cloudfront,
    clock,
    env,
    signal: deps.signal ?? cancellationSignal(),
    requests: {},
  };
  const report = inputs.rollbackTo !== undefined ? await rollback(ctx, inputs.rollbackTo) : await deploy(ctx);
  setOutputs({
    uploaded: report.uploaded,
    'metadata-updated': report.metadataUpdated,
    deleted: report.deleted,
    unchanged: report.unchanged,
    'invalidation-id': report.invalidationId ?? '',
    'release-id': report.releaseId,
  });
  await writeSummary(report);
}

// ---------------------------------------------------------------------------------------------------------------
// Deploy

async function readManifest(ctx: Context, ref: ReleaseRef): Promise<ReleaseManifest | undefined> {
  try {
    count(ctx, 'GetObject');
    const m = await getJsonObject<ReleaseManifest>(ctx.s3, ctx.inputs.bucket, ref.key);
    if (m?.version !== 1 || typeof m.files !== 'object') throw new Error('unknown manifest format');
    m.html ??= {};
    return m;
  } catch (err) {
    core.warning(
      `Release record ${ref.key} could not be read (${isAwsError(err) ? describeAwsError(err) : errorMessage(err)}); ignoring it.`,
    );
    return undefined;
  }
}

function manifestRecord(file: LocalFile, etag: string): ManifestFile {
  return {
    sha256: file.sha256,
    md5: file.md5,
    size: file.size,
    etag,
    cacheControl: file.cacheControl,
    contentType: file.contentType,
  };
}

async function deploy(ctx: Context): Promise<Report> {
  const { inputs } = ctx;
  const started = ctx.clock.now();
  const source = inputs.source!;
  core.info(`Hashing ${source} ...`);
  const scan = await scanSource(
    source,
    inputs.cacheRules,
    inputs.partSize,
    Math.max(2, Math.min(inputs.concurrency, 8)),
    inputs.exclude,
  );
  core.info(
    `${scan.files.length} local files; hashed assets detected by ${scan.detector.source}${scan.viteManifest ? ` (${scan.viteManifest})` : ''}.`,
  );
  if (scan.excluded.length > 0) {
    const shown = scan.excluded.slice(0, 20).join(', ');
    core.info(
      `Excluded (not published; matching remote objects are left alone): ${scan.excluded.length} file(s): ${shown}${scan.excluded.length > 20 ? ', …' : ''}.`,
    );
  }

  const large = scan.files.length >= LARGE_SITE;
  memory('hashing', large);
  const listed = await listSite(ctx);
  const remote: RemoteObject[] = listed.objects;
  memory('listing', large);
  core.info(
    `s3://${inputs.bucket}/${listed.listPrefix}: ${remote.length} objects (${listed.pages} page${listed.pages === 1 ? '' : 's'}).`,
  );

  const refs = listReleases(inputs.prefix, remote);
  const previous = refs[0] ? await readManifest(ctx, refs[0]) : undefined;
  memory('release record', large);

  let plan = planSync({ prefix: inputs.prefix, partSize: inputs.partSize, local: scan.files, remote, previous });
  if (plan.verify.length > 0) {
    core.info(
      `${plan.verify.length} objects have ETags that are not MD5s of ours: reading their sha256 metadata (HEAD).`,
    );
    const heads = new Map<string, HeadInfo>();
    await mapLimit(plan.verify, inputs.concurrency, async (key) => {
      const h = await headObject(ctx.s3, inputs.bucket, key);
      const info: HeadInfo = { etag: h.etag };
      if (h.metadata.sha256) info.sha256 = h.metadata.sha256;
      if (h.cacheControl !== undefined) info.cacheControl = h.cacheControl;
      if (h.contentType !== undefined) info.contentType = h.contentType;
      heads.set(key, info);
    }).catch(unwrapBatch);
    count(ctx, 'HeadObject', plan.verify.length);
    plan = planSync({ prefix: inputs.prefix, partSize: inputs.partSize, local: scan.files, remote, previous, heads });
  }

  // The release record this deploy will write (ETags filled in as objects are written).
  const now = new Date(ctx.clock.now());
  const remoteByKey = new Map(remote.map((o) => [o.key, o]));
  const manifest: ReleaseManifest = {
    version: 1,
    id: inputs.releaseId,
    time: now.toISOString(),
    prefix: inputs.prefix,
    partSize: inputs.partSize,
    files: {},
    html: {},
  };
  for (const s of plan.steps) manifest.files[s.path] = manifestRecord(s.file, remoteByKey.get(s.key)?.etag ?? '');
  for (const f of scan.files) if (f.html) manifest.html[f.path] = htmlBlobKey(inputs.prefix, f.sha256);

  // Prune plan, decided (and guarded) before anything is written.
  let prune: PrunePlan | undefined;
  if (inputs.deleteMode === 'prune') {
    const older: ReleaseManifest[] = [];
    for (const ref of refs.slice(0, inputs.keepReleases - 1)) {
      const m = ref === refs[0] ? previous : await readManifest(ctx, ref);
      if (m) older.push(m);
    }
    prune = planPrune({
      prefix: inputs.prefix,
      liveKeys: new Set(plan.steps.map((s) => s.key)),
      remote,
      keptReleases: [manifest, ...older],
      releaseRefs: refs,
      keepReleases: inputs.keepReleases,
      retentionMs: inputs.retentionMs,
      now: ctx.clock.now(),
      maxDeletePercent: inputs.maxDeletePercent,
      force: inputs.forceDelete,
      isExcluded: inputs.exclude.matches,
    });
    if (prune.guardTripped) {
      throw new DeployFailure(
        `Refusing to delete ${prune.deletes.length} of ${prune.liveTotal} objects (${prune.percent.toFixed(1)}% > max-delete-percent ${inputs.maxDeletePercent}). Nothing was changed. Check source/prefix, or set force-delete: true.`,
        {
          details: prune.deletes
            .slice(0, 20)
            .map((d) => `  would delete ${d.key} (${d.reason})`)
            .join('\n'),
        },
      );
    }
  }

  const deletedKeys = prune ? prune.deletes.map((d) => d.key) : [];
  const invalidationPaths = planPaths(inputs, () =>
    changedUrlPaths(plan, deletedKeys, previous, inputs.prefix, inputs.originPath),
  );
  const report: Report = {
    mode: 'deploy',
    dryRun: inputs.dryRun,
    bucket: inputs.bucket,
    prefix: inputs.prefix,
    releaseId: inputs.releaseId,
    previousReleaseId: previous?.id,
    files: scan.files.length,
    excluded: scan.excluded.length,
    excludeGlobs: inputs.exclude.globs,
    detector: scan.detector.source,
    plan,
    prune,
    uploaded: plan.counts.upload,
    metadataUpdated: plan.counts.copy,
    unchanged: plan.counts.unchanged,
    deleted: deletedKeys.length,
    invalidation: invalidationPaths,
    requests: ctx.requests,
    durationMs: 0,
  };
  logPlan(plan, prune, invalidationPaths?.paths);
  if (inputs.dryRun) {
    core.info('Dry run: nothing was written.');
    report.durationMs = ctx.clock.now() - started;
    return report;
  }

  // Phase 1: everything that is not live HTML: assets, header fixes on assets, release copies of the HTML.
  const assetSteps = plan.steps.filter((s) => s.phase === 'assets' && (s.kind === 'upload' || s.kind === 'copy'));
  const htmlSteps = plan.steps.filter((s) => s.phase === 'html' && (s.kind === 'upload' || s.kind === 'copy'));
  const tick = gcEvery(2000, large);
  await runPhase(
    'assets',
    async () => {
      await mapLimit([...assetSteps, ...plan.blobs.map((b) => ({ blob: b }))], inputs.concurrency, async (item) => {
        tick();
        if ('blob' in item) {
          await putFile(ctx, item.blob.file, item.blob.key, join(source, item.blob.path));
          return;
        }
        manifest.files[item.path]!.etag = await applyStep(ctx, item, source);
      });
    },
    `${assetSteps.length + plan.blobs.length} asset writes`,
  );

  memory('assets', large);
  // Phase 2: HTML, only now that every asset it references is in place.
  await runPhase(
    'html',
    async () => {
      await mapLimit(htmlSteps, inputs.concurrency, async (step) => {
        tick();
        manifest.files[step.path]!.etag = await applyStep(ctx, step, source);
      });
    },
    `${htmlSteps.length} HTML writes`,
  );

  const nothingChanged =
    assetSteps.length + htmlSteps.length + plan.blobs.length + deletedKeys.length === 0 &&
    previous?.id === manifest.id &&
    sameFiles(previous.files, manifest.files);
  if (nothingChanged) {
    core.info(`Nothing changed: release ${manifest.id} is already recorded as live.`);
  } else {
    count(ctx, 'PutObject');
    await putJsonObject(ctx.s3, inputs.bucket, releaseKey(inputs.prefix, manifest.id, now), manifest, { gzip: true });
    core.info(`Release ${manifest.id} recorded.`);
  }

  // Phase 3: prune, last, only inside the prefix.
  if (prune && (prune.deletes.length > 0 || prune.metaDeletes.length > 0)) {
    const keys = [...prune.deletes, ...prune.metaDeletes].map((d) => d.key);
    const outside = keys.find((k) => !isInsidePrefix(inputs.prefix, k));
    if (outside) throw new Error(`internal error: refusing to delete ${outside}, outside the prefix`);
    const { requests } = await deleteKeys(ctx.s3, inputs.bucket, keys);
    count(ctx, 'DeleteObjects', requests);
    core.info(`Pruned ${prune.deletes.length} stale objects and ${prune.metaDeletes.length} old release records.`);
  }

  await invalidate(ctx, report);
  memory('deploy', large);
  report.durationMs = ctx.clock.now() - started;
  return report;
}

function sameFiles(a: Record<string, ManifestFile>, b: Record<string, ManifestFile>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => {
    const x = a[k]!;
    const y = b[k];
    return (
      y !== undefined &&
      x.sha256 === y.sha256 &&
      x.etag === y.etag &&
      x.cacheControl === y.cacheControl &&
      x.contentType === y.contentType
    );
  });
}

/** True when this run invalidates CloudFront at all (a distribution is given and invalidation is not off). */
function invalidates(inputs: Inputs): boolean {
  return inputs.distributionId !== undefined && inputs.invalidation !== 'off';
}

/** The invalidation of a deploy or rollback: none, `/*`, or planned from the URL paths that changed. */
function planPaths(inputs: Inputs, changedPaths: () => string[]): InvalidationPlan | undefined {
  if (!invalidates(inputs)) return undefined;
  if (inputs.invalidation === 'all') return { paths: ['/*'], wildcards: 1, requested: 1 };
  return planInvalidationPaths(changedPaths());
}

/** One listing of everything under the prefix: the site's objects and this action's records. */
async function listSite(ctx: Context): Promise<{ listPrefix: string; objects: RemoteObject[]; pages: number }> {
  const prefix = ctx.inputs.prefix === '' ? '' : `${ctx.inputs.prefix}/`;
  const listed = await listAllObjects(ctx.s3, ctx.inputs.bucket, prefix, { signal: ctx.signal });
  count(ctx, 'ListObjectsV2', listed.pages);
  return { listPrefix: prefix, ...listed };
}

function unwrapBatch(err: unknown): never {
  if (err instanceof BatchError) {
    const first = err.failures[0]!.error;
    throw first;
  }
  throw err;
}

/** Run a publishing phase; any failure becomes one DeployFailure saying what is (and is not) live. */
async function runPhase(phase: 'assets' | 'html', fn: () => Promise<void>, what: string): Promise<void> {
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

async function putFile(ctx: Context, file: LocalFile, key: string, path: string): Promise<string> {
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

async function applyStep(ctx: Context, step: FileStep, source: string): Promise<string> {
  if (step.kind === 'upload') return putFile(ctx, step.file, step.key, join(source, step.path));
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

function logPlan(plan: SyncPlan, prune: PrunePlan | undefined, paths: string[] | undefined): void {
  const c = plan.counts;
  core.info(
    `Plan: ${c.upload} upload, ${c.copy} header fix (CopyObject), ${c.unchanged} unchanged, ${plan.blobs.length} HTML release copies.`,
  );
  const changed = plan.steps.filter((s) => s.kind !== 'unchanged');
  for (const s of changed.slice(0, 200)) core.info(`  ${s.kind.padEnd(6)} ${s.key} (${s.reason})`);
  if (changed.length > 200) core.info(`  ... and ${changed.length - 200} more`);
  if (prune) {
    core.info(
      `Prune: ${prune.deletes.length} stale objects to delete, ${prune.retained.length} retained, ${prune.metaDeletes.length} old records.`,
    );
    for (const d of prune.deletes) core.info(`  delete ${d.key} (${d.reason})`);
  }
  if (paths) core.info(`Invalidation: ${paths.length ? paths.join(' ') : 'nothing to invalidate'}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Invalidation

async function invalidate(ctx: Context, report: Report): Promise<void> {
  const { inputs } = ctx;
  const plan = report.invalidation;
  if (!ctx.cloudfront || !inputs.distributionId || !plan || plan.paths.length === 0) return;
  const runId = ctx.env.GITHUB_RUN_ID?.trim() || `local-${report.releaseId}-${ctx.clock.now()}`;
  const attempt = ctx.env.GITHUB_RUN_ATTEMPT?.trim() || '1';
  const callerReference = invalidationCallerReference(runId, attempt, plan.paths);
  const submitted = await submitInvalidation(ctx.cloudfront, {
    distributionId: inputs.distributionId,
    paths: plan.paths,
    callerReference,
    timeoutMs: Math.max(inputs.invalidationTimeoutMs, 60_000),
    clock: ctx.clock,
    signal: ctx.signal,
    onProgress: (m) => core.info(m),
  });
  count(ctx, 'CreateInvalidation', 1 + submitted.backoffs);
  report.invalidationId = submitted.id;
  report.invalidationStatus = submitted.status;
  report.callerReference = callerReference;
  core.info(`Invalidation ${submitted.id} (${submitted.status}) for ${plan.paths.length} path(s).`);
  if (!inputs.waitForInvalidation || submitted.status === 'Completed') return;
  try {
    await waitForInvalidation(ctx.cloudfront, {
      distributionId: inputs.distributionId,
      id: submitted.id,
      timeoutMs: inputs.invalidationTimeoutMs,
      clock: ctx.clock,
      signal: ctx.signal,
      onProgress: (m) => core.info(m),
    });
    report.invalidationStatus = 'Completed';
  } catch (err) {
    if (!(err instanceof PollTimeoutError)) throw err;
    report.invalidationStatus = 'InProgress (not confirmed before the timeout)';
    core.warning(
      `Invalidation ${submitted.id} was submitted but not confirmed within ${Math.round(inputs.invalidationTimeoutMs / 1000)}s; the new files are live in S3 and caches will catch up.`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rollback: put a previous release's HTML back (its hashed assets are still there thanks to retention).

async function rollback(ctx: Context, targetId: string): Promise<Report> {
  const { inputs } = ctx;
  const started = ctx.clock.now();
  const listed = await listSite(ctx);
  const refs = listReleases(inputs.prefix, listed.objects);
  const ref = refs.find((r) => r.id === targetId);
  if (!ref) {
    const known = [...new Set(refs.map((r) => r.id))].slice(0, 10);
    throw new ConfigurationError(
      'rollback-to',
      `no release ${JSON.stringify(targetId)} under s3://${inputs.bucket}/${listed.listPrefix} (known: ${known.length ? known.join(', ') : 'none'})`,
    );
  }
  const target = await readManifest(ctx, ref);
  if (!target) throw new DeployFailure(`Release record ${ref.key} could not be read; cannot roll back.`);
  const current = refs[0] && refs[0] !== ref ? await readManifest(ctx, refs[0]) : undefined;
  const byKey = new Map(listed.objects.map((o) => [o.key, o]));

  // Everything the release needs must still exist before we touch the live HTML.
  const missing: string[] = [];
  for (const [path, blob] of Object.entries(target.html))
    if (!byKey.has(blob)) missing.push(`${path} (release copy ${blob})`);
  for (const path of Object.keys(target.files)) {
    if (!(path in target.html) && !byKey.has(joinKey(inputs.prefix, path))) missing.push(path);
  }
  if (missing.length > 0) {
    throw new DeployFailure(
      `Release ${targetId} cannot be restored: ${missing.length} of its files were pruned. Nothing was changed.`,
      {
        details: missing
          .slice(0, 20)
          .map((m) => `  missing ${m}`)
          .join('\n'),
      },
    );
  }

  const restore: Array<{ path: string; key: string; blob: string; rec: ManifestFile }> = [];
  let unchanged = 0;
  for (const [path, blob] of Object.entries(target.html)) {
    const rec = target.files[path];
    if (!rec) continue;
    const key = joinKey(inputs.prefix, path);
    const live = byKey.get(key);
    const currentRec = current?.files[path];
    const same =
      live !== undefined &&
      live.size === rec.size &&
      (live.etag === rec.md5 || (rec.etag !== undefined && live.etag === rec.etag));
    const headersSame = currentRec
      ? currentRec.cacheControl === rec.cacheControl && currentRec.contentType === rec.contentType
      : false;
    if (same && headersSame) unchanged += 1;
    else restore.push({ path, key, blob, rec });
  }

  const paths = planPaths(inputs, () =>
    restore.map((r) => urlPathForKey(r.key, inputs.originPath)).filter((p): p is string => p !== undefined),
  );
  const report: Report = {
    mode: 'rollback',
    dryRun: inputs.dryRun,
    bucket: inputs.bucket,
    prefix: inputs.prefix,
    releaseId: targetId,
    previousReleaseId: current?.id ?? refs[0]?.id,
    files: Object.keys(target.files).length,
    detector: undefined,
    plan: undefined,
    prune: undefined,
    restored: restore.map((r) => r.key),
    uploaded: 0,
    metadataUpdated: restore.length,
    unchanged,
    deleted: 0,
    invalidation: paths,
    requests: ctx.requests,
    durationMs: 0,
  };
  core.info(
    `Rollback to ${targetId}: ${restore.length} HTML file(s) to restore, ${unchanged} already as in that release.`,
  );
  for (const r of restore) core.info(`  restore ${r.key} from ${r.blob}`);
  if (inputs.dryRun) {
    report.durationMs = ctx.clock.now() - started;
    return report;
  }
  // The record describes what is live after the rollback: restored HTML, and for other paths whatever object is
  // there now (an unhashed file such as robots.txt keeps the newer content; only HTML is restored).
  const files: Record<string, ManifestFile> = { ...target.files };
  for (const [path, rec] of Object.entries(target.files)) {
    const live = byKey.get(joinKey(inputs.prefix, path));
    const now = current?.files[path];
    if (live && rec.etag !== live.etag && now?.etag === live.etag) files[path] = now;
  }
  try {
    await mapLimit(restore, inputs.concurrency, async (r) => {
      count(ctx, 'CopyObject');
      const etag = await copyObjectReplace(ctx.s3, {
        bucket: inputs.bucket,
        sourceKey: r.blob,
        key: r.key,
        cacheControl: r.rec.cacheControl,
        contentType: r.rec.contentType,
        metadata: { sha256: r.rec.sha256 },
        signal: ctx.signal,
      });
      files[r.path] = { ...r.rec, etag };
    });
  } catch (err) {
    unwrapBatch(err);
  }
  const now = new Date(ctx.clock.now());
  const record: ReleaseManifest = { ...target, time: now.toISOString(), files };
  delete record.extra;
  if (current) {
    const extra = Object.fromEntries(
      Object.entries(current.files).filter(([path]) => !(path in files) && byKey.has(joinKey(inputs.prefix, path))),
    );
    if (Object.keys(extra).length > 0) record.extra = extra;
  }
  const from = current?.id ?? refs[0]?.id;
  if (from !== undefined) record.rolledBackFrom = from;
  count(ctx, 'PutObject');
  await putJsonObject(ctx.s3, inputs.bucket, releaseKey(inputs.prefix, targetId, now), record, { gzip: true });
  await invalidate(ctx, report);
  report.durationMs = ctx.clock.now() - started;
  return report;
}
