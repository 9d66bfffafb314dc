import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigurationError, hashFile } from '@deploy-actions/kit';
import { mapLimit } from './concurrency';
import { type LocalFile, META_DIR } from './plan';
import { type CacheRule, decideHeaders, type HashedDetector, hashedDetector, isHtml } from './policy';

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
  detector: HashedDetector;
  viteManifest?: string;
}

export async function scanSource(
  root: string,
  rules: readonly CacheRule[],
  partSize: number,
  concurrency: number,
): Promise<ScanResult> {
  const paths = await listFiles(root);
  if (paths.length === 0) {
    throw new ConfigurationError('source', `directory ${root} contains no files; did the build write somewhere else?`);
  }
  const reserved = paths.find((p) => p === META_DIR || p.startsWith(`${META_DIR}/`));
  if (reserved)
    throw new ConfigurationError(
      'source',
      `contains ${reserved}: ${META_DIR}/ is reserved for this action's release records`,
    );
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
  const result: ScanResult = { files, detector };
  if (vite) result.viteManifest = vite.path;
  return result;
}
