import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigurationError } from '@deploy-actions/kit/runtime';
import { mapLimit } from './concurrency';
import type { ExcludeFilter } from './exclude';
import { type LocalFile, META_DIR } from './plan';
import { type CacheRule, decideHeaders, type HashedDetector, hashedDetector, isHtml } from './policy';
import { hashFile } from './s3-etag';

// Local side: walk the source directory, hash every file (streaming, bounded concurrency) and decide its headers.

/** Relative `/`-separated paths of all regular files under `root`, sorted. Symlinked files are followed. */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, rel: string) => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full, relPath);
      else if (entry.isFile()) out.push(relPath);
      else if (entry.isSymbolicLink()) {
        const info = await stat(full).catch(() => undefined);
        if (info?.isFile()) out.push(relPath);
      }
    }
  };
  await walk(root, '');
  return out.sort();
}

/** The Vite manifest of a build (`.vite/manifest.json`, or `manifest.json` from Vite < 5 if it has Vite's shape). */
export async function readViteManifest(root: string): Promise<{ path: string; manifest: unknown } | undefined> {
  for (const rel of ['.vite/manifest.json', 'manifest.json']) {
    let text: string;
    try {
      text = await readFile(join(root, rel), 'utf8');
    } catch {
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      if (rel === 'manifest.json') continue; // a web app manifest or something else: not ours to judge
      throw new ConfigurationError(
        'source',
        `${rel} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
      );
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
  /** Paths left out by `exclude` (not hashed, not published). */
  excluded: string[];
  detector: HashedDetector;
  viteManifest?: string;
}

/** Split the listed paths into the ones to publish and the ones `exclude` leaves out (order kept). */
export function splitExcluded(
  paths: readonly string[],
  exclude: ExcludeFilter | undefined,
): { included: string[]; excluded: string[] } {
  if (!exclude || exclude.globs.length === 0) return { included: [...paths], excluded: [] };
  const included: string[] = [];
  const excluded: string[] = [];
  for (const p of paths) (exclude.matches(p) ? excluded : included).push(p);
  return { included, excluded };
}

export async function scanSource(
  root: string,
  rules: readonly CacheRule[],
  partSize: number,
  concurrency: number,
  exclude?: ExcludeFilter,
): Promise<ScanResult> {
  const all = await listFiles(root);
  if (all.length === 0) {
    throw new ConfigurationError('source', `directory ${root} contains no files; did the build write somewhere else?`);
  }
  const { included: paths, excluded } = splitExcluded(all, exclude);
  if (paths.length === 0) {
    throw new ConfigurationError(
      'exclude',
      `excludes all ${all.length} files of ${root} (globs: ${exclude?.globs.join(', ')}); nothing would be published`,
    );
  }
  const reserved = paths.find((p) => p === META_DIR || p.startsWith(`${META_DIR}/`));
  if (reserved)
    throw new ConfigurationError(
      'source',
      `contains ${reserved}: ${META_DIR}/ is reserved for this action's release records`,
    );
  // Read even when excluded from publishing (the default excludes .vite/**): it still tells which files are hashed.
  const vite = await readViteManifest(root);
  const detector = hashedDetector(vite?.manifest);
  const files = await mapLimit(paths, concurrency, async (path) => {
    const hashes = await hashFile(join(root, path), partSize);
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
    if (hashes.partMd5s) file.partMd5s = hashes.partMd5s;
    return file;
  });
  const result: ScanResult = { files, excluded, detector };
  if (vite) result.viteManifest = vite.path;
  return result;
}
