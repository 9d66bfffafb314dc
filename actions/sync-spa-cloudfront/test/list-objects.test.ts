import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createClient } from '@deploy-actions/kit/runtime';
import { beforeAll, describe, expect, test } from 'vitest';
import { segmentEnds } from '../src/list-segments';
import { listAllObjects } from '../src/s3-objects';
import { BUCKET, useEmu } from './helpers';

// listAllObjects reads each page's XML itself (list-page.ts) instead of through the SDK's deserializer: what it
// returns must be exactly what the SDK would have parsed, over pages, escaped keys and multipart ETags.

const e = useEmu({ reset: 'once' });
beforeAll(async () => {
  const keys = Array.from({ length: 1203 }, (_, i) => `site/f${String(i).padStart(4, '0')}.js`);
  keys.push('site/a & b <c> "d" \'e\'.html', 'site/ünï cödé 😀.txt', 'site/line\rbreak.txt');
  await e.control.seed({
    buckets: [
      {
        name: BUCKET,
        objects: [
          ...keys.map((key, i) => ({ key, body: 'x'.repeat(i % 7), lastModified: '2026-01-02T03:04:05Z' })),
          { key: 'site/big.bin', body: 'y'.repeat(100), partSize: 40 },
          { key: 'other/not-listed.js', body: 'z' },
        ],
      },
    ],
  });
});

/** A build that kept 100 of the bucket's files and has 1,700 new ones (sorted after them, before `site/ü…`). */
const mostlyNew = (keys: string[]) => [
  ...keys.slice(0, 100),
  ...Array.from({ length: 1700 }, (_, i) => `site/zz-${String(i).padStart(4, '0')}.js`),
];

/** The same listing through the SDK's own parser. */
async function sdkListing(s3: S3Client, prefix: string) {
  const all = [];
  let token: string | undefined;
  do {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }));
    for (const o of out.Contents ?? []) {
      all.push({ key: o.Key, etag: o.ETag!.replace(/"/g, ''), size: o.Size, lastModified: o.LastModified!.getTime() });
    }
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  return all;
}

describe('listAllObjects', () => {
  test('equals the SDK-parsed listing: 2 pages, escaped and unicode keys, a multipart ETag', async () => {
    const ours = await listAllObjects(e.s3, BUCKET, 'site/');
    expect(ours).toMatchObject({ pages: 2, sdkParsedPages: 0 }); // read by list-page.ts, not handed to the SDK
    expect(ours.objects).toHaveLength(1207);
    expect(ours.objects).toEqual(await sdkListing(e.s3, 'site/'));
    expect(ours.objects.find((o) => o.key === 'site/big.bin')?.etag).toMatch(/-3$/);
    expect(ours.objects.map((o) => o.key)).toContain('site/a & b <c> "d" \'e\'.html');
  });

  test('readerAfter: the page reader waits for it, or for the first page when it never settles', async () => {
    const expected = await sdkListing(e.s3, 'site/');
    let settle!: () => void;
    const later = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const listing = listAllObjects(e.s3, BUCKET, 'site/', { readerAfter: later });
    settle();
    expect((await listing).objects).toEqual(expected);
    // never settles (a client whose requests node:http does not report): the pages still load it
    const never = await listAllObjects(e.s3, BUCKET, 'site/', { readerAfter: new Promise(() => {}) });
    expect(never).toMatchObject({ pages: 2, sdkParsedPages: 0 });
    expect(never.objects).toEqual(expected);
  });

  test.each([
    { name: 'every key expected (one page per segment)', expected: (keys: string[]) => keys, pages: 2 },
    // the one cut is at site/zz-0799: the first segment holds all but the ü key (two pages), the second that key
    { name: 'a segment holding more than a page: it goes on with its token', expected: mostlyNew, pages: 3 },
    {
      name: 'expected keys in reverse, repeated, with unicode',
      expected: (keys: string[]) => [...keys, ...keys].reverse(),
    },
  ])('in segments: the same objects in the same order — $name', async ({ expected, pages }) => {
    const plain = await listAllObjects(e.s3, BUCKET, 'site/');
    const keys = plain.objects.map((o) => o.key);
    const segmented = await listAllObjects(e.s3, BUCKET, 'site/', { cuts: segmentEnds(expected(keys)) });
    expect(segmented.objects).toEqual(plain.objects);
    if (pages !== undefined) expect(segmented.pages).toBe(pages);
  });

  test('segments are listed at once: the round trips overlap', async () => {
    let inFlight = 0;
    let most = 0;
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: e.emu.url,
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    s3.middlewareStack.add(
      (next) => async (args) => {
        most = Math.max(most, ++inFlight);
        try {
          return await next(args);
        } finally {
          inFlight -= 1;
        }
      },
      { step: 'initialize', name: 'countInFlight' },
    );
    const keys = (await listAllObjects(s3, BUCKET, 'site/')).objects.map((o) => o.key);
    expect(most).toBe(1);
    await listAllObjects(s3, BUCKET, 'site/', { cuts: segmentEnds(keys) });
    expect(most).toBe(2);
  });

  test("each segment's first request goes out after the one before it, from a client's very first call", async () => {
    const keys = (await listAllObjects(e.s3, BUCKET, 'site/')).objects.map((o) => o.key);
    const cuts = segmentEnds([...keys, ...keys.map((k) => `${k}.more`)]);
    expect(cuts.length).toBeGreaterThanOrEqual(2);
    const order: string[] = [];
    const options = { action: 'sync-spa-cloudfront', region: 'us-east-1' };
    const real = createClient(S3Client, options).config.requestHandler as unknown as {
      handle(request: unknown, options?: unknown): Promise<unknown>;
    };
    const handler = {
      metadata: { handlerProtocol: 'http/1.1' },
      handle: (request: { query?: Record<string, unknown> }, o?: unknown) => {
        order.push(String(request.query?.['start-after'] ?? request.query?.['continuation-token'] ?? 'first'));
        return real.handle(request, o);
      },
    };
    // a fresh client, as in a run: its first calls are the ones the SDK would reorder
    const s3 = createClient(S3Client, { ...options, overrides: { requestHandler: handler as never } });
    await listAllObjects(s3, BUCKET, 'site/', { cuts });
    expect(order.slice(0, cuts.length + 1)).toEqual(['first', ...cuts]);
  });

  test('a missing bucket is the SDK error as before (the error body is not a listing)', async () => {
    await expect(listAllObjects(e.s3, 'no-such-bucket', '')).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });
});
