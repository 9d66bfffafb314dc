import { DeployFailure } from '@deploy-actions/kit/runtime';
import { hasInventory, nextInventory, ownedByRecord } from './ownership';
import { decodeInlineHtml, type ManifestFile, type ReleaseManifest, sha256Hex } from './release-record';
import { joinKey } from './s3-names';
import type { RemoteObject } from './sync-plan';

// The rollback planner (pure): which HTML of an earlier release to put back, from where, and the record that says
// what is live afterwards. The release's hashed assets are still in the bucket (prune keeps the files of the last
// `keep-releases` releases and anything younger than `retention`); only its HTML is restored.

/** Where a restored HTML file comes from: bytes kept in the record, or a stored copy (server-side copy). */
export type HtmlSource = { bytes: Buffer } | { blob: string };

export interface Restore {
  path: string;
  key: string;
  from: HtmlSource;
  rec: ManifestFile;
}

export interface RollbackPlanInput {
  prefix: string;
  /** The record of the release to return to, and its key (for messages). */
  target: ReleaseManifest;
  targetKey: string;
  /** The newest record other than the target's (what is live now), if any. */
  current: ReleaseManifest | undefined;
  /** True when the target's record is the newest one. */
  targetIsNewest: boolean;
  /** The release live before the rollback (the newest record's id): the record's `rolledBackFrom`. */
  liveReleaseId: string | undefined;
  /** The listing of the prefix, by key. */
  live: ReadonlyMap<string, RemoteObject>;
  now: Date;
}

export interface RollbackPlan {
  restore: Restore[];
  /** HTML files already as in the target release. */
  unchanged: number;
  /** The record written after the restores (ETags of restored files are filled in from the writes). */
  record: ReleaseManifest;
}

/** Everything the release needs that is no longer in the bucket (pruned): nothing may change then. */
export function missingFiles(prefix: string, target: ReleaseManifest, live: ReadonlyMap<string, unknown>): string[] {
  const missing: string[] = [];
  for (const [path, blob] of Object.entries(target.html))
    if (!live.has(blob)) missing.push(`${path} (release copy ${blob})`);
  const inline = target.htmlInline ?? {};
  for (const path of Object.keys(target.files)) {
    if (!(path in target.html) && !(path in inline) && !live.has(joinKey(prefix, path))) missing.push(path);
  }
  return missing;
}

/** The source of each HTML file of the release; a copy kept in the record must match its recorded sha256. */
export function htmlSources(target: ReleaseManifest, targetKey: string): Map<string, HtmlSource> {
  const sources = new Map<string, HtmlSource>();
  for (const [path, blob] of Object.entries(target.html)) sources.set(path, { blob });
  for (const [path, html] of Object.entries(target.htmlInline ?? {})) {
    const bytes = decodeInlineHtml(html);
    const rec = target.files[path];
    if (rec && sha256Hex(bytes) !== rec.sha256) {
      throw new DeployFailure(
        `Release record ${targetKey} is damaged: the copy of ${path} in it does not match its sha256. Nothing was changed.`,
      );
    }
    sources.set(path, { bytes });
  }
  return sources;
}

export function planRollback(input: RollbackPlanInput): RollbackPlan {
  const { prefix, target, current, live } = input;
  const missing = missingFiles(prefix, target, live);
  if (missing.length > 0) {
    throw new DeployFailure(
      `Release ${target.id} cannot be restored: ${missing.length} of its files were pruned. Nothing was changed.`,
      {
        details: missing
          .slice(0, 20)
          .map((m) => `  missing ${m}`)
          .join('\n'),
      },
    );
  }
  const restore: Restore[] = [];
  let unchanged = 0;
  // What the live objects' headers are: the newest record says (the target's own when it is the newest: a re-run)
  const liveRecord = current ?? (input.targetIsNewest ? target : undefined);
  for (const [path, from] of htmlSources(target, input.targetKey)) {
    const rec = target.files[path];
    if (!rec) continue;
    const key = joinKey(prefix, path);
    const object = live.get(key);
    const currentRec = liveRecord?.files[path];
    const same =
      object !== undefined &&
      object.size === rec.size &&
      (object.etag === rec.md5 || (rec.etag !== undefined && object.etag === rec.etag));
    const headersSame = currentRec
      ? currentRec.cacheControl === rec.cacheControl && currentRec.contentType === rec.contentType
      : false;
    if (same && headersSame) unchanged += 1;
    else restore.push({ path, key, from, rec });
  }
  return { restore, unchanged, record: recordAfter(input, restore) };
}

/**
 * The record that describes what is live after the rollback: restored HTML, and for other paths whatever object is
 * there now (an unhashed file such as robots.txt keeps the newer content; only HTML is restored). The inventory of
 * owned objects goes on from the newest record, not from the older target's.
 */
function recordAfter(input: RollbackPlanInput, restore: readonly Restore[]): ReleaseManifest {
  const { prefix, target, current, live } = input;
  const files: Record<string, ManifestFile> = { ...target.files };
  for (const [path, rec] of Object.entries(target.files)) {
    const object = live.get(joinKey(prefix, path));
    const now = current?.files[path];
    if (object && rec.etag !== object.etag && now?.etag === object.etag) files[path] = now;
  }
  for (const r of restore) files[r.path] = { ...r.rec };
  const record: ReleaseManifest = { ...target, time: input.now.toISOString(), files };
  delete record.extra;
  if (current) {
    const extra = Object.fromEntries(
      Object.entries(current.files).filter(([path]) => !(path in files) && live.has(joinKey(prefix, path))),
    );
    if (Object.keys(extra).length > 0) record.extra = extra;
  }
  delete record.ownedEarlier;
  const newest = input.targetIsNewest ? target : current;
  if (newest && hasInventory(newest)) {
    record.ownedEarlier = nextInventory(
      [...ownedByRecord(newest), ...ownedByRecord(target)],
      (path) => path in files || path in (record.extra ?? {}),
      (path) => live.has(joinKey(prefix, path)),
    );
  }
  if (input.liveReleaseId !== undefined) record.rolledBackFrom = input.liveReleaseId;
  return record;
}
