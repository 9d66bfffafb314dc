import { META_DIR, type ReleaseManifest } from './release-record';
import { isInsidePrefix } from './s3-names';

// Which objects a site owns (pure). Prune deletes only what this prefix's own releases created, and never anything
// under another site's prefix: a site at the bucket root used to delete `admin/index.html` and all of
// `preview/pr-12/`, that site's release records included (issue #14, finding 5).
//
// Other sites: every site keeps its records under `<its prefix>/.deploy-actions/`, and the listing prune already
// makes (ListObjectsV2 under our prefix, no delimiter) contains every key below our prefix, so the sites nested in
// ours are found in it at no extra request. Sites outside our prefix are never listed and never touched.
//
// Own objects: each release record carries an inventory, `ownedEarlier`: the paths earlier releases of this site
// created that were still there when it was written (beyond its own `files`). The newest record therefore says
// everything the site owns, for the one GET a deploy already makes. Records written before the inventory existed
// are read once, all of them, the first time a prune needs it (every record of the site is still there then:
// records are only deleted by prune).

/** Key prefixes (`admin/`, `preview/pr-12/`) of the sites nested under `prefix`, outermost only, sorted. */
export function otherSitePrefixes(prefix: string, remote: Iterable<{ key: string }>): string[] {
  const start = prefix === '' ? 0 : prefix.length + 1;
  const marker = `/${META_DIR}/`;
  const found = new Set<string>();
  for (const o of remote) {
    if (!isInsidePrefix(prefix, o.key)) continue;
    // `<rel>/.deploy-actions/...` below the prefix; our own records are at `.deploy-actions/...` (index -1 or later)
    const rel = o.key.slice(start);
    if (rel.startsWith(`${META_DIR}/`)) continue;
    const i = rel.indexOf(marker);
    if (i > 0) found.add(o.key.slice(0, start + i + 1));
  }
  const sorted = [...found].sort();
  return sorted.filter((p) => !sorted.some((q) => q !== p && p.startsWith(q)));
}

/** The other site a key belongs to, if any. */
export function otherSiteOf(key: string, otherSites: readonly string[]): string | undefined {
  return otherSites.find((p) => key.startsWith(p));
}

/** Paths (relative to the prefix) a record says its site owns: its files, the rollback's extras, its inventory. */
export function ownedByRecord(record: ReleaseManifest): string[] {
  return [...Object.keys(record.files), ...Object.keys(record.extra ?? {}), ...(record.ownedEarlier ?? [])];
}

/** True when the record carries an inventory (written by a version that keeps one). */
export function hasInventory(record: ReleaseManifest | undefined): boolean {
  return record?.ownedEarlier !== undefined;
}

/**
 * The inventory for a new record: owned paths, minus those the record lists itself, minus those no longer in the
 * bucket (`present`), sorted. Paths this deploy's prune is about to delete stay in it: if the prune fails half-way,
 * the next run still knows they are ours (and drops them once they are gone).
 */
export function nextInventory(
  owned: Iterable<string>,
  recorded: (path: string) => boolean,
  present: (path: string) => boolean,
): string[] {
  const out = new Set<string>();
  for (const p of owned) if (!recorded(p) && present(p)) out.add(p);
  return [...out].sort();
}
