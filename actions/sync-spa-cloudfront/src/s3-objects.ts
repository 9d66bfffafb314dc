import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ListPage } from './list-page';
import { normalizeEtag } from './s3-etag';

// Small S3 read helpers: paginated listing, object bytes and JSON, HEAD. The writes are in s3-writes.ts, which only
// the stages after the plan import: the bundle keeps them (and their SDK commands) in the lazy chunk of those stages
// (#15 cold start).

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

/** The send options of a call that `signal` cancels. */
export function abortable(signal: AbortSignal | undefined) {
  return signal ? { abortSignal: signal } : {};
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
