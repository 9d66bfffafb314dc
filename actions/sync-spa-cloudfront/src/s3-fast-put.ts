import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { PutObjectCommand, PutObjectCommandInput, PutObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { core, errorMessage } from '@deploy-actions/kit/runtime';
import { extendedEncodeURIComponent } from '@smithy/core/protocols';
import { getSmithyContext, HttpRequest } from '@smithy/core/transport';
import type { FinalizeHandler, FinalizeHandlerArguments, HandlerExecutionContext } from '@smithy/types';
import type { PutAnswer } from './s3-etag';

// A small file's PutObject for about 40% of the SDK's CPU (#15: the first deploy with BENCH_PIN=1 is bound by our
// core, and the SDK's per-call path, ~1 ms per PUT, was most of it: the middleware stack resolved per command,
// endpoint rules, schema serde, retry bookkeeping, a new signer per call). Not a second S3 client: the SDK's own
// pieces do the work that matters: its SigV4 signer (credentials, the client's clock offset) and its request handler
// (sockets, timeouts, abort). What is skipped is rebuilding the same request shape 2,000 times.
//
// How it stays true to the SDK:
// - It learns from a PutObject the SDK itself sent and S3 accepted (the request as signed, on the wire side of the
//   signing middleware) and turns on only if its own request for that same upload comes out identical: protocol, host,
//   port, path, query and every header but the per-call ones (date, signature, token, invocation id). Another
//   endpoint style, a header the SDK adds in a later version, an auth scheme other than SigV4: no match, so every
//   upload stays on the SDK.
// - It handles only the answer it expects: 200 with an ETag. Anything else (an error status, a socket error, a
//   timeout) turns it off for the rest of the run and that upload goes through the SDK, which retries, backs off and
//   reports errors as always (a clock-skew error is corrected there, as the SDK corrects it). A cancel is passed on,
//   not retried.

/** The headers of one call the SDK makes itself: its signature and date, a session token, a fresh invocation id. */
const PER_CALL = new Set(['authorization', 'x-amz-date', 'x-amz-security-token', 'amz-sdk-invocation-id']);
/** Headers the same for every PutObject of one client: taken as the SDK sent them. */
const CONSTANT = new Set(['host', 'user-agent', 'x-amz-user-agent', 'amz-sdk-request']);
const SIGV4 = 'aws.auth#sigv4';
/**
 * The S3 client adds `Expect: 100-continue` from this body size on (its `expectContinueHeader` default, 2 MiB); the
 * fast path leaves such bodies to the SDK (the scan's small files are at most 256 KiB anyway).
 */
export const EXPECT_CONTINUE_MIN = 2 * 1024 * 1024;
/** learnShape's answer for a retried call: nothing to learn from it, the next first attempt will do. */
export const NOT_FIRST = 'not a first attempt';

/** One small-file upload, as uploadFile makes it (s3-writes.ts). */
export interface FastPutParams {
  bucket: string;
  key: string;
  body: Buffer;
  /** Hex SHA-256 of `body`: the payload hash SigV4 signs. */
  sha256: string;
  /** Base64 SHA-256 sent as S3's checksum (absent when checksums are off). */
  checksumSha256?: string | undefined;
  cacheControl?: string | undefined;
  contentType?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

/** The headers an upload's parameters give (PutObject's HTTP bindings), without the client's and the call's own. */
export function putHeaders(p: FastPutParams): Record<string, string> {
  const headers: Record<string, string> = {
    'content-length': String(p.body.length),
    'x-amz-content-sha256': p.sha256,
  };
  if (p.checksumSha256 !== undefined) headers['x-amz-checksum-sha256'] = p.checksumSha256;
  if (p.cacheControl !== undefined) headers['cache-control'] = p.cacheControl;
  // a body without a Content-Type is sent as application/octet-stream, as the SDK's serializer does
  headers['content-type'] = p.contentType ?? 'application/octet-stream';
  for (const [name, value] of Object.entries(p.metadata ?? {})) headers[`x-amz-meta-${name.toLowerCase()}`] = value;
  return headers;
}

/** A key as a path: each segment encoded as the SDK encodes a greedy label (Key+), slashes kept. */
export function keyPath(key: string): string {
  return key.split('/').map(extendedEncodeURIComponent).join('/');
}

/** What a sent request looks like where the signing middleware hands it on. */
export interface SentRequest {
  protocol: string;
  hostname: string;
  port?: number | undefined;
  method: string;
  path: string;
  query: Record<string, string | string[] | null>;
  headers: Record<string, string>;
}

/** The request shape learned from the SDK: everything of a PutObject that does not depend on the upload. */
export interface PutShape {
  bucket: string;
  protocol: string;
  hostname: string;
  port?: number | undefined;
  /** The path up to the key ('/bucket/' path-style, '/' virtual-hosted). */
  pathPrefix: string;
  query: Record<string, string | string[] | null>;
  constants: Record<string, string>;
}

/**
 * The shape of `sent`, the SDK's request for `p`, if a request built from that shape and `p` is the same request
 * (pure); else why not.
 */
export function learnShape(sent: SentRequest, p: FastPutParams): PutShape | string {
  if (sent.method !== 'PUT') return `method ${sent.method}`;
  const path = keyPath(p.key);
  if (!sent.path.endsWith(path)) return 'the path does not end with the key';
  const constants: Record<string, string> = {};
  const rest: Record<string, string> = {};
  for (const [name, value] of Object.entries(sent.headers)) {
    const lower = name.toLowerCase();
    if (PER_CALL.has(lower)) continue;
    if (CONSTANT.has(lower)) constants[lower] = value;
    else rest[lower] = value;
  }
  if (!constants.host) return 'no host header';
  if (!/^attempt=1;/.test(constants['amz-sdk-request'] ?? 'attempt=1;')) return NOT_FIRST;
  const expected = putHeaders(p);
  const names = new Set([...Object.keys(rest), ...Object.keys(expected)]);
  for (const name of names) {
    if (rest[name] !== expected[name]) return `header ${name}: the SDK sent ${rest[name]}, built ${expected[name]}`;
  }
  return {
    bucket: p.bucket,
    protocol: sent.protocol,
    hostname: sent.hostname,
    ...(sent.port !== undefined ? { port: sent.port } : {}),
    pathPrefix: sent.path.slice(0, sent.path.length - path.length),
    query: { ...sent.query },
    constants,
  };
}

/** The unsigned request for `p` in `shape` (pure). */
export function buildPut(shape: PutShape, p: FastPutParams, invocationId: string): HttpRequest {
  return new HttpRequest({
    protocol: shape.protocol,
    hostname: shape.hostname,
    ...(shape.port !== undefined ? { port: shape.port } : {}),
    method: 'PUT',
    path: shape.pathPrefix + keyPath(p.key),
    query: { ...shape.query },
    headers: { ...putHeaders(p), ...shape.constants, 'amz-sdk-invocation-id': invocationId },
    body: p.body,
  });
}

/** The SDK's SigV4 signer for this client (a SignatureV4MultiRegion), asked once instead of once per call. */
interface RequestSigner {
  sign(
    request: HttpRequest,
    options: { signingDate: Date; signingRegion?: string; signingService?: string },
  ): Promise<HttpRequest>;
}

interface SigningConfig {
  signer?: (authScheme: unknown) => Promise<RequestSigner>;
  systemClockOffset?: number;
  disableClockSkewCorrection?: () => Promise<boolean | undefined>;
}

interface AuthScheme {
  httpAuthOption?: { schemeId?: string; signingProperties?: Record<string, unknown> };
}

type Sign = (request: HttpRequest) => Promise<HttpRequest>;

/**
 * Sign as the SDK's SigV4 auth scheme does (@aws-sdk/core AwsSdkSigV4Signer.sign: the signer from the client's
 * `signer` provider for the endpoint's first auth scheme, the signing region and name of the call, the date corrected
 * by the client's clock offset), with one signer for the run: the provider builds a new one per call from a copy of
 * the whole client config (~35 µs per PUT). Undefined when the call was not plain SigV4 (SigV4a, S3 Express).
 */
async function sigv4Of(scheme: AuthScheme | undefined): Promise<Sign | undefined> {
  const option = scheme?.httpAuthOption;
  if (option?.schemeId !== SIGV4) return undefined;
  const properties = option.signingProperties ?? {};
  const config = properties.config as SigningConfig | undefined;
  const context = properties.context as { endpointV2?: { properties?: { authSchemes?: Array<{ name?: string }> } } };
  const authSchemes = context?.endpointV2?.properties?.authSchemes;
  if (!config?.signer || (authSchemes?.[0]?.name ?? 'sigv4') !== 'sigv4') return undefined;
  const signer = await config.signer(authSchemes?.[0]);
  const skew = (await config.disableClockSkewCorrection?.()) !== true;
  const signingRegion = properties.signingRegion as string | undefined;
  const signingService = properties.signingName as string | undefined;
  return (request) =>
    signer.sign(request, {
      signingDate: new Date(Date.now() + (skew ? (config.systemClockOffset ?? 0) : 0)),
      ...(signingRegion !== undefined ? { signingRegion } : {}),
      ...(signingService !== undefined ? { signingService } : {}),
    });
}

interface Learned {
  shape: PutShape;
  sign: Sign;
}

interface HandlerResponse {
  statusCode: number;
  headers: Record<string, string | undefined>;
  body?: unknown;
}

/** Read and drop a response body (a Node stream from the SDK's handler), so its socket goes back to the pool. */
async function drain(body: unknown): Promise<void> {
  if (body instanceof Readable) await finished(body.resume());
}

/** The fast path of one run's small uploads (see the top of this file). */
export class FastPut {
  private learned: Learned | undefined;
  private stopped = false;

  /**
   * `onSend` counts a request sent (the SDK's calls are counted by its middleware); `invocationId` is the SDK's
   * `amz-sdk-invocation-id` of each call (tests fix it to compare a signed request with the SDK's).
   */
  constructor(
    private readonly client: S3Client,
    private readonly onSend: () => void = () => {},
    private readonly invocationId: () => string = randomUUID,
  ) {}

  get ready(): boolean {
    return !this.stopped && this.learned !== undefined;
  }

  /** Let `command`, the SDK's PutObject for `p`, teach the request shape (while nothing has been learned yet). */
  watch(command: PutObjectCommand, p: FastPutParams): void {
    if (this.stopped || this.learned) return;
    command.middlewareStack.addRelativeTo(
      (next: FinalizeHandler<PutObjectCommandInput, PutObjectCommandOutput>, context: HandlerExecutionContext) =>
        async (args: FinalizeHandlerArguments<PutObjectCommandInput>) => {
          // learned only from a request S3 accepted (not one a region redirect or an error will replace)
          const sent = { ...(args.request as SentRequest) };
          sent.headers = { ...sent.headers };
          const out = await next(args);
          const scheme = getSmithyContext(context).selectedHttpAuthScheme as AuthScheme | undefined;
          await this.learn(sent, scheme, p);
          return out;
        },
      { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'fastPutLearn', override: true },
    );
  }

  private async learn(sent: SentRequest, scheme: AuthScheme | undefined, p: FastPutParams): Promise<void> {
    if (this.stopped || this.learned) return;
    const shape = learnShape(sent, p);
    if (shape === NOT_FIRST) return;
    if (typeof shape === 'string') {
      this.stop(`the SDK's PutObject is not one this path builds (${shape})`);
      return;
    }
    try {
      const sign = await sigv4Of(scheme);
      if (!sign) this.stop('the SDK signs PutObject with another auth scheme than SigV4');
      else this.learned ??= { shape, sign };
    } catch (err) {
      this.stop(errorMessage(err));
    }
  }

  private stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    core.debug(`Uploads go through the SDK's full path from now on: ${reason}.`);
  }

  /**
   * Upload `p` without the SDK's per-call path: S3's answer (ETag, encryption), or undefined when this path is off or
   * the upload did not go as expected (the caller then uploads with the SDK). A cancel throws.
   */
  async put(p: FastPutParams, signal?: AbortSignal): Promise<PutAnswer | undefined> {
    const l = this.learned;
    if (this.stopped || !l || p.bucket !== l.shape.bucket || p.body.length >= EXPECT_CONTINUE_MIN) return undefined;
    try {
      const signed = await l.sign(buildPut(l.shape, p, this.invocationId()));
      this.onSend();
      const handler = this.client.config.requestHandler as {
        handle(r: HttpRequest, o: { abortSignal?: AbortSignal }): Promise<{ response: HandlerResponse }>;
      };
      const { response } = await handler.handle(signed, signal ? { abortSignal: signal } : {});
      await drain(response.body);
      const etag = response.headers.etag ?? response.headers.ETag;
      if (response.statusCode !== 200 || !etag) {
        this.stop(`PutObject answered HTTP ${response.statusCode}${etag ? '' : ' without an ETag'}`);
        return undefined;
      }
      return {
        etag,
        encryption: response.headers['x-amz-server-side-encryption'],
        customerAlgorithm: response.headers['x-amz-server-side-encryption-customer-algorithm'],
      };
    } catch (err) {
      if (signal?.aborted) throw err;
      this.stop(errorMessage(err));
      return undefined;
    }
  }
}
