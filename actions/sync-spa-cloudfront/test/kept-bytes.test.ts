import { createHash } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { appendFile, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CHANGED, LARGE, readCheckedStamped, stampOf } from '../src/checked-read';
import { readAsScanned } from '../src/release-record';
import { MIB, SMALL_FILE } from '../src/s3-etag';
import { scanSource } from '../src/stages/scan';
import { keptIfUnchanged } from '../src/walk';
import { tempDir } from './helpers';

// The scan keeps the bytes it hashed (within a budget) so that an upload or the record does not read a file twice
// (#15); they stand for the file only while its stamp (device, inode, size, times) is unchanged. Any change found
// falls back to the checked read of before, whose refusals symlinks.test.ts covers end to end.

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await tempDir('kept');
  file = join(dir, 'robots.txt');
  await writeFile(file, 'User-agent: *\n');
  // a modification time well before the scan, as a build's files have (a write now gets a new one)
  await utimes(file, new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readCheckedStamped', () => {
  test('the bytes, in a buffer of their own, and the stamp of the file read', () => {
    const read = readCheckedStamped(file, 1024);
    if (typeof read === 'string') throw new Error(read);
    expect(read.bytes.toString()).toBe('User-agent: *\n');
    expect(read.stamp).toBe(stampOf(lstatSync(file)));
    // not a scratch buffer the next read overwrites
    const again = readCheckedStamped(join(dir, 'robots.txt'), 1024);
    if (typeof again === 'string') throw new Error(again);
    expect(again.bytes).not.toBe(read.bytes);
    expect(read.bytes.toString()).toBe('User-agent: *\n');
  });

  test('LARGE above the limit, CHANGED for a link', async () => {
    expect(readCheckedStamped(file, 4)).toBe(LARGE);
    await symlink(file, join(dir, 'link.txt'));
    expect(readCheckedStamped(join(dir, 'link.txt'), 1024)).toBe(CHANGED);
  });
});

describe('keptIfUnchanged', () => {
  const changes: Array<[string, () => Promise<unknown>]> = [
    ['rewritten with other bytes of the same size', () => writeFile(file, 'User-agent: X\n')],
    ['appended to', () => appendFile(file, 'Disallow: /\n')],
    ['touched', () => utimes(file, new Date(), new Date())],
    [
      'replaced by a link',
      async () => {
        await rm(file);
        await symlink('/etc/hostname', file);
      },
    ],
    [
      'replaced by a rename (same bytes, another inode)',
      async () => {
        await writeFile(join(dir, 'n'), 'User-agent: *\n');
        await rename(join(dir, 'n'), file);
      },
    ],
    ['removed', () => rm(file)],
  ];

  test('unchanged: the very bytes kept', () => {
    const kept = readCheckedStamped(file, 1024);
    if (typeof kept === 'string') throw new Error(kept);
    expect(keptIfUnchanged(file, kept)).toBe(kept.bytes);
    expect(keptIfUnchanged(file, undefined)).toBeUndefined();
  });

  test.each(changes)('%s: undefined (the caller reads it again)', async (_name, change) => {
    const kept = readCheckedStamped(file, 1024);
    if (typeof kept === 'string') throw new Error(kept);
    await change();
    expect(keptIfUnchanged(file, kept)).toBeUndefined();
  });
});

describe('the scan keeps small files’ bytes', () => {
  test('each small file with its bytes and stamp; a file read by streaming keeps none', async () => {
    const big = Buffer.alloc(SMALL_FILE + 1, 7);
    await writeFile(join(dir, 'big.bin'), big);
    await writeFile(join(dir, 'index.html'), '<!doctype html><p>hi</p>');
    const scan = await scanSource(dir, [], 8 * MIB, 2);
    const byPath = new Map(scan.files.map((f) => [f.path, f]));
    for (const path of ['robots.txt', 'index.html']) {
      const f = byPath.get(path)!;
      expect(f.kept?.stamp).toBe(stampOf(lstatSync(join(dir, path))));
      expect(createHash('sha256').update(f.kept!.bytes).digest('hex')).toBe(f.sha256);
    }
    expect(byPath.get('big.bin')?.kept).toBeUndefined();
    expect(byPath.get('big.bin')?.sha256).toBe(createHash('sha256').update(big).digest('hex'));
  });

  test('readAsScanned: the kept bytes while unchanged; a change found stops the deploy as before', async () => {
    const scan = await scanSource(dir, [], 8 * MIB, 2);
    const robots = scan.files.find((f) => f.path === 'robots.txt')!;
    expect(readAsScanned(dir, robots)).toBe(robots.kept!.bytes);
    await writeFile(file, 'User-agent: X\n'); // same size, other bytes
    expect(() => readAsScanned(dir, robots)).toThrow(/robots\.txt changed while this deploy was running/);
  });
});
