import { gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { gzipJson } from '../src/json-gzip';

const inflate = (b: Buffer) => gunzipSync(b).toString('utf8');
const many = (n: number, f: (i: number) => unknown) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, f(i)]));

describe('gzipJson: same text as JSON.stringify, whole or written piece by piece', () => {
  test.each([
    { name: 'scalars', value: [1, 'two', true, null, -0.5] },
    { name: 'empty object', value: {} },
    { name: 'empty array', value: [] },
    { name: 'a small record in one piece', value: { version: 1, id: 'r1', files: { 'a.js': { size: 1 } } } },
    {
      name: 'a large object of records (entry by entry)',
      value: {
        version: 1,
        files: many(1000, (i) => ({ sha256: 'f'.repeat(64), size: i, etag: i % 2 ? undefined : 'e' })),
      },
    },
    {
      name: 'a large array with undefined and functions (→ null)',
      value: Array.from({ length: 600 }, (_, i) => (i % 3 ? i : undefined)),
    },
    {
      name: 'undefined, functions and symbols in a large object are skipped (first entry too)',
      value: { a: undefined, ...many(300, (i) => (i % 5 ? i : () => i)), z: Symbol('x') },
    },
    { name: 'toJSON is honoured (Date)', value: { when: new Date(0), list: many(300, () => new Date(86_400_000)) } },
    { name: 'keys and strings needing escapes', value: many(300, (i) => `"quoted" \\ \n ${'é✓'.repeat(i % 4)}`) },
    { name: 'large nested inside small', value: { outer: { inner: many(400, (i) => [i, { x: i }]) } } },
    { name: 'more than one 64 KiB chunk of text', value: many(5000, (i) => 'x'.repeat(100 + (i % 7))) },
  ])('$name', async ({ value }) => {
    expect(inflate(await gzipJson(value))).toBe(`${JSON.stringify(value)}\n`); // whole (a small site's record)
    expect(inflate(await gzipJson(value, -1))).toBe(`${JSON.stringify(value)}\n`); // streamed (a large one's)
  });

  test('a 50,000-entry record compresses and round-trips', async () => {
    const files = many(50_000, (i) => ({
      sha256: i.toString(16).padStart(64, '0'),
      md5: i.toString(16).padStart(32, '0'),
      size: i,
      cacheControl: 'public, max-age=31536000, immutable',
      contentType: 'text/javascript; charset=utf-8',
    }));
    const gz = await gzipJson({ version: 1, files });
    const text = inflate(gz);
    expect(JSON.parse(text).files.k49999.size).toBe(49_999);
    expect(gz.length).toBeLessThan(text.length / 4);
  });
});
