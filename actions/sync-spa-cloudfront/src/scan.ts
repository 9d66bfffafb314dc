import { lstat, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigurationError } from '@deploy-actions/kit/runtime';
import { mapLimit } from './concurrency';
import type { ExcludeFilter } from './exclude';
import type { LocalFile } from './plan';
import { type CacheRule, decideHeaders, type HashedDetector, hashedDetector, isHtml } from './policy';
import { hashFile } from './s3-etag';
import { assertUnchanged, type ExcludedEntry, type FollowSymlinks, realPathOf, walkSource } from './walk';

// Local side: walk the source directory (symlinks checked, dotfiles left out: walk.ts), hash every file (streaming,
// bounded concurrency) through its checked real path and decide its headers.

/** A Vite manifest larger than this is not read (real ones are kilobytes; this is not a place to load a disk image). */
const MAX_MANIFEST_BYTES = 32 * 1024 * 1024;

/**
 * Read a build file that is not necessarily published (the Vite manifest lives in `.vite/`, which the walk never
 * enters): only when its path has no symlink in it and it is a regular file of sane size; otherwise undefined.
 */
async function readPlainFile(root: string, rel: string): Promise<string | undefined> {
  const path = join(root, ...rel.split('/'));
  try {
    const info = await lstat(path);
    if (!info.isFile() || info.size > MAX_MANIFEST_BYTES || (await realpath(path)) !== path) return undefined;
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The Vite manifest of a build (`.vite/manifest.json`, or `manifest.json` from Vite < 5 if it has Vite's shape). */
export async function readViteManifest(root: string): Promise<{ path: string; manifest: unknown } | undefined> {
  for (const rel of ['.vite/manifest.json', 'manifest.json']) {
    const text = await readPlainFile(root, rel);
    if (text === undefined) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      if (rel === 'manifest.json') continue; // a web app manifest or something else: not ours to judge
      // (V8's message quotes the text: not repeated here, the file could hold anything)
      throw new ConfigurationError('source', `${rel} is not valid JSON`);
    }
    const values = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? Object.values(parsed) : [];
    const viteShaped =
      values.length > 0 &&
      values.every((v) => v && typeof v === 'object' && typeof (v as { file?: unknown }).file === 'string');
    if (viteShaped) return { path: rel, manifest: parsed };
  }
  return undefined;
}

export interface ScanResult {
  files: LocalFile[];
  /** Names left out (dotfiles, `exclude`, special files): not hashed, not published. */
  excluded: ExcludedEntry[];
  detector: HashedDetector;
  viteManifest?: string;
}

export async function scanSource(
  root: string,
  rules: readonly CacheRule[],
  partSize: number,
  concurrency: number,
  exclude?: ExcludeFilter,
  followSymlinks: FollowSymlinks = 'inside',
): Promise<ScanResult> {
  const walked = await walkSource(root, { followSymlinks, exclude });
  const excluded = walked.excluded;
  if (walked.files.length === 0) {
    const byGlob = excluded.filter((x) => x.why.startsWith('exclude')).length;
    if (byGlob > 0) {
      throw new ConfigurationError(
        'exclude',
        `excludes all ${byGlob} files of ${root} (globs: ${exclude?.globs.join(', ')}); nothing would be published`,
      );
    }
    const dots = excluded.length ? ` (only dot names, which are never published: ${excludedList(excluded, 5)})` : '';
    throw new ConfigurationError(
      'source',
      `directory ${root} contains no files${dots}; did the build write somewhere else?`,
    );
  }
  // Read even when not published (.vite/ is a dot directory): it still tells which files are hashed.
  const vite = await readViteManifest(root);
  const detector = hashedDetector(vite?.manifest);
  const files = await mapLimit(walked.files, concurrency, async (walkedFile) => {
    const { path } = walkedFile;
    const real = realPathOf(root, walkedFile);
    await assertUnchanged(real, path);
    const hashes = await hashFile(real, partSize);
    const headers = decideHeaders(path, rules, detector);
    const file: LocalFile = {
      path,
      size: hashes.size,
      md5: hashes.md5,
      sha256: hashes.sha256,
      cacheControl: headers.cacheControl,
      contentType: headers.contentType,
      html: isHtml(path),
    };
    if (walkedFile.real !== undefined) file.real = walkedFile.real;
    if (hashes.partMd5s) file.partMd5s = hashes.partMd5s;
    return file;
  });
  const result: ScanResult = { files, excluded, detector };
  if (vite) result.viteManifest = vite.path;
  return result;
}

/** `a, b, c and 7 more` for log lines and messages. */
export function excludedList(excluded: readonly ExcludedEntry[], max: number): string {
  const shown = excluded.slice(0, max).map((x) => x.name);
  return `${shown.join(', ')}${excluded.length > max ? ` and ${excluded.length - max} more` : ''}`;
}
