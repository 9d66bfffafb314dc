// Amazon CloudFront control plane (rest-xml, API version path /2020-05-31/): distributions and invalidations.
// Invalidations go InProgress → Completed after a simulated duration (ctx.clock), distributions InProgress →
// Deployed. The documented in-progress limits apply per distribution: 3,000 file paths and 15 wildcard paths.
// See docs/cloudfront.md.
import { randomBytes } from 'node:crypto';
import type { EmuContext, EmuRequest, EmuResponse, SeedFixture, ServiceModule } from '../types.ts';
import { asArray, buildXml, parseXml, text } from './s3-xml.ts';

const CF_NS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';
const API = '/2020-05-31';
export const MAX_FILE_PATHS_IN_PROGRESS = 3000;
export const MAX_WILDCARD_PATHS_IN_PROGRESS = 15;
export const DEFAULT_INVALIDATION_SECONDS = 60;
export const DEFAULT_DEPLOY_SECONDS = 120;

export interface Invalidation {
  id: string;
  callerReference: string;
  paths: string[];
  createTime: number;
  completeAt: number;
}

export interface Distribution {
  id: string;
  arn: string;
  etag: string;
  domainName: string;
  callerReference: string;
  /** The DistributionConfig as parsed from the request (string leaves), re-serialised on output. */
  config: Record<string, unknown>;
  lastModified: number;
  deployedAt: number;
  invalidationSeconds: number;
  invalidations: Invalidation[];
  tags: Array<{ Key: string; Value?: string }>;
}

/** Seed fixture entries for the `distributions` key (see docs/cloudfront.md). */
export interface DistributionSeed {
  id?: string;
  /** S3 bucket the default origin points at (`<bucket>.s3.amazonaws.com`). */
  originBucket?: string;
  /** Any origin domain name (wins over originBucket). */
  originDomainName?: string;
  domainName?: string;
  comment?: string;
  enabled?: boolean;
  aliases?: string[];
  defaultRootObject?: string;
  /** `Deployed` (default for seeds) or `InProgress`. */
  status?: 'Deployed' | 'InProgress';
  /** Simulated seconds an invalidation stays InProgress (default 60). */
  invalidationSeconds?: number;
  callerReference?: string;
}

export interface CloudFrontService extends ServiceModule {
  distributions: Map<string, Distribution>;
  /** Seconds new invalidations stay InProgress on distributions without their own setting. */
  invalidationSeconds: number;
}

class CfError extends Error {
  status: number;
  code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
function randomId(prefix: string, length = 13): string {
  const bytes = randomBytes(length);
  let s = prefix;
  for (const b of bytes) s += ALNUM[b % ALNUM.length];
  return s;
}

function randomDomain(): string {
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(13);
  let s = 'd';
  for (const b of bytes) s += chars[b % chars.length];
  return `${s}.cloudfront.net`;
}

type Route =
  | { op: 'CreateDistribution' | 'CreateDistributionWithTags' | 'ListDistributions' }
  | { op: 'GetDistribution' | 'GetDistributionConfig' | 'UpdateDistribution' | 'DeleteDistribution'; id: string }
  | { op: 'CreateInvalidation' | 'ListInvalidations'; id: string }
  | { op: 'GetInvalidation'; id: string; invalidationId: string }
  | { op: 'Unknown' };

function route(req: EmuRequest): Route {
  const p = req.path.replace(/\/+$/, '');
  const m = req.method;
  if (p === `${API}/distribution`) {
    if (m === 'POST') return { op: req.query.has('WithTags') ? 'CreateDistributionWithTags' : 'CreateDistribution' };
    if (m === 'GET') return { op: 'ListDistributions' };
  }
  let r = new RegExp(`^${API}/distribution/([^/]+)$`).exec(p);
  if (r?.[1]) {
    if (m === 'GET') return { op: 'GetDistribution', id: r[1] };
    if (m === 'DELETE') return { op: 'DeleteDistribution', id: r[1] };
  }
  r = new RegExp(`^${API}/distribution/([^/]+)/config$`).exec(p);
  if (r?.[1]) {
    if (m === 'GET') return { op: 'GetDistributionConfig', id: r[1] };
    if (m === 'PUT') return { op: 'UpdateDistribution', id: r[1] };
  }
  r = new RegExp(`^${API}/distribution/([^/]+)/invalidation$`).exec(p);
  if (r?.[1]) {
    if (m === 'POST') return { op: 'CreateInvalidation', id: r[1] };
    if (m === 'GET') return { op: 'ListInvalidations', id: r[1] };
  }
  r = new RegExp(`^${API}/distribution/([^/]+)/invalidation/([^/]+)$`).exec(p);
  if (r?.[1] && r[2] && m === 'GET') return { op: 'GetInvalidation', id: r[1], invalidationId: r[2] };
  return { op: 'Unknown' };
}

const MUTATING = new Set([
  'CreateDistribution',
  'CreateDistributionWithTags',
  'UpdateDistribution',
  'DeleteDistribution',
  'CreateInvalidation',
]);

function errorResponse(req: EmuRequest, e: CfError): EmuResponse {
  return {
    status: e.status,
    headers: { 'content-type': 'text/xml' },
    body: buildXml(
      'ErrorResponse',
      {
        Error: { Type: e.status >= 500 ? 'Receiver' : 'Sender', Code: e.code, Message: e.message },
        RequestId: req.requestId,
      },
      CF_NS,
    ),
  };
}

function xml(
  status: number,
  root: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): EmuResponse {
  return { status, headers: { 'content-type': 'text/xml', ...headers }, body: buildXml(root, body, CF_NS) };
}

/** Drop whitespace-only text nodes a pretty-printed request leaves behind. */
function clean(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clean);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) {
      if (k === '#text' && typeof val === 'string' && val.trim() === '') continue;
      out[k] = clean(val);
    }
    return out;
  }
  return v;
}

function parseBody(req: EmuRequest, root: string, arrays: string[] = []): Record<string, unknown> {
  if (req.body.length === 0)
    throw new CfError(
      400,
      'MissingBody',
      'This operation requires a body. Ensure that the body is present and the Content-Type header is set.',
    );
  let parsed: Record<string, unknown>;
  try {
    parsed = clean(parseXml(req.body, arrays, true)) as Record<string, unknown>;
  } catch {
    throw new CfError(400, 'MalformedInput', 'Could not parse the request body as XML');
  }
  const node = parsed[root];
  if (!node || typeof node !== 'object') throw new CfError(400, 'MalformedInput', `Expected a <${root}> element`);
  return node as Record<string, unknown>;
}

function quantityItems(node: unknown, itemName: string): unknown[] {
  const items = (node as Record<string, unknown> | undefined)?.Items as Record<string, unknown> | undefined;
  return asArray(items?.[itemName] as unknown[]);
}

function validateConfig(config: Record<string, unknown>): void {
  const required = ['CallerReference', 'Origins', 'DefaultCacheBehavior', 'Comment', 'Enabled'];
  for (const r of required) {
    if (config[r] === undefined) throw new CfError(400, 'InvalidArgument', `The parameter ${r} is required.`);
  }
  const origins = quantityItems(config.Origins, 'Origin');
  const quantity = Number(text(config.Origins, 'Quantity'));
  if (quantity !== origins.length) {
    throw new CfError(400, 'InconsistentQuantities', "The value of Quantity and the size of Items don't match.");
  }
  if (origins.length === 0)
    throw new CfError(400, 'InvalidArgument', 'The parameter Origins must contain at least one origin.');
  const ids = origins.map((o) => text(o, 'Id'));
  for (const o of origins) {
    if (!text(o, 'Id') || !text(o, 'DomainName')) {
      throw new CfError(400, 'InvalidArgument', 'The parameter origin Id and DomainName are required.');
    }
  }
  const target = text(config.DefaultCacheBehavior, 'TargetOriginId');
  if (!target || !ids.includes(target)) {
    throw new CfError(404, 'NoSuchOrigin', 'One or more of your origins or origin groups do not exist.');
  }
  const enabled = text(config, 'Enabled');
  if (enabled !== 'true' && enabled !== 'false') {
    throw new CfError(400, 'InvalidArgument', 'The parameter Enabled must be true or false.');
  }
}

/** CloudFront's path rules: starts with `/`, `*` only as the last character, at most 4,000 characters. */
export function invalidPathReason(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must begin with a slash (/)';
  const star = path.indexOf('*');
  if (star >= 0 && star !== path.length - 1) return 'the * wildcard must be the last character';
  if (path.length > 4000) return 'is longer than 4,000 characters';
  return undefined;
}

export const isWildcardPath = (p: string) => p.endsWith('*');

export function createCloudFrontService(): CloudFrontService {
  const distributions = new Map<string, Distribution>();

  const status = (d: Distribution, now: number) => (now >= d.deployedAt ? 'Deployed' : 'InProgress');
  const invStatus = (i: Invalidation, now: number) => (now >= i.completeAt ? 'Completed' : 'InProgress');
  const inProgress = (d: Distribution, now: number) =>
    d.invalidations.filter((i) => invStatus(i, now) === 'InProgress');

  const get = (id: string): Distribution => {
    const d = distributions.get(id);
    if (!d) throw new CfError(404, 'NoSuchDistribution', 'The specified distribution does not exist.');
    return d;
  };

  const distributionBody = (d: Distribution, now: number): Record<string, unknown> => ({
    Id: d.id,
    ARN: d.arn,
    Status: status(d, now),
    LastModifiedTime: new Date(d.lastModified).toISOString(),
    InProgressInvalidationBatches: inProgress(d, now).length,
    DomainName: d.domainName,
    ActiveTrustedSigners: { Enabled: false, Quantity: 0 },
    ActiveTrustedKeyGroups: { Enabled: false, Quantity: 0 },
    DistributionConfig: d.config,
  });

  const summary = (d: Distribution, now: number): Record<string, unknown> => {
    const c = d.config;
    const pick = (k: string, dflt: unknown) => (c[k] !== undefined ? c[k] : dflt);
    return {
      Id: d.id,
      ARN: d.arn,
      ETag: d.etag,
      Status: status(d, now),
      LastModifiedTime: new Date(d.lastModified).toISOString(),
      DomainName: d.domainName,
      Aliases: pick('Aliases', { Quantity: 0 }),
      Origins: c.Origins,
      ...(c.OriginGroups !== undefined ? { OriginGroups: c.OriginGroups } : {}),
      DefaultCacheBehavior: c.DefaultCacheBehavior,
      CacheBehaviors: pick('CacheBehaviors', { Quantity: 0 }),
      CustomErrorResponses: pick('CustomErrorResponses', { Quantity: 0 }),
      Comment: pick('Comment', ''),
      PriceClass: pick('PriceClass', 'PriceClass_All'),
      Enabled: pick('Enabled', 'true'),
      ViewerCertificate: pick('ViewerCertificate', {
        CloudFrontDefaultCertificate: true,
        SSLSupportMethod: 'vip',
        MinimumProtocolVersion: 'TLSv1',
        CertificateSource: 'cloudfront',
      }),
      Restrictions: pick('Restrictions', { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } }),
      WebACLId: pick('WebACLId', ''),
      HttpVersion: pick('HttpVersion', 'http2'),
      IsIPV6Enabled: pick('IsIPV6Enabled', 'true'),
      Staging: pick('Staging', 'false'),
    };
  };

  const invalidationBody = (i: Invalidation, now: number): Record<string, unknown> => ({
    Id: i.id,
    Status: invStatus(i, now),
    CreateTime: new Date(i.createTime).toISOString(),
    InvalidationBatch: {
      Paths: { Quantity: i.paths.length, ...(i.paths.length > 0 ? { Items: { Path: i.paths } } : {}) },
      CallerReference: i.callerReference,
    },
  });

  const createDistribution = (req: EmuRequest, ctx: EmuContext, withTags: boolean): EmuResponse => {
    let config: Record<string, unknown>;
    let tags: Distribution['tags'] = [];
    if (withTags) {
      const root = parseBody(req, 'DistributionConfigWithTags');
      config = (root.DistributionConfig ?? {}) as Record<string, unknown>;
      tags = quantityItems((root.Tags as Record<string, unknown> | undefined) ?? {}, 'Tag').map((t) => ({
        Key: text(t, 'Key') ?? '',
        ...(text(t, 'Value') !== undefined ? { Value: text(t, 'Value') as string } : {}),
      }));
    } else {
      config = parseBody(req, 'DistributionConfig');
    }
    validateConfig(config);
    const callerReference = text(config, 'CallerReference') as string;
    for (const d of distributions.values()) {
      if (d.callerReference === callerReference) {
        throw new CfError(
          409,
          'DistributionAlreadyExists',
          `The caller reference that you are using to create a distribution is associated with another distribution. Already exists: ${d.id}`,
        );
      }
    }
    const now = ctx.clock.now();
    const id = randomId('E');
    const d: Distribution = {
      id,
      arn: `arn:aws:cloudfront::${ctx.accountId}:distribution/${id}`,
      etag: randomId('E'),
      domainName: randomDomain(),
      callerReference,
      config,
      lastModified: now,
      deployedAt: now + DEFAULT_DEPLOY_SECONDS * 1000,
      invalidationSeconds: service.invalidationSeconds,
      invalidations: [],
      tags,
    };
    distributions.set(id, d);
    return xml(201, 'Distribution', distributionBody(d, now), {
      location: `https://cloudfront.amazonaws.com${API}/distribution/${id}`,
      etag: d.etag,
    });
  };

  /** UpdateDistribution / DeleteDistribution: If-Match must carry the distribution's current ETag. */
  const checkIfMatch = (req: EmuRequest, d: Distribution): void => {
    const ifMatch = req.headers['if-match'];
    if (!ifMatch)
      throw new CfError(400, 'InvalidIfMatchVersion', 'The If-Match version is missing or not valid for the resource.');
    if (ifMatch !== d.etag)
      throw new CfError(
        412,
        'PreconditionFailed',
        'The precondition given in one or more of the request-header fields evaluated to false.',
      );
  };

  const updateDistribution = (req: EmuRequest, id: string, ctx: EmuContext): EmuResponse => {
    const d = get(id);
    checkIfMatch(req, d);
    const config = parseBody(req, 'DistributionConfig');
    validateConfig(config);
    if (text(config, 'CallerReference') !== d.callerReference) {
      throw new CfError(
        400,
        'IllegalUpdate',
        'The update contains modifications that are not allowed (CallerReference).',
      );
    }
    const now = ctx.clock.now();
    d.config = config;
    d.etag = randomId('E');
    d.lastModified = now;
    d.deployedAt = now + DEFAULT_DEPLOY_SECONDS * 1000;
    return xml(200, 'Distribution', distributionBody(d, now), { etag: d.etag });
  };

  const deleteDistribution = (req: EmuRequest, id: string, ctx: EmuContext): EmuResponse => {
    const d = get(id);
    checkIfMatch(req, d);
    if (text(d.config, 'Enabled') !== 'false' || status(d, ctx.clock.now()) !== 'Deployed') {
      throw new CfError(
        409,
        'DistributionNotDisabled',
        "The distribution you are trying to delete hasn't been disabled.",
      );
    }
    distributions.delete(id);
    return { status: 204 };
  };

  const createInvalidation = (req: EmuRequest, id: string, ctx: EmuContext): EmuResponse => {
    const d = get(id);
    const batch = parseBody(req, 'InvalidationBatch', ['Path']);
    const callerReference = text(batch, 'CallerReference');
    if (!callerReference) throw new CfError(400, 'InvalidArgument', 'The parameter CallerReference is required.');
    const pathsNode = batch.Paths as Record<string, unknown> | undefined;
    if (!pathsNode) throw new CfError(400, 'InvalidArgument', 'The parameter Paths is required.');
    const paths = quantityItems(pathsNode, 'Path').map((p) =>
      typeof p === 'string' ? p : String(text({ p }, 'p') ?? ''),
    );
    const quantity = Number(text(pathsNode, 'Quantity'));
    if (!Number.isInteger(quantity) || quantity !== paths.length) {
      throw new CfError(400, 'InconsistentQuantities', "The value of Quantity and the size of Items don't match.");
    }
    if (paths.length === 0) throw new CfError(400, 'InvalidArgument', 'Your request contains no invalidation paths.');
    for (const p of paths) {
      const reason = invalidPathReason(p);
      if (reason)
        throw new CfError(
          400,
          'InvalidArgument',
          `Your request contains one or more invalid invalidation paths: ${p} ${reason}.`,
        );
    }
    const now = ctx.clock.now();
    const existing = d.invalidations.find((i) => i.callerReference === callerReference);
    if (existing) {
      const same =
        existing.paths.length === paths.length &&
        [...existing.paths].sort().join('\n') === [...paths].sort().join('\n');
      if (!same) {
        throw new CfError(
          409,
          'InvalidationBatchAlreadyExists',
          `The invalidation batch with CallerReference ${callerReference} already exists with different paths: ${existing.id}`,
        );
      }
      return xml(201, 'Invalidation', invalidationBody(existing, now), {
        location: `https://cloudfront.amazonaws.com${API}/distribution/${d.id}/invalidation/${existing.id}`,
      });
    }
    const newWild = paths.filter(isWildcardPath).length;
    const newFiles = paths.length - newWild;
    if (newWild > MAX_WILDCARD_PATHS_IN_PROGRESS || newFiles > MAX_FILE_PATHS_IN_PROGRESS) {
      throw new CfError(
        413,
        'BatchTooLarge',
        `Invalidation batch specified is too large: ${newFiles} file paths (max ${MAX_FILE_PATHS_IN_PROGRESS}) and ${newWild} wildcard paths (max ${MAX_WILDCARD_PATHS_IN_PROGRESS}).`,
      );
    }
    const running = inProgress(d, now);
    const runWild = running.reduce((n, i) => n + i.paths.filter(isWildcardPath).length, 0);
    const runFiles = running.reduce((n, i) => n + i.paths.length, 0) - runWild;
    if (runWild + newWild > MAX_WILDCARD_PATHS_IN_PROGRESS || runFiles + newFiles > MAX_FILE_PATHS_IN_PROGRESS) {
      throw new CfError(
        400,
        'TooManyInvalidationsInProgress',
        `Processing your request will cause you to exceed the maximum number of in-progress wildcard invalidations (${MAX_WILDCARD_PATHS_IN_PROGRESS}) or file invalidations (${MAX_FILE_PATHS_IN_PROGRESS}). In progress: ${runWild} wildcard, ${runFiles} file paths.`,
      );
    }
    const inv: Invalidation = {
      id: randomId('I'),
      callerReference,
      paths,
      createTime: now,
      completeAt: now + d.invalidationSeconds * 1000,
    };
    d.invalidations.push(inv);
    return xml(201, 'Invalidation', invalidationBody(inv, now), {
      location: `https://cloudfront.amazonaws.com${API}/distribution/${d.id}/invalidation/${inv.id}`,
    });
  };

  const listInvalidations = (req: EmuRequest, id: string, now: number): EmuResponse => {
    const d = get(id);
    const marker = req.query.get('Marker') ?? '';
    const maxItems = Math.max(1, Math.min(Number(req.query.get('MaxItems') ?? '100') || 100, 100));
    const all = [...d.invalidations].reverse(); // newest first
    const start = marker ? all.findIndex((i) => i.id === marker) + 1 : 0;
    const page = all.slice(start, start + maxItems);
    const truncated = start + page.length < all.length;
    return xml(200, 'InvalidationList', {
      Marker: marker,
      ...(truncated && page.length > 0 ? { NextMarker: page[page.length - 1]?.id } : {}),
      MaxItems: maxItems,
      IsTruncated: truncated,
      Quantity: page.length,
      ...(page.length > 0
        ? {
            Items: {
              InvalidationSummary: page.map((i) => ({
                Id: i.id,
                CreateTime: new Date(i.createTime).toISOString(),
                Status: invStatus(i, now),
              })),
            },
          }
        : {}),
    });
  };

  const listDistributions = (req: EmuRequest, now: number): EmuResponse => {
    const marker = req.query.get('Marker') ?? '';
    const maxItems = Math.max(1, Math.min(Number(req.query.get('MaxItems') ?? '100') || 100, 1000));
    const all = [...distributions.values()];
    const start = marker ? all.findIndex((d) => d.id === marker) + 1 : 0;
    const page = all.slice(start, start + maxItems);
    const truncated = start + page.length < all.length;
    return xml(200, 'DistributionList', {
      Marker: marker,
      ...(truncated && page.length > 0 ? { NextMarker: page[page.length - 1]?.id } : {}),
      MaxItems: maxItems,
      IsTruncated: truncated,
      Quantity: page.length,
      ...(page.length > 0 ? { Items: { DistributionSummary: page.map((d) => summary(d, now)) } } : {}),
    });
  };

  const dispatch = (req: EmuRequest, ctx: EmuContext): EmuResponse => {
    const r = route(req);
    const now = ctx.clock.now();
    switch (r.op) {
      case 'CreateDistribution':
        return createDistribution(req, ctx, false);
      case 'CreateDistributionWithTags':
        return createDistribution(req, ctx, true);
      case 'ListDistributions':
        return listDistributions(req, now);
      case 'GetDistribution': {
        const d = get(r.id);
        return xml(200, 'Distribution', distributionBody(d, now), { etag: d.etag });
      }
      case 'GetDistributionConfig': {
        const d = get(r.id);
        return xml(200, 'DistributionConfig', d.config, { etag: d.etag });
      }
      case 'UpdateDistribution':
        return updateDistribution(req, r.id, ctx);
      case 'DeleteDistribution':
        return deleteDistribution(req, r.id, ctx);
      case 'CreateInvalidation':
        return createInvalidation(req, r.id, ctx);
      case 'ListInvalidations':
        return listInvalidations(req, r.id, now);
      case 'GetInvalidation': {
        const d = get(r.id);
        const inv = d.invalidations.find((i) => i.id === r.invalidationId);
        if (!inv) throw new CfError(404, 'NoSuchInvalidation', 'The specified invalidation does not exist.');
        return xml(200, 'Invalidation', invalidationBody(inv, now));
      }
      default:
        throw new CfError(400, 'UnsupportedOperation', `The emulator does not implement ${req.method} ${req.path}.`);
    }
  };

  const service: CloudFrontService = {
    name: 'cloudfront',
    distributions,
    invalidationSeconds: DEFAULT_INVALIDATION_SECONDS,
    classify(req) {
      const r = route(req);
      return { operation: r.op, mutating: MUTATING.has(r.op) };
    },
    handle(req, ctx) {
      try {
        return dispatch(req, ctx);
      } catch (err) {
        if (err instanceof CfError) return errorResponse(req, err);
        throw err;
      }
    },
    reset() {
      distributions.clear();
      service.invalidationSeconds = DEFAULT_INVALIDATION_SECONDS;
    },
    seed(fixture: SeedFixture, ctx: EmuContext) {
      const now = ctx.clock.now();
      for (const s of (fixture.distributions ?? []) as DistributionSeed[]) {
        const id = s.id ?? randomId('E');
        const origin = s.originDomainName ?? (s.originBucket ? `${s.originBucket}.s3.amazonaws.com` : 'example.com');
        const originId = s.originBucket ? `S3-${s.originBucket}` : 'origin-1';
        const aliases = s.aliases ?? [];
        const config: Record<string, unknown> = {
          CallerReference: s.callerReference ?? `seed-${id}`,
          Aliases: { Quantity: aliases.length, ...(aliases.length > 0 ? { Items: { CNAME: aliases } } : {}) },
          DefaultRootObject: s.defaultRootObject ?? 'index.html',
          Origins: {
            Quantity: 1,
            Items: {
              Origin: {
                Id: originId,
                DomainName: origin,
                OriginPath: '',
                CustomHeaders: { Quantity: 0 },
                S3OriginConfig: { OriginAccessIdentity: '' },
              },
            },
          },
          DefaultCacheBehavior: {
            TargetOriginId: originId,
            ViewerProtocolPolicy: 'redirect-to-https',
            CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
            Compress: 'true',
          },
          Comment: s.comment ?? '',
          Enabled: String(s.enabled ?? true),
        };
        distributions.set(id, {
          id,
          arn: `arn:aws:cloudfront::${ctx.accountId}:distribution/${id}`,
          etag: randomId('E'),
          domainName: s.domainName ?? randomDomain(),
          callerReference: text(config, 'CallerReference') as string,
          config,
          lastModified: now,
          deployedAt: s.status === 'InProgress' ? now + DEFAULT_DEPLOY_SECONDS * 1000 : now,
          invalidationSeconds: s.invalidationSeconds ?? service.invalidationSeconds,
          invalidations: [],
          tags: [],
        });
      }
    },
    throttleError(req) {
      return errorResponse(req, new CfError(400, 'Throttling', 'Rate exceeded'));
    },
  };
  return service;
}
