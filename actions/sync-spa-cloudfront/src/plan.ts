import { isImmutable } from './policy';
import { etagMatches, isSinglePartEtag, normalizeEtag } from './s3-etag';
import { isInsidePrefix, joinKey } from './s3-names';

// The sync planner: local files + one listing of the prefix + the previous release manifest → what to upload,
// what to fix with CopyObject (headers only), what is unchanged, what must be confirmed with a HEAD, what to prune.
// Pure: no AWS, no file system. Table-tested in test/plan.test.ts.

/** Where this action keeps its own records under the prefix. Local files may not use it. */
export const META_DIR = '.deploy-actions';

export interface LocalFile {
  /** Path relative to the source directory, `/`-separated (`assets/index-Bx1.js`). */
  path: string;
  size: number;
  md5: string;
  sha256: string;
  /** Per-part MD5s for our part size when size >= part size (multipart uploads). */
  partMd5s?: string[];
  cacheControl: string;
  contentType: string;
  html: boolean;
  /** Real path the content is read from, when the file was reached through a symlink (see walk.ts). */
  real?: string;
}

export interface RemoteObject {
  key: string;
  /** As listed (quotes allowed). */
  etag: string;
  size: number;
  /** Epoch ms. */
  lastModified: number;
}

export interface ManifestFile {
  sha256: string;
  md5: string;
  size: number;
  /** ETag S3 returned when we wrote (or last verified) the object. */
  etag?: string;
  cacheControl: string;
  contentType: string;
}

export interface ReleaseManifest {
  version: 1;
  id: string;
  /** ISO time of the deploy (or of the rollback that re-activated it). */
  time: string;
  prefix: string;
  partSize: number;
  /** By path relative to the prefix. */
  files: Record<string, ManifestFile>;
  /**
   * HTML entry points of this release stored as separate copies: path → key under `.deploy-actions/html/`. Only HTML
   * too large to keep in `htmlInline` (see INLINE_HTML_*); older records keep every entry point here.
   */
  html: Record<string, string>;
  /** HTML entry points kept inside this record (path → content), so a rollback needs no other object. */
  htmlInline?: Record<string, InlineHtml>;
  /** Set when a rollback re-activated this release. */
  rolledBackFrom?: string;
  /**
   * Rollback only: records of objects of the release rolled back from that are still in the bucket (its newer assets),
   * so the next deploy knows their headers. Not part of this release (never protects anything from pruning).
   */
  extra?: Record<string, ManifestFile>;
  /**
   * Inventory (see ownership.ts): paths, relative to the prefix, that earlier releases of this site created and that
   * were still in the bucket when this record was written, beyond `files` and `extra`. Absent in records written
   * before the inventory existed (and in records that follow them until a prune has read them all).
   */
  ownedEarlier?: string[];
}

/** HTML content in a release record: text when it is valid UTF-8 (readable), base64 otherwise. */
export interface InlineHtml {
  encoding: 'utf8' | 'base64';
  data: string;
}

/**
 * HTML up to this size is kept inside the release record instead of as a separate copy: the record is written on
 * every deploy anyway, so a changed index.html costs no extra request.
 */
export const INLINE_HTML_MAX_BYTES = 64 * 1024;
/** At most this much HTML per record (a many-page site keeps copies for the rest, content-addressed). */
export const INLINE_HTML_TOTAL_BYTES = 512 * 1024;

/** What a HEAD of an object told us (only done for objects whose content the ETag cannot prove). */
export interface HeadInfo {
  etag: string;
  sha256?: string;
  cacheControl?: string;
  contentType?: string;
}

export type StepKind = 'upload' | 'copy' | 'unchanged' | 'verify';

export interface FileStep {
  path: string;
  key: string;
  kind: StepKind;
  phase: 'assets' | 'html';
  reason: string;
  file: LocalFile;
}

export interface BlobStep {
  /** Live path of the HTML file this copy is made from. */
  path: string;
  key: string;
  file: LocalFile;
}

export interface SyncPlan {
  steps: FileStep[];
  /** HTML entry points whose content goes into the release record (small ones, in path order, within budget). */
  inline: LocalFile[];
  /** HTML entry points kept as separate copies (content-addressed): path → key. */
  htmlCopies: Record<string, string>;
  /** Those copies not yet stored (so unchanged HTML costs nothing). */
  blobs: BlobStep[];
  /** Keys of objects that a HEAD must confirm before the plan is final (planSync again with `heads`). */
  verify: string[];
  counts: { upload: number; copy: number; unchanged: number; verify: number };
}

export interface PlanSyncInput {
  prefix: string;
  partSize: number;
  local: readonly LocalFile[];
  remote: readonly RemoteObject[];
  previous?: ReleaseManifest | undefined;
  heads?: ReadonlyMap<string, HeadInfo>;
}

export function releasesDir(prefix: string): string {
  return joinKey(prefix, `${META_DIR}/releases/`);
}

export function htmlBlobKey(prefix: string, sha256: string): string {
  return joinKey(prefix, `${META_DIR}/html/${sha256}.html`);
}

/** Release manifests are named `<UTC timestamp>_<id>.json`, so the newest sorts last. */
export function releaseKey(prefix: string, id: string, time: Date): string {
  const stamp = time.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${releasesDir(prefix)}${stamp}_${id}.json`;
}

export interface ReleaseRef {
  key: string;
  id: string;
  stamp: string;
  lastModified: number;
}

/** Release manifests in a listing, newest first. */
export function listReleases(prefix: string, remote: readonly RemoteObject[]): ReleaseRef[] {
  const dir = releasesDir(prefix);
  const refs: ReleaseRef[] = [];
  for (const o of remote) {
    if (!o.key.startsWith(dir)) continue;
    const m = /^(\d{8}T\d{9}Z)_(.+)\.json$/.exec(o.key.slice(dir.length));
    if (m) refs.push({ key: o.key, stamp: m[1]!, id: m[2]!, lastModified: o.lastModified });
  }
  return refs.sort((a, b) => (a.stamp === b.stamp ? b.key.localeCompare(a.key) : b.stamp.localeCompare(a.stamp)));
}

function headerDiff(
  want: LocalFile,
  have: { cacheControl?: string | undefined; contentType?: string | undefined },
): string | undefined {
  const diffs: string[] = [];
  if ((have.cacheControl ?? '') !== want.cacheControl)
    diffs.push(`Cache-Control ${JSON.stringify(have.cacheControl ?? '')} → ${JSON.stringify(want.cacheControl)}`);
  if ((have.contentType ?? '') !== want.contentType)
    diffs.push(`Content-Type ${JSON.stringify(have.contentType ?? '')} → ${JSON.stringify(want.contentType)}`);
  return diffs.length ? diffs.join(', ') : undefined;
}

/**
 * Decide every local file. Content is proven equal by (in order): the ETag as an MD5 or as our multipart ETag; the
 * previous release manifest (same ETag as when we wrote it → its recorded sha256); a HEAD's `x-amz-meta-sha256`
 * (SSE-KMS ETags are not MD5s). A plain ETag that differs from the MD5 in a bucket whose ETags are known to be MD5s
 * is a change without a HEAD; otherwise the key goes to `verify`. Headers come from the manifest (or the HEAD);
 * unknown or different headers on equal content → CopyObject (REPLACE), never a re-upload.
 */
export function planSync(input: PlanSyncInput): SyncPlan {
  const remote = new Map(input.remote.map((o) => [o.key, o]));
  const prevFiles = { ...(input.previous?.extra ?? {}), ...(input.previous?.files ?? {}) };
  const heads = input.heads ?? new Map<string, HeadInfo>();

  // Evidence that this bucket's ETags are MD5s (not SSE-KMS): any object whose ETag equals our MD5 for it, or a
  // manifest entry recorded with ETag == MD5.
  let md5Etags = Object.values(prevFiles).some((f) => f.etag !== undefined && normalizeEtag(f.etag) === f.md5);
  if (!md5Etags) {
    for (const file of input.local) {
      const o = remote.get(joinKey(input.prefix, file.path));
      if (o && isSinglePartEtag(o.etag) && normalizeEtag(o.etag) === file.md5) {
        md5Etags = true;
        break;
      }
    }
  }

  const steps: FileStep[] = [];
  const verify: string[] = [];
  const inline: LocalFile[] = [];
  const htmlCopies: Record<string, string> = {};
  const blobs: BlobStep[] = [];
  const blobKeys = new Set<string>();
  let inlineBytes = 0;
  for (const file of input.local) {
    const key = joinKey(input.prefix, file.path);
    const phase = file.html ? 'html' : 'assets';
    const step = (kind: StepKind, reason: string) => steps.push({ path: file.path, key, kind, phase, reason, file });
    if (file.html) {
      if (file.size <= INLINE_HTML_MAX_BYTES && inlineBytes + file.size <= INLINE_HTML_TOTAL_BYTES) {
        inline.push(file);
        inlineBytes += file.size;
      } else {
        const blobKey = htmlBlobKey(input.prefix, file.sha256);
        htmlCopies[file.path] = blobKey;
        if (!remote.has(blobKey) && !blobKeys.has(blobKey)) {
          blobKeys.add(blobKey);
          blobs.push({ path: file.path, key: blobKey, file });
        }
      }
    }
    const o = remote.get(key);
    if (!o) {
      step('upload', 'new file');
      continue;
    }
    if (o.size !== file.size) {
      step('upload', `size ${o.size} → ${file.size}`);
      continue;
    }
    const etag = normalizeEtag(o.etag);
    const prev = prevFiles[file.path];
    const prevCurrent = prev?.etag !== undefined && normalizeEtag(prev.etag) === etag;
    const head = heads.get(key);
    let same: boolean | undefined;
    let how = '';
    if (etagMatches(etag, file)) {
      same = true;
      how = 'etag';
    } else if (prevCurrent) {
      same = prev!.sha256 === file.sha256;
      how = 'manifest';
    } else if (head && normalizeEtag(head.etag) === etag && head.sha256) {
      same = head.sha256 === file.sha256;
      how = 'sha256 metadata';
    } else if (head) {
      same = false; // no sha256 of ours on it: cannot prove equality, re-upload
      how = 'no sha256 metadata';
    } else if (isSinglePartEtag(etag) && md5Etags) {
      same = false;
      how = 'etag';
    }
    // Otherwise (a multipart ETag from another part size, or a non-MD5 ETag such as SSE-KMS): only a HEAD can tell.
    if (same === undefined) {
      verify.push(key);
      step('verify', 'ETag is not an MD5 of ours: checking sha256 metadata');
      continue;
    }
    if (!same) {
      step('upload', `content changed (${how})`);
      continue;
    }
    const known = head && normalizeEtag(head.etag) === etag ? head : prevCurrent ? prev : undefined;
    if (!known) {
      step('copy', 'headers unknown (no release record): setting them');
      continue;
    }
    const diff = headerDiff(file, known);
    if (diff) step('copy', diff);
    else step('unchanged', `same content (${how}) and headers`);
  }
  const counts = { upload: 0, copy: 0, unchanged: 0, verify: 0 };
  for (const s of steps) counts[s.kind] += 1;
  return { steps, inline, htmlCopies, blobs, verify, counts };
}

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
