import { closeSync, constants, fstatSync, openSync, readlinkSync, readSync, realpathSync } from 'node:fs';
import { type FileHashes, hashBuffer } from './s3-etag';

// The one checked read of a build file, with node built-ins only: the hash worker (hash-worker.ts) bundles this
// module alone, and walk.ts wraps it with the deploy's error. See walk.ts for what the checks defend against.

/** The file is no longer the regular file the walk checked (a link appeared on the way, it was swapped or removed). */
export const CHANGED = 'changed';
/** Bigger than the caller's limit: to be read by streaming. */
export const LARGE = 'large';

/**
 * The path the kernel holds for an opened file (Linux: /proc/self/fd, one syscall, and it names what was opened, not
 * what the path leads to now). Where that is unavailable or differs (no /proc; a mount seen another way), the real
 * path of `real` decides, as realpath(3) would.
 */
function resolvedPath(fd: number, real: string): string | undefined {
  try {
    if (readlinkSync(`/proc/self/fd/${fd}`) === real) return real;
  } catch {
    // no /proc: fall through
  }
  try {
    return realpathSync.native(real);
  } catch {
    return undefined;
  }
}

/**
 * Open without following a link at the end (O_NOFOLLOW); the opened file must be a regular file and its path must
 * resolve to itself (no link on the way). Returns its bytes when it has at most `maxBytes`, else LARGE; CHANGED when a
 * check fails. With `scratch`, a file that fits is read into it and a view of it returned, valid until the next call:
 * hashing a build allocates nothing per file (34 MB of short-lived buffers for the bench's 2,000 files otherwise).
 */
export function readChecked(real: string, maxBytes: number, scratch?: Buffer): Buffer | typeof LARGE | typeof CHANGED {
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return CHANGED;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || resolvedPath(fd, real) !== real) return CHANGED;
    if (stats.size > maxBytes) return LARGE;
    const buf =
      scratch && stats.size <= scratch.length ? scratch.subarray(0, stats.size) : Buffer.allocUnsafe(stats.size);
    let read = 0;
    while (read < buf.length) {
      const n = readSync(fd, buf, read, buf.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return read === buf.length ? buf : buf.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

export type SmallFileHash = FileHashes | typeof LARGE | typeof CHANGED;

/** Read (checked) and hash one file of at most `maxBytes` (its MD5 too with `withMd5`); LARGE or CHANGED as readChecked says. */
export function hashSmallFile(
  real: string,
  maxBytes: number,
  partSize: number,
  scratch: Buffer,
  withMd5 = true,
): SmallFileHash {
  const bytes = readChecked(real, maxBytes, scratch);
  return typeof bytes === 'string' ? bytes : hashBuffer(bytes, partSize, withMd5);
}
