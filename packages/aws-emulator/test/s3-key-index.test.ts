import { expect, test, vi } from 'vitest';
import { prng } from '../src/faults.ts';
import { keyAdded, keyRemoved, newKeyIndex, sortedKeys } from '../src/services/s3-key-index.ts';

// The merged key index against sorting every key afresh, after random puts, deletes, re-puts and listings.

// UTF-8 order differs from JavaScript's where a character above U+FFFF meets one in U+E000-U+FFFF
const PARTS = ['a', 'b/', 'B', '0', '.', '-', 'é', '\uE000', '\uFFFD', '😀', '𝒜', ' '];
const byUtf8 = (keys: Iterable<string>) => [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));

test.each([1, 2, 3, 4, 5])('seed %i: every listing sees the keys in UTF-8 order, each once', (seed) => {
  const random = prng(seed);
  const objects = new Map<string, true>();
  const index = newKeyIndex();
  const key = () =>
    Array.from({ length: 1 + Math.floor(random() * 4) }, () => PARTS[Math.floor(random() * PARTS.length)]).join('');
  for (let op = 0; op < 3000; op++) {
    const r = random();
    if (r < 0.55) {
      const k = key();
      if (!objects.has(k)) keyAdded(index, k);
      objects.set(k, true);
    } else if (r < 0.9) {
      const k = random() < 0.7 ? [...objects.keys()][Math.floor(random() * objects.size)] : key();
      if (k !== undefined && objects.delete(k)) keyRemoved(index);
    } else {
      expect(sortedKeys(index, objects).keys).toEqual(byUtf8(objects.keys()));
    }
  }
  const final = sortedKeys(index, objects);
  expect(final.keys).toEqual(byUtf8(objects.keys()));
  expect(final.utf8.map((b) => b.toString())).toEqual(final.keys);
});

test('a key removed and put again between listings is listed once; one removed for good not at all', () => {
  const objects = new Map<string, true>([
    ['a', true],
    ['b', true],
    ['c', true],
  ]);
  const index = newKeyIndex();
  expect(sortedKeys(index, objects).keys).toEqual(['a', 'b', 'c']);
  objects.delete('b');
  keyRemoved(index);
  objects.set('b', true);
  keyAdded(index, 'b');
  objects.delete('c');
  keyRemoved(index);
  objects.set('aa', true);
  keyAdded(index, 'aa');
  expect(sortedKeys(index, objects).keys).toEqual(['a', 'aa', 'b']);
});

test('a bucket whose keys stop changing has its index brought up to date before the next listing asks', async () => {
  const { createS3Service } = await import('../src/services/s3.ts');
  const { createClock } = await import('../src/clock.ts');
  const s3 = createS3Service();
  const clock = createClock(1);
  try {
    const ctx = { clock, state: { services: new Map(), behaviors: [], realism: {}, issuedCredentials: new Set() } };
    s3.seed!({ buckets: [{ name: 'b', objects: [{ key: 'k0' }] }] }, ctx as never);
    const bucket = s3.buckets.get('b')!;
    expect(sortedKeys(bucket.index, bucket.objects).keys).toEqual(['k0']); // a first listing
    const keys = Array.from({ length: 200 }, (_, i) => `k${(i * 7919) % 1000}/😀${i}`);
    for (const key of keys) s3.putObject('b', key, 'x');
    expect(bucket.index.added.length).toBeGreaterThan(0); // nothing sorted while they come
    await vi.waitFor(() => expect(bucket.index.added).toEqual([]), { timeout: 5000, interval: 10 });
    expect(bucket.index.sorted!.keys).toEqual(byUtf8(['k0', ...keys]));
  } finally {
    clock.stop();
  }
});
