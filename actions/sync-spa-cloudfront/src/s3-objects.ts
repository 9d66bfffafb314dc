import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import {
  AbortMultipartUploadCommand,
  type ChecksumAlgorithm,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { ByteBudget } from './concurrency';
import { gzipJson } from './json-gzip';
import type { ListPage } from './list-page';
import { DEFAULT_PART_SIZE, normalizeEtag, partCount } from './s3-etag';

// Small S3 object helpers: paginated listing, file upload (single PUT or multipart with a fixed
// part size, streamed from disk), metadata-only copy, batched deletes, JSON get/put, HEAD.

export interface ListedObject {
  key: string;
  etag: string;
  size: number;
  /** Epoch ms. */
  lastModified: number;
}

/**
 * Every object under `prefix` (ListObjectsV2, 1,000 per page). Returns the objects and the number of pages.
 *
 * Each page's XML is read by list-page.ts (saxes), not by the SDK: its schema-driven deserializer (its XML parser,
 * then a walk of the output schema that builds a Date per object) was ~150 ms of CPU for the two pages of a
 * 2,000-file site, over a tenth of a redeploy (bench/spa-sync.bench.mjs with BENCH_PROF). The request, signing,
 * retries and error responses stay the SDK's: a middleware just inside its deserializer takes a 200 page's text and
 * hands the deserializer an empty result instead; a page list-page.ts is not sure of goes to the SDK unchanged.
 * list-page.ts and saxes are a lazy chunk of the bundle, loaded while the first page is requested (cold start).
 */
export async function listAllObjects(
  client: S3Client,
  bucket: string,
  prefix: string,
  options: {
    signal?: AbortSignal;
    /** Called after each page (e.g. to reclaim the parser's garbage on very large listings). */
    onPage?: (pages: number, objects: number) => void;
  } = {},
): Promise<{ objects: ListedObject[]; pages: number; sdkParsedPages: number }> {
  const reader = import('./list-page');
  reader.catch(() => {}); // awaited with the first page
  const objects: ListedObject[] = [];
  let token: string | undefined;
  let pages = 0;
  let sdkParsedPages = 0;
  do {
    const command = new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token });
    let page: ListPage | undefined;
    command.middlewareStack.add(
      (next) => async (args) => {
        page = undefined; // a retried attempt starts over
        const result = await next(args);
        const response = result.response as { statusCode?: number; body?: unknown };
        if (response.statusCode === 200 && response.body && typeof response.body === 'object') {
          const text = Buffer.concat(await collect(response.body as AsyncIterable<Uint8Array>)).toString('utf8');
          page = (await reader).parseListPage(text);
          response.body = Buffer.from(page ? EMPTY_LIST_RESULT : text);
        }
        return result;
      },
      { step: 'deserialize', priority: 'low', name: 'readListPageMiddleware' },
    );
    const out = await client.send(command, abortable(options.signal));
    pages += 1;
    if (page) {
      for (const o of page.objects) {
        objects.push({ key: o.key, etag: normalizeEtag(o.etag), size: o.size, lastModified: o.lastModified });
      }
      token = page.isTruncated ? page.nextContinuationToken : undefined;
    } else {
      sdkParsedPages += 1;
      for (const o of out.Contents ?? []) {
        if (o.Key === undefined) continue;
        objects.push({
          key: o.Key,
          etag: normalizeEtag(o.ETag),
          size: o.Size ?? 0,
          lastModified: o.LastModified ? o.LastModified.getTime() : 0,
        });
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    }
    options.onPage?.(pages, objects.length);
  } while (token);
  return { objects, pages, sdkParsedPages };
}

const EMPTY_LIST_RESULT = '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></ListBucketResult>';

async function collect(body: AsyncIterable<Uint8Array> | Uint8Array): Promise<Uint8Array[]> {
  if (body instanceof Uint8Array) return [body];
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return chunks;
}

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
}

export interface UploadResult {
  etag: string;
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

/** The send options of a call that `signal` cancels. */
function abortable(signal: AbortSignal | undefined) {
  return signal ? { abortSignal: signal } : {};
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
    const out = await withBudget(o.size, async () => {
      const command = new PutObjectCommand({
        ...writeParams(o),
        Body: o.body ?? (await body(o.path, 0, o.size)),
        ContentLength: o.size,
        ...(o.sha256 && o.checksums !== false
          ? { ChecksumSHA256: Buffer.from(o.sha256, 'hex').toString('base64') }
          : {}),
      });
      if (o.sha256 && o.size <= BUFFER_LIMIT) signWithPayloadHash(command, o.sha256);
      return client.send(command, send);
    });
    return { etag: normalizeEtag(out.ETag), multipart: false, requests: 1 };
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

/** GET an object's bytes (small objects: records). */
export async function getObjectBytes(
  client: S3Client,
  bucket: string,
  key: string,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), abortable(signal));
  return (await out.Body?.transformToByteArray()) ?? new Uint8Array();
}

/** JSON from bytes written by `putJsonObject`: a gzip body (`{gzip: true}`) is inflated first. */
export function decodeJson<T>(bytes: Uint8Array): T {
  const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const text = gzipped
    ? gunzipSync(bytes).toString('utf8')
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return JSON.parse(text) as T;
}

/** GET a JSON object; a gzip body (written by `putJsonObject(..., {gzip: true})`) is inflated. */
export async function getJsonObject<T>(
  client: S3Client,
  bucket: string,
  key: string,
  signal?: AbortSignal,
): Promise<T> {
  return decodeJson<T>(await getObjectBytes(client, bucket, key, signal));
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

export interface HeadResult {
  etag: string;
  cacheControl?: string;
  contentType?: string;
  metadata: Record<string, string>;
}

export async function headObject(
  client: S3Client,
  bucket: string,
  key: string,
  signal?: AbortSignal,
): Promise<HeadResult> {
  const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), abortable(signal));
  const result: HeadResult = { etag: normalizeEtag(out.ETag), metadata: out.Metadata ?? {} };
  if (out.CacheControl !== undefined) result.cacheControl = out.CacheControl;
  if (out.ContentType !== undefined) result.contentType = out.ContentType;
  return result;
}
