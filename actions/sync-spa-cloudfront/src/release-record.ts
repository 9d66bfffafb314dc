import { createHash } from 'node:crypto';
import { DeployFailure } from '@deploy-actions/kit/runtime';
import { byCodeUnits } from './compare';
import { joinKey } from './s3-names';
import type { LocalFile, RemoteObject } from './sync-plan';
import { changedWhileRunning, readCheckedSync, realPathOf } from './walk';

// Release records (pure, apart from reading the small HTML kept in them): what a deploy wrote (files, hashes,
// headers, ETags) and its HTML entry points, read back by the next deploy (headers without a HEAD per object), by
// prune (retention, ownership) and by rollback-to. One gzip-compressed JSON object per release under
// `<prefix>/.deploy-actions/releases/`.

/** Where this action keeps its own records under the prefix. Local files may not use it. */
export const META_DIR = '.deploy-actions';

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

export interface ReleaseRef {
  key: string;
  id: string;
  stamp: string;
  lastModified: number;
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

/** Release manifests in a listing, newest first. */
export function listReleases(prefix: string, remote: readonly RemoteObject[]): ReleaseRef[] {
  const dir = releasesDir(prefix);
  const refs: ReleaseRef[] = [];
  for (const o of remote) {
    if (!o.key.startsWith(dir)) continue;
    const m = /^(\d{8}T\d{9}Z)_(.+)\.json$/.exec(o.key.slice(dir.length));
    if (m) refs.push({ key: o.key, stamp: m[1]!, id: m[2]!, lastModified: o.lastModified });
  }
  return refs.sort((a, b) => (a.stamp === b.stamp ? byCodeUnits(b.key, a.key) : byCodeUnits(b.stamp, a.stamp)));
}

/**
 * A record as read from S3, checked: the fields every reader relies on are there with the right types, else a
 * reason (the record is damaged, or written by a newer version). An `ownedEarlier` that is not a list of paths is
 * dropped: prune then reads every record (ownership.ts) instead of trusting it.
 */
export function parseRecord(value: unknown): ReleaseManifest | string {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const m = value as Partial<ReleaseManifest> & Record<string, unknown>;
  if (m.version !== 1) return `unknown record version ${JSON.stringify(m.version)}`;
  if (typeof m.id !== 'string') return 'no release id';
  if (!m.files || typeof m.files !== 'object' || Array.isArray(m.files)) return 'no file list';
  for (const [path, f] of Object.entries(m.files)) {
    if (!f || typeof f !== 'object' || typeof f.sha256 !== 'string' || typeof f.size !== 'number') {
      return `damaged entry for ${JSON.stringify(path)}`;
    }
  }
  const record = m as ReleaseManifest;
  record.html ??= {};
  record.htmlInline ??= {};
  if (
    record.ownedEarlier !== undefined &&
    !(Array.isArray(record.ownedEarlier) && record.ownedEarlier.every((p) => typeof p === 'string'))
  ) {
    delete record.ownedEarlier;
  }
  return record;
}

export function manifestRecord(file: LocalFile, etag: string): ManifestFile {
  return {
    sha256: file.sha256,
    md5: file.md5 ?? '', // an upload's, hashed as it is sent, is set by stages/record.ts
    size: file.size,
    etag,
    cacheControl: file.cacheControl,
    contentType: file.contentType,
  };
}

export function sameFiles(a: Record<string, ManifestFile>, b: Record<string, ManifestFile>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => {
    const x = a[k]!;
    const y = b[k];
    return (
      y !== undefined &&
      x.sha256 === y.sha256 &&
      x.etag === y.etag &&
      x.cacheControl === y.cacheControl &&
      x.contentType === y.contentType
    );
  });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** HTML bytes as stored in a record: readable text when they are valid UTF-8, base64 otherwise. */
export function encodeInlineHtml(bytes: Uint8Array): InlineHtml {
  try {
    return { encoding: 'utf8', data: strictUtf8.decode(bytes) };
  } catch {
    return { encoding: 'base64', data: Buffer.from(bytes).toString('base64') };
  }
}

export function decodeInlineHtml(html: InlineHtml): Buffer {
  return Buffer.from(html.data, html.encoding === 'base64' ? 'base64' : 'utf8');
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Read the HTML files kept inside the record (small, already hashed by the scan). A file that changed since the
 * scan would make the record lie about what is live, so that stops the deploy before anything is written.
 */
export async function readInlineHtml(source: string, files: readonly LocalFile[]): Promise<Record<string, InlineHtml>> {
  const out: Record<string, InlineHtml> = {};
  for (const file of files) out[file.path] = encodeInlineHtml(readAsScanned(source, file));
  return out;
}

/**
 * A scanned file's bytes read again through its checked real path (walk.ts), before anything is written: other bytes
 * than the scan hashed, or more than `maxBytes` of them, mean it changed since, and that stops the deploy.
 */
export function readAsScanned(source: string, file: LocalFile, maxBytes = Number.MAX_SAFE_INTEGER): Buffer {
  const real = realPathOf(source, file);
  const bytes = readCheckedSync(real, file.path, maxBytes);
  if (!bytes) throw changedWhileRunning(file.path, real);
  if (sha256Hex(bytes) !== file.sha256) {
    throw new DeployFailure(`${file.path} changed while this deploy was running; nothing was written. Re-run.`);
  }
  return bytes;
}
