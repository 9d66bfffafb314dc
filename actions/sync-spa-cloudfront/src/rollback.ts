import { ConfigurationError, core, DeployFailure } from '@deploy-actions/kit/runtime';
import { mapLimit } from './concurrency';
import { type Context, count, listSite, unwrapBatch } from './context';
import { invalidate, planPaths } from './invalidate';
import { hasInventory, nextInventory, ownedByRecord } from './ownership';
import { listReleases, type ManifestFile, type ReleaseManifest, releaseKey, urlPathForKey } from './plan';
import { checkDistribution } from './preflight';
import { decodeInlineHtml, readManifest, sha256Hex } from './release-record';
import { joinKey } from './s3-names';
import { copyObjectReplace, putBytes, putJsonObject } from './s3-objects';
import type { Report } from './summary';

// Rollback: put a previous release's HTML back (its hashed assets are still there thanks to retention), from the
// copy inside its release record or its separate HTML copy, then record and invalidate like a deploy.

/** Where a restored HTML file comes from: bytes kept in the record, or a stored copy (server-side copy). */
type HtmlSource = { bytes: Buffer } | { blob: string };

export async function rollback(ctx: Context, targetId: string): Promise<Report> {
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
  const inline = target.htmlInline ?? {};
  for (const path of Object.keys(target.files)) {
    if (!(path in target.html) && !(path in inline) && !byKey.has(joinKey(inputs.prefix, path))) missing.push(path);
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

  const sources = new Map<string, HtmlSource>();
  for (const [path, blob] of Object.entries(target.html)) sources.set(path, { blob });
  for (const [path, html] of Object.entries(inline)) {
    const bytes = decodeInlineHtml(html);
    const rec = target.files[path];
    if (rec && sha256Hex(bytes) !== rec.sha256) {
      throw new DeployFailure(
        `Release record ${ref.key} is damaged: the copy of ${path} in it does not match its sha256. Nothing was changed.`,
      );
    }
    sources.set(path, { bytes });
  }
  const restore: Array<{ path: string; key: string; from: HtmlSource; rec: ManifestFile }> = [];
  let unchanged = 0;
  for (const [path, from] of sources) {
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
    else restore.push({ path, key, from, rec });
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
    uploaded: restore.filter((r) => !('blob' in r.from)).length,
    metadataUpdated: restore.filter((r) => 'blob' in r.from).length,
    unchanged,
    deleted: 0,
    invalidation: paths,
    requests: ctx.requests,
    durationMs: 0,
  };
  core.info(
    `Rollback to ${targetId}: ${restore.length} HTML file(s) to restore, ${unchanged} already as in that release.`,
  );
  for (const r of restore)
    core.info(`  restore ${r.key} from ${'blob' in r.from ? r.from.blob : 'the copy in its release record'}`);
  await checkDistribution(ctx); // before the first write, dry runs too
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
      const headers = {
        bucket: inputs.bucket,
        key: r.key,
        cacheControl: r.rec.cacheControl,
        contentType: r.rec.contentType,
        metadata: { sha256: r.rec.sha256 },
        signal: ctx.signal,
      };
      count(ctx, 'blob' in r.from ? 'CopyObject' : 'PutObject');
      const etag =
        'blob' in r.from
          ? await copyObjectReplace(ctx.s3, { ...headers, sourceKey: r.from.blob })
          : await putBytes(ctx.s3, { ...headers, body: r.from.bytes });
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
  // The inventory of owned objects (ownership.ts) goes on from the newest record, not from the older target's.
  delete record.ownedEarlier;
  const newest = refs[0] === ref ? target : current;
  if (newest && hasInventory(newest)) {
    record.ownedEarlier = nextInventory(
      [...ownedByRecord(newest), ...ownedByRecord(target)],
      (path) => path in files || path in (record.extra ?? {}),
      (path) => byKey.has(joinKey(inputs.prefix, path)),
    );
  }
  const from = current?.id ?? refs[0]?.id;
  if (from !== undefined) record.rolledBackFrom = from;
  count(ctx, 'PutObject');
  await putJsonObject(ctx.s3, inputs.bucket, releaseKey(inputs.prefix, targetId, now), record, { gzip: true });
  await invalidate(ctx, report);
  report.durationMs = ctx.clock.now() - started;
  return report;
}
