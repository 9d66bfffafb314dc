import { readdirSync, type Stats } from 'node:fs';
import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { ConfigurationError, DeployFailure } from '@deploy-actions/kit/runtime';
import { CHANGED, LARGE, readChecked } from './checked-read';
import { dotName } from './dotfiles';
import type { ExcludeFilter } from './exclude';
import { isInside } from './source';

// Walking `source` without ever reading outside it. A build output containing `env.txt -> /proc/self/environ`
// published the step's AWS credentials (issue #14, finding 1); links to `../.env` and `/etc/hostname` went out too.
//
// What this defends against: every symlink is resolved here hop by hop (at most 40, Linux's MAXSYMLINKS), and each
// hop's target and the real path of each directory it passes through must be inside the real path of `source`, so a
// link that leaves and comes back, a link into a directory link that leaves, and /proc magic links are refused. A
// directory link back to one of its ancestors is a loop. Files are then hashed and uploaded through the real path
// found here (never the link path), and `assertUnchanged` re-checks that real path (still a regular file, no link on
// the way) right before each read.
// What it does not: a process that swaps a checked directory for a symlink in the microseconds between that re-check
// and the open. Closing that would need openat2(RESOLVE_BENEATH) or an fd-relative walk, which Node does not expose;
// the build step that could do it has finished by the time this action runs.

export type FollowSymlinks = 'inside' | 'false';

/** Linux's own limit on symlinks followed in one path resolution (MAXSYMLINKS). */
const MAX_HOPS = 40;
/** Deeper than any build output; stops pathological link graphs that are not loops. */
const MAX_DEPTH = 64;

export interface WalkedFile {
  /** Path relative to `source`, `/`-separated: the key under the prefix. */
  path: string;
  /** Real path the content is read from, when it differs from `source/path` (reached through a symlink). */
  real?: string;
}

export interface ExcludedEntry {
  /** `.env`, `.git/` (a directory, not read), `assets/app.js.map`. */
  name: string;
  why: string;
}

export interface WalkResult {
  /** Sorted by path. */
  files: WalkedFile[];
  /** Sorted by name. */
  excluded: ExcludedEntry[];
}

export interface WalkOptions {
  followSymlinks: FollowSymlinks;
  exclude?: ExcludeFilter | undefined;
  /** Called with the number of files found so far, after each one (the scan starts its hash worker from here). */
  onFile?: ((found: number) => void) | undefined;
}

/**
 * `join(dir, name)` for a normalised `dir` (a real path, or one built by this) and a name readdir gave (never empty,
 * `.`, `..` or holding a separator), without join's normalising pass.
 */
export function childPath(dir: string, name: string): string {
  return dir.endsWith(sep) ? dir + name : dir + sep + name;
}

/** Real path of a file to read: the one the walk found. */
export function realPathOf(root: string, file: { path: string; real?: string | undefined }): string {
  return file.real ?? childPath(root, sep === '/' ? file.path : file.path.split('/').join(sep));
}

/**
 * Walk `root` (a real path): regular files to publish, and every name left out with the reason. Directories are read
 * with readdirSync and paths built by childPath: in a fresh process fs/promises' readdir and join's normalising pass
 * (interpreted, character by character) took ~35 of a 2,000-file walk's ~45 ms, on the path both the listing and the
 * hashing wait for (now ~6.5 ms). A cancel is seen at the hashing's first yield, a few milliseconds later.
 */
export async function walkSource(root: string, options: WalkOptions): Promise<WalkResult> {
  const files: WalkedFile[] = [];
  const excluded: ExcludedEntry[] = [];
  const ancestors = new Set<string>([root]);

  // `linked`: `dir` was reached through a directory link, so `root/rel` is not its real path.
  const walk = async (dir: string, rel: string, depth: number, linked: boolean): Promise<void> => {
    if (depth > MAX_DEPTH) {
      throw new ConfigurationError('source', `${rel}/ is nested more than ${MAX_DEPTH} directories deep`);
    }
    const entries = readdirSync(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const full = childPath(dir, entry.name);
      const dot = dotName(relPath, entry.isDirectory());
      if (dot !== undefined) {
        // Not followed, not read: a `.env -> /proc/self/environ` is never touched.
        excluded.push({ name: dot, why: entry.isDirectory() ? 'dot directory (not read)' : 'dotfile' });
        continue;
      }
      if (entry.isFile()) {
        if (options.exclude?.matches(relPath)) excluded.push({ name: relPath, why: 'exclude' });
        else {
          files.push(linked ? { path: relPath, real: full } : { path: relPath });
          options.onFile?.(files.length);
        }
      } else if (entry.isDirectory()) {
        ancestors.add(full);
        await walk(full, relPath, depth + 1, linked);
        ancestors.delete(full);
      } else if (entry.isSymbolicLink()) {
        if (options.exclude?.matches(relPath)) {
          excluded.push({ name: relPath, why: 'exclude (link not followed)' });
          continue;
        }
        const target = await readlink(full);
        if (options.followSymlinks === 'false') {
          throw new ConfigurationError(
            'source',
            `${relPath} is a symbolic link (→ ${target}) and follow-symlinks is false; copy the file into the build output, or set follow-symlinks: inside`,
          );
        }
        const resolved = await resolveInside(root, full, relPath, target);
        const realRel = relative(root, resolved.real).split(sep).join('/');
        const realDot = realRel === '' ? undefined : dotName(realRel, resolved.stats.isDirectory());
        if (realDot !== undefined) {
          excluded.push({ name: relPath, why: `link to ${realDot} (dot names are never published)` });
        } else if (resolved.stats.isFile()) {
          files.push({ path: relPath, real: resolved.real });
          options.onFile?.(files.length);
        } else if (resolved.stats.isDirectory()) {
          if (ancestors.has(resolved.real)) {
            throw new ConfigurationError(
              'source',
              `${relPath} is a symbolic link (→ ${target}) to ${realRel === '' ? 'source itself' : `${realRel}/`}, which contains it: a directory loop; remove the link`,
            );
          }
          ancestors.add(resolved.real);
          await walk(resolved.real, relPath, depth + 1, true);
          ancestors.delete(resolved.real);
        } else {
          excluded.push({ name: relPath, why: 'link to something that is not a regular file' });
        }
      } else {
        excluded.push({ name: relPath, why: 'not a regular file (socket, FIFO or device)' });
      }
    }
  };
  // The root is walked through its real path; directories below it (not links) are real paths too.
  await walk(root, '', 0, false);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  excluded.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { files, excluded };
}

function errnoOf(err: unknown): string | undefined {
  return err && typeof err === 'object' && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/**
 * Follow the link at `linkPath` (inside `root`, in a real directory) hop by hop; every hop's target, and the real path
 * of the directory holding it, must be inside `root`. Returns the real path and its lstat. Errors name the link (as a
 * path relative to `source`) and its target.
 */
export async function resolveInside(
  root: string,
  linkPath: string,
  relPath: string,
  firstTarget: string,
): Promise<{ real: string; stats: Stats }> {
  const fail = (what: string) =>
    new ConfigurationError('source', `${relPath} is a symbolic link (→ ${firstTarget}) ${what}`);
  let current = linkPath;
  let target = firstTarget;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const next = resolve(dirname(current), target);
    if (!isInside(root, next)) {
      throw fail(
        `${next === resolve(dirname(linkPath), firstTarget) ? '' : `that leads to ${next}, `}outside source (${root}); only links that stay inside source are followed`,
      );
    }
    let real: string;
    if (next === root) {
      real = root;
    } else {
      let parent: string;
      try {
        parent = await realpath(dirname(next));
      } catch (err) {
        const code = errnoOf(err);
        if (code === 'ELOOP') throw fail('that never resolves: a symbolic link loop');
        if (code === 'ENOENT' || code === 'ENOTDIR') throw fail(`that points to nothing (${next}): a dangling link`);
        throw err;
      }
      if (!isInside(root, parent)) {
        throw fail(
          `whose target ${next} passes through a directory link to ${parent}, outside source (${root}); only links that stay inside source are followed`,
        );
      }
      real = join(parent, basename(next));
    }
    let stats: Stats;
    try {
      stats = await lstat(real);
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') throw fail(`that points to nothing (${next}): a dangling link`);
      throw err;
    }
    if (!stats.isSymbolicLink()) return { real, stats };
    current = real;
    target = await readlink(real);
  }
  throw fail(`that never resolves (more than ${MAX_HOPS} links): a symbolic link loop`);
}

/**
 * Right before a file is read (hashed, uploaded, copied into the record): its real path still resolves to itself
 * (no symlink appeared on the way) and is a regular file. A file swapped for a link after the walk stops the deploy.
 */
export async function assertUnchanged(real: string, relPath: string): Promise<void> {
  let resolved: string | undefined;
  let file = false;
  try {
    resolved = await realpath(real);
    file = (await lstat(real)).isFile();
  } catch {
    // reported below
  }
  if (resolved !== real || !file) throw changedWhileRunning(relPath, real);
}

export function changedWhileRunning(relPath: string, real: string): DeployFailure {
  return new DeployFailure(
    `${relPath} changed while this deploy was running (${real} is no longer the regular file that was checked); nothing more is read from it. Re-run once the build output is stable.`,
  );
}

/**
 * `assertUnchanged` and the read in one synchronous step (checked-read.ts), for the many small files of a build: its
 * bytes when it has at most `maxBytes`, else undefined (read it by streaming); a failed check stops the deploy.
 */
export function readCheckedSync(real: string, relPath: string, maxBytes: number, scratch?: Buffer): Buffer | undefined {
  const bytes = readChecked(real, maxBytes, scratch);
  if (bytes === CHANGED) throw changedWhileRunning(relPath, real);
  return bytes === LARGE ? undefined : bytes;
}
