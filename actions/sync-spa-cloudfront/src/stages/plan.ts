import { hash } from 'node:crypto';
import { ConfigurationError, core, DeployFailure, requestSent } from '@deploy-actions/kit/runtime';
import { BatchError, mapLimit } from '../concurrency';
import { dotName } from '../dotfiles';
import { memory } from '../gc';
import { changedUrlPaths, planPaths } from '../invalidation-paths';
import { hasInventory, nextInventory, otherSiteOf, otherSitePrefixes, ownedByRecord } from '../ownership';
import { checkDistribution, type DistributionRead, readDistribution } from '../preflight';
import { type PrunePlan, planPrune } from '../prune-plan';
import { type RemoteReads, readRecord } from '../records';
import type { Plan, Write } from '../release-plan';
import {
  META_DIR,
  manifestRecord,
  type ReleaseManifest,
  type ReleaseRef,
  readAsScanned,
  readInlineHtml,
  releaseKey,
  sameFiles,
} from '../release-record';
import { SMALL_FILE } from '../s3-etag';
import { joinKey } from '../s3-names';
import { headObject } from '../s3-objects';
import type { Session } from '../session';
import { type HeadInfo, planSync, type RemoteObject, recordedFiles, type SyncPlan, uploadsCertain } from '../sync-plan';
import type { Scan } from './scan';

// Stage 2 of a deploy, read-only: the listing and the previous release record(s) → what to upload, fix, keep and
// prune, the record to write and the paths to invalidate; then the distribution is read (preflight.ts). Every
// decision is a pure planner's (sync-plan.ts, prune-plan.ts, ownership.ts, invalidation-paths.ts); this stage only
// fetches what they need, and refuses (before any write) what must not happen.

export async function planDeploy(session: Session, scan: Scan, reads: RemoteReads): Promise<Plan> {
  const { inputs } = session;
  const { files, large } = scan;
  const listing = await reads.listing;
  // A file the listing lacks, or holds at another size, is written whatever the release record says: the
  // distribution (checked before the first write) is read now, beside the record, not once the plan is made; else
  // once the record is in, when it tells of a change (a file edited in place at the same size) — both before the
  // plan's own work, which its answer then overlaps (#15).
  let distribution: Promise<DistributionRead | undefined> | undefined;
  if (uploadsCertain(inputs.prefix, files, listing.objects)) distribution = (await distributionRead(session)).read;
  const previous = await reads.previous;
  if (!distribution && previous && uploadsCertain(inputs.prefix, files, listing.objects, previous)) {
    distribution = (await distributionRead(session)).read;
  }
  memory('listing and release record', large);
  const remote: RemoteObject[] = listing.objects;
  core.info(
    `s3://${inputs.bucket}/${listing.listPrefix}: ${remote.length} objects (${listing.pages} page${listing.pages === 1 ? '' : 's'}).`,
  );
  const refs = listing.releases;

  // Other sites nested under this prefix (their records are in this listing): never written, never pruned.
  const otherSites = otherSitePrefixes(inputs.prefix, remote);
  if (otherSites.length > 0) {
    core.info(`Other sites under this prefix, left alone: ${otherSites.join(', ')}.`);
    const clash = files.find((f) => otherSiteOf(joinKey(inputs.prefix, f.path), otherSites) !== undefined);
    if (clash) {
      const key = joinKey(inputs.prefix, clash.path);
      const site = otherSiteOf(key, otherSites)!;
      throw new ConfigurationError(
        'source',
        `${clash.path} would be written to s3://${inputs.bucket}/${key}, inside another site (${site}, with its own release records under ${site}${META_DIR}/); deploy that site with its own prefix, or leave ${site.slice(listing.listPrefix.length)} out of this build`,
      );
    }
  }
  warnPublicDotObjects(inputs.bucket, inputs.prefix, remote, otherSites);

  const sync = await planFiles(session, scan, remote, previous);
  // A file to write means a record to write: the distribution is read now if it is not yet, while the rest is
  // planned (its answer is reported below, where it was always checked). A run that changes nothing never reads it.
  if (!distribution && sync.counts.upload + sync.counts.copy > 0) distribution = (await distributionRead(session)).read;

  // The release record this deploy will write (ETags filled in as objects are written).
  const now = new Date(session.clock.now());
  const remoteByKey = new Map(remote.map((o) => [o.key, o]));
  const record: ReleaseManifest = {
    version: 1,
    id: inputs.releaseId,
    time: now.toISOString(),
    prefix: inputs.prefix,
    partSize: inputs.partSize,
    files: {},
    html: { ...sync.htmlCopies },
    htmlInline: await readInlineHtml(scan.source, sync.inline),
  };
  for (const s of sync.steps) record.files[s.path] = manifestRecord(s.file, remoteByKey.get(s.key)?.etag ?? '');

  const { owned, older } = await ownedAndKept(session, refs, previous);
  const prune =
    inputs.deleteMode === 'prune'
      ? planDeletes(session, sync, remote, refs, record, older, owned!, otherSites)
      : undefined;
  if (owned) {
    record.ownedEarlier = nextInventory(
      owned,
      (p) => p in record.files,
      (p) => remoteByKey.has(joinKey(inputs.prefix, p)),
    );
  }

  const deleted = prune ? prune.deletes.map((d) => d.key) : [];
  const invalidation = planPaths(inputs.distributionId, inputs.invalidation, () =>
    changedUrlPaths(sync, deleted, previous, inputs.prefix, inputs.originPath),
  );
  const writes = (phase: 'assets' | 'html'): Write[] =>
    sync.steps
      .filter((s) => s.phase === phase && (s.kind === 'upload' || s.kind === 'copy'))
      .map((s) =>
        s.kind === 'upload'
          ? { kind: 'upload', key: s.key, file: s.file, recordPath: s.path }
          : {
              kind: 'copy',
              key: s.key,
              sourceKey: s.key,
              headers: {
                cacheControl: s.file.cacheControl,
                contentType: s.file.contentType,
                metadata: { sha256: s.file.sha256 },
              },
              recordPath: s.path,
            },
      );
  const assets: Write[] = [
    ...writes('assets'),
    ...sync.blobs.map((b): Write => ({ kind: 'upload', key: b.key, file: b.file })),
  ];
  const html = writes('html');
  const changes = assets.length + html.length + (prune ? prune.deletes.length + prune.metaDeletes.length : 0);
  // A record gaining its first inventory is rewritten once, so the next prune need not read every record again.
  const alreadyRecorded =
    changes === 0 &&
    previous?.id === record.id &&
    sameFiles(previous.files, record.files) &&
    (hasInventory(previous) || !hasInventory(record));

  const recordKey = releaseKey(inputs.prefix, record.id, now);
  const plan: Plan = {
    mode: 'deploy',
    releaseId: inputs.releaseId,
    previousReleaseId: previous?.id,
    source: scan.source,
    large,
    assets,
    html,
    record: alreadyRecorded ? undefined : { key: recordKey, value: record },
    liveRecord: alreadyRecorded ? refs[0]!.key : recordKey,
    prune,
    invalidation,
    counts: {
      uploaded: sync.counts.upload,
      metadataUpdated: sync.counts.copy,
      unchanged: sync.counts.unchanged,
      deleted: deleted.length,
    },
    files: files.length,
    excluded: scan.excluded,
    excludeGlobs: inputs.exclude.globs,
    detector: scan.detector.source,
    sync,
  };
  logPlan(plan);
  // Read distribution-id before the first write; a run that changes nothing needs no distribution.
  if (plan.record || (invalidation?.paths.length ?? 0) > 0) await checkDistribution(session, distribution);
  return plan;
}

/**
 * Start reading the distribution; resolves once that request is written (or the read is over). The plan's own work
 * runs between the SDK's awaits, so a read merely started went out only when the plan was done (~30 ms later on the
 * bench's 2,000-file redeploy) and its answer was then waited for; written first, it is answered while the plan goes
 * on (#15). Wrapped: a promise returned by an async function would be waited for, not handed over.
 */
async function distributionRead(session: Session): Promise<{ read: Promise<DistributionRead | undefined> }> {
  const sent = session.cloudfront ? requestSent(session.cloudfront) : undefined;
  const read = readDistribution(session);
  read.catch(() => undefined); // awaited by checkDistribution, unless planning fails first (that error is reported)
  if (sent) await Promise.race([sent, read.then(noop, noop)]);
  return { read };
}

function noop(): void {}

/**
 * planSync; when it needs MD5s the scan did not hash (no release record vouches for those ETags), they are hashed and
 * planSync runs again; when ETags cannot prove equality, one HEAD per such object and planSync again. Then every
 * file the record will name without a fresh write gets its MD5 (the record keeps one per file): from the previous
 * record when it holds the same bytes, else hashed here. Uploads get theirs as they are sent (stages/publish.ts).
 */
async function planFiles(
  session: Session,
  scan: Scan,
  remote: readonly RemoteObject[],
  previous: ReleaseManifest | undefined,
): Promise<SyncPlan> {
  const { inputs } = session;
  const input = { prefix: inputs.prefix, partSize: inputs.partSize, local: scan.files, remote, previous };
  let first = planSync(input);
  if (first.md5s.length > 0) {
    hashMd5s(scan, new Set(first.md5s));
    first = planSync(input);
  }
  const sync = await verifyByHead(session, input, first);
  const prevFiles = recordedFiles(previous);
  const missing = new Set<string>();
  for (const s of sync.steps) {
    if (s.kind === 'upload' || s.file.md5 !== undefined) continue;
    const prev = prevFiles[s.path];
    if (prev?.md5 && prev.sha256 === s.file.sha256 && prev.size === s.file.size) s.file.md5 = prev.md5;
    else missing.add(s.path);
  }
  if (missing.size > 0) hashMd5s(scan, missing);
  return sync;
}

/** The MD5 of each file of `paths` (small files: the scan hashed the rest with theirs), read through the checked path. */
function hashMd5s(scan: Scan, paths: ReadonlySet<string>): void {
  for (const file of scan.files) {
    if (file.md5 !== undefined || !paths.has(file.path)) continue;
    file.md5 = hash('md5', readAsScanned(scan.source, file, SMALL_FILE), 'hex');
  }
}

/** planSync's answer, or when ETags cannot prove equality, one HEAD per such object and planSync again. */
async function verifyByHead(
  session: Session,
  input: Parameters<typeof planSync>[0],
  first: SyncPlan,
): Promise<SyncPlan> {
  const { inputs } = session;
  if (first.verify.length === 0) return first;
  core.info(
    `${first.verify.length} objects have ETags that are not MD5s of ours: reading their sha256 metadata (HEAD).`,
  );
  const heads = new Map<string, HeadInfo>();
  await mapLimit(first.verify, inputs.concurrency, async (key) => {
    const h = await headObject(session.s3, inputs.bucket, key, session.signal);
    const info: HeadInfo = { etag: h.etag };
    if (h.metadata.sha256) info.sha256 = h.metadata.sha256;
    if (h.cacheControl !== undefined) info.cacheControl = h.cacheControl;
    if (h.contentType !== undefined) info.contentType = h.contentType;
    heads.set(key, info);
  }).catch((err: unknown) => {
    throw err instanceof BatchError ? err.failures[0]!.error : err;
  });
  return planSync({ ...input, heads });
}

/**
 * What this site owns (ownership.ts) and the older releases prune keeps. The newest record's inventory says what the
 * site owns; records from before the inventory existed are read once, all of them, when a prune needs it.
 */
async function ownedAndKept(
  session: Session,
  refs: readonly ReleaseRef[],
  previous: ReleaseManifest | undefined,
): Promise<{ owned: Set<string> | undefined; older: ReleaseManifest[] }> {
  const { inputs } = session;
  const read = new Map<string, ReleaseManifest>();
  if (refs[0] && previous) read.set(refs[0].key, previous);
  const get = async (ref: ReleaseRef) => {
    const known = read.get(ref.key);
    if (known) return known;
    const record = await readRecord(session, ref);
    read.set(ref.key, record);
    return record;
  };
  let owned: Set<string> | undefined;
  if (refs.length === 0) owned = new Set();
  else if (previous && hasInventory(previous)) owned = new Set(ownedByRecord(previous));
  else if (inputs.deleteMode === 'prune') {
    core.info(`Release records without an inventory of owned objects: reading all ${refs.length} of them once.`);
    owned = new Set();
    for (const ref of refs) for (const p of ownedByRecord(await get(ref))) owned.add(p);
  }
  const older: ReleaseManifest[] = [];
  if (inputs.deleteMode === 'prune')
    for (const ref of refs.slice(0, inputs.keepReleases - 1)) older.push(await get(ref));
  return { owned, older };
}

/** The prune plan, guarded before anything is written. */
function planDeletes(
  session: Session,
  sync: SyncPlan,
  remote: readonly RemoteObject[],
  refs: readonly ReleaseRef[],
  record: ReleaseManifest,
  older: readonly ReleaseManifest[],
  owned: ReadonlySet<string>,
  otherSites: readonly string[],
): PrunePlan {
  const { inputs } = session;
  const prune = planPrune({
    prefix: inputs.prefix,
    liveKeys: new Set(sync.steps.map((s) => s.key)),
    remote,
    keptReleases: [record, ...older],
    releaseRefs: refs,
    keepReleases: inputs.keepReleases,
    retentionMs: inputs.retentionMs,
    now: session.clock.now(),
    maxDeletePercent: inputs.maxDeletePercent,
    force: inputs.forceDelete,
    isExcluded: inputs.exclude.matches,
    owned,
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
  return prune;
}

function logPlan(plan: Plan): void {
  const sync = plan.sync!;
  const c = sync.counts;
  core.info(
    `Plan: ${c.upload} upload, ${c.copy} header fix (CopyObject), ${c.unchanged} unchanged, ${sync.inline.length} HTML kept in the release record, ${sync.blobs.length} new HTML release copies.`,
  );
  const changed = sync.steps.filter((s) => s.kind !== 'unchanged');
  for (const s of changed.slice(0, 200)) core.info(`  ${s.kind.padEnd(6)} ${s.key} (${s.reason})`);
  if (changed.length > 200) core.info(`  ... and ${changed.length - 200} more`);
  const prune = plan.prune;
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
  const paths = plan.invalidation?.paths;
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
