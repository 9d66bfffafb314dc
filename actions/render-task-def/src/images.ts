// Image references and digest pinning: pure parsing and planning, no AWS calls.

/** A parsed Docker image reference `[registry/]repository[:tag][@digest]`. */
export interface ImageRef {
  /** Registry host (with port), undefined for Docker Hub short names (`nginx`, `library/nginx`). */
  registry: string | undefined;
  repository: string;
  tag: string | undefined;
  digest: string | undefined;
}

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const HOST =
  '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::\\d+)?';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE_RE = new RegExp(
  `^(?:(${HOST})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);

/**
 * Parse an image reference following the Docker reference grammar. The first path component is a registry host
 * when it contains '.' or ':' or is 'localhost' (as Docker decides). Returns undefined when it is not a valid
 * reference (upper-case repository, spaces, bad tag, ...).
 */
export function parseImageRef(image: string): ImageRef | undefined {
  const m = REFERENCE_RE.exec(image);
  if (!m) {
    // `host/path` where the host has no dot/colon was matched as a path above; anything else is invalid.
    return undefined;
  }
  let registry = m[1];
  let repository = m[2]!;
  if (registry !== undefined && !/[.:]/.test(registry) && registry !== 'localhost' && !registry.startsWith('[')) {
    // e.g. `myorg/app`: the first component is part of the path (Docker Hub), but HOST matched it.
    if (!new RegExp(`^${PATH_COMPONENT}$`).test(registry)) return undefined;
    repository = `${registry}/${repository}`;
    registry = undefined;
  }
  return { registry, repository, tag: m[3], digest: m[4] };
}

export function formatImageRef(ref: ImageRef): string {
  return `${ref.registry ? `${ref.registry}/` : ''}${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** Where DescribeImages has to look for an image. */
export interface EcrLookup {
  /** Account id of the registry (undefined: the caller's default registry). */
  registryId: string | undefined;
  /** Region of the registry (undefined: the action's region). */
  region: string | undefined;
  repositoryName: string;
  tag: string;
}

const ECR_HOST_RE = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
const ECR_DUALSTACK_HOST_RE = /^(\d{12})\.dkr-ecr(?:-fips)?\.([a-z0-9-]+)\.on\.aws$/;

/** Account id and region of a private ECR registry host, or undefined for any other host. */
export function parseEcrHost(host: string | undefined): { registryId: string; region: string } | undefined {
  if (!host) return undefined;
  const m = ECR_HOST_RE.exec(host) ?? ECR_DUALSTACK_HOST_RE.exec(host);
  return m ? { registryId: m[1]!, region: m[2]! } : undefined;
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

function sameHost(a: string, b: string): boolean {
  const canon = (h: string) => h.toLowerCase().replace(/^(localhost|\[::1\])(?=:|$)/, '127.0.0.1');
  return canon(a) === canon(b);
}

export type PinStep =
  | { container: string; image: string; action: 'lookup'; lookup: EcrLookup; ref: ImageRef }
  | { container: string; image: string; action: 'skip'; reason: string };

/**
 * Decide, per container, how `pin-digest` resolves its image:
 * - already pinned by digest → skip;
 * - private ECR URI `<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>` → DescribeImages in that account and
 *   region (a missing tag means `latest`, as Docker does);
 * - any other registry host that is the host of the configured ECR endpoint (AWS_ENDPOINT_URL_ECR /
 *   AWS_ENDPOINT_URL, e.g. the local emulator `127.0.0.1:4566/repo:tag`) → DescribeImages on the repository name
 *   in the caller's default registry and the action's region;
 * - anything else (Docker Hub, public.ecr.aws, ghcr.io, …) cannot be resolved through ECR → skip with the reason.
 */
export function planDigestPins(
  containers: ReadonlyArray<{ name: string; image: string }>,
  ecrEndpointUrl: string | undefined,
): PinStep[] {
  const endpointHost = hostOf(ecrEndpointUrl);
  return containers.map(({ name, image }): PinStep => {
    const ref = parseImageRef(image);
    if (!ref) return { container: name, image, action: 'skip', reason: 'not a valid image reference' };
    if (ref.digest) return { container: name, image, action: 'skip', reason: 'already pinned by digest' };
    const tag = ref.tag ?? 'latest';
    const ecr = parseEcrHost(ref.registry);
    if (ecr) {
      return {
        container: name,
        image,
        action: 'lookup',
        ref,
        lookup: { registryId: ecr.registryId, region: ecr.region, repositoryName: ref.repository, tag },
      };
    }
    if (ref.registry && endpointHost && sameHost(ref.registry, endpointHost)) {
      return {
        container: name,
        image,
        action: 'lookup',
        ref,
        lookup: { registryId: undefined, region: undefined, repositoryName: ref.repository, tag },
      };
    }
    return {
      container: name,
      image,
      action: 'skip',
      reason: `not in a private ECR registry (${ref.registry ?? 'Docker Hub'}): left as is`,
    };
  });
}

/** `registry/repo:tag` + digest → `registry/repo@sha256:…` (the tag is dropped: the digest is what runs). */
export function pinnedImage(ref: ImageRef, digest: string): string {
  return formatImageRef({ ...ref, tag: undefined, digest });
}
