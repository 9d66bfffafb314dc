import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  etagMatches,
  hashBuffer,
  hashFile,
  isSinglePartEtag,
  MIB,
  md5FromPutAnswer,
  multipartEtag,
  multipartPartCount,
  normalizeEtag,
  type PutAnswer,
  partCount,
} from '../src/s3-etag';

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

describe('ETag helpers', () => {
  test.each([
    ['"abc"', 'abc'],
    ['W/"ABC"', 'abc'],
    ['  "d41d8cd98f00b204e9800998ecf8427e"  ', 'd41d8cd98f00b204e9800998ecf8427e'],
    [undefined, ''],
    // already normal (the fast path): returned as is
    ['d41d8cd98f00b204e9800998ecf8427e', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['d41d8cd98f00b204e9800998ecf8427e-12', 'd41d8cd98f00b204e9800998ecf8427e-12'],
    // almost normal: the slow path still cleans them
    ['D41D8CD98F00B204E9800998ECF8427E', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['d41d8cd98f00b204e9800998ecf8427e ', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['"d41d8cd98f00b204e9800998ecf8427e-2"', 'd41d8cd98f00b204e9800998ecf8427e-2'],
    // quoted, as S3 sends it (the second fast path), and what only looks like it
    ['"d41d8cd98f00b204e9800998ecf8427e"', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['""d41d8cd98f00b204e9800998ecf8427e""', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['"D41D8CD98F00B204E9800998ECF8427E"', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['"', ''],
    ['""', ''],
  ])('normalizeEtag(%j) = %s', (raw, expected) => {
    expect(normalizeEtag(raw)).toBe(expected);
  });
  test.each([
    ['"d41d8cd98f00b204e9800998ecf8427e"', true, undefined],
    ['"d41d8cd98f00b204e9800998ecf8427e-3"', false, 3],
    ['"xyz"', false, undefined],
  ])('%s single=%s parts=%s', (etag, single, parts) => {
    expect(isSinglePartEtag(etag)).toBe(single);
    expect(multipartPartCount(etag)).toBe(parts);
  });
  test('multipartEtag is md5 of the binary part md5s plus the count (known value)', () => {
    const parts = [md5('a'), md5('b')];
    const expected = `${createHash('md5')
      .update(Buffer.concat(parts.map((p) => Buffer.from(p, 'hex'))))
      .digest('hex')}-2`;
    expect(multipartEtag(parts)).toBe(expected);
  });
  test.each([
    [0, 8 * MIB, 1],
    [8 * MIB, 8 * MIB, 1],
    [8 * MIB + 1, 8 * MIB, 2],
    [12 * MIB, 5 * MIB, 3],
  ])('partCount(%i, %i) = %i', (size, part, n) => {
    expect(partCount(size, part)).toBe(n);
  });
});

describe('md5FromPutAnswer: the ETag of a single PUT as its MD5, only when S3 documents it so', () => {
  const MD5 = '5d41402abc4b2a76b9719d911017c592';
  test.each<[string, string, PutAnswer, string | undefined]>([
    ['SSE-S3', 'site-bucket', { etag: `"${MD5}"`, encryption: 'AES256' }, MD5],
    ['unencrypted (no header)', 'site-bucket', { etag: `"${MD5}"` }, MD5],
    ['already normal', 'site-bucket', { etag: MD5.toUpperCase(), encryption: 'AES256' }, MD5],
    ['SSE-KMS', 'site-bucket', { etag: `"${MD5}"`, encryption: 'aws:kms' }, undefined],
    ['DSSE-KMS', 'site-bucket', { etag: `"${MD5}"`, encryption: 'aws:kms:dsse' }, undefined],
    ['an encryption this code does not know', 'site-bucket', { etag: `"${MD5}"`, encryption: 'aws:new' }, undefined],
    ['SSE-C', 'site-bucket', { etag: `"${MD5}"`, encryption: 'AES256', customerAlgorithm: 'AES256' }, undefined],
    ['a directory bucket (S3 Express)', 'site--usw2-az1--x-s3', { etag: `"${MD5}"`, encryption: 'AES256' }, undefined],
    ['a multipart ETag', 'site-bucket', { etag: `"${MD5}-2"`, encryption: 'AES256' }, undefined],
    ['not an MD5 at all', 'site-bucket', { etag: '"abc"' }, undefined],
    ['no ETag', 'site-bucket', { etag: undefined }, undefined],
  ])('%s', (_name, bucket, answer, expected) => {
    expect(md5FromPutAnswer(bucket, answer)).toBe(expected);
  });
});

describe('hashFile', () => {
  test.each([
    ['empty', 0, 5 * MIB],
    ['small', 1000, 5 * MIB],
    ['between small and a part', 400 * 1024, 5 * MIB],
    ['exactly one part', 5 * MIB, 5 * MIB],
    ['12 MB in 5 MiB parts', 12 * 1000 * 1000, 5 * MIB],
    ['12 MB in 8 MiB parts', 12 * 1000 * 1000, 8 * MIB],
  ])('%s: streaming hash equals the in-memory hash', async (_name, size, partSize) => {
    const dir = await mkdtemp(join(tmpdir(), 'hash-'));
    const body = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4096) body[i] = (i / 4096) % 251;
    const path = join(dir, 'f');
    await writeFile(path, body);
    const streamed = await hashFile(path, partSize);
    expect(streamed).toEqual(hashBuffer(body, partSize));
    expect(streamed.md5).toBe(md5(body));
    expect(etagMatches(`"${md5(body)}"`, streamed)).toBe(true);
    if (streamed.partMd5s) {
      expect(streamed.partMd5s).toHaveLength(partCount(size, partSize));
      expect(etagMatches(`"${multipartEtag(streamed.partMd5s)}"`, streamed)).toBe(true);
    }
  });
});
