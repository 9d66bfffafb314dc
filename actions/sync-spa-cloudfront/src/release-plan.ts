import type { InvalidationPlan } from './cloudfront-invalidation';
import type { PrunePlan } from './prune-plan';
import type { ReleaseManifest } from './release-record';
import type { ObjectHeaders } from './s3-writes';
import type { LocalFile, SyncPlan } from './sync-plan';
import type { ExcludedEntry } from './walk';

// What a run will do, decided before its first write (by stages/plan.ts for a deploy, stages/plan-rollback.ts for a
// rollback) and then carried out by publish → record → prune → invalidate, each reading only its part.

/** One object write. `recordPath`: the release record entry whose ETag the write's result fills in. */
export type Write =
  /** A file of `source`, read through the real path the walk checked. */
  | { kind: 'upload'; key: string; file: LocalFile; recordPath?: string }
  /** A server-side copy with new headers: a header fix in place, or an HTML copy restored by a rollback. */
  | { kind: 'copy'; key: string; sourceKey: string; headers: ObjectHeaders; recordPath?: string }
  /** Bytes already in memory (HTML kept inside a release record, restored by a rollback). */
  | { kind: 'put'; key: string; body: Buffer; headers: ObjectHeaders; recordPath?: string };

export interface PlanCounts {
  uploaded: number;
  metadataUpdated: number;
  unchanged: number;
  deleted: number;
}

export interface Plan {
  mode: 'deploy' | 'rollback';
  /** The release that is live once the run is done (the rolled-back-to release for a rollback). */
  releaseId: string;
  previousReleaseId: string | undefined;
  /** Real path of `source` (deploys). */
  source: string | undefined;
  /** 5,000 files or more: memory is reclaimed eagerly (gc.ts). */
  large: boolean;
  /** Everything that is not live HTML (assets, header fixes, copies of large HTML): written first. */
  assets: Write[];
  /** Live HTML, written only once every asset is in place. */
  html: Write[];
  /** The record written after the HTML; undefined when the newest record already describes this release. */
  record: { key: string; value: ReleaseManifest } | undefined;
  /** Key of the record that says this release is live once the run is done (written now, or found). */
  liveRecord: string;
  prune: PrunePlan | undefined;
  invalidation: InvalidationPlan | undefined;
  counts: PlanCounts;
  /** For the summary: local files (deploy) or files of the release (rollback). */
  files: number;
  excluded?: readonly ExcludedEntry[];
  excludeGlobs?: readonly string[];
  detector?: string;
  sync?: SyncPlan;
  /** Rollback: keys of the HTML restored. */
  restored?: string[];
}

/** Keys prune deletes: stale objects first, then our own old records. */
export function deletedKeys(plan: Pick<Plan, 'prune'>): string[] {
  return plan.prune ? [...plan.prune.deletes, ...plan.prune.metaDeletes].map((d) => d.key) : [];
}
