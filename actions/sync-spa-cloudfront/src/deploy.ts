import { join } from 'node:path';
import * as core from '@actions/core';
import { DeployFailure } from '@deploy-actions/kit/runtime';
import { mapLimit } from './concurrency';
import {
  applyStep,
  type Context,
  count,
  LARGE_SITE,
  listSite,
  memory,
  putFile,
  runPhase,
  unwrapBatch,
} from './context';
import { gcEvery } from './gc';
import { invalidate, planPaths } from './invalidate';
import {
  changedUrlPaths,
  type HeadInfo,
  listReleases,
  type PrunePlan,
  planPrune,
  planSync,
  type ReleaseManifest,
  type RemoteObject,
  releaseKey,
  type SyncPlan,
} from './plan';
import { manifestRecord, readInlineHtml, readManifest, sameFiles } from './release-record';
import { isInsidePrefix } from './s3-names';
import { deleteKeys, headObject, putJsonObject } from './s3-objects';
import { scanSource } from './scan';
import type { Report } from './summary';

// A deploy: hash the source, list the prefix once, read the previous release record, plan, then publish in phases
// (assets, then HTML, then the release record, then prune) and invalidate what changed.

/** Everything a deploy decided before writing anything. The listing and the previous record are not kept. */
interface DeployPlan {
  source: string;
  large: boolean;
  plan: SyncPlan;
  prune: PrunePlan | undefined;
  /** The release record to write (ETags filled in as objects are written). */
  manifest: ReleaseManifest;
  recordKey: string;
  /** No write at all and the newest record already describes this release: the record is not rewritten. */
  alreadyRecorded: boolean;
  report: Report;
}

export async function deploy(ctx: Context): Promise<Report> {
  const started = ctx.clock.now();
  // Planning is its own function so the 50,000-entry listing and previous record are garbage once it returns.
  const d = await planDeploy(ctx);
  if (!ctx.inputs.dryRun) await publish(ctx, d);
  else core.info('Dry run: nothing was written.');
  d.report.durationMs = ctx.clock.now() - started;
  return d.report;
}

async function planDeploy(ctx: Context): Promise<DeployPlan> {
  const { inputs } = ctx;
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
    html: { ...plan.htmlCopies },
    htmlInline: await readInlineHtml(source, plan.inline),
  };
  for (const s of plan.steps) manifest.files[s.path] = manifestRecord(s.file, remoteByKey.get(s.key)?.etag ?? '');

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
  const writes =
    plan.counts.upload +
    plan.counts.copy +
    plan.blobs.length +
    (prune ? prune.deletes.length + prune.metaDeletes.length : 0);
  const alreadyRecorded = writes === 0 && previous?.id === manifest.id && sameFiles(previous.files, manifest.files);
  const recordKey = releaseKey(inputs.prefix, manifest.id, now);
  return { source, large, plan, prune, manifest, recordKey, alreadyRecorded, report };
}

/** Assets, then HTML, then the release record, then prune; then the invalidation. */
async function publish(ctx: Context, d: DeployPlan): Promise<void> {
  const { inputs } = ctx;
  const { source, large, plan, prune, manifest } = d;
  // Phase 1: everything that is not live HTML: assets, header fixes on assets, release copies of large HTML.
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

  if (d.alreadyRecorded) {
    core.info(`Nothing changed: release ${manifest.id} is already recorded as live.`);
  } else {
    memory('html', large);
    count(ctx, 'PutObject');
    await putJsonObject(ctx.s3, inputs.bucket, d.recordKey, manifest, { gzip: true });
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

  await invalidate(ctx, d.report);
  memory('deploy', large);
}

function logPlan(plan: SyncPlan, prune: PrunePlan | undefined, paths: string[] | undefined): void {
  const c = plan.counts;
  core.info(
    `Plan: ${c.upload} upload, ${c.copy} header fix (CopyObject), ${c.unchanged} unchanged, ${plan.inline.length} HTML kept in the release record, ${plan.blobs.length} new HTML release copies.`,
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
