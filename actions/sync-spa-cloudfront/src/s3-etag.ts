import { createHash, hash } from 'node:crypto';

// Content hashes of local files, computed in one streaming pass, in the forms S3 exposes:
// - a single-part upload (plaintext or SSE-S3) has ETag = MD5 of the body;
// - a multipart upload has ETag = MD5(concatenated binary MD5s of the parts) + `-<part count>`, so recomputing it
//   needs the uploader's part size (AWS CLI default 8 MiB, which is our default too);
// - SSE-KMS / SSE-C ETags are not MD5s at all: callers compare a sha256 kept in user metadata or in a manifest.

export const MIB = 1024 * 1024;
/** The AWS CLI's default multipart_threshold and multipart_chunksize (8 MiB). */
export const DEFAULT_PART_SIZE = 8 * MIB;
/** S3's minimum part size (all parts but the last). */
export const MIN_PART_SIZE = 5 * MIB;

export interface FileHashes {
  size: number;
  /**
   * Hex MD5 of the whole file. Absent when hashed without it (`hashBuffer(…, false)`: the scan's small files, whose
   * MD5 only a plan without a release record for them needs, or the upload's record: issue #15).
   */
  md5?: string;
  /** Hex SHA-256 of the whole file. */
  sha256: string;
  /**
   * Hex MD5 of each `partSize` slice, present when the file is at least one part long (size >= partSize), i.e. when
   * an uploader with this part size would have used a multipart upload.
   */
  partMd5s?: string[];
}

/** An ETag already in normal form (the listing normalises every one; the planner asks again per comparison). */
const NORMAL_ETAG = /^[0-9a-f]{32}(?:-\d+)?$/;
const QUOTE = 0x22;

/** ETag without the surrounding quotes (ListObjectsV2 and HEAD return it quoted), lower-cased. */
export function normalizeEtag(etag: string | undefined): string {
  if (etag !== undefined) {
    if (NORMAL_ETAG.test(etag)) return etag;
    // as S3 sends it (listings, PUT and HEAD answers): a normal ETag in double quotes
    if (etag.charCodeAt(0) === QUOTE && etag.charCodeAt(etag.length - 1) === QUOTE) {
      const inner = etag.slice(1, -1);
      if (NORMAL_ETAG.test(inner)) return inner;
    }
  }
  return (etag ?? '')
    .trim()
    .replace(/^W\//, '')
    .replace(/^"+|"+$/g, '')
    .toLowerCase();
}

/** True for a plain 32-hex ETag (what an MD5 looks like; SSE-KMS ETags look the same but are not MD5s). */
export function isSinglePartEtag(etag: string): boolean {
  return /^[0-9a-f]{32}$/.test(normalizeEtag(etag));
}

/** What S3 answers to a PutObject, as far as the body's MD5 is concerned. */
export interface PutAnswer {
  etag: string | undefined;
  /** `x-amz-server-side-encryption`: AES256 (SSE-S3), aws:kms, aws:kms:dsse; absent for unencrypted objects. */
  encryption?: string | undefined;
  /** `x-amz-server-side-encryption-customer-algorithm`: SSE-C. */
  customerAlgorithm?: string | undefined;
}

/**
 * The MD5 of a single PUT's body, from S3's answer, when S3 documents it: the ETag of an object written by PutObject
 * unencrypted or with SSE-S3 is the MD5 of its data; with SSE-KMS, SSE-C, or in a directory bucket
 * (`…--x-s3`, S3 Express) it is not. undefined otherwise: the caller hashes the bytes (#15: that MD5 was ~3% of a
 * 2,000-file first deploy's CPU on one core). A store that answers an ETag of another kind without saying so gets its
 * ETag recorded as the MD5; that costs extra uploads later, never a missed one (sync-plan.ts compares a record's MD5
 * with a listed ETag only to prove equality, and the sha256 it records decides a changed file).
 */
export function md5FromPutAnswer(bucket: string, answer: PutAnswer): string | undefined {
  if (answer.etag === undefined || answer.customerAlgorithm !== undefined || bucket.endsWith('--x-s3'))
    return undefined;
  if (answer.encryption !== undefined && answer.encryption !== 'AES256') return undefined;
  const etag = normalizeEtag(answer.etag);
  return isSinglePartEtag(etag) ? etag : undefined;
}

/** `<hex>-<n>` multipart ETag → part count, else undefined. */
export function multipartPartCount(etag: string): number | undefined {
  const m = /^[0-9a-f]{32}-(\d+)$/.exec(normalizeEtag(etag));
  return m ? Number(m[1]) : undefined;
}

/** The multipart ETag S3 reports for parts with these MD5s (hex): md5(concat(binary md5s)) + '-' + count. */
export function multipartEtag(partMd5s: readonly string[]): string {
  const hash = createHash('md5');
  for (const part of partMd5s) hash.update(Buffer.from(part, 'hex'));
  return `${hash.digest('hex')}-${partMd5s.length}`;
}

/** Number of parts a file of `size` bytes is cut into with `partSize` (at least 1). */
export function partCount(size: number, partSize: number): number {
  return Math.max(1, Math.ceil(size / partSize));
}

/**
 * True when the local hashes prove the object with this ETag has the same bytes: a single-part ETag equal to the
 * MD5, or a multipart ETag equal to the one our part size produces. False means "not proven", not "different".
 */
export function etagMatches(etag: string, hashes: Pick<FileHashes, 'md5' | 'partMd5s'>): boolean {
  const e = normalizeEtag(etag);
  if (isSinglePartEtag(e)) return e === hashes.md5;
  if (multipartPartCount(e) !== undefined && hashes.partMd5s) return e === multipartEtag(hashes.partMd5s);
  return false;
}

/** Files up to this size are read in one call (faster than a stream for the many small files of an SPA). */
export const SMALL_FILE = 256 * 1024;

/**
 * MD5, SHA-256 and (for files of at least one part) per-part MD5s in one pass, streaming with a fixed 64 KiB buffer
 * so memory does not grow with file size.
 */
export async function hashFile(path: string, partSize = DEFAULT_PART_SIZE): Promise<FileHashes> {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  // node:fs/promises is taken here, not imported: the hash worker bundles this module (hashBuffer), and a top-level
  // import would load fs/promises in every worker's start-up for nothing.
  const { open } = process.getBuiltinModule('node:fs/promises');
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (size <= SMALL_FILE && size < partSize) {
      const buf = await fh.readFile();
      md5.update(buf);
      sha256.update(buf);
      return { size: buf.length, md5: md5.digest('hex'), sha256: sha256.digest('hex') };
    }
    const multipart = size >= partSize;
    const partMd5s: string[] = [];
    let part = multipart ? createHash('md5') : undefined;
    let inPart = 0;
    let total = 0;
    const stream = fh.createReadStream({ autoClose: false, highWaterMark: 64 * 1024, start: 0 });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      md5.update(chunk);
      sha256.update(chunk);
      total += chunk.length;
      if (part) {
        let offset = 0;
        while (offset < chunk.length) {
          const take = Math.min(chunk.length - offset, partSize - inPart);
          part.update(chunk.subarray(offset, offset + take));
          inPart += take;
          offset += take;
          if (inPart === partSize) {
            partMd5s.push(part.digest('hex'));
            part = createHash('md5');
            inPart = 0;
          }
        }
      }
    }
    if (part && inPart > 0) partMd5s.push(part.digest('hex'));
    const result: FileHashes = { size: total, md5: md5.digest('hex'), sha256: sha256.digest('hex') };
    if (multipart) result.partMd5s = partMd5s;
    return result;
  } finally {
    await fh.close();
  }
}

/**
 * Hashes of an in-memory body (every small file of a build, read by checked-read.ts). crypto.hash is the one-shot
 * form: no Hash object per call, ~40% less CPU than createHash for 2,000 files of a few KB (measured, Node 24).
 */
export function hashBuffer(body: Buffer, partSize = DEFAULT_PART_SIZE, withMd5 = true): FileHashes {
  const result: FileHashes = { size: body.length, sha256: hash('sha256', body, 'hex') };
  if (withMd5) result.md5 = hash('md5', body, 'hex');
  if (body.length >= partSize) {
    const parts: string[] = [];
    for (let offset = 0; offset < body.length; offset += partSize) {
      parts.push(
        createHash('md5')
          .update(body.subarray(offset, offset + partSize))
          .digest('hex'),
      );
    }
    result.partMd5s = parts;
  }
  return result;
}
