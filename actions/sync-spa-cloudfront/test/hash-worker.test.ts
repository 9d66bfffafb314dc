import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { CHANGED, hashSmallFile, LARGE, readChecked } from '../src/checked-read';
import { claimBack, frontTaken, newClaims } from '../src/hash-claims';
import { hashWorkerFile, startHashWorker, useHashWorker, WORKER_MIN_FILES } from '../src/hash-worker-client';
import { hashBuffer } from '../src/s3-etag';
import { tempDir } from './helpers';

// The hash worker (dist/hash-worker/index.js, the bundle's) against the in-thread path: same checked read, same
// hashes, same refusals. The scan's choice between them is a pure function.

const DIST = join(import.meta.dirname, '..', 'dist');
const MAX = 64;
const PART = 8 * 1024 * 1024;

describe('useHashWorker', () => {
  test.each([
    { files: WORKER_MIN_FILES, cores: 2, large: false, want: true },
    { files: 2000, cores: 4, large: false, want: true },
    { files: WORKER_MIN_FILES - 1, cores: 4, large: false, want: false }, // start-up not repaid
    { files: 2000, cores: 1, large: false, want: false }, // no second core
    { files: 50_000, cores: 4, large: true, want: false }, // large-site mode keeps memory to one heap
  ])('$files files, $cores cores, large $large → $want', ({ files, cores, large, want }) => {
    expect(useHashWorker(files, cores, large)).toBe(want);
  });
});

test('the worker is found beside the bundle, not beside the sources', async () => {
  expect(hashWorkerFile(pathToFileURL(join(DIST, 'index.js')).href)).toBe(join(DIST, 'hash-worker', 'index.js'));
  expect(hashWorkerFile(pathToFileURL(join(import.meta.dirname, '..', 'src', 'scan.ts')).href)).toBeUndefined();
});

async function fixture() {
  const dir = await tempDir('hash-worker');
  await mkdir(join(dir, 'real-dir'));
  const files: Record<string, string> = {
    'a.js': 'console.log(1)\n',
    'empty.txt': '',
    'exact.bin': 'x'.repeat(MAX),
    'big.bin': 'y'.repeat(MAX + 1),
    'real-dir/b.css': 'body{}\n',
  };
  for (const [name, body] of Object.entries(files)) await writeFile(join(dir, name), body);
  await symlink(join(dir, 'a.js'), join(dir, 'link.js'));
  await symlink(join(dir, 'real-dir'), join(dir, 'linked-dir'));
  const reals = [
    ...Object.keys(files).map((n) => join(dir, n)),
    join(dir, 'link.js'), // a link where the walk saw a file
    join(dir, 'linked-dir', 'b.css'), // a link on the way
    join(dir, 'gone.js'), // removed since the walk
    join(dir, 'real-dir'), // not a regular file
  ];
  return { dir, files, reals };
}

test('in-thread: hashes of what fits, LARGE above the limit, CHANGED for every failed check', async () => {
  const { files, reals } = await fixture();
  const scratch = Buffer.alloc(MAX);
  const got = reals.map((r) => hashSmallFile(r, MAX, PART, scratch));
  expect(got).toEqual([
    hashBuffer(Buffer.from(files['a.js']!), PART),
    hashBuffer(Buffer.alloc(0), PART),
    hashBuffer(Buffer.from(files['exact.bin']!), PART),
    LARGE,
    hashBuffer(Buffer.from(files['real-dir/b.css']!), PART),
    CHANGED,
    CHANGED,
    CHANGED,
    CHANGED,
  ]);
  // the view into scratch is the file's bytes
  expect(String(readChecked(reals[0]!, MAX, scratch))).toBe(files['a.js']);
});

test('the bundled worker answers exactly what the in-thread path answers, in order', async () => {
  const { reals } = await fixture();
  const scratch = Buffer.alloc(MAX);
  const worker = startHashWorker(join(DIST, 'hash-worker', 'index.js'));
  // started before its job is known (the scan starts it mid-walk): it waits for the job
  await new Promise((resolve) => setTimeout(resolve, 50));
  const claims = newClaims(reals.length);
  const results = await worker.hash({ reals, claims, maxBytes: MAX, partSize: PART, md5: true });
  worker.stop();
  expect(results).toEqual(reals.map((r) => hashSmallFile(r, MAX, PART, scratch)));
  expect(frontTaken(claims)).toBe(reals.length); // nobody took from the back: it hashed them all
  // as the scan asks: without MD5s (stages/plan.ts hashes the few it needs)
  const lean = startHashWorker(join(DIST, 'hash-worker', 'index.js'));
  const without = await lean.hash({
    reals,
    claims: newClaims(reals.length),
    maxBytes: MAX,
    partSize: PART,
    md5: false,
  });
  lean.stop();
  expect(without).toEqual(reals.map((r) => hashSmallFile(r, MAX, PART, scratch, false)));
  expect(without?.filter((h) => typeof h === 'object' && h.md5 !== undefined)).toEqual([]);
  expect(without?.filter((h) => typeof h === 'object' && /^[0-9a-f]{64}$/.test(h.sha256))).toHaveLength(
    results!.filter((h) => typeof h === 'object').length,
  );
});

test('the worker from the front and this thread from the back hash every file exactly once', async () => {
  const { reals: fixtureReals } = await fixture();
  const reals = Array.from({ length: 3000 }, (_, i) => fixtureReals[i % fixtureReals.length]!);
  const want = reals.map((r) => hashSmallFile(r, MAX, PART, Buffer.alloc(MAX)));
  const worker = startHashWorker(join(DIST, 'hash-worker', 'index.js'));
  await new Promise((resolve) => setTimeout(resolve, 100)); // booted: both sides take files at once
  const claims = newClaims(reals.length);
  const results = worker.hash({ reals, claims, maxBytes: MAX, partSize: PART, md5: true });
  const mine = new Map<number, unknown>();
  const scratch = Buffer.alloc(MAX);
  for (let i = claimBack(claims); i !== undefined; i = claimBack(claims)) {
    mine.set(i, hashSmallFile(reals[i]!, MAX, PART, scratch));
  }
  const theirs = (await results)!;
  worker.stop();
  expect(theirs.length).toBe(frontTaken(claims));
  expect(theirs.length + mine.size).toBe(reals.length);
  expect([...theirs, ...[...mine].sort((a, b) => a[0] - b[0]).map(([, h]) => h)]).toEqual(want);
});

test('a worker that cannot run answers undefined (the scan then hashes in-thread)', async () => {
  const dir = await tempDir('hash-worker-broken');
  await writeFile(join(dir, 'index.js'), 'throw new Error("broken worker")\n');
  const worker = startHashWorker(join(dir, 'index.js'));
  expect(
    await worker.hash({ reals: [], claims: newClaims(0), maxBytes: MAX, partSize: PART, md5: true }),
  ).toBeUndefined();
});

test('a worker stopped before its job (the walk ended in large-site mode) exits and answers undefined', async () => {
  const worker = startHashWorker(join(DIST, 'hash-worker', 'index.js'));
  worker.stop();
  expect(
    await worker.hash({ reals: [], claims: newClaims(0), maxBytes: MAX, partSize: PART, md5: true }),
  ).toBeUndefined();
});
