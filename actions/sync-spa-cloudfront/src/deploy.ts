import { ConfigurationError, core, DeployFailure } from '@deploy-actions/kit/runtime';
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
import { dotName } from './dotfiles';
import { gcEvery } from './gc';
import { invalidate, planPaths } from './invalidate';
import { hasInventory, nextInventory, otherSiteOf, otherSitePrefixes, ownedByRecord } from './ownership';
import {
  changedUrlPaths,
  type HeadInfo,
  listReleases,
  META_DIR,
  type PrunePlan,
  planPrune,
  planSync,
  type ReleaseManifest,
  type RemoteObject,
  releaseKey,
  type SyncPlan,
} from './plan';
import { checkDistribution } from './preflight';
import { manifestRecord, readInlineHtml, readManifest, sameFiles } from './release-record';
import { isInsidePrefix, joinKey } from './s3-names';
import { deleteKeys, headObject, putJsonObject } from './s3-objects';
import { scanSource } from './scan';
import type { Report } from './summary';

// A deploy: hash the source, list the prefix once, read the previous release record, plan, then publish in phases
// (assets, then HTML, then the release record, then prune) and invalidate what changed.

/** Excluded names listed one per log line (the summary lists up to its own limit, with the total). */
const EXCLUDED_LOG_LINES = 50;

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
  // Read distribution-id before the first write (dry runs too); a run that changes nothing needs no distribution.
  if (!d.alreadyRecorded || (d.report.invalidation?.paths.length ?? 0) > 0) await checkDistribution(ctx);
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
    inputs.followSymlinks,
  );
  core.info(
    `${scan.files.length} local files; hashed assets detected by ${scan.detector.source}${scan.viteManifest ? ` (${scan.viteManifest})` : ''}.`,
  );
  if (scan.excluded.length > 0) {
    core.info(`Not published (${scan.excluded.length} name(s); remote objects matching \`exclude\` are left alone):`);
    for (const x of scan.excluded.slice(0, EXCLUDED_LOG_LINES)) core.info(`  ${x.name} (${x.why})`);
    if (scan.excluded.length > EXCLUDED_LOG_LINES)
      core.info(`  ... and ${scan.excluded.length - EXCLUDED_LOG_LINES} more`);
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

  // Other sites nested under this prefix (their records are in this listing): never written, never pruned.
  const otherSites = otherSitePrefixes(inputs.prefix, remote);
  if (otherSites.length > 0) {
    core.info(`Other sites under this prefix, left alone: ${otherSites.join(', ')}.`);
    const clash = scan.files.find((f) => otherSiteOf(joinKey(inputs.prefix, f.path), otherSites) !== undefined);
    if (clash) {
      const key = joinKey(inputs.prefix, clash.path);
      const site = otherSiteOf(key, otherSites)!;
      throw new ConfigurationError(
        'source',
        `${clash.path} would be written to s3://${inputs.bucket}/${key}, inside another site (${site}, with its own release records under ${site}${META_DIR}/); deploy that site with its own prefix, or leave ${site.slice(listed.listPrefix.length)} out of this build`,
      );
    }
  }
  warnPublicDotObjects(inputs.bucket, inputs.prefix, remote, otherSites);

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

  // What this site owns (ownership.ts): the newest record's inventory; records from before the inventory existed are
  // read once, all of them, when a prune needs it.
  let owned: Set<string> | undefined;
  const readRecords = new Map<string, ReleaseManifest>();
  if (refs[0] && previous) readRecords.set(refs[0].key, previous);
  if (refs.length === 0) owned = new Set();
  else if (previous && hasInventory(previous)) owned = new Set(ownedByRecord(previous));
  else if (inputs.deleteMode === 'prune') {
    core.info(`Release records without an inventory of owned objects: reading all ${refs.length} of them once.`);
    owned = new Set();
    for (const ref of refs) {
      if (ref === refs[0] && !previous) continue; // read above, unreadable (already warned)
      const m = readRecords.get(ref.key) ?? (await readManifest(ctx, ref));
      if (!m) continue;
      readRecords.set(ref.key, m);
      for (const p of ownedByRecord(m)) owned.add(p);
    }
  }

  // Prune plan, decided (and guarded) before anything is written.
  let prune: PrunePlan | undefined;
  if (inputs.deleteMode === 'prune') {
    const older: ReleaseManifest[] = [];
    for (const ref of refs.slice(0, inputs.keepReleases - 1)) {
      const m = readRecords.get(ref.key) ?? (await readManifest(ctx, ref));
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
      owned: owned!,
      otherSites,
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

  if (owned) {
    manifest.ownedEarlier = nextInventory(
      owned,
      (p) => p in manifest.files,
      (p) => remoteByKey.has(joinKey(inputs.prefix, p)),
    );
  }
  readRecords.clear();

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
    excluded: scan.excluded,
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
  // A record gaining its first inventory is rewritten once, so the next prune need not read every record again.
  const alreadyRecorded =
    writes === 0 &&
    previous?.id === manifest.id &&
    sameFiles(previous.files, manifest.files) &&
    (hasInventory(previous) || !hasInventory(manifest));
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
          await putFile(ctx, item.blob.file, item.blob.key, source);
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
    if (prune.notOwned.length > 0) {
      core.info(
        `  left alone: ${prune.notOwned.length} object(s) no release of this site created (${prune.notOwned.slice(0, 5).join(', ')}${prune.notOwned.length > 5 ? ', …' : ''})`,
      );
    }
  }
  if (paths) core.info(`Invalidation: ${paths.length ? paths.join(' ') : 'nothing to invalidate'}`);
}

/**
 * Objects with dot names under the prefix are public (an earlier deploy, or another tool, published them): this
 * action no longer publishes them, and says so once, since `.env` or `.git/config` there is a leak to clean up.
 */
function warnPublicDotObjects(
  bucket: string,
  prefix: string,
  remote: readonly RemoteObject[],
  otherSites: readonly string[],
): void {
  const start = prefix === '' ? 0 : prefix.length + 1;
  const found: string[] = [];
  for (const o of remote) {
    const rel = o.key.slice(start);
    if (rel.startsWith(`${META_DIR}/`) || otherSiteOf(o.key, otherSites) !== undefined) continue;
    if (dotName(rel) !== undefined) found.push(o.key);
  }
  if (found.length === 0) return;
  core.warning(
    `${found.length} object(s) with dot names are public in s3://${bucket}/${prefix === '' ? '' : `${prefix}/`}: ${found.slice(0, 10).join(', ')}${found.length > 10 ? ', …' : ''}. This action never publishes dot names; delete them if they should not be served.`,
  );
}
