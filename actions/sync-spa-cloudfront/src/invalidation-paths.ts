import { type InvalidationPlan, planInvalidationPaths } from './cloudfront-invalidation';
import { invalidates } from './inputs';
import { isImmutable } from './policy';
import type { ReleaseManifest } from './release-record';
import type { SyncPlan } from './sync-plan';

// Which URL paths a deploy or rollback invalidates (pure): the files whose change must reach viewers now.

export type InvalidationMode = 'changed' | 'all' | 'off';

/** The invalidation of a deploy or rollback: none, `/*`, or planned from the URL paths that changed. */
export function planPaths(
  distributionId: string | undefined,
  mode: InvalidationMode,
  changedPaths: () => string[],
): InvalidationPlan | undefined {
  if (!invalidates(distributionId, mode)) return undefined;
  if (mode === 'all') return { paths: ['/*'], wildcards: 1, requested: 1 };
  return planInvalidationPaths(changedPaths());
}

/** URL path a key is served at: `/` + key, minus the distribution's origin path (`/site` for keys under `site/`). */
export function urlPathForKey(key: string, originPath: string): string | undefined {
  const origin = originPath.replace(/^\/+|\/+$/g, '');
  if (origin === '') return `/${key}`;
  if (!key.startsWith(`${origin}/`)) return undefined;
  return `/${key.slice(origin.length + 1)}`;
}

/**
 * Files whose change must reach viewers now: uploaded or re-headered files that are not immutable, plus deleted
 * files that were not immutable (by their recorded headers; unknown counts as mutable).
 */
export function changedUrlPaths(
  plan: Pick<SyncPlan, 'steps'>,
  deletedKeys: readonly string[],
  previous: ReleaseManifest | undefined,
  prefix: string,
  originPath: string,
): string[] {
  const out = new Set<string>();
  for (const s of plan.steps) {
    if ((s.kind === 'upload' || s.kind === 'copy') && !isImmutable(s.file.cacheControl)) {
      const p = urlPathForKey(s.key, originPath);
      if (p) out.add(p);
    }
  }
  const start = prefix === '' ? 0 : prefix.length + 1;
  for (const key of deletedKeys) {
    const rec = previous?.files[key.slice(start)];
    if (rec && isImmutable(rec.cacheControl)) continue;
    const p = urlPathForKey(key, originPath);
    if (p) out.add(p);
  }
  return [...out].sort();
}
