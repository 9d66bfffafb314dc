// The image store shared by the ECR control plane (services/ecr.ts, awsJson) and the OCI distribution data plane
// (services/registry.ts, /v2/...). One store per emulator instance: services/index.ts creates it and hands it to
// both services (or the registry finds it through the ecr module: `ctx.state.services.get('ecr').store`).
// Repositories hold blobs by digest, images (manifests) by digest with their exact bytes, and tags -> digest.
// The rules both fronts share (media types, referenced blobs, tag mutability, digests) live here; each front maps
// an `ImageStoreError` to its own wire form (ECR `__type` exceptions, registry `{"errors":[{code}]}`).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

const IMAGE_MANIFEST_TYPES: string[] = [MEDIA_TYPES.dockerManifest, MEDIA_TYPES.ociManifest];
const INDEX_TYPES: string[] = [MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.ociIndex];

export type TagMutability = 'MUTABLE' | 'IMMUTABLE' | 'IMMUTABLE_WITH_EXCLUSION' | 'MUTABLE_WITH_EXCLUSION';
export const TAG_MUTABILITY_VALUES: TagMutability[] = [
  'MUTABLE',
  'IMMUTABLE',
  'IMMUTABLE_WITH_EXCLUSION',
  'MUTABLE_WITH_EXCLUSION',
];

export interface ExclusionFilter {
  filterType: 'WILDCARD';
  filter: string;
}

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  urls?: string[];
  platform?: Record<string, unknown>;
  artifactType?: string;
}

export interface ImageRecord {
  digest: string;
  /** The exact manifest bytes as pushed: the digest is their sha256. */
  bytes: Buffer;
  mediaType: string;
  /** Simulated epoch ms of the first push of this digest. */
  pushedAt: number;
  config?: Descriptor;
  layers: Descriptor[];
  /** Children of an index / manifest list. */
  manifests: Descriptor[];
  artifactType?: string;
  subject?: string;
}

export interface RepositoryRecord {
  name: string;
  region: string;
  createdAt: number;
  imageTagMutability: TagMutability;
  exclusionFilters: ExclusionFilter[];
  resourceTags: Array<{ Key: string; Value: string }>;
  blobs: Map<string, Buffer>;
  images: Map<string, ImageRecord>;
  tags: Map<string, string>;
}

export interface UploadSession {
  uuid: string;
  repository: string;
  chunks: Buffer[];
  size: number;
  startedAt: number;
}

/** A domain error; `code` is the ECR exception name, the registry maps it to an OCI error code. */
export class ImageStoreError extends Error {
  readonly code: string;
  readonly detail?: unknown;
  constructor(code: string, message: string, detail?: unknown) {
    super(message);
    this.code = code;
    this.detail = detail;
  }
}

export const REPOSITORY_NAME_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
export const TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
export const DIGEST_PATTERN = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Digest of `data` with the algorithm named in `digest` (sha256 or sha512). */
export function digestWithAlgorithmOf(digest: string, data: Buffer): string {
  const algorithm = digest.startsWith('sha512:') ? 'sha512' : 'sha256';
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

function wildcardToRegExp(filter: string): RegExp {
  const escaped = filter.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/** Whether `tag` may not be moved to another image in this repository (tag mutability + exclusion filters). */
export function isTagImmutable(repo: RepositoryRecord, tag: string): boolean {
  const excluded = repo.exclusionFilters.some((f) => wildcardToRegExp(f.filter).test(tag));
  switch (repo.imageTagMutability) {
    case 'IMMUTABLE':
      return true;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !excluded;
    case 'MUTABLE_WITH_EXCLUSION':
      return excluded;
    default:
      return false;
  }
}

export interface ParsedManifest {
  mediaType: string;
  config?: Descriptor;
  layers: Descriptor[];
  manifests: Descriptor[];
  artifactType?: string;
  subject?: string;
}

const INVALID_JSON = "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'";

function isDescriptor(value: unknown): value is Descriptor {
  const d = value as Descriptor;
  return (
    !!d &&
    typeof d === 'object' &&
    typeof d.digest === 'string' &&
    DIGEST_PATTERN.test(d.digest) &&
    typeof d.size === 'number'
  );
}

/**
 * Parse and validate manifest bytes. `declaredType` is PutImage's imageManifestMediaType or the registry PUT's
 * Content-Type. ECR needs the manifest's own top-level `mediaType` unless the API caller declares it
 * (containers-roadmap#1873, aws-cli#8620): error code `InvalidParameterException`, message 'Invalid JSON syntax'.
 */
export function parseManifest(
  bytes: Buffer,
  declaredType: string | undefined,
  requireOwnMediaType: boolean,
): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new ImageStoreError('InvalidParameterException', INVALID_JSON);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw new ImageStoreError('InvalidParameterException', INVALID_JSON);
  const own = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const declared = declaredType?.split(';')[0]?.trim() || undefined;
  if (own && declared && own !== declared) {
    throw new ImageStoreError(
      'InvalidParameterException',
      `Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'the manifest's mediaType '${own}' does not match '${declared}''`,
    );
  }
  if (!own && requireOwnMediaType) throw new ImageStoreError('UnsupportedManifest', INVALID_JSON);
  const mediaType = own ?? declared;
  if (!mediaType) throw new ImageStoreError('InvalidParameterException', INVALID_JSON);
  if (mediaType === MEDIA_TYPES.dockerSchema1 || mediaType === MEDIA_TYPES.dockerSchema1Signed) {
    throw new ImageStoreError(
      'UnsupportedImageTypeException',
      'Docker image manifest schema 1 is not supported by this emulator',
    );
  }
  if (doc.schemaVersion !== 2) {
    throw new ImageStoreError('InvalidParameterException', INVALID_JSON);
  }
  const subject = isDescriptor(doc.subject) ? doc.subject.digest : undefined;
  const artifactType = typeof doc.artifactType === 'string' ? doc.artifactType : undefined;
  if (IMAGE_MANIFEST_TYPES.includes(mediaType)) {
    const layers = doc.layers;
    if (!isDescriptor(doc.config) || !Array.isArray(layers) || !layers.every(isDescriptor)) {
      throw new ImageStoreError('InvalidParameterException', INVALID_JSON);
    }
    return {
      mediaType,
      config: doc.config,
      layers,
      manifests: [],
      ...(artifactType ? { artifactType } : {}),
      ...(subject ? { subject } : {}),
    };
  }
  if (INDEX_TYPES.includes(mediaType)) {
    const manifests = doc.manifests;
    if (!Array.isArray(manifests) || !manifests.every(isDescriptor)) {
      throw new ImageStoreError('InvalidParameterException', INVALID_JSON);
    }
    return {
      mediaType,
      layers: [],
      manifests,
      ...(artifactType ? { artifactType } : {}),
      ...(subject ? { subject } : {}),
    };
  }
  throw new ImageStoreError('UnsupportedImageTypeException', `The manifest media type '${mediaType}' is not supported`);
}

/** Layers that must be present before a manifest referencing them is accepted (foreign layers with urls excepted). */
function requiredBlobs(parsed: ParsedManifest): string[] {
  const out: string[] = [];
  if (parsed.config) out.push(parsed.config.digest);
  for (const l of parsed.layers) {
    if (l.urls && l.urls.length > 0) continue;
    if (l.mediaType?.includes('foreign') || l.mediaType?.includes('nondistributable')) continue;
    out.push(l.digest);
  }
  return [...new Set(out)];
}

export interface PutManifestOptions {
  /** A tag to point at the manifest (registry PUT by tag, PutImage imageTag). */
  tag?: string;
  /** The digest the caller claims (registry PUT by digest, PutImage imageDigest). */
  expectedDigest?: string;
  declaredMediaType?: string;
  /** Data plane: a tag re-push of the same digest is a no-op success; API: ImageAlreadyExistsException. */
  mode: 'api' | 'registry';
  now: number;
  accountId: string;
}

export interface PutManifestResult {
  image: ImageRecord;
  created: boolean;
}

export interface EcrStore {
  readonly repositories: Map<string, RepositoryRecord>;
  readonly uploads: Map<string, UploadSession>;
  /** Registry passwords issued by GetAuthorizationToken → simulated expiry (epoch ms). */
  readonly tokens: Map<string, number>;
  reset(): void;
  createRepository(input: {
    name: string;
    region: string;
    now: number;
    imageTagMutability?: TagMutability;
    exclusionFilters?: ExclusionFilter[];
    resourceTags?: Array<{ Key: string; Value: string }>;
  }): RepositoryRecord;
  getRepository(name: string): RepositoryRecord | undefined;
  issueToken(expiresAt: number): string;
  /** 'ok' | 'expired' | 'unknown' for a registry password. */
  checkToken(password: string, now: number): 'ok' | 'expired' | 'unknown';
  /** Resolve `tag` or `sha256:...` to an image. */
  resolve(repo: RepositoryRecord, reference: string): ImageRecord | undefined;
  tagsOf(repo: RepositoryRecord, digest: string): string[];
  putManifest(repo: RepositoryRecord, bytes: Buffer, options: PutManifestOptions): PutManifestResult;
  /** Delete an image by digest with all its tags. */
  deleteImage(repo: RepositoryRecord, digest: string): void;
  /** Image size as ECR reports it: config + layers; an index reports its largest child. */
  imageSize(repo: RepositoryRecord, image: ImageRecord): number;
  /** Lookup by full image reference `<host>/<repo>:<tag>` or `<repo>@sha256:...`, for other services (ECS). */
  findImage(imageUri: string): { repository: RepositoryRecord; image: ImageRecord } | undefined;
  /** Build a tiny real image (config + one tar.gz layer + manifest) and push it (seeding). */
  synthesizeImage(repo: RepositoryRecord, input: SeedImage, now: number, accountId: string): Promise<ImageRecord>;
}

export interface SeedImage {
  tag?: string;
  tags?: string[];
  /** 'docker' (default, Docker v2 schema 2) or 'oci'. */
  format?: 'docker' | 'oci';
  /** Content of the single file /seed.txt in the layer (default: `<repo>:<tag>`); changes the digest. */
  content?: string;
  /** Extra config labels. */
  labels?: Record<string, string>;
  /** Platform in the config blob (default `amd64` / `linux`), as `docker build --platform` would record it. */
  architecture?: string;
  os?: string;
  variant?: string;
  /** A multi-platform image instead: `["linux/amd64", "linux/arm64"]` → one image per platform and an index (OCI
   * with `format: "oci"`, else a Docker manifest list) carrying the tags. */
  platforms?: string[];
}

export function createEcrStore(): EcrStore {
  const repositories = new Map<string, RepositoryRecord>();
  const uploads = new Map<string, UploadSession>();
  const tokens = new Map<string, number>();

  const tagsOf = (repo: RepositoryRecord, digest: string) =>
    [...repo.tags.entries()].filter(([, d]) => d === digest).map(([t]) => t);

  const imageSize = (repo: RepositoryRecord, image: ImageRecord, depth = 0): number => {
    if (image.manifests.length > 0) {
      if (depth > 4) return 0;
      let max = 0;
      for (const child of image.manifests) {
        const c = repo.images.get(child.digest);
        max = Math.max(max, c ? imageSize(repo, c, depth + 1) : 0);
      }
      return max;
    }
    return (image.config?.size ?? 0) + image.layers.reduce((sum, l) => sum + l.size, 0);
  };

  const store: EcrStore = {
    repositories,
    uploads,
    tokens,
    reset() {
      repositories.clear();
      uploads.clear();
      tokens.clear();
    },
    createRepository(input) {
      const repo: RepositoryRecord = {
        name: input.name,
        region: input.region,
        createdAt: input.now,
        imageTagMutability: input.imageTagMutability ?? 'MUTABLE',
        exclusionFilters: input.exclusionFilters ?? [],
        resourceTags: input.resourceTags ?? [],
        blobs: new Map(),
        images: new Map(),
        tags: new Map(),
      };
      repositories.set(input.name, repo);
      return repo;
    },
    getRepository: (name) => repositories.get(name),
    issueToken(expiresAt) {
      // Shaped like ECR's password: base64 of a JSON envelope (opaque to clients).
      const password = Buffer.from(
        JSON.stringify({
          payload: randomBytes(48).toString('base64'),
          datakey: randomBytes(24).toString('base64'),
          version: '2',
          type: 'DATA_KEY',
          expiration: Math.floor(expiresAt / 1000),
        }),
      ).toString('base64');
      tokens.set(password, expiresAt);
      return password;
    },
    checkToken(password, now) {
      const expiresAt = tokens.get(password);
      if (expiresAt === undefined) return 'unknown';
      return now < expiresAt ? 'ok' : 'expired';
    },
    resolve(repo, reference) {
      if (DIGEST_PATTERN.test(reference)) return repo.images.get(reference);
      const digest = repo.tags.get(reference);
      return digest ? repo.images.get(digest) : undefined;
    },
    tagsOf,
    putManifest(repo, bytes, options) {
      const parsed = parseManifest(bytes, options.declaredMediaType, options.mode === 'registry');
      const digest = sha256Digest(bytes);
      const where = `in the repository with name '${repo.name}' in the registry with id '${options.accountId}'`;
      if (options.expectedDigest && options.expectedDigest !== digest) {
        throw new ImageStoreError(
          'ImageDigestDoesNotMatchException',
          `Invalid parameter at 'imageDigest' failed to satisfy constraint: 'The provided digest '${options.expectedDigest}' does not match the digest '${digest}' of the image manifest'`,
          { digest: options.expectedDigest },
        );
      }
      if (options.tag !== undefined && !TAG_PATTERN.test(options.tag)) {
        throw new ImageStoreError(
          'InvalidParameterException',
          `Invalid parameter at 'imageTag' failed to satisfy constraint: 'must satisfy regular expression '${TAG_PATTERN.source}''`,
        );
      }
      const missingBlobs = requiredBlobs(parsed).filter((d) => !repo.blobs.has(d));
      if (missingBlobs.length > 0) {
        throw new ImageStoreError(
          'LayersNotFoundException',
          `Layers with digests '[${missingBlobs.join(', ')}]' required for pushing image into repository with name '${repo.name}' in the registry with id '${options.accountId}' do not exist`,
          { digests: missingBlobs },
        );
      }
      const missingImages = parsed.manifests.map((m) => m.digest).filter((d) => !repo.images.has(d));
      if (missingImages.length > 0) {
        throw new ImageStoreError(
          'ReferencedImagesNotFoundException',
          `Images with digests '[${[...new Set(missingImages)].join(', ')}]' referenced in the manifest list were not found ${where}`,
          { digests: missingImages },
        );
      }
      const existing = repo.images.get(digest);
      if (options.tag !== undefined) {
        const current = repo.tags.get(options.tag);
        if (current === digest && options.mode === 'api') {
          throw new ImageStoreError(
            'ImageAlreadyExistsException',
            `Image with digest '${digest}' and tag '${options.tag}' already exists ${where}`,
          );
        }
        if (
          current !== undefined &&
          isTagImmutable(repo, options.tag) &&
          (current !== digest || options.mode === 'registry')
        ) {
          throw new ImageStoreError(
            'ImageTagAlreadyExistsException',
            `The image tag '${options.tag}' already exists in the '${repo.name}' repository and cannot be overwritten because the repository is immutable.`,
          );
        }
      } else if (existing && options.mode === 'api') {
        throw new ImageStoreError(
          'ImageAlreadyExistsException',
          `Image with digest '${digest}' already exists ${where}`,
        );
      }
      const image: ImageRecord = existing ?? {
        digest,
        bytes: Buffer.from(bytes),
        mediaType: parsed.mediaType,
        pushedAt: options.now,
        ...(parsed.config ? { config: parsed.config } : {}),
        layers: parsed.layers,
        manifests: parsed.manifests,
        ...(parsed.artifactType ? { artifactType: parsed.artifactType } : {}),
        ...(parsed.subject ? { subject: parsed.subject } : {}),
      };
      if (!existing) repo.images.set(digest, image);
      if (options.tag !== undefined) repo.tags.set(options.tag, digest);
      return { image, created: !existing };
    },
    deleteImage(repo, digest) {
      repo.images.delete(digest);
      for (const t of tagsOf(repo, digest)) repo.tags.delete(t);
    },
    imageSize: (repo, image) => imageSize(repo, image),
    findImage(imageUri) {
      const withoutHost =
        imageUri.includes('/') && /[.:]|localhost/.test(imageUri.split('/')[0] ?? '')
          ? imageUri.slice(imageUri.indexOf('/') + 1)
          : imageUri;
      let name = withoutHost;
      let reference = 'latest';
      const at = withoutHost.indexOf('@');
      if (at >= 0) {
        name = withoutHost.slice(0, at);
        reference = withoutHost.slice(at + 1);
      } else {
        const colon = withoutHost.lastIndexOf(':');
        if (colon > withoutHost.lastIndexOf('/')) {
          name = withoutHost.slice(0, colon);
          reference = withoutHost.slice(colon + 1);
        }
      }
      const repository = repositories.get(name);
      const image = repository ? store.resolve(repository, reference) : undefined;
      return repository && image ? { repository, image } : undefined;
    },
    async synthesizeImage(repo, input, now, accountId) {
      const tags = [...(input.tag ? [input.tag] : []), ...(input.tags ?? [])];
      const oci = input.format === 'oci';
      const content = input.content ?? `${repo.name}:${tags[0] ?? 'untagged'}\n`;
      const single = async (platform: { os: string; architecture: string; variant?: string }) => {
        // Each platform's layer differs (as a real multi-platform build's would), so each child has its own digest.
        const tar = await tarWithFile(
          'seed.txt',
          Buffer.from(input.platforms ? `${content}${platform.architecture}\n` : content),
        );
        const layer = gzipSync(tar);
        const config = Buffer.from(
          JSON.stringify({
            architecture: platform.architecture,
            os: platform.os,
            ...(platform.variant ? { variant: platform.variant } : {}),
            config: { Cmd: ['/bin/sh'], Labels: { 'emulator.seed': 'true', ...(input.labels ?? {}) } },
            rootfs: { type: 'layers', diff_ids: [sha256Digest(tar)] },
            history: [{ created_by: 'aws-emulator seed' }],
          }),
        );
        const layerDigest = sha256Digest(layer);
        const configDigest = sha256Digest(config);
        repo.blobs.set(layerDigest, layer);
        repo.blobs.set(configDigest, config);
        return Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: oci ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest,
            config: {
              mediaType: oci ? MEDIA_TYPES.ociConfig : MEDIA_TYPES.dockerConfig,
              size: config.length,
              digest: configDigest,
            },
            layers: [
              {
                mediaType: oci ? MEDIA_TYPES.ociLayer : MEDIA_TYPES.dockerLayer,
                size: layer.length,
                digest: layerDigest,
              },
            ],
          }),
        );
      };
      let manifest: Buffer;
      if (input.platforms && input.platforms.length > 0) {
        // A multi-platform image: one child per platform (pushed untagged, as buildx/buildah do) and an index.
        const entries = [];
        for (const spec of input.platforms) {
          const [os = 'linux', architecture = 'amd64', variant] = spec.split('/');
          const child = await single({ os, architecture, ...(variant ? { variant } : {}) });
          store.putManifest(repo, child, { mode: 'registry', now, accountId });
          entries.push({
            mediaType: oci ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest,
            size: child.length,
            digest: sha256Digest(child),
            platform: { architecture, os, ...(variant ? { variant } : {}) },
          });
        }
        manifest = Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: oci ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.dockerManifestList,
            manifests: entries,
          }),
        );
      } else {
        manifest = await single({
          os: input.os ?? 'linux',
          architecture: input.architecture ?? 'amd64',
          ...(input.variant ? { variant: input.variant } : {}),
        });
      }
      const digest = sha256Digest(manifest);
      let image = store.putManifest(repo, manifest, { mode: 'registry', now, accountId }).image;
      for (const tag of tags) {
        if (repo.tags.get(tag) === digest) continue; // re-seeding the same fixture is a no-op, even when immutable
        image = store.putManifest(repo, manifest, { mode: 'registry', tag, now, accountId }).image;
      }
      return image;
    },
  };
  return store;
}

/** A one-file tar archive (fixed mtime/owner so seeded digests are deterministic). */
export function tarWithFile(name: string, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = pack();
    const chunks: Buffer[] = [];
    p.on('data', (c: unknown) => chunks.push(c as Buffer));
    p.on('end', () => resolve(Buffer.concat(chunks)));
    p.on('error', reject);
    p.entry({ name, size: data.length, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 }, data, (err) => {
      if (err) reject(err);
      else p.finalize();
    });
  });
}

export function newUploadId(): string {
  return randomUUID();
}
