import { META_DIR, type ReleaseManifest, type ReleaseRef, releasesDir } from './release-record';
import { isInsidePrefix, joinKey } from './s3-names';
import type { RemoteObject } from './sync-plan';

// The prune planner (pure): which objects under the prefix are stale, which are kept and why, and whether the
// deletion guard trips. Table-tested in test/sync-plan.test.ts and test/ownership.test.ts.

export interface PrunePlanInput {
  prefix: string;
  /** Keys of the files this deploy publishes. */
  liveKeys: ReadonlySet<string>;
  remote: readonly RemoteObject[];
  /** Releases whose files are kept: the current one first, then the previous ones (the newest `keep-releases`). */
  keptReleases: readonly ReleaseManifest[];
  /** All release manifests listed (newest first), for pruning the records themselves. */
  releaseRefs: readonly ReleaseRef[];
  keepReleases: number;
  retentionMs: number;
  now: number;
  maxDeletePercent: number;
  force: boolean;
  /** `exclude`: keys (relative to the prefix) it matches are left alone: never deleted, not counted by the guard. */
  isExcluded?: (relativeKey: string) => boolean;
  /**
   * Paths (relative to the prefix) this site's releases created (ownership.ts). Nothing else is ever deleted: objects
   * another tool or a person put under the prefix are left alone.
   */
  owned: ReadonlySet<string>;
  /** Key prefixes of other sites nested under this one (`admin/`): never deleted, not counted. */
  otherSites: readonly string[];
}

export interface PruneItem {
  key: string;
  reason: string;
  size: number;
}

export interface PrunePlan {
  deletes: PruneItem[];
  retained: PruneItem[];
  /** Our own records (old release manifests, HTML copies) past retention. Not counted by the guard. */
  metaDeletes: PruneItem[];
  /** Objects under the prefix matching `exclude`, left alone. */
  excluded: number;
  /** Objects under the prefix that no release of this site created (another tool's, a person's): left alone. */
  notOwned: string[];
  /** Other sites under the prefix (key prefixes) and how many of their objects were left alone. */
  otherSites: Array<{ prefix: string; objects: number }>;
  /** Objects under the prefix that the site consists of (before this deploy), for the guard's percentage. */
  liveTotal: number;
  percent: number;
  guardTripped: boolean;
}

function age(ms: number): string {
  const days = ms / 86_400_000;
  return days >= 1 ? `${days.toFixed(1)}d` : `${(ms / 3_600_000).toFixed(1)}h`;
}

/**
 * Stale objects: created by this site's releases (`owned`), under the prefix (never outside it, never under another
 * site's prefix, never our records, never what `exclude` matches), not part of this deploy, not referenced by any
 * kept release, and older than the retention duration. The guard trips when the deletions exceed
 * `maxDeletePercent` of the site's objects (those it owns), unless forced.
 */
export function planPrune(input: PrunePlanInput): PrunePlan {
  const metaPrefix = joinKey(input.prefix, `${META_DIR}/`);
  const referenced = new Map<string, string>();
  for (const release of input.keptReleases) {
    for (const path of Object.keys(release.files)) {
      const key = joinKey(input.prefix, path);
      if (!referenced.has(key)) referenced.set(key, release.id);
    }
  }
  const deletes: PruneItem[] = [];
  const retained: PruneItem[] = [];
  const start = input.prefix === '' ? 0 : input.prefix.length + 1;
  let liveTotal = 0;
  let excluded = 0;
  const notOwned: string[] = [];
  const others = new Map(input.otherSites.map((p) => [p, 0]));
  for (const o of input.remote) {
    if (!isInsidePrefix(input.prefix, o.key) || o.key.startsWith(metaPrefix)) continue;
    const site = input.otherSites.find((p) => o.key.startsWith(p));
    if (site !== undefined) {
      others.set(site, others.get(site)! + 1);
      continue;
    }
    const rel = o.key.slice(start);
    if (input.isExcluded?.(rel)) {
      excluded += 1;
      continue;
    }
    if (!input.liveKeys.has(o.key) && !input.owned.has(rel) && !referenced.has(o.key)) {
      notOwned.push(o.key);
      continue;
    }
    liveTotal += 1;
    if (input.liveKeys.has(o.key)) continue;
    const ref = referenced.get(o.key);
    const objectAge = input.now - o.lastModified;
    if (ref !== undefined) retained.push({ key: o.key, size: o.size, reason: `referenced by release ${ref}` });
    else if (objectAge < input.retentionMs)
      retained.push({ key: o.key, size: o.size, reason: `younger than retention (${age(objectAge)})` });
    else
      deletes.push({
        key: o.key,
        size: o.size,
        reason: `stale for ${age(objectAge)}, in none of the last ${input.keepReleases} releases`,
      });
  }

  // Our records: manifests beyond the newest keep-releases and past retention; HTML copies nobody kept references.
  const metaDeletes: PruneItem[] = [];
  const keptRefs = new Set(input.releaseRefs.slice(0, Math.max(0, input.keepReleases - 1)).map((r) => r.key));
  const keptBlobs = new Set(input.keptReleases.flatMap((r) => Object.values(r.html)));
  const releaseDir = releasesDir(input.prefix);
  const blobDir = joinKey(input.prefix, `${META_DIR}/html/`);
  for (const o of input.remote) {
    const old = input.now - o.lastModified >= input.retentionMs;
    if (o.key.startsWith(releaseDir) && !keptRefs.has(o.key) && old) {
      metaDeletes.push({ key: o.key, size: o.size, reason: 'release record past retention' });
    } else if (o.key.startsWith(blobDir) && !keptBlobs.has(o.key) && old) {
      metaDeletes.push({ key: o.key, size: o.size, reason: 'HTML copy of a release past retention' });
    }
  }
  const percent = liveTotal === 0 ? 0 : (deletes.length / liveTotal) * 100;
  return {
    deletes,
    retained,
    metaDeletes,
    excluded,
    notOwned,
    otherSites: [...others].map(([prefix, objects]) => ({ prefix, objects })),
    liveTotal,
    percent,
    guardTripped: !input.force && deletes.length > 0 && percent > input.maxDeletePercent,
  };
}
