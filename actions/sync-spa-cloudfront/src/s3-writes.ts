import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import {
  AbortMultipartUploadCommand,
  type ChecksumAlgorithm,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { ByteBudget } from './concurrency';
import { gzipJson } from './json-gzip';
import { DEFAULT_PART_SIZE, md5FromPutAnswer, normalizeEtag, type PutAnswer, partCount } from './s3-etag';
import type { FastPut, FastPutParams } from './s3-fast-put';
import { abortable } from './s3-objects';

// Small S3 write helpers: file upload (single PUT or multipart with a fixed part size, streamed from disk),
// metadata-only copy, batched deletes, bytes and JSON put. Imported only by the stages after the plan (a lazy chunk
// of the bundle, #15 cold start); the reads are in s3-objects.ts.

export interface ObjectHeaders {
  cacheControl?: string;
  contentType?: string;
  metadata?: Record<string, string>;
}

export interface UploadFileOptions extends ObjectHeaders {
  bucket: string;
  key: string;
  path: string;
  size: number;
  /** Files of at least this size go multipart with parts of exactly this size (default 8 MiB, as the AWS CLI). */
  partSize?: number;
  /** Send checksums (the SDK's default mode); off for S3-compatible stores that reject them. */
  checksums?: boolean;
  /**
   * Hex SHA-256 of the file, already computed by the caller: a single PUT hands it to SigV4 (`x-amz-content-sha256`)
   * and as the request checksum (`ChecksumSHA256`) instead of the SDK hashing the body again (SHA-256 to sign,
   * CRC32 to check). S3 verifies both, so a file that changed since it was hashed is refused, not uploaded.
   */
  sha256?: string;
  /** The file's bytes when the caller has already read them (a single PUT): not read again. */
  body?: Buffer;
  /** Bytes of bodies in memory across concurrent uploads (default: no limit). */
  budget?: ByteBudget;
  signal?: AbortSignal;
  /** The run's fast path for small uploads (s3-fast-put.ts): used for a PUT of a `body` given with its `sha256`. */
  fast?: FastPut;
}

export interface UploadResult {
  etag: string;
  /** The body's MD5, when S3's answer to a single PUT says its ETag is one (s3-etag.ts md5FromPutAnswer). */
  md5?: string;
  multipart: boolean;
  /** Requests made. */
  requests: number;
}

/**
 * Bodies (whole files, multipart parts) up to this size are read into memory: the SDK retries a request whose body
 * is a Buffer, never one whose body is a stream ("An error was encountered in a non-retryable streaming request"),
 * so a single throttling answer would fail a streamed upload. Larger ones (only with a `part-size` above 16) stream.
 */
export const BUFFER_LIMIT = 16 * 1024 * 1024;

/**
 * Sign `command` with a payload hash we already have: SigV4 takes `x-amz-content-sha256` as given when the header is
 * set (@smithy/signature-v4 `getPayloadHash`) instead of hashing the body. Set at the build step, before signing.
 */
function signWithPayloadHash(command: PutObjectCommand, sha256Hex: string): void {
  command.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers['x-amz-content-sha256'] = sha256Hex;
      return next(args);
    },
    { step: 'build', name: 'precomputedPayloadHash', override: true },
  );
}

/** `length` bytes of the file at `path` from `start`: a Buffer when small enough to retry, else a stream. */
async function body(
  path: string,
  start: number,
  length: number,
): Promise<Buffer | ReturnType<typeof createReadStream>> {
  if (length > BUFFER_LIMIT) return createReadStream(path, { start, end: start + length - 1 });
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await fh.read(buf, read, length - read, start + read);
      if (bytesRead === 0)
        throw new Error(`${path} is shorter than when it was hashed (${length} bytes from ${start})`);
      read += bytesRead;
    }
    return buf;
  } finally {
    await fh.close();
  }
}

/** The Bucket, Key and given headers of a write of `o` (PutObject, CopyObject, CreateMultipartUpload). */
function writeParams(o: ObjectHeaders & { bucket: string; key: string }) {
  return {
    Bucket: o.bucket,
    Key: o.key,
    ...(o.cacheControl !== undefined ? { CacheControl: o.cacheControl } : {}),
    ...(o.contentType !== undefined ? { ContentType: o.contentType } : {}),
    ...(o.metadata !== undefined ? { Metadata: o.metadata } : {}),
  };
}

/**
 * Upload a file: one PutObject below `partSize`, else a multipart upload of parts read one at a time, aborted on
 * failure. Bodies are held in memory (within `budget`) so the SDK can retry them. The ETag S3 returns is what a
 * later ListObjectsV2 shows, so callers can record it.
 */
export async function uploadFile(client: S3Client, o: UploadFileOptions): Promise<UploadResult> {
  const partSize = o.partSize ?? DEFAULT_PART_SIZE;
  const send = abortable(o.signal);
  const held = (n: number) => Math.min(n, BUFFER_LIMIT);
  const withBudget = <R>(n: number, fn: () => Promise<R>) => (o.budget ? o.budget.use(held(n), fn) : fn());
  if (o.size < partSize) {
    const answer = await withBudget(o.size, async (): Promise<PutAnswer> => {
      const bytes = o.body ?? (await body(o.path, 0, o.size));
      const checksum = o.sha256 && o.checksums !== false ? Buffer.from(o.sha256, 'hex').toString('base64') : undefined;
      const fast: FastPutParams | undefined =
        o.fast && o.sha256 && o.body
          ? {
              bucket: o.bucket,
              key: o.key,
              body: o.body,
              sha256: o.sha256,
              checksumSha256: checksum,
              cacheControl: o.cacheControl,
              contentType: o.contentType,
              metadata: o.metadata,
            }
          : undefined;
      if (fast && o.fast?.ready) {
        const answered = await o.fast.put(fast, o.signal);
        if (answered !== undefined) return answered;
      }
      const command = new PutObjectCommand({
        ...writeParams(o),
        Body: bytes,
        ContentLength: o.size,
        ...(checksum ? { ChecksumSHA256: checksum } : {}),
      });
      if (o.sha256 && o.size <= BUFFER_LIMIT) signWithPayloadHash(command, o.sha256);
      if (fast) o.fast?.watch(command, fast);
      const out = await client.send(command, send);
      return { etag: out.ETag, encryption: out.ServerSideEncryption, customerAlgorithm: out.SSECustomerAlgorithm };
    });
    const md5 = md5FromPutAnswer(o.bucket, answer);
    return { etag: normalizeEtag(answer.etag), ...(md5 ? { md5 } : {}), multipart: false, requests: 1 };
  }
  const algorithm: ChecksumAlgorithm | undefined = o.checksums === false ? undefined : 'CRC32';
  const created = await client.send(
    new CreateMultipartUploadCommand({
      ...writeParams(o),
      ...(algorithm ? { ChecksumAlgorithm: algorithm } : {}),
    }),
    send,
  );
  const uploadId = created.UploadId;
  if (!uploadId) throw new Error(`CreateMultipartUpload for ${o.key} returned no UploadId`);
  let requests = 1;
  try {
    const parts: CompletedPart[] = [];
    const count = partCount(o.size, partSize);
    for (let n = 1; n <= count; n++) {
      const start = (n - 1) * partSize;
      const length = Math.min(o.size, start + partSize) - start;
      const out = await withBudget(length, async () =>
        client.send(
          new UploadPartCommand({
            Bucket: o.bucket,
            Key: o.key,
            UploadId: uploadId,
            PartNumber: n,
            Body: await body(o.path, start, length),
            ContentLength: length,
            ...(algorithm ? { ChecksumAlgorithm: algorithm } : {}),
          }),
          send,
        ),
      );
      requests += 1;
      parts.push({ PartNumber: n, ETag: out.ETag, ...(out.ChecksumCRC32 ? { ChecksumCRC32: out.ChecksumCRC32 } : {}) });
    }
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: o.bucket,
        Key: o.key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
      send,
    );
    requests += 1;
    return { etag: normalizeEtag(done.ETag), multipart: true, requests };
  } catch (err) {
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: o.bucket, Key: o.key, UploadId: uploadId }))
      .catch(() => undefined);
    throw err;
  }
}

/** `bucket/key` for CopySource, the key URL-encoded except its slashes (what S3 expects). */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** Server-side copy with MetadataDirective REPLACE (fix headers without re-uploading; restore a stored copy). */
export async function copyObjectReplace(
  client: S3Client,
  o: ObjectHeaders & { bucket: string; sourceKey: string; key: string; signal?: AbortSignal },
): Promise<string> {
  const out = await client.send(
    new CopyObjectCommand({
      ...writeParams(o),
      CopySource: copySource(o.bucket, o.sourceKey),
      MetadataDirective: 'REPLACE',
    }),
    abortable(o.signal),
  );
  return normalizeEtag(out.CopyObjectResult?.ETag);
}

/** DeleteObjects in batches of 1,000 (Quiet). Throws with the keys S3 reported as not deleted. */
export async function deleteKeys(
  client: S3Client,
  bucket: string,
  keys: readonly string[],
  signal?: AbortSignal,
): Promise<{ requests: number }> {
  let requests = 0;
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    const out = await client.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
      abortable(signal),
    );
    requests += 1;
    if (out.Errors?.length) {
      const first = out.Errors.slice(0, 5).map((e) => `${e.Key}: ${e.Code} ${e.Message ?? ''}`.trim());
      throw new Error(`DeleteObjects failed for ${out.Errors.length} key(s): ${first.join('; ')}`);
    }
  }
  return { requests };
}

/** PUT bytes already in memory (a small generated object: a record, a restored HTML file) with its headers. */
export async function putBytes(
  client: S3Client,
  o: ObjectHeaders & { bucket: string; key: string; body: Uint8Array; signal?: AbortSignal },
): Promise<string> {
  const out = await client.send(
    new PutObjectCommand({ ...writeParams(o), Body: o.body, ContentLength: o.body.length }),
    abortable(o.signal),
  );
  return normalizeEtag(out.ETag);
}

/** PUT a JSON value (no-cache). With `gzip` the body is stored compressed (large records: ~5x smaller). */
export async function putJsonObject(
  client: S3Client,
  bucket: string,
  key: string,
  value: unknown,
  headers: ObjectHeaders & { gzip?: boolean; signal?: AbortSignal } = {},
): Promise<string> {
  const { gzip, ...rest } = headers;
  const body = gzip ? await gzipJson(value) : Buffer.from(`${JSON.stringify(value)}\n`);
  const contentType = gzip ? 'application/gzip' : 'application/json; charset=utf-8';
  return putBytes(client, { bucket, key, body, contentType, cacheControl: 'no-cache', ...rest });
}
