import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { core, DeployFailure, describeAwsError, errorMessage, isAwsError } from '@deploy-actions/kit/runtime';
import { type Context, count } from './context';
import type { InlineHtml, LocalFile, ManifestFile, ReleaseManifest, ReleaseRef } from './plan';
import { getJsonObject } from './s3-objects';
import { assertUnchanged, realPathOf } from './walk';

// Release records: what a deploy wrote (files, hashes, headers, ETags) and its HTML entry points, read back by the
// next deploy (headers without a HEAD per object), by prune (retention) and by rollback-to.

export async function readManifest(ctx: Context, ref: ReleaseRef): Promise<ReleaseManifest | undefined> {
  try {
    count(ctx, 'GetObject');
    const m = await getJsonObject<ReleaseManifest>(ctx.s3, ctx.inputs.bucket, ref.key);
    if (m?.version !== 1 || typeof m.files !== 'object') throw new Error('unknown manifest format');
    m.html ??= {};
    m.htmlInline ??= {};
    // An inventory that is not a list of paths is no inventory: prune then reads every record (ownership.ts).
    if (
      m.ownedEarlier !== undefined &&
      !(Array.isArray(m.ownedEarlier) && m.ownedEarlier.every((p) => typeof p === 'string'))
    )
      delete m.ownedEarlier;
    return m;
  } catch (err) {
    core.warning(
      `Release record ${ref.key} could not be read (${isAwsError(err) ? describeAwsError(err) : errorMessage(err)}); ignoring it.`,
    );
    return undefined;
  }
}

export function manifestRecord(file: LocalFile, etag: string): ManifestFile {
  return {
    sha256: file.sha256,
    md5: file.md5,
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
  for (const file of files) {
    const real = realPathOf(source, file);
    await assertUnchanged(real, file.path);
    const bytes = await readFile(real);
    if (sha256Hex(bytes) !== file.sha256) {
      throw new DeployFailure(`${file.path} changed while this deploy was running; nothing was written. Re-run.`);
    }
    out[file.path] = encodeInlineHtml(bytes);
  }
  return out;
}
