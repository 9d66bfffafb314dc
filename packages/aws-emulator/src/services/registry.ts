// The ECR registry data plane: the OCI distribution API v1.1 (`/v2/...`) on the same image store as the ECR
// control plane (ecr-store.ts). Auth as ECR does it: HTTP Basic, user `AWS`, password = the token from
// GetAuthorizationToken (valid 12 h of simulated time). Repositories must exist first (CreateRepository or seed).
import type { EmuContext, EmuRequest, EmuResponse, ServiceModule } from '../types.ts';
import type { EcrServiceModule } from './ecr.ts';
import { checkDownloadUrl } from './ecr-images.ts';
import {
  DIGEST_PATTERN,
  digestWithAlgorithmOf,
  type EcrStore,
  ImageStoreError,
  newUploadId,
  type RepositoryRecord,
  TAG_PATTERN,
  type UploadSession,
} from './ecr-store.ts';

type Route =
  | { kind: 'ping' }
  | { kind: 'upload'; name: string; uuid: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'tags'; name: string }
  | { kind: 'unknown' };

export function parseRegistryPath(path: string): Route {
  if (path === '/v2' || path === '/v2/') return { kind: 'ping' };
  let m = /^\/v2\/(.+)\/blobs\/uploads\/?([^/]*)$/.exec(path);
  if (m) return { kind: 'upload', name: m[1] as string, uuid: m[2] as string };
  m = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(path);
  if (m) return { kind: 'blob', name: m[1] as string, digest: m[2] as string };
  m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
  if (m) return { kind: 'manifest', name: m[1] as string, reference: m[2] as string };
  m = /^\/v2\/(.+)\/tags\/list$/.exec(path);
  if (m) return { kind: 'tags', name: m[1] as string };
  return { kind: 'unknown' };
}

const BASE_HEADERS = { 'docker-distribution-api-version': 'registry/2.0' };

function registryError(
  status: number,
  code: string,
  message: string,
  detail?: unknown,
  extra: Record<string, string> = {},
): EmuResponse {
  return {
    status,
    headers: { ...BASE_HEADERS, 'content-type': 'application/json; charset=utf-8', ...extra },
    body: JSON.stringify({ errors: [{ code, message, detail: detail ?? null }] }),
  };
}

function challenge(req: EmuRequest): Record<string, string> {
  return { 'www-authenticate': `Basic realm="${req.baseUrl}/",service="ecr.amazonaws.com"` };
}

function rangeHeader(size: number): string {
  // distribution reports `0-0` for an empty upload (and `0-(n-1)` otherwise); clients only read the end offset.
  return `0-${Math.max(0, size - 1)}`;
}

/** Map a store error to the registry's wire form. */
function storeErrorResponse(err: ImageStoreError): EmuResponse {
  switch (err.code) {
    case 'LayersNotFoundException':
    case 'ReferencedImagesNotFoundException': {
      const digests = (err.detail as { digests?: string[] } | undefined)?.digests ?? [];
      return registryError(400, 'MANIFEST_BLOB_UNKNOWN', 'blob unknown to registry', { digest: digests[0] });
    }
    case 'ImageDigestDoesNotMatchException':
      return registryError(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content', err.detail);
    case 'ImageTagAlreadyExistsException':
      return registryError(400, 'TAG_INVALID', err.message);
    case 'UnsupportedManifest':
      return registryError(405, 'UNSUPPORTED', err.message);
    default:
      return registryError(400, 'MANIFEST_INVALID', err.message);
  }
}

export function createRegistryService(sharedStore?: EcrStore): ServiceModule {
  const storeOf = (ctx: EmuContext): EcrStore | undefined =>
    sharedStore ?? (ctx.state.services.get('ecr') as EcrServiceModule | undefined)?.store;

  const classify = (req: EmuRequest) => {
    const route = parseRegistryPath(req.path);
    const m = req.method;
    const mutating = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(m);
    let operation = 'Unknown';
    switch (route.kind) {
      case 'ping':
        operation = 'Ping';
        break;
      case 'blob':
        operation = m === 'HEAD' ? 'HeadBlob' : m === 'GET' ? 'GetBlob' : m === 'DELETE' ? 'DeleteBlob' : 'Blob';
        break;
      case 'upload':
        operation =
          m === 'POST'
            ? req.query.has('mount')
              ? 'MountBlob'
              : req.query.has('digest')
                ? 'UploadBlob'
                : 'InitiateBlobUpload'
            : m === 'PATCH'
              ? 'UploadBlobChunk'
              : m === 'PUT'
                ? 'CompleteBlobUpload'
                : m === 'DELETE'
                  ? 'CancelBlobUpload'
                  : 'GetBlobUploadStatus';
        break;
      case 'manifest':
        operation =
          m === 'PUT'
            ? 'PutManifest'
            : m === 'HEAD'
              ? 'HeadManifest'
              : m === 'DELETE'
                ? 'DeleteManifest'
                : 'GetManifest';
        break;
      case 'tags':
        operation = 'ListTags';
        break;
    }
    return { operation, mutating };
  };

  const authorize = (req: EmuRequest, store: EcrStore, ctx: EmuContext): EmuResponse | undefined => {
    const header = req.headers.authorization ?? '';
    if (!header) {
      return registryError(401, 'UNAUTHORIZED', 'authentication required', null, challenge(req));
    }
    const m = /^Basic\s+(.+)$/i.exec(header.trim());
    if (!m)
      return registryError(
        401,
        'DENIED',
        'Not Authorized: only Basic auth with an ECR token is accepted',
        null,
        challenge(req),
      );
    const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon >= 0 ? decoded.slice(0, colon) : decoded;
    const password = colon >= 0 ? decoded.slice(colon + 1) : '';
    if (user !== 'AWS') return registryError(401, 'DENIED', 'Not Authorized', null, challenge(req));
    const status = store.checkToken(password, ctx.clock.now());
    if (status === 'expired') {
      return registryError(
        401,
        'DENIED',
        'Your authorization token has expired. Reauthenticate and try again.',
        null,
        challenge(req),
      );
    }
    if (status !== 'ok')
      return registryError(401, 'DENIED', 'Your authorization token is invalid.', null, challenge(req));
    return undefined;
  };

  const nameUnknown = (name: string, ctx: EmuContext) =>
    registryError(
      404,
      'NAME_UNKNOWN',
      `The repository with name '${name}' does not exist in the registry with id '${ctx.accountId}'`,
      { name },
    );

  const uploadHeaders = (name: string, upload: UploadSession): Record<string, string> => ({
    ...BASE_HEADERS,
    location: `/v2/${name}/blobs/uploads/${upload.uuid}`,
    range: rangeHeader(upload.size),
    'docker-upload-uuid': upload.uuid,
    'content-length': '0',
  });

  const blobCreated = (name: string, digest: string): EmuResponse => ({
    status: 201,
    headers: {
      ...BASE_HEADERS,
      location: `/v2/${name}/blobs/${digest}`,
      'docker-content-digest': digest,
      'content-length': '0',
    },
  });

  /** Verify and store a finished upload's bytes under `digest`. */
  const commitBlob = (repo: RepositoryRecord, digest: string | null, data: Buffer): EmuResponse => {
    if (!digest || !DIGEST_PATTERN.test(digest)) {
      return registryError(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content', { digest });
    }
    const actual = digestWithAlgorithmOf(digest, data);
    if (actual !== digest) {
      return registryError(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content', { digest, actual });
    }
    repo.blobs.set(digest, data);
    return blobCreated(repo.name, digest);
  };

  const handleUpload = (
    req: EmuRequest,
    route: { name: string; uuid: string },
    repo: RepositoryRecord,
    store: EcrStore,
    ctx: EmuContext,
  ): EmuResponse => {
    if (req.method === 'POST') {
      if (route.uuid) return registryError(405, 'UNSUPPORTED', 'POST to an upload session is not supported');
      const mount = req.query.get('mount');
      if (mount) {
        const from = store.getRepository(req.query.get('from') ?? '');
        const blob = from?.blobs.get(mount);
        if (blob) {
          repo.blobs.set(mount, blob);
          return blobCreated(repo.name, mount);
        }
      }
      if (req.query.has('digest')) return commitBlob(repo, req.query.get('digest'), req.body);
      const upload: UploadSession = {
        uuid: newUploadId(),
        repository: repo.name,
        chunks: [],
        size: 0,
        startedAt: ctx.clock.now(),
      };
      if (req.body.length > 0) {
        upload.chunks.push(req.body);
        upload.size = req.body.length;
      }
      store.uploads.set(upload.uuid, upload);
      return { status: 202, headers: uploadHeaders(repo.name, upload) };
    }
    const upload = store.uploads.get(route.uuid);
    if (!upload || upload.repository !== repo.name) {
      return registryError(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', { uuid: route.uuid });
    }
    switch (req.method) {
      case 'GET':
        return { status: 204, headers: uploadHeaders(repo.name, upload) };
      case 'DELETE':
        store.uploads.delete(upload.uuid);
        return { status: 204, headers: { ...BASE_HEADERS, 'content-length': '0' } };
      case 'PATCH': {
        const contentRange = req.headers['content-range'];
        if (contentRange) {
          const m = /^(?:bytes[ =])?(\d+)-(\d+)$/.exec(contentRange.trim());
          const start = m ? Number(m[1]) : Number.NaN;
          const end = m ? Number(m[2]) : Number.NaN;
          if (!m || start !== upload.size || end - start + 1 !== req.body.length) {
            return {
              status: 416,
              headers: { ...uploadHeaders(repo.name, upload), 'content-type': 'application/json; charset=utf-8' },
              body: JSON.stringify({
                errors: [
                  {
                    code: 'BLOB_UPLOAD_INVALID',
                    message: `Content-Range ${contentRange} does not continue the upload at offset ${upload.size}`,
                    detail: null,
                  },
                ],
              }),
            };
          }
        }
        upload.chunks.push(req.body);
        upload.size += req.body.length;
        return { status: 202, headers: uploadHeaders(repo.name, upload) };
      }
      case 'PUT': {
        const data = Buffer.concat([...upload.chunks, req.body]);
        const response = commitBlob(repo, req.query.get('digest'), data);
        if (response.status === 201) store.uploads.delete(upload.uuid);
        return response;
      }
      default:
        return registryError(405, 'UNSUPPORTED', `${req.method} is not supported on an upload`);
    }
  };

  const handleManifest = (
    req: EmuRequest,
    route: { name: string; reference: string },
    repo: RepositoryRecord,
    store: EcrStore,
    ctx: EmuContext,
  ): EmuResponse => {
    const isDigest = DIGEST_PATTERN.test(route.reference);
    if (!isDigest && !TAG_PATTERN.test(route.reference)) {
      return registryError(400, isDigest ? 'DIGEST_INVALID' : 'TAG_INVALID', `invalid reference '${route.reference}'`);
    }
    if (req.method === 'PUT') {
      try {
        const { image } = store.putManifest(repo, req.body, {
          ...(isDigest ? { expectedDigest: route.reference } : { tag: route.reference }),
          ...(req.headers['content-type'] ? { declaredMediaType: req.headers['content-type'] } : {}),
          mode: 'registry',
          now: ctx.clock.now(),
          accountId: ctx.accountId,
        });
        return {
          status: 201,
          headers: {
            ...BASE_HEADERS,
            location: `/v2/${repo.name}/manifests/${image.digest}`,
            'docker-content-digest': image.digest,
            'content-length': '0',
            ...(image.subject ? { 'oci-subject': image.subject } : {}),
          },
        };
      } catch (err) {
        if (err instanceof ImageStoreError) return storeErrorResponse(err);
        throw err;
      }
    }
    const image = store.resolve(repo, route.reference);
    if (req.method === 'DELETE') {
      if (!image) return registryError(404, 'MANIFEST_UNKNOWN', 'manifest unknown', { reference: route.reference });
      if (isDigest) store.deleteImage(repo, image.digest);
      else repo.tags.delete(route.reference);
      return { status: 202, headers: { ...BASE_HEADERS, 'content-length': '0' } };
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return registryError(405, 'UNSUPPORTED', `${req.method} is not supported on manifests`);
    }
    if (!image) {
      if (req.method === 'HEAD') return { status: 404, headers: { ...BASE_HEADERS, 'content-length': '0' } };
      return registryError(404, 'MANIFEST_UNKNOWN', `Requested image not found`, { reference: route.reference });
    }
    return {
      status: 200,
      headers: {
        ...BASE_HEADERS,
        'content-type': image.mediaType,
        'docker-content-digest': image.digest,
        etag: `"${image.digest}"`,
        'content-length': String(image.bytes.length),
      },
      body: image.bytes,
    };
  };

  const handleBlob = (
    req: EmuRequest,
    route: { name: string; digest: string },
    repo: RepositoryRecord,
  ): EmuResponse => {
    if (req.method === 'DELETE') {
      return registryError(405, 'UNSUPPORTED', 'The operation is unsupported.');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return registryError(405, 'UNSUPPORTED', 'The operation is unsupported.');
    if (!DIGEST_PATTERN.test(route.digest))
      return registryError(400, 'DIGEST_INVALID', `invalid digest '${route.digest}'`);
    const blob = repo.blobs.get(route.digest);
    if (!blob) {
      if (req.method === 'HEAD') return { status: 404, headers: { ...BASE_HEADERS, 'content-length': '0' } };
      return registryError(404, 'BLOB_UNKNOWN', 'blob unknown to registry', { digest: route.digest });
    }
    return {
      status: 200,
      headers: {
        ...BASE_HEADERS,
        'content-type': 'application/octet-stream',
        'docker-content-digest': route.digest,
        'content-length': String(blob.length),
        etag: `"${route.digest}"`,
      },
      body: blob,
    };
  };

  const handleTags = (req: EmuRequest, repo: RepositoryRecord): EmuResponse => {
    let tags = [...repo.tags.keys()].sort();
    const last = req.query.get('last');
    if (last) tags = tags.filter((t) => t > last);
    const nRaw = req.query.get('n');
    const headers: Record<string, string> = { ...BASE_HEADERS, 'content-type': 'application/json; charset=utf-8' };
    if (nRaw !== null) {
      const n = Number(nRaw);
      if (Number.isInteger(n) && n >= 0 && tags.length > n) {
        tags = tags.slice(0, n);
        headers.link = `</v2/${repo.name}/tags/list?n=${n}&last=${encodeURIComponent(tags[tags.length - 1] ?? '')}>; rel="next"`;
      }
    }
    return { status: 200, headers, body: JSON.stringify({ name: repo.name, tags }) };
  };

  return {
    name: 'registry',
    classify,
    handle(req, ctx) {
      const store = storeOf(ctx);
      if (!store) return registryError(503, 'UNAVAILABLE', 'the ecr service (image store) is not loaded');
      const route = parseRegistryPath(req.path);
      // A URL from GetDownloadUrlForLayer carries its own signature instead of credentials (ECR: pre-signed S3).
      if (route.kind === 'blob' && (req.method === 'GET' || req.method === 'HEAD')) {
        const signed = checkDownloadUrl(req.query, route.name, route.digest, ctx.clock.now());
        if (signed === 'expired' || signed === 'invalid') {
          return {
            status: 403,
            headers: { 'content-type': 'application/xml' },
            body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>${signed === 'expired' ? 'Request has expired' : 'The request signature we calculated does not match the signature you provided.'}</Message></Error>`,
          };
        }
        if (signed === 'ok') {
          const repo = store.getRepository(route.name);
          if (!repo) return nameUnknown(route.name, ctx);
          return handleBlob(req, route, repo);
        }
      }
      const denied = authorize(req, store, ctx);
      if (denied) return denied;
      if (route.kind === 'ping') {
        return {
          status: 200,
          headers: { ...BASE_HEADERS, 'content-type': 'application/json; charset=utf-8' },
          body: '{}',
        };
      }
      if (route.kind === 'unknown') return registryError(404, 'UNSUPPORTED', `unknown registry path ${req.path}`);
      const repo = store.getRepository(route.name);
      if (!repo) return nameUnknown(route.name, ctx);
      switch (route.kind) {
        case 'upload':
          return handleUpload(req, route, repo, store, ctx);
        case 'blob':
          return handleBlob(req, route, repo);
        case 'manifest':
          return handleManifest(req, route, repo, store, ctx);
        case 'tags':
          return handleTags(req, repo);
      }
    },
    reset() {
      // The store belongs to the ecr module when not shared explicitly; resetting a shared store twice is harmless.
      sharedStore?.reset();
    },
    throttleError() {
      return registryError(429, 'TOOMANYREQUESTS', 'Rate exceeded');
    },
  };
}
