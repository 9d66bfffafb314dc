import { htmlBlobKey, type ManifestFile, type ReleaseManifest } from './release-record';
import { etagMatches, isSinglePartEtag, normalizeEtag } from './s3-etag';
import { joinKey } from './s3-names';

// The sync planner: local files + one listing of the prefix + the previous release record → what to upload, what to
// fix with CopyObject (headers only), what is unchanged, what must be confirmed with a HEAD. Pure: no AWS, no file
// system. Table-tested in test/sync-plan.test.ts.

export interface LocalFile {
  /** Path relative to the source directory, `/`-separated (`assets/index-Bx1.js`). */
  path: string;
  size: number;
  /**
   * Hex MD5; the scan hashes small files without it (two thirds of their hashing CPU): planSync lists in `md5s` the
   * files whose MD5 it needs (no release record vouches for the listed ETag), the plan stage hashes those and plans
   * again, and the publish stage hashes an upload's from the bytes it sends (issue #15).
   */
  md5?: string;
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
  /** Paths of local files whose MD5 must be hashed before the plan is final (planSync again with them). */
  md5s: string[];
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

/** What a release record says of each path: its files, and (after a rollback) the newer objects it left in place. */
export function recordedFiles(record: ReleaseManifest | undefined): Record<string, ManifestFile> {
  return { ...(record?.extra ?? {}), ...(record?.files ?? {}) };
}

/**
 * Whether planSync will upload something, as far as the listing (and, when given, the previous release record) tells:
 * a file the listing lacks or holds at another size; among files hashed with their MD5 (the scan streams those over
 * 256 KiB), a single-part ETag that is not our MD5 in a bucket whose listed ETags are our MD5s for others; with the
 * record, a file whose listed ETag the record vouches for (the ETag it wrote down) with another sha256 — planSync's
 * own "content changed (manifest)". planDeploy reads the distribution then, while the rest is planned. Only a bucket
 * mixing MD5 ETags with other single-part ones (SSE-KMS objects beside SSE-S3 ones) whose record vouches for the
 * latter makes it wrong: a run there that changes nothing reads the distribution once.
 */
export function uploadsCertain(
  prefix: string,
  local: readonly LocalFile[],
  remote: readonly RemoteObject[],
  previous?: ReleaseManifest,
): boolean {
  const listed = new Map<string, RemoteObject>();
  for (const o of remote) listed.set(o.key, o);
  let md5Etags = false;
  let otherEtags = false;
  for (const file of local) {
    const o = listed.get(joinKey(prefix, file.path));
    if (!o || o.size !== file.size) return true;
    const etag = normalizeEtag(o.etag);
    if (previous && !etagMatches(etag, file)) {
      const prev = recordedFile(previous, file.path);
      if (prev?.etag !== undefined && normalizeEtag(prev.etag) === etag && prev.sha256 !== file.sha256) return true;
    }
    if (!isSinglePartEtag(etag)) continue;
    if (etag === file.md5) md5Etags = true;
    else otherEtags = true;
    if (md5Etags && otherEtags) return true;
  }
  return false;
}

/** What `record` says of one path, as recordedFiles does (its files before its extra), without copying either. */
function recordedFile(record: ReleaseManifest, path: string): ManifestFile | undefined {
  if (Object.hasOwn(record.files, path)) return record.files[path];
  return record.extra && Object.hasOwn(record.extra, path) ? record.extra[path] : undefined;
}

/**
 * Decide every local file. Content is proven equal by (in order): the ETag as an MD5 or as our multipart ETag; the
 * previous release manifest (same ETag as when we wrote it → its recorded sha256); for a file hashed without its
 * MD5 and a single-part ETag no record vouches for, its MD5 (listed in `md5s`: hashed, then planSync again); a
 * HEAD's `x-amz-meta-sha256`
 * (SSE-KMS ETags are not MD5s). A plain ETag that differs from the MD5 in a bucket whose ETags are known to be MD5s
 * is a change without a HEAD; otherwise the key goes to `verify`. Headers come from the manifest (or the HEAD);
 * unknown or different headers on equal content → CopyObject (REPLACE), never a re-upload.
 */
export function planSync(input: PlanSyncInput): SyncPlan {
  const remote = new Map(input.remote.map((o) => [o.key, o]));
  const prevFiles = recordedFiles(input.previous);
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
  const md5s: string[] = [];
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
    } else if (file.md5 === undefined && isSinglePartEtag(etag)) {
      // hashed without its MD5 and no record vouches for the listed ETag: the MD5 decides (planSync again)
      md5s.push(file.path);
      step('verify', 'no release record for this ETag: hashing its MD5');
      continue;
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
  return { steps, inline, htmlCopies, blobs, verify, md5s, counts };
}
