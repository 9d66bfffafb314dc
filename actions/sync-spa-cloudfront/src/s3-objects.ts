import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { BatchError, mapLimit } from './concurrency';
import type { ListPage } from './list-page';
import { keptInSegment, type Segment, segmentsOf } from './list-segments';
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
 * Every object under `prefix` (ListObjectsV2, 1,000 per page), in S3's order. Returns the objects and the number of
 * pages. With `cuts` (keys in S3's order, list-segments.ts `segmentEnds`) the prefix is listed in segments at once:
 * the same objects, in fewer round trips one after another.
 *
 * Each page's XML is read by list-page.ts (its compact reader, else saxes), not by the SDK: its schema-driven
 * deserializer (its XML parser, then a walk of the output schema that builds a Date per object) was ~150 ms of CPU
 * for the two pages of a 2,000-file site, over a tenth of a redeploy (bench/spa-sync.bench.mjs with BENCH_PROF).
 * The request, signing, retries and error responses stay the SDK's: a middleware just inside its deserializer takes
 * a 200 page's text and hands the deserializer an empty result instead; a page list-page.ts is not sure of goes to
 * the SDK unchanged.
 * list-page.ts and its readers are a lazy chunk of the bundle, loaded while the first page is requested (cold start:
 * after that request is on the wire, with `readerAfter`).
 */
export async function listAllObjects(
  client: S3Client,
  bucket: string,
  prefix: string,
  options: {
    signal?: AbortSignal;
    /** Called after each page (e.g. to reclaim the parser's garbage on very large listings). */
    onPage?: (pages: number, objects: number) => void;
    /** Where segments end (each one included in the segment it ends), in S3's order. */
    cuts?: readonly string[];
    /**
     * Load the page reader once this settles (main.ts: the listing's first request is on the wire) or a page comes
     * in, so its chunk is not compiled before that request goes out (#15 cold start). By default it loads at once.
     */
    readerAfter?: Promise<unknown>;
    /** Called as each segment is listed in full, with its objects in S3's order. */
    onSegment?: (segment: Segment, objects: readonly ListedObject[]) => void;
    /** Keys per page a segment asks for, when it expects few (a short page comes back sooner); else S3's 1,000. */
    pageKeys?: (segment: Segment) => number | undefined;
  } = {},
): Promise<{ objects: ListedObject[]; pages: number; sdkParsedPages: number }> {
  // loaded once `readerAfter` settles, or when a page comes in first (a client whose requests node:http does not see)
  let loading: Promise<PageReader> | undefined;
  const reader = (): Promise<PageReader> => (loading ??= import('./list-page'));
  if (options.readerAfter)
    options.readerAfter.then(reader, reader).catch(() => {}); // awaited with the first page
  else reader().catch(() => {});
  const totals = { pages: 0, objects: 0, sdkParsedPages: 0 };
  const segments = segmentsOf(options.cuts ?? []);
  // Each segment's first request goes out once the one before it is being sent: started together, the SDK's first
  // calls of a run reach the wire in reverse order (its cold path's promise hops), and the first segment — the one
  // with the release records, whose short page the run wants first (records.ts) — would be answered last.
  // (A request that fails before it is sent lets the next one go all the same.)
  const sent: Array<() => void> = [];
  const sending = segments.map((_, i) => new Promise<void>((resolve) => (sent[i] = resolve)));
  const listed = await mapLimit(segments, SEGMENTS_AT_ONCE, async (segment, index) => {
    const objects: ListedObject[] = [];
    let token: string | undefined;
    if (index > 0) await sending[index - 1];
    do {
      const page = await listPage(
        client,
        { bucket, prefix, token, startAfter: segment.after, maxKeys: options.pageKeys?.(segment) },
        reader,
        options.signal,
        sent[index]!,
      ).finally(sent[index]);
      const kept = keptInSegment(
        page.objects.map((o) => o.key),
        segment.through,
      );
      for (let i = 0; i < kept; i++) objects.push(page.objects[i]!);
      totals.pages += 1;
      totals.objects += kept;
      if (page.bySdk) totals.sdkParsedPages += 1;
      options.onPage?.(totals.pages, totals.objects);
      // past the segment's end: the next segment lists the rest
      token = kept === page.objects.length ? page.nextToken : undefined;
    } while (token);
    options.onSegment?.(segment, objects);
    return objects;
  }).catch((err: unknown) => {
    throw err instanceof BatchError ? err.failures[0]!.error : err;
  });
  return { objects: listed.flat(), pages: totals.pages, sdkParsedPages: totals.sdkParsedPages };
}

type PageReader = typeof import('./list-page');

/** Segments listed at once (a 50,000-file site has ~56). */
const SEGMENTS_AT_ONCE = 8;

/** One ListObjectsV2 page: read by list-page.ts, or by the SDK when that reader is not sure of it. */
async function listPage(
  client: S3Client,
  at: {
    bucket: string;
    prefix: string;
    token: string | undefined;
    startAfter: string | undefined;
    maxKeys: number | undefined;
  },
  reader: () => Promise<PageReader>,
  signal: AbortSignal | undefined,
  /** Called as the request is handed to the HTTP handler (each attempt). */
  onSend: () => void,
): Promise<{ objects: ListedObject[]; nextToken: string | undefined; bySdk: boolean }> {
  const command = new ListObjectsV2Command({
    Bucket: at.bucket,
    Prefix: at.prefix || undefined,
    ...(at.maxKeys !== undefined ? { MaxKeys: at.maxKeys } : {}),
    // the token carries the position once there is one
    ...(at.token ? { ContinuationToken: at.token } : at.startAfter !== undefined ? { StartAfter: at.startAfter } : {}),
  });
  let page: ListPage | undefined;
  command.middlewareStack.add(
    (next) => async (args) => {
      page = undefined; // a retried attempt starts over
      onSend();
      const result = await next(args);
      const response = result.response as { statusCode?: number; body?: unknown };
      if (response.statusCode === 200 && response.body && typeof response.body === 'object') {
        const text = Buffer.concat(await collect(response.body as AsyncIterable<Uint8Array>)).toString('utf8');
        page = (await reader()).parseListPage(text);
        response.body = Buffer.from(page ? EMPTY_LIST_RESULT : text);
      }
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'readListPageMiddleware' },
  );
  const out = await client.send(command, abortable(signal));
  if (page) {
    return {
      objects: page.objects.map((o) => ({
        key: o.key,
        etag: normalizeEtag(o.etag),
        size: o.size,
        lastModified: o.lastModified,
      })),
      nextToken: page.isTruncated ? page.nextContinuationToken : undefined,
      bySdk: false,
    };
  }
  const objects: ListedObject[] = [];
  for (const o of out.Contents ?? []) {
    if (o.Key === undefined) continue;
    objects.push({
      key: o.Key,
      etag: normalizeEtag(o.ETag),
      size: o.Size ?? 0,
      lastModified: o.LastModified ? o.LastModified.getTime() : 0,
    });
  }
  return { objects, nextToken: out.IsTruncated ? out.NextContinuationToken : undefined, bySdk: true };
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
