// What ECR tells about an image beyond its manifest bytes: manifest conversion between Docker v2 schema 2 and OCI
// for BatchGetImage's acceptedMediaTypes, the platform an image is for (its config blob, or its index entries), and
// the pre-signed download URLs GetDownloadUrlForLayer hands out. Shared by ECR (ecr.ts), the registry (registry.ts)
// and ECS task start (ecs-task-start.ts).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type ImageRecord, MEDIA_TYPES, type RepositoryRecord } from './ecr-store.ts';

export const INDEX_MEDIA_TYPES: readonly string[] = [MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.ociIndex];
const SINGLE_MANIFEST_TYPES: readonly string[] = [MEDIA_TYPES.dockerManifest, MEDIA_TYPES.ociManifest];

// Docker ↔ OCI media types of the config and layer descriptors (image-spec media-types.md compatibility matrix).
const DOCKER_TO_OCI: Record<string, string> = {
  [MEDIA_TYPES.dockerManifest]: MEDIA_TYPES.ociManifest,
  [MEDIA_TYPES.dockerConfig]: MEDIA_TYPES.ociConfig,
  [MEDIA_TYPES.dockerLayer]: MEDIA_TYPES.ociLayer,
  'application/vnd.docker.image.rootfs.diff.tar': 'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip':
    'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
};
const OCI_TO_DOCKER: Record<string, string> = Object.fromEntries(
  Object.entries(DOCKER_TO_OCI).map(([docker, oci]) => [oci, docker]),
);

/**
 * The manifest BatchGetImage returns for `acceptedMediaTypes`, per "Amazon ECR image manifest conversion"
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-manifest-formats.html): the stored format when it is
 * accepted; looked up by tag, a Docker v2 schema 2 manifest converts to OCI and back; looked up by digest nothing
 * converts ("When you pull an image by digest, there's no translation available"). Indexes and manifest lists are
 * never converted. `undefined`: no accepted format (ECR then reports the image as not found).
 */
export function manifestFor(
  image: ImageRecord,
  accepted: readonly string[] | undefined,
  byTag: boolean,
): { manifest: string; mediaType: string } | undefined {
  const stored = { manifest: image.bytes.toString('utf8'), mediaType: image.mediaType };
  if (!accepted || accepted.length === 0 || accepted.includes(image.mediaType)) return stored;
  if (!byTag || !SINGLE_MANIFEST_TYPES.includes(image.mediaType)) return undefined;
  const toOci = image.mediaType === MEDIA_TYPES.dockerManifest;
  const target = toOci ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest;
  if (!accepted.includes(target)) return undefined;
  const map = toOci ? DOCKER_TO_OCI : OCI_TO_DOCKER;
  const doc = JSON.parse(stored.manifest) as {
    mediaType?: string;
    config?: { mediaType?: string };
    layers?: Array<{ mediaType?: string }>;
  };
  const convert = (d: { mediaType?: string } | undefined) => {
    if (!d?.mediaType) return d;
    const m = map[d.mediaType];
    if (!m) throw new Error(`no ${target} equivalent for ${d.mediaType}`);
    return { ...d, mediaType: m };
  };
  try {
    const converted = {
      ...doc,
      mediaType: target,
      config: convert(doc.config),
      layers: (doc.layers ?? []).map(convert),
    };
    return { manifest: JSON.stringify(converted), mediaType: target };
  } catch {
    return undefined; // e.g. zstd layers have no Docker equivalent
  }
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** The image config blob (architecture, os, config, rootfs…) of a single-platform image, if stored and JSON. */
export function imageConfig(repo: RepositoryRecord, image: ImageRecord): Record<string, unknown> | undefined {
  const blob = image.config ? repo.blobs.get(image.config.digest) : undefined;
  if (!blob) return undefined;
  try {
    const doc = JSON.parse(blob.toString('utf8')) as unknown;
    return doc && typeof doc === 'object' ? (doc as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The platform a single-platform image was built for, from its config blob. */
export function imagePlatform(repo: RepositoryRecord, image: ImageRecord): Platform | undefined {
  const c = imageConfig(repo, image);
  if (typeof c?.architecture !== 'string' || typeof c.os !== 'string') return undefined;
  return { os: c.os, architecture: c.architecture, ...(typeof c.variant === 'string' ? { variant: c.variant } : {}) };
}

/** The platforms an index lists (entries without a platform, such as attestations, are left out). */
export function indexPlatforms(image: ImageRecord): Array<Platform & { digest: string }> {
  const out: Array<Platform & { digest: string }> = [];
  for (const m of image.manifests) {
    const p = m.platform as { os?: unknown; architecture?: unknown; variant?: unknown } | undefined;
    if (typeof p?.os !== 'string' || typeof p.architecture !== 'string' || p.os === 'unknown') continue;
    out.push({
      digest: m.digest,
      os: p.os,
      architecture: p.architecture,
      ...(typeof p.variant === 'string' ? { variant: p.variant } : {}),
    });
  }
  return out;
}

/** `linux/arm64/v8` style. */
export function platformString(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** ECS runtimePlatform → the OCI platform a Fargate task pulls (X86_64 → amd64, ARM64 → arm64; LINUX → linux). */
export function ociPlatformFor(
  runtimePlatform: { cpuArchitecture?: string; operatingSystemFamily?: string } | undefined,
): Platform {
  const arch = runtimePlatform?.cpuArchitecture === 'ARM64' ? 'arm64' : 'amd64';
  const family = runtimePlatform?.operatingSystemFamily ?? 'LINUX';
  return { os: family.startsWith('WINDOWS') ? 'windows' : 'linux', architecture: arch };
}

// ---------- pre-signed layer download URLs (GetDownloadUrlForLayer) ----------

/** How long a download URL stays valid (simulated). ECR hands out S3 pre-signed URLs; their lifetime is not
 * documented, one hour is our choice. */
export const DOWNLOAD_URL_LIFETIME_SECONDS = 3600;

const SECRET = randomBytes(32);

function signature(repository: string, digest: string, expiresAt: number): string {
  return createHmac('sha256', SECRET).update(`${repository}\n${digest}\n${expiresAt}`).digest('hex');
}

/** A URL that serves the blob without registry credentials until `expiresAt` (simulated epoch ms). */
export function downloadUrl(baseUrl: string, repository: string, digest: string, expiresAt: number): string {
  const q = new URLSearchParams({
    'X-Amz-Expires': String(DOWNLOAD_URL_LIFETIME_SECONDS),
    'X-Emulator-Expires-At': String(expiresAt),
    'X-Amz-Signature': signature(repository, digest, expiresAt),
  });
  return `${baseUrl}/v2/${repository}/blobs/${digest}?${q}`;
}

/** 'none' (no signature in the query: the registry's own auth applies), 'ok', 'expired' or 'invalid'. */
export function checkDownloadUrl(
  query: URLSearchParams,
  repository: string,
  digest: string,
  now: number,
): 'none' | 'ok' | 'expired' | 'invalid' {
  const sig = query.get('X-Amz-Signature');
  if (!sig) return 'none';
  const expiresAt = Number(query.get('X-Emulator-Expires-At'));
  const expected = Buffer.from(signature(repository, digest, expiresAt));
  const given = Buffer.from(sig);
  if (!Number.isFinite(expiresAt) || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return 'invalid';
  }
  return now < expiresAt ? 'ok' : 'expired';
}
