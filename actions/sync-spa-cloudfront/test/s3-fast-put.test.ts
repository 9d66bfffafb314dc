import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { createClient } from '@deploy-actions/kit/runtime';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  buildPut,
  EXPECT_CONTINUE_MIN,
  FastPut,
  type FastPutParams,
  keyPath,
  learnShape,
  NOT_FIRST,
  putHeaders,
  type SentRequest,
} from '../src/s3-fast-put';
import { uploadFile } from '../src/s3-writes';

// The fast path's requests must be the SDK's requests: same path, same headers, same signature. Each case sends one
// upload through the SDK and the same upload through the fast path, with the clock and the invocation id fixed,
// and compares the two requests as they reach the handler.

interface Recorded {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  body: unknown;
}

/** A request handler that records each request and answers with the next scripted status (200 with an ETag). */
class Recorder {
  requests: Recorded[] = [];
  statuses: number[] = [];
  failures: Error[] = [];
  /** More headers of a 200 answer (encryption). */
  answer: Record<string, string> = {};
  async handle(request: Recorded, _options?: { abortSignal?: AbortSignal }) {
    this.requests.push({ ...request, headers: { ...request.headers } });
    const failure = this.failures.shift();
    if (failure) throw failure;
    const statusCode = this.statuses.shift() ?? 200;
    const headers: Record<string, string> =
      statusCode === 200
        ? { etag: `"${createHash('md5').update(String(request.body)).digest('hex')}"`, ...this.answer }
        : {};
    const body =
      statusCode === 200
        ? Readable.from([])
        : Readable.from([Buffer.from('<Error><Code>SlowDown</Code><Message>slow down</Message></Error>')]);
    return { response: { statusCode, headers, body } };
  }
  updateHttpClientConfig() {}
  httpHandlerConfigs() {
    return {};
  }
}

const ENV = {
  AWS_ACCESS_KEY_ID: 'AKIDFASTPUT',
  AWS_SECRET_ACCESS_KEY: 'secret-fast-put',
  AWS_SESSION_TOKEN: 'token-fast-put',
  AWS_REGION: 'eu-west-1',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
};

function client(recorder: Recorder, checksums: 'when_supported' | 'when_required' = 'when_supported') {
  return createClient(S3Client, {
    action: 'sync-spa-cloudfront',
    env: ENV,
    s3ChecksumMode: checksums,
    overrides: {
      requestHandler: recorder as never,
      credentials: {
        accessKeyId: ENV.AWS_ACCESS_KEY_ID,
        secretAccessKey: ENV.AWS_SECRET_ACCESS_KEY,
        sessionToken: ENV.AWS_SESSION_TOKEN,
      },
    },
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Upload {
  key: string;
  body: Buffer;
  cacheControl?: string;
  contentType?: string;
  metadata?: Record<string, string>;
}

function options(u: Upload, fast: FastPut | undefined, checksums = true) {
  return {
    bucket: 'my-site',
    key: u.key,
    path: '/nonexistent',
    size: u.body.length,
    body: u.body,
    sha256: sha(u.body),
    checksums,
    ...(u.cacheControl !== undefined ? { cacheControl: u.cacheControl } : {}),
    ...(u.contentType !== undefined ? { contentType: u.contentType } : {}),
    ...(u.metadata !== undefined ? { metadata: u.metadata } : {}),
    ...(fast ? { fast } : {}),
  };
}

const FIRST: Upload = {
  key: 'site/index-first.js',
  body: Buffer.from('first'),
  cacheControl: 'public, max-age=31536000, immutable',
  contentType: 'text/javascript',
  metadata: { sha256: 'x' },
};

const CASES: Array<[string, Upload]> = [
  ['a hashed asset', { ...FIRST, key: 'site/assets/index-Bx1.js', body: Buffer.from('console.log(1)') }],
  ['a key with spaces and unicode', { ...FIRST, key: 'site/img/ünï cödé.png', body: Buffer.from('png') }],
  ["a key with !'()*", { ...FIRST, key: "site/a(1)!*'.txt", body: Buffer.from('x') }],
  ['a key with + ~ % = & @ $ ,', { ...FIRST, key: 'site/a+b~c%20d=e&f@g$h,i.txt', body: Buffer.from('y') }],
  ['a key with // and a trailing dot', { ...FIRST, key: 'site//deep/./x..', body: Buffer.from('z') }],
  [
    'no Cache-Control',
    { key: 'site/a.html', body: Buffer.from('<p>'), contentType: 'text/html', metadata: { sha256: 'y' } },
  ],
  ['no Content-Type, no metadata', { key: 'site/robots.txt', body: Buffer.from('User-agent: *') }],
  [
    'metadata with capitals',
    { ...FIRST, key: 'site/m.js', body: Buffer.from('m'), metadata: { Sha256: 'Z', other: 'v' } },
  ],
  ['an empty file', { ...FIRST, key: 'site/empty.txt', body: Buffer.alloc(0) }],
  ['an empty file without Content-Type', { key: 'site/empty', body: Buffer.alloc(0) }],
];

describe('FastPut: the same requests as the SDK', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-06T03:04:05Z'));
  });
  afterEach(() => vi.useRealTimers());

  for (const checksums of [true, false]) {
    it.each(CASES)(`%s (checksums ${checksums ? 'on' : 'off'}): path, headers and signature match`, async (_, u) => {
      const recorder = new Recorder();
      const s3 = client(recorder, checksums ? 'when_supported' : 'when_required');
      const ids: string[] = [];
      const fast = new FastPut(s3, undefined, () => ids.shift() ?? 'no-id');
      await uploadFile(s3, options(FIRST, fast, checksums)); // the SDK's: learned from
      expect(fast.ready).toBe(true);

      await uploadFile(s3, options(u, undefined, checksums)); // the SDK's
      const sdk = recorder.requests.at(-1)!;
      ids.push(sdk.headers['amz-sdk-invocation-id']!);
      const result = await uploadFile(s3, options(u, fast, checksums)); // the fast path's
      const ours = recorder.requests.at(-1)!;

      expect(recorder.requests).toHaveLength(3);
      expect(ours).not.toBe(sdk);
      for (const field of ['method', 'protocol', 'hostname', 'port', 'path', 'query'] as const) {
        expect(ours[field], field).toEqual(sdk[field]);
      }
      expect(ours.headers).toEqual(sdk.headers); // authorization included: the same signature
      expect(Buffer.compare(ours.body as Buffer, u.body)).toBe(0);
      expect(result.etag).toMatch(/^[0-9a-f]{32}$/);
    });
  }

  it.each<[string, Record<string, string>, boolean]>([
    ['SSE-S3', { 'x-amz-server-side-encryption': 'AES256' }, true],
    ['unencrypted', {}, true],
    ['SSE-KMS', { 'x-amz-server-side-encryption': 'aws:kms' }, false],
    ['SSE-C', { 'x-amz-server-side-encryption-customer-algorithm': 'AES256' }, false],
  ])('S3 answers %s: both paths give the ETag as the MD5 only when it is one', async (_name, answer, isMd5) => {
    const recorder = new Recorder();
    recorder.answer = answer;
    const s3 = client(recorder);
    const fast = new FastPut(s3, undefined);
    const sdk = await uploadFile(s3, options(FIRST, fast)); // the SDK's: learned from
    expect(fast.ready).toBe(true);
    const ours = await uploadFile(s3, options(CASES[1]![1], fast));
    expect(recorder.requests).toHaveLength(2);
    for (const result of [sdk, ours]) expect(result.md5).toBe(isMd5 ? result.etag : undefined);
  });
});

describe('FastPut: learning and falling back', () => {
  const u: Upload = { ...FIRST, key: 'site/b.js', body: Buffer.from('b') };

  /** A client and its fast path, after the SDK's first upload taught it; `sent()`: requests the fast path sent. */
  async function learned() {
    const recorder = new Recorder();
    const s3 = client(recorder);
    let count = 0;
    const fast = new FastPut(s3, () => (count += 1));
    expect(fast.ready).toBe(false);
    await uploadFile(s3, options(FIRST, fast));
    expect(fast.ready).toBe(true);
    return { recorder, s3, fast, sent: () => count };
  }

  it('counts its requests, leaves the first upload (the SDK) to the SDK middleware', async () => {
    const { recorder, s3, fast, sent } = await learned();
    for (let i = 0; i < 5; i++) await uploadFile(s3, options({ ...u, key: `site/${i}.js` }, fast));
    expect(sent()).toBe(5);
    expect(recorder.requests).toHaveLength(6);
  });

  it('learns only from a first attempt S3 accepted', async () => {
    const recorder = new Recorder();
    const s3 = client(recorder);
    const fast = new FastPut(s3);
    recorder.statuses.push(503); // the SDK's first attempt; its second is accepted, but is not a first attempt
    await uploadFile(s3, options(FIRST, fast));
    expect(recorder.requests.map((r) => r.headers['amz-sdk-request'])).toEqual([
      'attempt=1; max=8',
      'attempt=2; max=8',
    ]);
    expect(fast.ready).toBe(false);
    await uploadFile(s3, options(u, fast));
    expect(fast.ready).toBe(true);
  });

  it('an error status turns it off: that upload and the next go through the SDK', async () => {
    const { recorder, s3, fast, sent } = await learned();
    recorder.statuses.push(503);
    const result = await uploadFile(s3, options(u, fast));
    expect(result.etag).toMatch(/^[0-9a-f]{32}$/);
    expect(fast.ready).toBe(false);
    // the SDK's request after ours: a first attempt of its own
    expect(recorder.requests.map((r) => r.headers['amz-sdk-request'])).toEqual([
      'attempt=1; max=8',
      'attempt=1; max=8',
      'attempt=1; max=8',
    ]);
    await uploadFile(s3, options({ ...u, key: 'site/c.js' }, fast));
    expect(sent()).toBe(1);
    expect(recorder.requests).toHaveLength(4);
  });

  it('a socket error turns it off and the SDK uploads the file', async () => {
    const { recorder, s3, fast, sent } = await learned();
    recorder.failures.push(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const result = await uploadFile(s3, options(u, fast));
    expect(result.etag).toMatch(/^[0-9a-f]{32}$/);
    expect(fast.ready).toBe(false);
    expect(sent()).toBe(1);
    expect(recorder.requests).toHaveLength(3);
  });

  it('a cancel is passed on, not retried through the SDK', async () => {
    const { recorder, s3, fast } = await learned();
    const controller = new AbortController();
    const cancel = Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
    recorder.failures.push(cancel);
    controller.abort();
    await expect(uploadFile(s3, { ...options(u, fast), signal: controller.signal })).rejects.toBe(cancel);
    expect(recorder.requests).toHaveLength(2);
  });

  it('another bucket, a body the SDK sends with Expect: 100-continue, or no bytes in hand: the SDK uploads', async () => {
    const { recorder, s3, fast, sent } = await learned();
    await uploadFile(s3, { ...options(u, fast), bucket: 'other-bucket' });
    expect(recorder.requests.at(-1)!.path).toBe('/other-bucket/site/b.js');
    const big = Buffer.alloc(EXPECT_CONTINUE_MIN, 'x');
    await uploadFile(s3, options({ ...u, key: 'site/big.bin', body: big }, fast));
    expect(recorder.requests.at(-1)!.headers.Expect).toBe('100-continue');
    // a file read by uploadFile itself (no body given): the SDK's request
    const dir = mkdtempSync(join(tmpdir(), 'fast-put-'));
    writeFileSync(join(dir, 'f.js'), 'on disk');
    const { body: _, ...fromDisk } = options({ ...u, body: Buffer.from('on disk') }, fast);
    await uploadFile(s3, { ...fromDisk, path: join(dir, 'f.js') });
    expect(sent()).toBe(0);
    expect(recorder.requests).toHaveLength(4);
    expect(fast.ready).toBe(true);
  });
});

describe('learnShape (pure)', () => {
  const p: FastPutParams = {
    bucket: 'b',
    key: 'site/a b.js',
    body: Buffer.from('abc'),
    sha256: sha(Buffer.from('abc')),
    checksumSha256: 'c2hh',
    cacheControl: 'no-cache',
    contentType: 'text/javascript',
    metadata: { sha256: 'x' },
  };
  const sent = (over: Partial<SentRequest> = {}, headers: Record<string, string | undefined> = {}): SentRequest => {
    const h: Record<string, string> = {
      ...putHeaders(p),
      host: 's3.example:443',
      'user-agent': 'ua',
      'x-amz-user-agent': 'xua',
      'amz-sdk-request': 'attempt=1; max=8',
      'amz-sdk-invocation-id': 'id',
      'x-amz-date': '20261206T000000Z',
      authorization: 'AWS4-HMAC-SHA256 ...',
      'x-amz-security-token': 't',
    };
    for (const [k, v] of Object.entries(headers)) {
      if (v === undefined) delete h[k];
      else h[k] = v;
    }
    return {
      method: 'PUT',
      protocol: 'https:',
      hostname: 's3.example',
      path: '/b/site/a%20b.js',
      query: {},
      headers: h,
      ...over,
    };
  };

  it('learns the shape of a matching request, and rebuilds it', () => {
    const shape = learnShape(sent(), p);
    expect(shape).toMatchObject({ bucket: 'b', pathPrefix: '/b/', hostname: 's3.example', protocol: 'https:' });
    if (typeof shape === 'string') throw new Error(shape);
    const built = buildPut(shape, p, 'id');
    const { authorization, 'x-amz-date': _, 'x-amz-security-token': __, ...rest } = sent().headers;
    expect(authorization).toBeDefined();
    expect(built.headers).toEqual(rest);
    expect(built.path).toBe('/b/site/a%20b.js');
  });

  it.each([
    ['a header the fast path does not build', sent({}, { expect: '100-continue' }), 'header expect'],
    ['a metadata value it would build otherwise', sent({}, { 'x-amz-meta-sha256': 'y' }), 'header x-amz-meta-sha256'],
    ['a header it builds, missing', sent({}, { 'cache-control': undefined }), 'header cache-control'],
    ['another Content-Type', sent({}, { 'content-type': 'text/plain' }), 'header content-type'],
    ['a checksum of another algorithm', sent({}, { 'x-amz-checksum-crc32': 'AAAA' }), 'header x-amz-checksum-crc32'],
    ['a path that does not end with the key', sent({ path: '/b/site/a+b.js' }), 'the path does not end with the key'],
    ['another method', sent({ method: 'POST' }), 'method POST'],
    ['no host', sent({}, { host: undefined }), 'no host header'],
    ['a retried attempt', sent({}, { 'amz-sdk-request': 'attempt=2; max=8' }), NOT_FIRST],
  ])('%s: not learned', (_, request, why) => {
    const shape = learnShape(request, p);
    expect(typeof shape).toBe('string');
    expect(shape).toContain(why);
  });

  it('virtual-hosted style: the prefix is "/"', () => {
    const shape = learnShape(sent({ hostname: 'b.s3.example', path: '/site/a%20b.js' }), p);
    expect(shape).toMatchObject({ pathPrefix: '/', hostname: 'b.s3.example' });
  });

  it.each([
    ['site/a b.js', 'site/a%20b.js'],
    ["x/a(1)!*'.txt", 'x/a%281%29%21%2A%27.txt'],
    ['ü/é', '%C3%BC/%C3%A9'],
    ['a+b~c', 'a%2Bb~c'],
  ])('keyPath(%j) = %j', (key, path) => {
    expect(keyPath(key)).toBe(path);
  });
});
