// Amazon S3 (rest-xml, path-style; the server rewrites `<bucket>.localhost` hosts to path-style before we see them).
// Wire-compatible with the JS SDK v3 at its defaults (aws-chunked bodies with trailing CRC32, checksum validation on
// GET) and with AWS CLI v2 (`s3 cp/sync/ls`, `s3api`). See docs/s3.md for operations and known divergences.
import { randomBytes } from 'node:crypto';
import type { EmuContext, EmuRequest, EmuResponse, SeedFixture, ServiceModule } from '../types.ts';
import {
  algorithmFromHeader,
  type ChecksumAlgorithm,
  checksumBase64,
  compositeChecksum,
  headerForAlgorithm,
  md5,
  multipartEtag,
  parseAlgorithm,
  singlePartEtag,
} from './s3-checksums.ts';
import { ChunkedDecodeError, decodeAwsChunked, isAwsChunked, stripAwsChunked } from './s3-chunked.ts';
import { type KeyIndex, keyAdded, keyRemoved, newKeyIndex, type SortedKeys, sortedKeys } from './s3-key-index.ts';
import { asArray, buildXml, httpDate, isoSeconds, parseXml, rawText, text } from './s3-xml.ts';

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_KEYS = 1000;
const OWNER_ID = '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a';
const OWNER_NAME = 'emulator';

export interface StoredChecksum {
  algorithm: ChecksumAlgorithm;
  /** base64; composite multipart checksums end in `-N`. */
  value: string;
  type: 'FULL_OBJECT' | 'COMPOSITE';
}

/** System and user metadata S3 stores with an object and returns on GET/HEAD. */
export interface ObjectMeta {
  contentType: string;
  cacheControl?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  expires?: string;
  websiteRedirectLocation?: string;
  storageClass: string;
  /** x-amz-meta-* with the prefix removed, names lower-cased (as S3 returns them). */
  metadata: Record<string, string>;
  tags: Array<[string, string]>;
}

export interface S3Object extends ObjectMeta {
  key: string;
  body: Buffer;
  /** Quoted, as on the wire: `"<md5 hex>"` or `"<hex>-N"`. */
  etag: string;
  lastModified: number;
  checksum?: StoredChecksum;
  /** Sizes of the parts for objects made by CompleteMultipartUpload. */
  partSizes?: number[];
}

interface Part {
  number: number;
  body: Buffer;
  etag: string;
  size: number;
  lastModified: number;
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
}

interface Upload {
  id: string;
  key: string;
  initiated: number;
  meta: ObjectMeta;
  checksumAlgorithm?: ChecksumAlgorithm;
  checksumType: 'FULL_OBJECT' | 'COMPOSITE';
  parts: Map<number, Part>;
}

export interface Bucket {
  name: string;
  region: string;
  created: number;
  objects: Map<string, S3Object>;
  uploads: Map<string, Upload>;
  /** The keys in S3's order, brought up to date when its keys stop changing, else at the next listing (s3-key-index.ts). */
  index: KeyIndex;
  /** When a key last came or went, and the timer that brings `index` up to date once they stop (`settleWhenIdle`). */
  settle: { changedAt: number; timer: NodeJS.Timeout | undefined };
}

/** A bucket's keys unchanged this long (ms of wall time): its key index is brought up to date. */
const KEY_INDEX_SETTLE_MS = 20;

/** The S3 module with typed helpers other services, the demo and tests may call. */
export interface S3Service extends ServiceModule {
  buckets: Map<string, Bucket>;
  getObject(bucket: string, key: string): S3Object | undefined;
  putObject(bucket: string, key: string, body: Buffer | string, meta?: Partial<ObjectMeta>, nowMs?: number): S3Object;
}

/** Seed fixture entries for the `buckets` key (see docs/s3.md). */
export interface BucketSeed {
  name: string;
  region?: string;
  objects?: Array<{
    key: string;
    body?: string;
    bodyBase64?: string;
    contentType?: string;
    cacheControl?: string;
    contentEncoding?: string;
    contentDisposition?: string;
    metadata?: Record<string, string>;
    /** Pretend the object was uploaded in parts of this size: multipart ETag and part sizes. */
    partSize?: number;
    /** ISO time; default now (simulated). */
    lastModified?: string;
  }>;
}

type Op = { operation: string; mutating: boolean };

const MUTATING = new Set([
  'CreateBucket',
  'DeleteBucket',
  'PutObject',
  'CopyObject',
  'DeleteObject',
  'DeleteObjects',
  'CreateMultipartUpload',
  'UploadPart',
  'UploadPartCopy',
  'CompleteMultipartUpload',
  'AbortMultipartUpload',
  'PutObjectTagging',
  'DeleteObjectTagging',
]);

const BUCKET_SUBRESOURCES = [
  'accelerate',
  'acl',
  'analytics',
  'cors',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'lifecycle',
  'logging',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'tagging',
  'website',
  'versions',
];

class S3Error extends Error {
  status: number;
  code: string;
  extra: Record<string, string>;
  constructor(status: number, code: string, message: string, extra: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

function splitPath(path: string): { bucket: string; key: string } {
  const p = path.startsWith('/') ? path.slice(1) : path;
  const i = p.indexOf('/');
  return i < 0 ? { bucket: p, key: '' } : { bucket: p.slice(0, i), key: p.slice(i + 1) };
}

export function classifyS3(req: EmuRequest): Op {
  const { bucket, key } = splitPath(req.path);
  const q = req.query;
  const m = req.method;
  const op = (operation: string): Op => ({ operation, mutating: MUTATING.has(operation) });
  if (bucket === '') return op(m === 'GET' ? 'ListBuckets' : 'Unknown');
  if (key === '') {
    const sub = BUCKET_SUBRESOURCES.find((s) => q.has(s));
    switch (m) {
      case 'PUT':
        return op(sub ? `PutBucket:${sub}` : 'CreateBucket');
      case 'HEAD':
        return op('HeadBucket');
      case 'DELETE':
        return op(sub ? `DeleteBucket:${sub}` : 'DeleteBucket');
      case 'POST':
        return op(q.has('delete') ? 'DeleteObjects' : 'Unknown');
      case 'GET':
        if (q.has('location')) return op('GetBucketLocation');
        if (q.has('versioning')) return op('GetBucketVersioning');
        if (q.has('uploads')) return op('ListMultipartUploads');
        if (sub) return op(`GetBucket:${sub}`);
        return op(q.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects');
      default:
        return op('Unknown');
    }
  }
  switch (m) {
    case 'PUT':
      if (q.has('tagging')) return op('PutObjectTagging');
      if (q.has('partNumber') && q.has('uploadId')) {
        return op(req.headers['x-amz-copy-source'] ? 'UploadPartCopy' : 'UploadPart');
      }
      return op(req.headers['x-amz-copy-source'] ? 'CopyObject' : 'PutObject');
    case 'GET':
      if (q.has('uploadId')) return op('ListParts');
      if (q.has('tagging')) return op('GetObjectTagging');
      return op('GetObject');
    case 'HEAD':
      return op('HeadObject');
    case 'DELETE':
      if (q.has('uploadId')) return op('AbortMultipartUpload');
      if (q.has('tagging')) return op('DeleteObjectTagging');
      return op('DeleteObject');
    case 'POST':
      if (q.has('uploads')) return op('CreateMultipartUpload');
      if (q.has('uploadId')) return op('CompleteMultipartUpload');
      return op('Unknown');
    default:
      return op('Unknown');
  }
}

function hostId(): string {
  return randomBytes(48).toString('base64');
}

function errorResponse(req: EmuRequest, e: S3Error): EmuResponse {
  const body = buildXml('Error', {
    Code: e.code,
    Message: e.message,
    ...e.extra,
    RequestId: req.requestId,
    HostId: hostId(),
  });
  return { status: e.status, headers: { 'content-type': 'application/xml' }, body };
}

function xmlResponse(root: string, body: Record<string, unknown>, headers: Record<string, string> = {}): EmuResponse {
  return { status: 200, headers: { 'content-type': 'application/xml', ...headers }, body: buildXml(root, body, S3_NS) };
}

const noSuchBucket = (name: string) =>
  new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: name });
const noSuchKey = (key: string) => new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
const noSuchUpload = (id: string) =>
  new S3Error(
    404,
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { UploadId: id },
  );
const invalidArgument = (message: string, name?: string, value?: string) =>
  new S3Error(400, 'InvalidArgument', message, {
    ...(name !== undefined ? { ArgumentName: name } : {}),
    ...(value !== undefined ? { ArgumentValue: value } : {}),
  });
const malformedXml = () =>
  new S3Error(
    400,
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema',
  );

function validBucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !name.startsWith('xn--')
  );
}

/** The request payload with aws-chunked removed and every digest the client sent verified. */
interface Payload {
  body: Buffer;
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
}

function readPayload(req: EmuRequest): Payload {
  const h = req.headers;
  let body = req.body;
  let checksumHeaders: Record<string, string> = {};
  if (isAwsChunked(h)) {
    let decoded: ReturnType<typeof decodeAwsChunked>;
    try {
      decoded = decodeAwsChunked(req.body);
    } catch (err) {
      if (err instanceof ChunkedDecodeError) {
        throw new S3Error(400, 'IncompleteBody', `The request body is not valid aws-chunked encoding: ${err.message}`);
      }
      throw err;
    }
    body = decoded.body;
    const declared = h['x-amz-decoded-content-length'];
    if (declared !== undefined && Number(declared) !== body.length) {
      throw new S3Error(
        400,
        'IncompleteBody',
        'You did not provide the number of bytes specified by the Content-Length HTTP header',
      );
    }
    const trailerNames = (h['x-amz-trailer'] ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    for (const name of trailerNames) {
      const value = decoded.trailers[name];
      if (value === undefined) {
        throw new S3Error(
          400,
          'MalformedTrailerError',
          'The request contained trailing data that was not well-formed or did not conform to our published schema.',
        );
      }
      if (algorithmFromHeader(name)) checksumHeaders[name] = value;
    }
  } else {
    const sha = h['x-amz-content-sha256'];
    if (sha && /^[0-9a-f]{64}$/i.test(sha)) {
      const actual = checksumBase64('SHA256', body);
      if (Buffer.from(actual, 'base64').toString('hex') !== sha.toLowerCase()) {
        throw new S3Error(
          400,
          'XAmzContentSHA256Mismatch',
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
          {
            ClientComputedContentSHA256: sha,
            S3ComputedContentSHA256: Buffer.from(actual, 'base64').toString('hex'),
          },
        );
      }
    }
  }
  for (const [name, value] of Object.entries(h)) {
    if (algorithmFromHeader(name)) checksumHeaders = { [name]: value, ...checksumHeaders };
  }
  const contentMd5 = h['content-md5'];
  if (contentMd5 !== undefined) {
    const given = Buffer.from(contentMd5, 'base64');
    if (given.length !== 16) throw new S3Error(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.');
    if (!given.equals(md5(body))) {
      throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.', {
        ExpectedDigest: contentMd5,
        CalculatedDigest: md5(body).toString('base64'),
      });
    }
  }
  let checksum: Payload['checksum'];
  const entries = Object.entries(checksumHeaders);
  if (entries.length > 1) {
    throw new S3Error(
      400,
      'InvalidRequest',
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
  }
  for (const [name, value] of entries) {
    const algorithm = algorithmFromHeader(name) as ChecksumAlgorithm;
    const actual = checksumBase64(algorithm, body);
    if (actual !== value) {
      throw new S3Error(400, 'BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`);
    }
    checksum = { algorithm, value };
  }
  const sdkAlgorithm = parseAlgorithm(h['x-amz-sdk-checksum-algorithm']);
  if (sdkAlgorithm && checksum && sdkAlgorithm !== checksum.algorithm) {
    throw new S3Error(400, 'InvalidRequest', 'Value for x-amz-sdk-checksum-algorithm header is invalid.');
  }
  return checksum ? { body, checksum } : { body };
}

function metaFromHeaders(h: Record<string, string>): ObjectMeta {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(h)) {
    if (name.startsWith('x-amz-meta-')) metadata[name.slice('x-amz-meta-'.length)] = value;
  }
  const meta: ObjectMeta = {
    contentType: h['content-type'] || 'binary/octet-stream',
    storageClass: h['x-amz-storage-class'] || 'STANDARD',
    metadata,
    tags: parseTagging(h['x-amz-tagging']),
  };
  const enc = stripAwsChunked(h['content-encoding']);
  if (enc) meta.contentEncoding = enc;
  if (h['cache-control'] !== undefined) meta.cacheControl = h['cache-control'];
  if (h['content-disposition'] !== undefined) meta.contentDisposition = h['content-disposition'];
  if (h['content-language'] !== undefined) meta.contentLanguage = h['content-language'];
  if (h.expires !== undefined) meta.expires = h.expires;
  if (h['x-amz-website-redirect-location'] !== undefined) {
    meta.websiteRedirectLocation = h['x-amz-website-redirect-location'];
  }
  return meta;
}

function parseTagging(raw: string | undefined): Array<[string, string]> {
  if (!raw) return [];
  return [...new URLSearchParams(raw).entries()];
}

function objectHeaders(obj: S3Object): Record<string, string> {
  const out: Record<string, string> = {
    'content-type': obj.contentType,
    etag: obj.etag,
    'last-modified': httpDate(obj.lastModified),
    'accept-ranges': 'bytes',
    'x-amz-server-side-encryption': 'AES256',
  };
  if (obj.cacheControl !== undefined) out['cache-control'] = obj.cacheControl;
  if (obj.contentEncoding !== undefined) out['content-encoding'] = obj.contentEncoding;
  if (obj.contentDisposition !== undefined) out['content-disposition'] = obj.contentDisposition;
  if (obj.contentLanguage !== undefined) out['content-language'] = obj.contentLanguage;
  if (obj.expires !== undefined) out.expires = obj.expires;
  if (obj.websiteRedirectLocation !== undefined) {
    out['x-amz-website-redirect-location'] = obj.websiteRedirectLocation;
  }
  if (obj.storageClass !== 'STANDARD') out['x-amz-storage-class'] = obj.storageClass;
  if (obj.tags.length > 0) out['x-amz-tagging-count'] = String(obj.tags.length);
  for (const [k, v] of Object.entries(obj.metadata)) out[`x-amz-meta-${k}`] = v;
  return out;
}

function checksumHeaders(c: StoredChecksum | undefined): Record<string, string> {
  if (!c) return {};
  return { [headerForAlgorithm(c.algorithm)]: c.value, 'x-amz-checksum-type': c.type };
}

/** `ChecksumCRC32: ...` members for XML results. */
function checksumMembers(c: { algorithm: ChecksumAlgorithm; value: string } | undefined): Record<string, string> {
  if (!c) return {};
  const name = { CRC32: 'CRC32', CRC32C: 'CRC32C', CRC64NVME: 'CRC64NVME', SHA1: 'SHA1', SHA256: 'SHA256' }[
    c.algorithm
  ];
  return { [`Checksum${name}`]: c.value };
}

function sameEtag(a: string, b: string): boolean {
  const norm = (s: string) => s.trim().replace(/^W\//, '').replace(/"/g, '');
  return norm(a) === norm(b);
}

function etagListMatches(header: string, etag: string): boolean {
  return header.split(',').some((e) => e.trim() === '*' || sameEtag(e, etag));
}

function parseHttpDate(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/** RFC 7232 evaluation as S3 does it; returns a status to answer with, or undefined to proceed. */
function evaluateConditions(
  obj: S3Object,
  c: { ifMatch?: string; ifNoneMatch?: string; ifModifiedSince?: string; ifUnmodifiedSince?: string },
  notModifiedStatus: number,
): number | undefined {
  const lastModSec = Math.floor(obj.lastModified / 1000) * 1000;
  if (c.ifMatch !== undefined) {
    if (!etagListMatches(c.ifMatch, obj.etag)) return 412;
  } else {
    const t = parseHttpDate(c.ifUnmodifiedSince);
    if (t !== undefined && lastModSec > t) return 412;
  }
  if (c.ifNoneMatch !== undefined) {
    if (etagListMatches(c.ifNoneMatch, obj.etag)) return notModifiedStatus;
  } else {
    const t = parseHttpDate(c.ifModifiedSince);
    if (t !== undefined && lastModSec <= t) return notModifiedStatus;
  }
  return undefined;
}

function preconditionFailed(condition: string): S3Error {
  return new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
    Condition: condition,
  });
}

function parseRange(header: string, size: number): { start: number; end: number } | 'invalid' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined; // unsupported forms (multiple ranges): S3 answers with the whole object
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const n = Number(b);
    if (n === 0) return 'invalid';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  if (start >= size) return 'invalid';
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (end < start) return undefined;
  return { start, end };
}

function urlEncodeS3(s: string): string {
  return encodeURIComponent(s)
    .replace(/%2F/g, '/')
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function encodeToken(marker: string, isPrefix: boolean): string {
  return Buffer.from(JSON.stringify({ m: marker, p: isPrefix })).toString('base64');
}

function decodeToken(token: string): { m: string; p: boolean } {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { m?: unknown; p?: unknown };
    if (typeof v.m !== 'string') throw new Error('bad');
    return { m: v.m, p: v.p === true };
  } catch {
    throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
  }
}

function parseMaxKeys(raw: string | null, name: string, cap = MAX_KEYS): number {
  if (raw === null || raw === '') return cap;
  if (!/^\d+$/.test(raw)) throw invalidArgument('Provided max-keys not an integer or within integer range', name, raw);
  return Math.min(Number(raw), cap);
}

/** First index of the sorted keys that sorts after `value` (at or after it when `inclusive`), in S3's order. */
function lowerBound(sorted: SortedKeys, value: string, inclusive: boolean): number {
  const v = Buffer.from(value);
  let lo = 0;
  let hi = sorted.keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = Buffer.compare(sorted.utf8[mid] as Buffer, v);
    if (inclusive ? c < 0 : c <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** -1, 0, 1 as S3 orders two keys (UTF-8 bytes). */
function s3Order(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

interface ListResult {
  contents: S3Object[];
  prefixes: string[];
  truncated: boolean;
  last?: { value: string; isPrefix: boolean };
}

export function createS3Service(): S3Service {
  const buckets = new Map<string, Bucket>();

  const getBucket = (name: string): Bucket => {
    const b = buckets.get(name);
    if (!b) throw noSuchBucket(name);
    return b;
  };

  // The key index is brought up to date once a bucket's keys stop changing, not by the next listing: real S3 bills no
  // client for the writes before its listing, and the emulator runs on the same cores as the tool it serves (the SPA
  // bench: the AWS CLI's 2,000 new keys cost the next run's first listing ~25 ms of sorting before its first page).
  const settleWhenIdle = (b: Bucket) => {
    b.settle.changedAt = performance.now();
    if (b.settle.timer) return;
    const check = () => {
      const idle = performance.now() - b.settle.changedAt;
      if (idle < KEY_INDEX_SETTLE_MS) {
        b.settle.timer = setTimeout(check, KEY_INDEX_SETTLE_MS - idle).unref();
        return;
      }
      b.settle.timer = undefined;
      if (buckets.get(b.name) === b) sortedKeys(b.index, b.objects);
    };
    b.settle.timer = setTimeout(check, KEY_INDEX_SETTLE_MS).unref();
  };

  const storeObject = (b: Bucket, obj: S3Object) => {
    if (!b.objects.has(obj.key)) {
      keyAdded(b.index, obj.key);
      settleWhenIdle(b);
    }
    b.objects.set(obj.key, obj);
  };

  const deleteObject = (b: Bucket, key: string) => {
    if (b.objects.delete(key)) {
      keyRemoved(b.index);
      settleWhenIdle(b);
    }
  };

  const list = (
    b: Bucket,
    o: { prefix: string; delimiter: string; after?: string; afterIsPrefix?: boolean; maxKeys: number },
  ): ListResult => {
    const sorted = sortedKeys(b.index, b.objects);
    const keys = sorted.keys;
    const result: ListResult = { contents: [], prefixes: [], truncated: false };
    if (o.maxKeys === 0) return result;
    let i =
      o.after !== undefined && s3Order(o.after, o.prefix) >= 0
        ? lowerBound(sorted, o.after, false)
        : lowerBound(sorted, o.prefix, true);
    let skipPrefix = o.afterIsPrefix ? o.after : undefined;
    let count = 0;
    for (; i < keys.length; i++) {
      const key = keys[i] as string;
      if (!key.startsWith(o.prefix)) {
        if (s3Order(key, o.prefix) > 0) break;
        continue;
      }
      if (skipPrefix !== undefined && key.startsWith(skipPrefix)) continue;
      let entry: { value: string; isPrefix: boolean };
      const di = o.delimiter ? key.indexOf(o.delimiter, o.prefix.length) : -1;
      if (di >= 0) entry = { value: key.slice(0, di + o.delimiter.length), isPrefix: true };
      else entry = { value: key, isPrefix: false };
      if (count === o.maxKeys) {
        result.truncated = true;
        break;
      }
      if (entry.isPrefix) {
        result.prefixes.push(entry.value);
        skipPrefix = entry.value;
      } else {
        result.contents.push(b.objects.get(key) as S3Object);
      }
      result.last = entry;
      count++;
    }
    return result;
  };

  const newObject = (key: string, body: Buffer, meta: ObjectMeta, now: number): S3Object => ({
    ...meta,
    key,
    body,
    etag: singlePartEtag(body),
    lastModified: now,
  });

  // ---- bucket operations ----

  const listBuckets = (): EmuResponse => {
    const all = [...buckets.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    return xmlResponse('ListAllMyBucketsResult', {
      Owner: { ID: OWNER_ID, DisplayName: OWNER_NAME },
      Buckets: {
        Bucket: all.map((b) => ({ Name: b.name, CreationDate: isoSeconds(b.created), BucketRegion: b.region })),
      },
    });
  };

  const createBucket = (req: EmuRequest, name: string, ctx: EmuContext): EmuResponse => {
    if (!validBucketName(name)) {
      throw new S3Error(400, 'InvalidBucketName', 'The specified bucket is not valid.', { BucketName: name });
    }
    let region = req.region;
    if (req.body.length > 0) {
      let parsed: Record<string, unknown>;
      try {
        parsed = parseXml(req.body);
      } catch {
        throw malformedXml();
      }
      const lc = text(parsed.CreateBucketConfiguration, 'LocationConstraint');
      if (lc) region = lc === 'EU' ? 'eu-west-1' : lc;
    }
    const existing = buckets.get(name);
    if (existing) {
      // S3 answers 200 in us-east-1 for a bucket you already own (legacy), BucketAlreadyOwnedByYou elsewhere.
      if (existing.region === 'us-east-1' && region === 'us-east-1') {
        return { status: 200, headers: { location: `/${name}` } };
      }
      throw new S3Error(
        409,
        'BucketAlreadyOwnedByYou',
        'Your previous request to create the named bucket succeeded and you already own it.',
        {
          BucketName: name,
        },
      );
    }
    buckets.set(name, {
      name,
      region,
      created: ctx.clock.now(),
      objects: new Map(),
      uploads: new Map(),
      index: newKeyIndex(),
      settle: { changedAt: 0, timer: undefined },
    });
    return { status: 200, headers: { location: `/${name}` } };
  };

  const listObjectsV2 = (req: EmuRequest, b: Bucket): EmuResponse => {
    const q = req.query;
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const maxKeys = parseMaxKeys(q.get('max-keys'), 'max-keys');
    const encodingType = q.get('encoding-type') ?? undefined;
    if (encodingType !== undefined && encodingType !== 'url') {
      throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encodingType);
    }
    const token = q.get('continuation-token');
    const startAfter = q.get('start-after') ?? undefined;
    let after: string | undefined;
    let afterIsPrefix = false;
    if (token !== null) {
      const t = decodeToken(token);
      after = t.m;
      afterIsPrefix = t.p;
    } else if (startAfter) {
      after = startAfter;
    }
    const r = list(b, { prefix, delimiter, ...(after !== undefined ? { after, afterIsPrefix } : {}), maxKeys });
    const enc = (s: string) => (encodingType === 'url' ? urlEncodeS3(s) : s);
    const fetchOwner = q.get('fetch-owner') === 'true';
    return xmlResponse('ListBucketResult', {
      Name: b.name,
      Prefix: enc(prefix),
      ...(delimiter ? { Delimiter: enc(delimiter) } : {}),
      MaxKeys: maxKeys,
      ...(encodingType ? { EncodingType: encodingType } : {}),
      KeyCount: r.contents.length + r.prefixes.length,
      IsTruncated: r.truncated,
      ...(token !== null ? { ContinuationToken: token } : {}),
      ...(r.truncated && r.last ? { NextContinuationToken: encodeToken(r.last.value, r.last.isPrefix) } : {}),
      ...(startAfter ? { StartAfter: enc(startAfter) } : {}),
      Contents: r.contents.map((o) => ({
        Key: enc(o.key),
        LastModified: isoSeconds(o.lastModified),
        ETag: o.etag,
        ...(o.checksum ? { ChecksumAlgorithm: o.checksum.algorithm, ChecksumType: o.checksum.type } : {}),
        Size: o.body.length,
        ...(fetchOwner ? { Owner: { ID: OWNER_ID, DisplayName: OWNER_NAME } } : {}),
        StorageClass: o.storageClass,
      })),
      CommonPrefixes: r.prefixes.map((p) => ({ Prefix: enc(p) })),
    });
  };

  const listObjectsV1 = (req: EmuRequest, b: Bucket): EmuResponse => {
    const q = req.query;
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const marker = q.get('marker') ?? '';
    const maxKeys = parseMaxKeys(q.get('max-keys'), 'max-keys');
    const encodingType = q.get('encoding-type') ?? undefined;
    if (encodingType !== undefined && encodingType !== 'url') {
      throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encodingType);
    }
    // A marker that is a common prefix skips everything under it, as S3 does for NextMarker values.
    const afterIsPrefix = delimiter !== '' && marker.endsWith(delimiter) && marker.startsWith(prefix);
    const r = list(b, { prefix, delimiter, ...(marker ? { after: marker, afterIsPrefix } : {}), maxKeys });
    const enc = (s: string) => (encodingType === 'url' ? urlEncodeS3(s) : s);
    return xmlResponse('ListBucketResult', {
      Name: b.name,
      Prefix: enc(prefix),
      Marker: enc(marker),
      ...(r.truncated && delimiter && r.last ? { NextMarker: enc(r.last.value) } : {}),
      MaxKeys: maxKeys,
      ...(delimiter ? { Delimiter: enc(delimiter) } : {}),
      ...(encodingType ? { EncodingType: encodingType } : {}),
      IsTruncated: r.truncated,
      Contents: r.contents.map((o) => ({
        Key: enc(o.key),
        LastModified: isoSeconds(o.lastModified),
        ETag: o.etag,
        ...(o.checksum ? { ChecksumAlgorithm: o.checksum.algorithm, ChecksumType: o.checksum.type } : {}),
        Size: o.body.length,
        Owner: { ID: OWNER_ID, DisplayName: OWNER_NAME },
        StorageClass: o.storageClass,
      })),
      CommonPrefixes: r.prefixes.map((p) => ({ Prefix: enc(p) })),
    });
  };

  const deleteObjects = (req: EmuRequest, b: Bucket): EmuResponse => {
    const hasDigest =
      req.headers['content-md5'] !== undefined ||
      Object.keys(req.headers).some((h) => algorithmFromHeader(h) !== undefined);
    if (!hasDigest && !isAwsChunked(req.headers)) {
      throw new S3Error(
        400,
        'InvalidRequest',
        'Missing required header for this request: Content-MD5 OR x-amz-checksum-*',
      );
    }
    const { body } = readPayload(req);
    let parsed: Record<string, unknown>;
    try {
      parsed = parseXml(body, ['Object']);
    } catch {
      throw malformedXml();
    }
    const del = parsed.Delete as Record<string, unknown> | undefined;
    if (!del || typeof del !== 'object') throw malformedXml();
    const objects = asArray(del.Object as unknown[]);
    if (objects.length === 0 || objects.length > 1000) throw malformedXml();
    const quiet = text(del, 'Quiet') === 'true';
    const deleted: Array<Record<string, string>> = [];
    for (const o of objects) {
      const key = rawText(o, 'Key');
      if (key === undefined) throw malformedXml();
      deleteObject(b, key);
      deleted.push({ Key: key });
    }
    return xmlResponse('DeleteResult', quiet ? {} : { Deleted: deleted });
  };

  const listMultipartUploads = (req: EmuRequest, b: Bucket): EmuResponse => {
    const prefix = req.query.get('prefix') ?? '';
    const uploads = [...b.uploads.values()]
      .filter((u) => u.key.startsWith(prefix))
      .sort((x, y) => s3Order(x.key, y.key) || x.initiated - y.initiated);
    return xmlResponse('ListMultipartUploadsResult', {
      Bucket: b.name,
      KeyMarker: '',
      UploadIdMarker: '',
      Prefix: prefix,
      MaxUploads: 1000,
      IsTruncated: false,
      Upload: uploads.map((u) => ({
        Key: u.key,
        UploadId: u.id,
        Initiator: { ID: OWNER_ID, DisplayName: OWNER_NAME },
        Owner: { ID: OWNER_ID, DisplayName: OWNER_NAME },
        StorageClass: u.meta.storageClass,
        Initiated: new Date(u.initiated).toISOString(),
        ...(u.checksumAlgorithm ? { ChecksumAlgorithm: u.checksumAlgorithm, ChecksumType: u.checksumType } : {}),
      })),
    });
  };

  // ---- object operations ----

  const putObject = (req: EmuRequest, b: Bucket, key: string, ctx: EmuContext): EmuResponse => {
    if (Buffer.byteLength(key) > 1024) {
      throw new S3Error(400, 'KeyTooLongError', 'Your key is too long', {
        Size: String(Buffer.byteLength(key)),
        MaxSizeAllowed: '1024',
      });
    }
    const existing = b.objects.get(key);
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch !== undefined && ifNoneMatch.trim() === '*' && existing) throw preconditionFailed('If-None-Match');
    const ifMatch = req.headers['if-match'];
    if (ifMatch !== undefined) {
      if (!existing) throw noSuchKey(key);
      if (!etagListMatches(ifMatch, existing.etag)) throw preconditionFailed('If-Match');
    }
    const payload = readPayload(req);
    const obj = newObject(key, payload.body, metaFromHeaders(req.headers), ctx.clock.now());
    // S3 stores the checksum the client sent, or computes a full-object CRC64NVME itself (default since 2025).
    obj.checksum = payload.checksum
      ? { ...payload.checksum, type: 'FULL_OBJECT' }
      : { algorithm: 'CRC64NVME', value: checksumBase64('CRC64NVME', payload.body), type: 'FULL_OBJECT' };
    storeObject(b, obj);
    return {
      status: 200,
      headers: { etag: obj.etag, 'x-amz-server-side-encryption': 'AES256', ...checksumHeaders(obj.checksum) },
    };
  };

  const getOrHeadObject = (req: EmuRequest, b: Bucket, key: string, head: boolean): EmuResponse => {
    const obj = b.objects.get(key);
    if (!obj) throw noSuchKey(key);
    const h = req.headers;
    const cond = evaluateConditions(
      obj,
      {
        ...(h['if-match'] !== undefined ? { ifMatch: h['if-match'] } : {}),
        ...(h['if-none-match'] !== undefined ? { ifNoneMatch: h['if-none-match'] } : {}),
        ...(h['if-modified-since'] !== undefined ? { ifModifiedSince: h['if-modified-since'] } : {}),
        ...(h['if-unmodified-since'] !== undefined ? { ifUnmodifiedSince: h['if-unmodified-since'] } : {}),
      },
      304,
    );
    if (cond === 412) throw preconditionFailed(h['if-match'] !== undefined ? 'If-Match' : 'If-Unmodified-Since');
    if (cond === 304) {
      return { status: 304, headers: { etag: obj.etag, 'last-modified': httpDate(obj.lastModified) } };
    }
    const headers = objectHeaders(obj);
    const q = req.query;
    for (const [param, header] of [
      ['response-content-type', 'content-type'],
      ['response-cache-control', 'cache-control'],
      ['response-content-disposition', 'content-disposition'],
      ['response-content-encoding', 'content-encoding'],
      ['response-content-language', 'content-language'],
      ['response-expires', 'expires'],
    ] as const) {
      const v = q.get(param);
      if (v !== null) headers[header] = v;
    }
    const size = obj.body.length;
    let range: { start: number; end: number } | undefined;
    const partNumberRaw = q.get('partNumber');
    if (partNumberRaw !== null) {
      const n = Number(partNumberRaw);
      const sizes = obj.partSizes ?? [size];
      if (!Number.isInteger(n) || n < 1 || n > 10000) {
        throw invalidArgument(
          'Part number must be an integer between 1 and 10000, inclusive',
          'partNumber',
          partNumberRaw,
        );
      }
      if (n > sizes.length) {
        throw new S3Error(416, 'InvalidPartNumber', 'The requested partnumber is not satisfiable', {
          PartNumberRequested: String(n),
          ActualPartCount: String(sizes.length),
        });
      }
      const start = sizes.slice(0, n - 1).reduce((a, s) => a + s, 0);
      if (obj.partSizes) {
        range = { start, end: start + (sizes[n - 1] as number) - 1 };
        headers['x-amz-mp-parts-count'] = String(sizes.length);
      }
    } else if (h.range !== undefined) {
      const r = parseRange(h.range, size);
      if (r === 'invalid') {
        throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', {
          RangeRequested: h.range,
          ActualObjectSize: String(size),
        });
      }
      range = r;
    }
    if (h['x-amz-checksum-mode']?.toUpperCase() === 'ENABLED' && !range && obj.checksum) {
      Object.assign(headers, checksumHeaders(obj.checksum));
    }
    if (range) {
      headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
      headers['content-length'] = String(range.end - range.start + 1);
      return { status: 206, headers, ...(head ? {} : { body: obj.body.subarray(range.start, range.end + 1) }) };
    }
    headers['content-length'] = String(size);
    return { status: 200, headers, ...(head ? {} : { body: obj.body }) };
  };

  const parseCopySource = (raw: string): { bucket: string; key: string } => {
    const noVersion = raw.split('?versionId=')[0] ?? raw;
    let decoded: string;
    try {
      decoded = decodeURIComponent(noVersion);
    } catch {
      throw invalidArgument('Invalid copy source encoding', 'x-amz-copy-source', raw);
    }
    const s = decoded.startsWith('/') ? decoded.slice(1) : decoded;
    const i = s.indexOf('/');
    if (i <= 0 || i === s.length - 1) {
      throw invalidArgument(
        'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
        'x-amz-copy-source',
        raw,
      );
    }
    return { bucket: s.slice(0, i), key: s.slice(i + 1) };
  };

  const copySourceObject = (req: EmuRequest): S3Object => {
    const src = parseCopySource(req.headers['x-amz-copy-source'] as string);
    const sb = getBucket(src.bucket);
    const obj = sb.objects.get(src.key);
    if (!obj) throw noSuchKey(src.key);
    const h = req.headers;
    const cond = evaluateConditions(
      obj,
      {
        ...(h['x-amz-copy-source-if-match'] !== undefined ? { ifMatch: h['x-amz-copy-source-if-match'] } : {}),
        ...(h['x-amz-copy-source-if-none-match'] !== undefined
          ? { ifNoneMatch: h['x-amz-copy-source-if-none-match'] }
          : {}),
        ...(h['x-amz-copy-source-if-modified-since'] !== undefined
          ? { ifModifiedSince: h['x-amz-copy-source-if-modified-since'] }
          : {}),
        ...(h['x-amz-copy-source-if-unmodified-since'] !== undefined
          ? { ifUnmodifiedSince: h['x-amz-copy-source-if-unmodified-since'] }
          : {}),
      },
      412,
    );
    if (cond !== undefined) throw preconditionFailed('x-amz-copy-source-If');
    return obj;
  };

  const copyObject = (req: EmuRequest, b: Bucket, key: string, ctx: EmuContext): EmuResponse => {
    const src = copySourceObject(req);
    const h = req.headers;
    const directive = (h['x-amz-metadata-directive'] ?? 'COPY').toUpperCase();
    if (directive !== 'COPY' && directive !== 'REPLACE') {
      throw invalidArgument('Unknown metadata directive.', 'x-amz-metadata-directive', h['x-amz-metadata-directive']);
    }
    const taggingDirective = (h['x-amz-tagging-directive'] ?? 'COPY').toUpperCase();
    const sourcePath = parseCopySource(h['x-amz-copy-source'] as string);
    const samePlace = sourcePath.bucket === b.name && sourcePath.key === key;
    if (
      samePlace &&
      directive === 'COPY' &&
      h['x-amz-storage-class'] === undefined &&
      h['x-amz-website-redirect-location'] === undefined &&
      h['x-amz-server-side-encryption'] === undefined &&
      h['x-amz-checksum-algorithm'] === undefined
    ) {
      throw new S3Error(
        400,
        'InvalidRequest',
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    }
    let meta: ObjectMeta;
    if (directive === 'REPLACE') {
      meta = metaFromHeaders(h);
    } else {
      meta = {
        contentType: src.contentType,
        storageClass: h['x-amz-storage-class'] ?? src.storageClass,
        metadata: { ...src.metadata },
        tags: src.tags,
      };
      for (const k of [
        'cacheControl',
        'contentEncoding',
        'contentDisposition',
        'contentLanguage',
        'expires',
      ] as const) {
        if (src[k] !== undefined) meta[k] = src[k];
      }
      if (h['x-amz-website-redirect-location'] !== undefined) {
        meta.websiteRedirectLocation = h['x-amz-website-redirect-location'];
      }
    }
    meta.tags = taggingDirective === 'REPLACE' ? parseTagging(h['x-amz-tagging']) : src.tags;
    const now = ctx.clock.now();
    // CopyObject writes a single-part object: the ETag is the MD5 of the data (unchanged for single-part sources).
    const etag = src.partSizes ? singlePartEtag(src.body) : src.etag;
    const algorithm = parseAlgorithm(h['x-amz-checksum-algorithm']) ?? src.checksum?.algorithm ?? 'CRC64NVME';
    const checksum: StoredChecksum =
      src.checksum && src.checksum.type === 'FULL_OBJECT' && src.checksum.algorithm === algorithm
        ? src.checksum
        : { algorithm, value: checksumBase64(algorithm, src.body), type: 'FULL_OBJECT' };
    const obj: S3Object = { ...meta, key, body: src.body, etag, lastModified: now, checksum };
    storeObject(b, obj);
    return xmlResponse(
      'CopyObjectResult',
      {
        ETag: obj.etag,
        LastModified: isoSeconds(now),
        ChecksumType: checksum.type,
        ...checksumMembers(checksum),
      },
      { 'x-amz-server-side-encryption': 'AES256' },
    );
  };

  const getObjectTagging = (b: Bucket, key: string): EmuResponse => {
    const obj = b.objects.get(key);
    if (!obj) throw noSuchKey(key);
    return xmlResponse('Tagging', { TagSet: { Tag: obj.tags.map(([Key, Value]) => ({ Key, Value })) } });
  };

  const putObjectTagging = (req: EmuRequest, b: Bucket, key: string): EmuResponse => {
    const obj = b.objects.get(key);
    if (!obj) throw noSuchKey(key);
    const { body } = readPayload(req);
    let parsed: Record<string, unknown>;
    try {
      parsed = parseXml(body, ['Tag']);
    } catch {
      throw malformedXml();
    }
    const tagSet = (parsed.Tagging as Record<string, unknown> | undefined)?.TagSet as
      | Record<string, unknown>
      | undefined;
    const tags = asArray(tagSet?.Tag as unknown[]).map(
      (t) => [rawText(t, 'Key') ?? '', rawText(t, 'Value') ?? ''] as [string, string],
    );
    if (tags.length > 10) throw new S3Error(400, 'BadRequest', 'Object tags cannot be greater than 10');
    obj.tags = tags;
    return { status: 200 };
  };

  // ---- multipart ----

  const createMultipartUpload = (req: EmuRequest, b: Bucket, key: string, ctx: EmuContext): EmuResponse => {
    const algorithm = parseAlgorithm(req.headers['x-amz-checksum-algorithm']);
    if (req.headers['x-amz-checksum-algorithm'] && !algorithm) {
      throw invalidArgument(
        'Checksum algorithm provided is unsupported.',
        'x-amz-checksum-algorithm',
        req.headers['x-amz-checksum-algorithm'],
      );
    }
    const typeHeader = req.headers['x-amz-checksum-type']?.toUpperCase();
    const checksumType: Upload['checksumType'] =
      typeHeader === 'FULL_OBJECT' || algorithm === 'CRC64NVME' || !algorithm ? 'FULL_OBJECT' : 'COMPOSITE';
    if (typeHeader === 'FULL_OBJECT' && (algorithm === 'SHA1' || algorithm === 'SHA256')) {
      throw new S3Error(
        400,
        'InvalidRequest',
        `The FULL_OBJECT checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`,
      );
    }
    const id = randomBytes(48).toString('base64url');
    const upload: Upload = {
      id,
      key,
      initiated: ctx.clock.now(),
      meta: metaFromHeaders(req.headers),
      checksumType,
      parts: new Map(),
      ...(algorithm ? { checksumAlgorithm: algorithm } : {}),
    };
    b.uploads.set(id, upload);
    return xmlResponse(
      'InitiateMultipartUploadResult',
      { Bucket: b.name, Key: key, UploadId: id },
      algorithm ? { 'x-amz-checksum-algorithm': algorithm, 'x-amz-checksum-type': checksumType } : {},
    );
  };

  const getUpload = (req: EmuRequest, b: Bucket, key: string): Upload => {
    const id = req.query.get('uploadId') ?? '';
    const u = b.uploads.get(id);
    if (!u || u.key !== key) throw noSuchUpload(id);
    return u;
  };

  const partNumberOf = (req: EmuRequest): number => {
    const raw = req.query.get('partNumber') ?? '';
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1 || n > 10000) {
      throw invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', raw);
    }
    return n;
  };

  const uploadPart = (req: EmuRequest, b: Bucket, key: string, ctx: EmuContext): EmuResponse => {
    const u = getUpload(req, b, key);
    const number = partNumberOf(req);
    const payload = readPayload(req);
    if (payload.checksum && u.checksumAlgorithm && payload.checksum.algorithm !== u.checksumAlgorithm) {
      throw new S3Error(
        400,
        'InvalidRequest',
        `Checksum Type mismatch occurred, expected checksum Type: ${u.checksumAlgorithm.toLowerCase()}, actual checksum Type: ${payload.checksum.algorithm.toLowerCase()}`,
      );
    }
    const checksum =
      payload.checksum ??
      (u.checksumAlgorithm
        ? { algorithm: u.checksumAlgorithm, value: checksumBase64(u.checksumAlgorithm, payload.body) }
        : undefined);
    const part: Part = {
      number,
      body: payload.body,
      etag: singlePartEtag(payload.body),
      size: payload.body.length,
      lastModified: ctx.clock.now(),
      ...(checksum ? { checksum } : {}),
    };
    u.parts.set(number, part);
    return {
      status: 200,
      headers: {
        etag: part.etag,
        'x-amz-server-side-encryption': 'AES256',
        ...(checksum ? { [headerForAlgorithm(checksum.algorithm)]: checksum.value } : {}),
      },
    };
  };

  const uploadPartCopy = (req: EmuRequest, b: Bucket, key: string, ctx: EmuContext): EmuResponse => {
    const u = getUpload(req, b, key);
    const number = partNumberOf(req);
    const src = copySourceObject(req);
    let data = src.body;
    const rangeHeader = req.headers['x-amz-copy-source-range'];
    if (rangeHeader !== undefined) {
      const m = /^bytes=(\d+)-(\d+)$/.exec(rangeHeader.trim());
      if (!m || Number(m[2]) >= src.body.length || Number(m[1]) > Number(m[2])) {
        throw invalidArgument(
          'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
          'x-amz-copy-source-range',
          rangeHeader,
        );
      }
      data = src.body.subarray(Number(m[1]), Number(m[2]) + 1);
    }
    const checksum = u.checksumAlgorithm
      ? { algorithm: u.checksumAlgorithm, value: checksumBase64(u.checksumAlgorithm, data) }
      : undefined;
    const now = ctx.clock.now();
    const part: Part = {
      number,
      body: data,
      etag: singlePartEtag(data),
      size: data.length,
      lastModified: now,
      ...(checksum ? { checksum } : {}),
    };
    u.parts.set(number, part);
    return xmlResponse('CopyPartResult', {
      ETag: part.etag,
      LastModified: isoSeconds(now),
      ...checksumMembers(checksum),
    });
  };

  const completeMultipartUpload = (req: EmuRequest, b: Bucket, key: string, ctx: EmuContext): EmuResponse => {
    const u = getUpload(req, b, key);
    let parsed: Record<string, unknown>;
    try {
      parsed = parseXml(req.body, ['Part']);
    } catch {
      throw malformedXml();
    }
    const root = parsed.CompleteMultipartUpload as Record<string, unknown> | undefined;
    const requested = asArray(root?.Part as unknown[]);
    if (!root || requested.length === 0) {
      throw new S3Error(
        400,
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema',
      );
    }
    const chosen: Part[] = [];
    let prev = 0;
    for (const p of requested) {
      const n = Number(text(p, 'PartNumber'));
      if (!Number.isInteger(n) || n <= prev) {
        throw new S3Error(
          400,
          'InvalidPartOrder',
          'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
        );
      }
      prev = n;
      const stored = u.parts.get(n);
      const etag = text(p, 'ETag') ?? '';
      const invalidPart = () =>
        new S3Error(
          400,
          'InvalidPart',
          "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
          {
            UploadId: u.id,
            PartNumber: String(n),
            ETag: etag,
          },
        );
      if (!stored || !sameEtag(etag, stored.etag)) throw invalidPart();
      for (const alg of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const) {
        const given = text(p, `Checksum${alg}`);
        if (
          given !== undefined &&
          stored.checksum &&
          stored.checksum.algorithm === alg &&
          given !== stored.checksum.value
        ) {
          throw invalidPart();
        }
      }
      chosen.push(stored);
    }
    chosen.forEach((p, i) => {
      if (i < chosen.length - 1 && p.size < MIN_PART_SIZE) {
        throw new S3Error(
          400,
          'EntityTooSmall',
          'Your proposed upload is smaller than the minimum allowed object size.',
          {
            ProposedSize: String(p.size),
            MinSizeAllowed: String(MIN_PART_SIZE),
            PartNumber: String(p.number),
            ETag: p.etag,
          },
        );
      }
    });
    const body = Buffer.concat(chosen.map((p) => p.body));
    const algorithm = u.checksumAlgorithm ?? 'CRC64NVME';
    let checksum: StoredChecksum;
    if (u.checksumType === 'COMPOSITE') {
      const partSums = chosen.map((p) =>
        p.checksum && p.checksum.algorithm === algorithm ? p.checksum.value : checksumBase64(algorithm, p.body),
      );
      checksum = { algorithm, value: compositeChecksum(algorithm, partSums), type: 'COMPOSITE' };
    } else {
      checksum = { algorithm, value: checksumBase64(algorithm, body), type: 'FULL_OBJECT' };
      const given = req.headers[headerForAlgorithm(algorithm)];
      if (given !== undefined && given !== checksum.value) {
        throw new S3Error(400, 'BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`);
      }
    }
    const obj: S3Object = {
      ...u.meta,
      key,
      body,
      etag: multipartEtag(chosen.map((p) => p.etag)),
      lastModified: ctx.clock.now(),
      checksum,
      partSizes: chosen.map((p) => p.size),
    };
    storeObject(b, obj);
    b.uploads.delete(u.id);
    const location = `${req.baseUrl}/${b.name}/${key.split('/').map(encodeURIComponent).join('/')}`;
    return xmlResponse(
      'CompleteMultipartUploadResult',
      {
        Location: location,
        Bucket: b.name,
        Key: key,
        ETag: obj.etag,
        ...checksumMembers(checksum),
        ChecksumType: checksum.type,
      },
      { 'x-amz-server-side-encryption': 'AES256' },
    );
  };

  const listParts = (req: EmuRequest, b: Bucket, key: string): EmuResponse => {
    const u = getUpload(req, b, key);
    const marker = Number(req.query.get('part-number-marker') ?? '0') || 0;
    const maxParts = parseMaxKeys(req.query.get('max-parts'), 'max-parts');
    const all = [...u.parts.values()].filter((p) => p.number > marker).sort((x, y) => x.number - y.number);
    const page = all.slice(0, maxParts);
    const truncated = all.length > page.length;
    return xmlResponse('ListPartsResult', {
      Bucket: b.name,
      Key: key,
      UploadId: u.id,
      PartNumberMarker: marker,
      ...(page.length > 0 ? { NextPartNumberMarker: page[page.length - 1]?.number } : {}),
      MaxParts: maxParts,
      IsTruncated: truncated,
      Part: page.map((p) => ({
        PartNumber: p.number,
        LastModified: isoSeconds(p.lastModified),
        ETag: p.etag,
        Size: p.size,
        ...checksumMembers(p.checksum),
      })),
      Initiator: { ID: OWNER_ID, DisplayName: OWNER_NAME },
      Owner: { ID: OWNER_ID, DisplayName: OWNER_NAME },
      StorageClass: u.meta.storageClass,
      ...(u.checksumAlgorithm ? { ChecksumAlgorithm: u.checksumAlgorithm, ChecksumType: u.checksumType } : {}),
    });
  };

  // ---- dispatch ----

  const dispatch = (req: EmuRequest, ctx: EmuContext): EmuResponse => {
    const { operation } = classifyS3(req);
    const { bucket, key } = splitPath(req.path);
    switch (operation) {
      case 'ListBuckets':
        return listBuckets();
      case 'CreateBucket':
        return createBucket(req, bucket, ctx);
      case 'HeadBucket': {
        const b = getBucket(bucket);
        return { status: 200, headers: { 'x-amz-bucket-region': b.region } };
      }
      case 'DeleteBucket': {
        const b = getBucket(bucket);
        if (b.objects.size > 0) {
          throw new S3Error(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty', {
            BucketName: bucket,
          });
        }
        buckets.delete(bucket);
        return { status: 204 };
      }
      case 'GetBucketLocation': {
        const b = getBucket(bucket);
        const body = buildXml('LocationConstraint', { '#text': b.region === 'us-east-1' ? '' : b.region }, S3_NS);
        return { status: 200, headers: { 'content-type': 'application/xml' }, body };
      }
      case 'GetBucketVersioning':
        getBucket(bucket);
        return xmlResponse('VersioningConfiguration', {});
      case 'ListObjectsV2':
        return listObjectsV2(req, getBucket(bucket));
      case 'ListObjects':
        return listObjectsV1(req, getBucket(bucket));
      case 'DeleteObjects':
        return deleteObjects(req, getBucket(bucket));
      case 'ListMultipartUploads':
        return listMultipartUploads(req, getBucket(bucket));
      case 'PutObject':
        return putObject(req, getBucket(bucket), key, ctx);
      case 'GetObject':
        return getOrHeadObject(req, getBucket(bucket), key, false);
      case 'HeadObject':
        return getOrHeadObject(req, getBucket(bucket), key, true);
      case 'CopyObject':
        return copyObject(req, getBucket(bucket), key, ctx);
      case 'DeleteObject':
        deleteObject(getBucket(bucket), key);
        return { status: 204 };
      case 'GetObjectTagging':
        return getObjectTagging(getBucket(bucket), key);
      case 'PutObjectTagging':
        return putObjectTagging(req, getBucket(bucket), key);
      case 'DeleteObjectTagging': {
        const obj = getBucket(bucket).objects.get(key);
        if (!obj) throw noSuchKey(key);
        obj.tags = [];
        return { status: 204 };
      }
      case 'CreateMultipartUpload':
        return createMultipartUpload(req, getBucket(bucket), key, ctx);
      case 'UploadPart':
        return uploadPart(req, getBucket(bucket), key, ctx);
      case 'UploadPartCopy':
        return uploadPartCopy(req, getBucket(bucket), key, ctx);
      case 'CompleteMultipartUpload':
        return completeMultipartUpload(req, getBucket(bucket), key, ctx);
      case 'AbortMultipartUpload': {
        const b = getBucket(bucket);
        const u = getUpload(req, b, key);
        b.uploads.delete(u.id);
        return { status: 204 };
      }
      case 'ListParts':
        return listParts(req, getBucket(bucket), key);
      default:
        throw new S3Error(
          501,
          'NotImplemented',
          `A header or query you provided implies functionality that is not implemented (${operation}).`,
        );
    }
  };

  const putObjectDirect = (
    bucketName: string,
    key: string,
    body: Buffer | string,
    meta: Partial<ObjectMeta> = {},
    nowMs = Date.now(),
  ): S3Object => {
    const b = getBucket(bucketName);
    const data = typeof body === 'string' ? Buffer.from(body) : body;
    const obj = newObject(
      key,
      data,
      { contentType: 'binary/octet-stream', storageClass: 'STANDARD', metadata: {}, tags: [], ...meta },
      nowMs,
    );
    obj.checksum = { algorithm: 'CRC64NVME', value: checksumBase64('CRC64NVME', data), type: 'FULL_OBJECT' };
    storeObject(b, obj);
    return obj;
  };

  const service: S3Service = {
    name: 's3',
    buckets,
    classify: classifyS3,
    handle(req, ctx) {
      try {
        return dispatch(req, ctx);
      } catch (err) {
        if (err instanceof S3Error) return errorResponse(req, err);
        throw err;
      }
    },
    reset() {
      buckets.clear();
    },
    seed(fixture: SeedFixture, ctx: EmuContext) {
      for (const raw of (fixture.buckets ?? []) as BucketSeed[]) {
        if (!raw || typeof raw.name !== 'string') throw new Error('seed.buckets[] needs a "name"');
        if (!buckets.has(raw.name)) {
          buckets.set(raw.name, {
            name: raw.name,
            region: raw.region ?? 'us-east-1',
            created: ctx.clock.now(),
            objects: new Map(),
            uploads: new Map(),
            index: newKeyIndex(),
            settle: { changedAt: 0, timer: undefined },
          });
        }
        for (const o of raw.objects ?? []) {
          const body = o.bodyBase64 !== undefined ? Buffer.from(o.bodyBase64, 'base64') : Buffer.from(o.body ?? '');
          const meta: Partial<ObjectMeta> = {
            ...(o.contentType !== undefined ? { contentType: o.contentType } : {}),
            ...(o.cacheControl !== undefined ? { cacheControl: o.cacheControl } : {}),
            ...(o.contentEncoding !== undefined ? { contentEncoding: o.contentEncoding } : {}),
            ...(o.contentDisposition !== undefined ? { contentDisposition: o.contentDisposition } : {}),
            metadata: Object.fromEntries(
              Object.entries(o.metadata ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
            ),
          };
          const when = o.lastModified !== undefined ? Date.parse(o.lastModified) : ctx.clock.now();
          const obj = putObjectDirect(raw.name, o.key, body, meta, when);
          if (o.partSize !== undefined && o.partSize > 0 && body.length > o.partSize) {
            const sizes: number[] = [];
            const etags: string[] = [];
            for (let off = 0; off < body.length; off += o.partSize) {
              const chunk = body.subarray(off, off + o.partSize);
              sizes.push(chunk.length);
              etags.push(singlePartEtag(chunk));
            }
            obj.partSizes = sizes;
            obj.etag = multipartEtag(etags);
          }
        }
      }
    },
    throttleError(req) {
      return errorResponse(req, new S3Error(503, 'SlowDown', 'Please reduce your request rate.'));
    },
    getObject(bucket, key) {
      return buckets.get(bucket)?.objects.get(key);
    },
    putObject: putObjectDirect,
  };
  return service;
}
