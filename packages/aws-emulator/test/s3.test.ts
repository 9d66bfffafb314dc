// S3 conformance: the JS SDK v3 at default settings (aws-chunked + trailing CRC32 for streams, checksum validation
// on GET), the same SDK with requestChecksumCalculation WHEN_REQUIRED, lib-storage multipart, and AWS CLI v2.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
  type S3ClientConfig,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { awsCliEnv, useEmulator } from '../src/index.ts';
import { checksumBase64, crc64nvme, multipartEtag, singlePartEtag } from '../src/services/s3-checksums.ts';
import { decodeAwsChunked, stripAwsChunked } from '../src/services/s3-chunked.ts';

const run = promisify(execFile);
const MiB = 1024 * 1024;

const emu = useEmulator();
let tmp: string;
/** Request headers as the SDK put them on the wire, per operation (captured in the finalize step). */
const sent: Array<{ op: string; headers: Record<string, string> }> = [];

function client(extra: Partial<S3ClientConfig> = {}): S3Client {
  const c = new S3Client({ ...emu.clientConfig, forcePathStyle: true, ...extra });
  c.middlewareStack.add(
    (next, context) => async (args) => {
      const req = args.request as { headers: Record<string, string> };
      sent.push({ op: String(context.commandName), headers: { ...req.headers } });
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'captureHeaders' },
  );
  return c;
}

async function aws(args: string[]): Promise<string> {
  const { stdout } = await run('/usr/bin/aws', [...args, '--endpoint-url', emu.url], {
    env: awsCliEnv(tmp),
    maxBuffer: 16 * MiB,
  });
  return stdout;
}

function localMultipartEtag(data: Buffer, partSize: number): string {
  const etags: string[] = [];
  for (let off = 0; off < data.length; off += partSize) etags.push(singlePartEtag(data.subarray(off, off + partSize)));
  return multipartEtag(etags);
}

const md5hex = (b: Buffer) => `"${createHash('md5').update(b).digest('hex')}"`;

beforeAll(async () => {
  await emu.start();
  tmp = await mkdtemp(join(tmpdir(), 's3-emu-'));
});

afterAll(async () => {
  await emu.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

beforeEach(async () => {
  await emu.control.reset();
  sent.length = 0;
});

describe('checksum and chunk helpers', () => {
  test('CRC64NVME check value', () => {
    expect(crc64nvme(Buffer.from('123456789')).toString('hex')).toBe('ae8b14860a799888');
  });

  test.each([
    ['CRC32', 'abc', 'NSRBwg=='],
    ['CRC32C', 'abc', 'Nks/tw=='],
    ['SHA1', 'abc', 'qZk+NkcGgWq6PiVxeFDCbJzQ2J0='],
    ['SHA256', 'abc', 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='],
  ] as const)('%s of %s', (alg, input, expected) => {
    expect(checksumBase64(alg, Buffer.from(input))).toBe(expected);
  });

  test('decodes signed and unsigned aws-chunked bodies with trailers', () => {
    const body = Buffer.from(
      '5;chunk-signature=abc\r\nhello\r\n6\r\n world\r\n0;chunk-signature=def\r\nx-amz-checksum-crc32:AAAA\r\nx-amz-trailer-signature:xyz\r\n\r\n',
    );
    const d = decodeAwsChunked(body);
    expect(d.body.toString()).toBe('hello world');
    expect(d.trailers['x-amz-checksum-crc32']).toBe('AAAA');
    expect(stripAwsChunked('gzip,aws-chunked')).toBe('gzip');
    expect(stripAwsChunked('aws-chunked')).toBeUndefined();
  });
});

describe('SDK v3 at default settings', () => {
  test('buckets: create, head, list, create again, delete', async () => {
    const s3 = client();
    await s3.send(new CreateBucketCommand({ Bucket: 'site' }));
    await s3.send(new HeadBucketCommand({ Bucket: 'site' }));
    // us-east-1 answers 200 to re-creating a bucket you own (legacy); other regions BucketAlreadyOwnedByYou.
    await s3.send(new CreateBucketCommand({ Bucket: 'site' }));
    const eu = client({ region: 'eu-west-1' });
    await eu.send(
      new CreateBucketCommand({ Bucket: 'eu-site', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }),
    );
    await expect(
      eu.send(
        new CreateBucketCommand({ Bucket: 'eu-site', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }),
      ),
    ).rejects.toMatchObject({ name: 'BucketAlreadyOwnedByYou' });
    const list = await s3.send(new ListBucketsCommand({}));
    expect(list.Buckets?.map((b) => b.Name)).toEqual(['eu-site', 'site']);
    await expect(s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' }))).rejects.toMatchObject({
      name: 'InvalidBucketName',
    });
    await s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'x', Body: 'x' }));
    await expect(s3.send(new DeleteBucketCommand({ Bucket: 'site' }))).rejects.toMatchObject({
      name: 'BucketNotEmpty',
    });
    await s3.send(new DeleteObjectCommand({ Bucket: 'site', Key: 'x' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'site' }));
    await expect(s3.send(new HeadBucketCommand({ Bucket: 'site' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
  });

  test('buffer put with a CRC32 header and stream put with aws-chunked: bytes identical, metadata returned', async () => {
    const s3 = client();
    await s3.send(new CreateBucketCommand({ Bucket: 'site' }));
    const data = randomBytes(300 * 1024);
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'site',
        Key: 'assets/app.js',
        Body: data,
        ContentType: 'text/javascript',
        CacheControl: 'public, max-age=31536000, immutable',
        Metadata: { sha256: 'abc', release: 'r1' },
      }),
    );
    expect(put.ETag).toBe(md5hex(data));
    expect(put.ChecksumCRC32).toBe(checksumBase64('CRC32', data));
    const bufferPut = sent.find((s) => s.op === 'PutObjectCommand');
    expect(bufferPut?.headers['x-amz-checksum-crc32']).toBeDefined();

    const file = join(tmp, 'stream.bin');
    const streamData = randomBytes(200 * 1024 + 17);
    await writeFile(file, streamData);
    sent.length = 0;
    const put2 = await s3.send(
      new PutObjectCommand({
        Bucket: 'site',
        Key: 'dir with space/stream+1.bin',
        Body: createReadStream(file),
        ContentType: 'application/octet-stream',
        ContentEncoding: 'gzip',
      }),
    );
    const wire = sent.find((s) => s.op === 'PutObjectCommand')?.headers ?? {};
    expect(wire['content-encoding']).toBe('gzip,aws-chunked');
    expect(wire['x-amz-content-sha256']).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    expect(wire['x-amz-trailer']).toBe('x-amz-checksum-crc32');
    expect(put2.ETag).toBe(md5hex(streamData));

    const got = await s3.send(new GetObjectCommand({ Bucket: 'site', Key: 'dir with space/stream+1.bin' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(streamData)).toBe(true);
    expect(got.ContentEncoding).toBe('gzip');
    expect(got.ChecksumCRC32).toBe(checksumBase64('CRC32', streamData));

    const head = await s3.send(new HeadObjectCommand({ Bucket: 'site', Key: 'assets/app.js' }));
    expect(head).toMatchObject({
      ContentType: 'text/javascript',
      CacheControl: 'public, max-age=31536000, immutable',
      Metadata: { sha256: 'abc', release: 'r1' },
      ContentLength: data.length,
      ETag: md5hex(data),
    });
    expect(head.LastModified).toBeInstanceOf(Date);
    const got2 = await s3.send(new GetObjectCommand({ Bucket: 'site', Key: 'assets/app.js' }));
    expect(Buffer.from(await got2.Body!.transformToByteArray()).equals(data)).toBe(true);
  });

  test('range and conditional GETs', async () => {
    const s3 = client();
    await s3.send(new CreateBucketCommand({ Bucket: 'site' }));
    const put = await s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'a.txt', Body: '0123456789' }));
    const r = await s3.send(new GetObjectCommand({ Bucket: 'site', Key: 'a.txt', Range: 'bytes=2-4' }));
    expect(await r.Body!.transformToString()).toBe('234');
    expect(r.ContentRange).toBe('bytes 2-4/10');
    const tail = await s3.send(new GetObjectCommand({ Bucket: 'site', Key: 'a.txt', Range: 'bytes=-3' }));
    expect(await tail.Body!.transformToString()).toBe('789');
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'site', Key: 'a.txt', Range: 'bytes=20-' })),
    ).rejects.toMatchObject({
      name: 'InvalidRange',
    });
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'site', Key: 'a.txt', IfNoneMatch: put.ETag })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: 304 },
    });
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'site', Key: 'a.txt', IfMatch: '"nope"' })),
    ).rejects.toMatchObject({
      name: 'PreconditionFailed',
    });
    await expect(
      s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'a.txt', Body: 'x', IfNoneMatch: '*' })),
    ).rejects.toMatchObject({
      name: 'PreconditionFailed',
    });
  });

  test('virtual-hosted requests (<bucket>.localhost) reach the same objects', async () => {
    await emu.control.seed({
      buckets: [{ name: 'site', objects: [{ key: 'a/b.txt', body: 'vhost', contentType: 'text/plain' }] }],
    });
    const { status, body, type } = await new Promise<{ status: number; body: string; type: string }>(
      (resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port: emu.port, path: '/a/b.txt', headers: { host: `site.localhost:${emu.port}` } },
          (res) => {
            let data = '';
            res.on('data', (c) => {
              data += c;
            });
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, body: data, type: String(res.headers['content-type']) }),
            );
          },
        );
        req.on('error', reject);
        req.end();
      },
    );
    expect({ status, body, type }).toEqual({ status: 200, body: 'vhost', type: 'text/plain' });
  });

  test('errors in S3 XML form with a request id', async () => {
    const s3 = client();
    await expect(s3.send(new GetObjectCommand({ Bucket: 'nope', Key: 'k' }))).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'site' }));
    const err = await s3.send(new GetObjectCommand({ Bucket: 'site', Key: 'missing' })).catch((e) => e);
    expect(err.name).toBe('NoSuchKey');
    expect(err.$metadata.httpStatusCode).toBe(404);
    expect(err.$metadata.requestId).toMatch(/[0-9a-f-]{36}/);
    const raw = await fetch(`${emu.url}/site/missing`);
    const body = await raw.text();
    expect(body).toContain('<Code>NoSuchKey</Code>');
    expect(body).toContain('<Key>missing</Key>');
    expect(body).toMatch(/<RequestId>[^<]+<\/RequestId>/);
  });

  test('bad Content-MD5 → BadDigest; bad CRC32 → BadDigest; nothing stored', async () => {
    const s3 = client();
    await s3.send(new CreateBucketCommand({ Bucket: 'site' }));
    const wrongMd5 = createHash('md5').update('other').digest('base64');
    await expect(
      s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'a', Body: 'hello', ContentMD5: wrongMd5 })),
    ).rejects.toMatchObject({ name: 'BadDigest', $metadata: { httpStatusCode: 400 } });
    await expect(
      s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'a', Body: 'hello', ChecksumCRC32: 'AAAAAA==' })),
    ).rejects.toMatchObject({ name: 'BadDigest' });
    await expect(
      s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'a', Body: 'hello', ContentMD5: 'short' })),
    ).rejects.toMatchObject({ name: 'InvalidDigest' });
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'site', Key: 'a' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
    });
    const good = createHash('md5').update('hello').digest('base64');
    await s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'a', Body: 'hello', ContentMD5: good }));
  });

  test('a corrupted trailing checksum in an aws-chunked body → BadDigest', async () => {
    await client().send(new CreateBucketCommand({ Bucket: 'site' }));
    const res = await fetch(`${emu.url}/site/k`, {
      method: 'PUT',
      headers: {
        'content-encoding': 'aws-chunked',
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'x-amz-decoded-content-length': '5',
        'x-amz-trailer': 'x-amz-checksum-crc32',
      },
      body: '5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<Code>BadDigest</Code>');
  });

  test('CopyObject REPLACE changes headers and keeps the ETag; COPY onto itself is refused', async () => {
    const s3 = client();
    await s3.send(new CreateBucketCommand({ Bucket: 'site' }));
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'site',
        Key: 'index.html',
        Body: '<html>',
        ContentType: 'text/plain',
        CacheControl: 'max-age=60',
        Metadata: { a: '1' },
      }),
    );
    const copy = await s3.send(
      new CopyObjectCommand({
        Bucket: 'site',
        Key: 'index.html',
        CopySource: 'site/index.html',
        MetadataDirective: 'REPLACE',
        ContentType: 'text/html; charset=utf-8',
        CacheControl: 'no-cache',
        Metadata: { b: '2' },
      }),
    );
    expect(copy.CopyObjectResult?.ETag).toBe(put.ETag);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'site', Key: 'index.html' }));
    expect(head).toMatchObject({
      ContentType: 'text/html; charset=utf-8',
      CacheControl: 'no-cache',
      Metadata: { b: '2' },
      ETag: put.ETag,
    });
    await expect(
      s3.send(new CopyObjectCommand({ Bucket: 'site', Key: 'index.html', CopySource: 'site/index.html' })),
    ).rejects.toMatchObject({ name: 'InvalidRequest' });
    // COPY to another key (url-encoded source with spaces) keeps the metadata.
    await s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'a b/c+d.txt', Body: 'x', CacheControl: 'max-age=5' }));
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'site',
        Key: 'copy.txt',
        CopySource: `site/${encodeURIComponent('a b/c+d.txt')}`,
      }),
    );
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'site', Key: 'copy.txt' }))).CacheControl).toBe('max-age=5');
    await expect(
      s3.send(new CopyObjectCommand({ Bucket: 'site', Key: 'x', CopySource: 'site/missing' })),
    ).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  test('ListObjectsV2 over 1,200 keys: pagination, delimiter, start-after; ListObjects v1', async () => {
    const objects = Array.from({ length: 1200 }, (_, i) => ({
      key: i < 1000 ? `assets/chunk-${String(i).padStart(4, '0')}.js` : `pages/p${i % 10}/index-${i}.html`,
      body: `k${i}`,
    }));
    objects.push({ key: 'index.html', body: '<html>' });
    await emu.control.seed({ buckets: [{ name: 'site', objects }] });
    const s3 = client();

    const keys: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: 'site' })) {
      pages++;
      expect(page.KeyCount).toBe(page.Contents?.length ?? 0);
      for (const o of page.Contents ?? []) {
        keys.push(o.Key!);
        expect(o.ETag).toMatch(/^"[0-9a-f]{32}"$/);
        expect(o.StorageClass).toBe('STANDARD');
        expect(o.LastModified).toBeInstanceOf(Date);
      }
    }
    expect(pages).toBe(2);
    expect(keys).toHaveLength(1201);
    expect(keys).toEqual([...keys].sort());

    const top = await s3.send(new ListObjectsV2Command({ Bucket: 'site', Delimiter: '/' }));
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['assets/', 'pages/']);
    expect(top.Contents?.map((c) => c.Key)).toEqual(['index.html']);
    expect(top.KeyCount).toBe(3);

    // Small pages with a delimiter: every common prefix exactly once across pages.
    const prefixes: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: 'site',
          Prefix: 'pages/',
          Delimiter: '/',
          MaxKeys: 3,
          ContinuationToken: token,
        }),
      );
      prefixes.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
      token = page.NextContinuationToken;
      expect(page.IsTruncated).toBe(token !== undefined);
    } while (token);
    expect(prefixes).toEqual(Array.from({ length: 10 }, (_, i) => `pages/p${i}/`));

    const after = await s3.send(
      new ListObjectsV2Command({ Bucket: 'site', Prefix: 'assets/', StartAfter: 'assets/chunk-0997.js' }),
    );
    expect(after.Contents?.map((c) => c.Key)).toEqual(['assets/chunk-0998.js', 'assets/chunk-0999.js']);

    const v1 = await s3.send(new ListObjectsCommand({ Bucket: 'site', Prefix: 'assets/', MaxKeys: 600 }));
    expect(v1.Contents).toHaveLength(600);
    expect(v1.IsTruncated).toBe(true);
    const v1b = await s3.send(
      new ListObjectsCommand({ Bucket: 'site', Prefix: 'assets/', Marker: v1.Contents?.at(-1)?.Key }),
    );
    expect(v1b.Contents).toHaveLength(400);
    expect(v1b.IsTruncated).toBe(false);
  });

  test('keys are listed in UTF-8 byte order, as S3 lists them, not JavaScript string order', async () => {
    // U+E000 and U+FFFF are one UTF-16 unit each, above a surrogate pair's first unit (0xD83D): `<` puts 😀 first;
    // their UTF-8 bytes (EE…, EF…, F0…) put it last
    const keys = ['u/a\uffff.txt', 'u/a😀.txt', 'u/a\ue000.txt', 'u/ab.txt', 'u/a.txt'];
    await emu.control.seed({ buckets: [{ name: 'utf8', objects: keys.map((key) => ({ key, body: key })) }] });
    const s3 = client();
    const byBytes = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(byBytes).not.toEqual([...keys].sort()); // the case where the two orders differ
    const all = await s3.send(new ListObjectsV2Command({ Bucket: 'utf8', Prefix: 'u/' }));
    expect(all.Contents?.map((c) => c.Key)).toEqual(byBytes);
    const after = await s3.send(
      new ListObjectsV2Command({ Bucket: 'utf8', Prefix: 'u/', StartAfter: 'u/a\uffff.txt' }),
    );
    expect(after.Contents?.map((c) => c.Key)).toEqual(['u/a😀.txt']);
    const paged: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: 'utf8', Prefix: 'u/', MaxKeys: 2, ContinuationToken: token }),
      );
      paged.push(...(page.Contents ?? []).map((c) => c.Key!));
      token = page.NextContinuationToken;
    } while (token);
    expect(paged).toEqual(byBytes);
  });

  test('DeleteObject and DeleteObjects (quiet and verbose)', async () => {
    await emu.control.seed({
      buckets: [{ name: 'site', objects: Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, body: 'x' })) }],
    });
    const s3 = client();
    await s3.send(new DeleteObjectCommand({ Bucket: 'site', Key: 'k0' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'site', Key: 'never-existed' }));
    const verbose = await s3.send(
      new DeleteObjectsCommand({ Bucket: 'site', Delete: { Objects: [{ Key: 'k1' }, { Key: 'k2' }] } }),
    );
    expect(verbose.Deleted?.map((d) => d.Key)).toEqual(['k1', 'k2']);
    const quiet = await s3.send(
      new DeleteObjectsCommand({ Bucket: 'site', Delete: { Quiet: true, Objects: [{ Key: 'k3' }, { Key: 'k4' }] } }),
    );
    expect(quiet.Deleted ?? []).toEqual([]);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: 'site' }));
    expect(left.Contents?.map((c) => c.Key)).toEqual(['k5']);
    const log = await emu.control.requests();
    expect(log.filter((e) => e.service === 's3' && e.mutating).map((e) => e.operation)).toEqual([
      'DeleteObject',
      'DeleteObject',
      'DeleteObjects',
      'DeleteObjects',
    ]);
  });

  test('lib-storage Upload of 20 MB: multipart ETag, composite CRC32, bytes identical, PartNumber head', async () => {
    const s3 = client();
    await s3.send(new CreateBucketCommand({ Bucket: 'big' }));
    const data = randomBytes(20 * MiB);
    const file = join(tmp, 'big.bin');
    await writeFile(file, data);
    const result = await new Upload({
      client: s3,
      params: { Bucket: 'big', Key: 'video.bin', Body: createReadStream(file), ContentType: 'video/mp4' },
      partSize: 5 * MiB,
      queueSize: 4,
    }).done();
    expect(result.ETag).toBe(localMultipartEtag(data, 5 * MiB));
    expect(result.ETag).toMatch(/-4"$/);
    const parts = sent.filter((s) => s.op === 'UploadPartCommand');
    expect(parts).toHaveLength(4);
    expect(parts[0]?.headers['x-amz-checksum-crc32']).toBeDefined();

    const got = await s3.send(new GetObjectCommand({ Bucket: 'big', Key: 'video.bin' }));
    expect(got.ETag).toBe(result.ETag);
    expect(got.ContentType).toBe('video/mp4');
    expect(got.ChecksumCRC32).toMatch(/-4$/);
    expect(
      createHash('sha256')
        .update(await got.Body!.transformToByteArray())
        .digest('hex'),
    ).toBe(createHash('sha256').update(data).digest('hex'));
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'big', Key: 'video.bin', PartNumber: 1 }));
    expect(head.PartsCount).toBe(4);
    expect(head.ContentLength).toBe(5 * MiB);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'big' }));
    expect(listed.Contents?.[0]).toMatchObject({ ETag: result.ETag, Size: data.length });
  });

  test('multipart errors: EntityTooSmall, InvalidPart, NoSuchUpload', async () => {
    const s3 = client();
    await s3.send(new CreateBucketCommand({ Bucket: 'big' }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'big', Key: 'k' }));
    const p1 = await s3.send(
      new UploadPartCommand({ Bucket: 'big', Key: 'k', UploadId, PartNumber: 1, Body: 'small' }),
    );
    const p2 = await s3.send(new UploadPartCommand({ Bucket: 'big', Key: 'k', UploadId, PartNumber: 2, Body: 'tail' }));
    await expect(
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'big',
          Key: 'k',
          UploadId,
          MultipartUpload: {
            Parts: [
              { PartNumber: 1, ETag: p1.ETag },
              { PartNumber: 2, ETag: p2.ETag },
            ],
          },
        }),
      ),
    ).rejects.toMatchObject({ name: 'EntityTooSmall' });
    await expect(
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'big',
          Key: 'k',
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"00000000000000000000000000000000"' }] },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidPart' });
    // A single small part is fine (the last part may be small).
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'big',
        Key: 'k',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }] },
      }),
    );
    expect(done.ETag).toBe(multipartEtag([p1.ETag!]));
    await expect(s3.send(new AbortMultipartUploadCommand({ Bucket: 'big', Key: 'k', UploadId }))).rejects.toMatchObject(
      { name: 'NoSuchUpload' },
    );
  });

  test('SlowDown (503) on injected throttling, retried by the SDK', async () => {
    await emu.control.seed({ buckets: [{ name: 'site', objects: [{ key: 'a', body: 'x' }] }] });
    await emu.control.faults({ seed: 7, throttle: 1, services: ['s3'] });
    const err = await client({ maxAttempts: 2 })
      .send(new HeadObjectCommand({ Bucket: 'site', Key: 'a' }))
      .catch((e) => e);
    expect(err.$metadata.httpStatusCode).toBe(503);
    expect(err.$metadata.attempts).toBe(2);
    const raw = await fetch(`${emu.url}/site/a`);
    expect(raw.status).toBe(503);
    expect(await raw.text()).toContain('<Code>SlowDown</Code>');
    await emu.control.faults({ throttle: 0 });
  });
});

describe('SDK v3 with requestChecksumCalculation WHEN_REQUIRED', () => {
  test('plain bodies, no aws-chunked; DeleteObjects still carries a checksum', async () => {
    const s3 = client({ requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    await s3.send(new CreateBucketCommand({ Bucket: 'site' }));
    const file = join(tmp, 'plain.bin');
    const data = randomBytes(64 * 1024);
    await writeFile(file, data);
    const put = await s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'plain.bin', Body: createReadStream(file) }));
    const wire = sent.find((s) => s.op === 'PutObjectCommand')?.headers ?? {};
    expect(wire['content-encoding']).toBeUndefined();
    expect(Object.keys(wire).some((h) => h.startsWith('x-amz-checksum-'))).toBe(false);
    expect(put.ETag).toBe(md5hex(data));
    // Without a client checksum S3 computes a full-object CRC64NVME; the default client validates it on GET.
    const got = await client().send(new GetObjectCommand({ Bucket: 'site', Key: 'plain.bin' }));
    expect(got.ChecksumCRC64NVME).toBe(crc64nvme(data).toString('base64'));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
    const del = await s3.send(
      new DeleteObjectsCommand({ Bucket: 'site', Delete: { Objects: [{ Key: 'plain.bin' }] } }),
    );
    expect(del.Deleted).toHaveLength(1);
    const delWire = sent.find((s) => s.op === 'DeleteObjectsCommand')?.headers ?? {};
    expect(Object.keys(delWire).some((h) => h.startsWith('x-amz-checksum-') || h === 'content-md5')).toBe(true);
  });

  test('multipart via lib-storage without checksums', async () => {
    const s3 = client({ requestChecksumCalculation: 'WHEN_REQUIRED' });
    await s3.send(new CreateBucketCommand({ Bucket: 'big' }));
    const data = randomBytes(11 * MiB);
    const result = await new Upload({ client: s3, params: { Bucket: 'big', Key: 'k', Body: data } }).done();
    expect(result.ETag).toBe(localMultipartEtag(data, 5 * MiB));
  });
});

describe('AWS CLI v2', () => {
  // CLI start-up dominates (seconds per call), so the independent `s3 cp` and `s3 sync` run side by side in one test
  // (a per-test reset would wipe a concurrent test's bucket). They use different key prefixes.
  test('s3 cp of a 20 MB file (8 MB parts, multipart ETag) and s3 sync / ls / no-change sync', async () => {
    await emu.control.seed({ buckets: [{ name: 'cli' }] });
    const data = randomBytes(20 * MiB);
    const file = join(tmp, 'cli-big.bin');
    await writeFile(file, data);
    const dir = join(tmp, 'site');
    await mkdir(join(dir, 'assets', 'img'), { recursive: true });
    const files: Record<string, string> = {
      'index.html': '<html>hi</html>',
      'assets/app.js': 'console.log(1)',
      'assets/app.css': 'body{}',
      'assets/img/logo file.svg': '<svg/>',
    };
    const past = new Date(Date.now() - 3600_000);
    for (const [name, body] of Object.entries(files)) {
      await writeFile(join(dir, name), body);
      await utimes(join(dir, name), past, past);
    }
    await Promise.all([
      aws(['s3', 'cp', file, 's3://cli/big.bin', '--no-progress']),
      aws(['s3', 'sync', dir, 's3://cli/site/', '--no-progress']),
    ]);

    // cp: three 8 MB parts, the multipart ETag S3 would give, identical bytes
    const got = await client().send(new GetObjectCommand({ Bucket: 'cli', Key: 'big.bin' }));
    expect(got.ETag).toBe(localMultipartEtag(data, 8 * MiB));
    expect(got.ETag).toMatch(/-3"$/);
    expect(got.ContentLength).toBe(data.length);
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
    const cpOps = (await emu.control.requests())
      .filter((e) => e.service === 's3' && e.path === '/cli/big.bin')
      .map((e) => e.operation);
    expect(cpOps.filter((o) => o === 'UploadPart')).toHaveLength(3);
    expect(cpOps).toContain('CompleteMultipartUpload');

    // sync + ls
    const [listing, top] = await Promise.all([
      aws(['s3', 'ls', 's3://cli/site/', '--recursive']),
      aws(['s3', 'ls', 's3://cli/site/']),
    ]);
    for (const name of Object.keys(files)) expect(listing).toContain(`site/${name}`);
    expect(top).toMatch(/PRE assets\//);
    expect(top).toContain('index.html');
    const head = await client().send(new HeadObjectCommand({ Bucket: 'cli', Key: 'site/assets/app.css' }));
    expect(head.ContentType).toBe('text/css');
    expect(head.ETag).toBe(md5hex(Buffer.from(files['assets/app.css'] as string)));

    // a second sync with nothing changed uploads nothing
    await emu.control.clearRequests();
    await aws(['s3', 'sync', dir, 's3://cli/site/', '--no-progress']);
    const ops = (await emu.control.requests()).filter((e) => e.service === 's3').map((e) => e.operation);
    expect(ops).not.toContain('PutObject');
    expect(ops).toContain('ListObjectsV2');
  });
});
