import type { Platform } from './model';

// Image platforms, judged as ECS's container runtime pulls them (pure): a multi-platform index must list the task's
// platform ("no match for platform in manifest"), a single-platform image's config must be for it (otherwise the task
// starts and dies with "exec format error", the seeds' "built for linux/amd64?" item).

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
/** What the preflight accepts from BatchGetImage / a registry: indexes as stored, manifests in either format. */
export const ACCEPTED_MANIFEST_TYPES = [OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST];

export interface PlatformSpec {
  os?: string;
  architecture?: string;
  variant?: string;
}

export interface ManifestJson {
  mediaType?: string;
  config?: { digest?: string; mediaType?: string };
  manifests?: Array<{ digest?: string; mediaType?: string; platform?: PlatformSpec }>;
}

export function isIndex(mediaType: string | undefined, manifest: ManifestJson): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_LIST || (!mediaType && Array.isArray(manifest.manifests));
}

export function platformName(p: PlatformSpec): string {
  return `${p.os ?? '?'}/${p.architecture ?? '?'}${p.variant ? `/${p.variant}` : ''}`;
}

/** The platforms an index offers (attestation entries, `unknown/unknown`, left out). */
export function indexPlatforms(manifest: ManifestJson): PlatformSpec[] {
  return (manifest.manifests ?? [])
    .map((m) => m.platform ?? {})
    .filter((p) => p.os && p.architecture && p.os !== 'unknown' && p.architecture !== 'unknown');
}

const matches = (p: PlatformSpec, want: Platform) => p.os === want.os && p.architecture === want.architecture;

const otherArch = (want: Platform) => (want.architecture === 'arm64' ? 'X86_64' : 'ARM64');

/** Why a single-platform image cannot run on the task's platform, with the fix; undefined when it can. */
export function imagePlatformProblem(
  image: string,
  found: PlatformSpec,
  want: Platform,
): { message: string; fix: string } | undefined {
  if (matches(found, want)) return undefined;
  const wanted = `${want.os}/${want.architecture}`;
  return {
    message: `image ${image} is built for ${platformName(found)}, but the task runs on ${wanted} (runtimePlatform ${want.label}): ECS would start it and it would exit with "exec format error"`,
    fix:
      `build and push the image for ${wanted} (docker buildx build --platform ${wanted}, buildah bud --platform ${wanted})` +
      (found.os === want.os ? `, or set runtimePlatform.cpuArchitecture to ${otherArch(want)}` : ''),
  };
}

/** Why an index has no image for the task's platform, with the fix; undefined when it has one. */
export function indexPlatformProblem(
  image: string,
  offered: readonly PlatformSpec[],
  want: Platform,
): { message: string; fix: string } | undefined {
  if (offered.some((p) => matches(p, want))) return undefined;
  const wanted = `${want.os}/${want.architecture}`;
  return {
    message: `image ${image} is a multi-platform image for ${offered.map(platformName).join(', ') || 'no platform'}, without ${wanted} that the task runs on (runtimePlatform ${want.label}): ECS would fail to pull it ("no match for platform in manifest")`,
    fix: `add ${wanted} to the build (docker buildx build --platform ${[wanted, ...offered.map(platformName)].join(',')}), or set runtimePlatform to a platform the image has`,
  };
}
