// `pin-digest`: resolve image tags to `repo@sha256:…` through ECR DescribeImages. Planning is pure (which containers
// can be looked up where); `resolveDigest` is the lookup. ecs/taskdef's `pinImageDigests` applies them to a task
// definition for render-task-def and deploy-ecs.
import { DescribeImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { DeployFailure } from '../runtime/errors';
import { formatImageRef, type ImageRef, parseImageRef } from '../runtime/inputs/image';

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
  /** `repo:tag@digest`: the tag must resolve to that digest in ECR, or the image is not what its tag says. */
  | { container: string; image: string; action: 'verify'; lookup: EcrLookup; ref: ImageRef; digest: string }
  | { container: string; image: string; action: 'skip'; reason: string };

/**
 * Decide, per container, how `pin-digest` resolves its image:
 * - pinned by digest and tagged (`repo:v1.4.0@sha256:…`) in an ECR registry → verify: ECS runs the digest, so a tag
 *   that names another image (#14: the summary said v1.4.0 while v1.3.0 ran) is an error;
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
    if (ref.digest && !ref.tag) return { container: name, image, action: 'skip', reason: 'already pinned by digest' };
    const tag = ref.tag ?? 'latest';
    const ecr = parseEcrHost(ref.registry);
    const lookup: EcrLookup | undefined = ecr
      ? { registryId: ecr.registryId, region: ecr.region, repositoryName: ref.repository, tag }
      : ref.registry && endpointHost && sameHost(ref.registry, endpointHost)
        ? { registryId: undefined, region: undefined, repositoryName: ref.repository, tag }
        : undefined;
    if (lookup && ref.digest) return { container: name, image, action: 'verify', ref, lookup, digest: ref.digest };
    if (lookup) return { container: name, image, action: 'lookup', ref, lookup };
    if (ref.digest) return { container: name, image, action: 'skip', reason: 'already pinned by digest' };
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

/** The digest of `repository:tag` through ECR DescribeImages; DeployFailure when the tag does not exist. */
export async function resolveDigest(ecr: ECRClient, lookup: EcrLookup, signal: AbortSignal): Promise<string> {
  const where = `${lookup.repositoryName}:${lookup.tag}${lookup.registryId ? ` in registry ${lookup.registryId}` : ''}`;
  try {
    const out = await ecr.send(
      new DescribeImagesCommand({
        ...(lookup.registryId ? { registryId: lookup.registryId } : {}),
        repositoryName: lookup.repositoryName,
        imageIds: [{ imageTag: lookup.tag }],
      }),
      { abortSignal: signal },
    );
    const digest = out.imageDetails?.find((d) => d.imageDigest)?.imageDigest;
    if (!digest) throw new DeployFailure(`pin-digest: ECR returned no digest for ${where}`);
    return digest;
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'ImageNotFoundException')
      throw new DeployFailure(`pin-digest: image ${where} not found in ECR`, { cause: err });
    if (name === 'RepositoryNotFoundException') {
      throw new DeployFailure(
        `pin-digest: ECR repository '${lookup.repositoryName}' not found${lookup.registryId ? ` in registry ${lookup.registryId}` : ''}`,
        {
          cause: err,
        },
      );
    }
    throw err;
  }
}

/**
 * Why a `repo:tag@digest` image is not what it says, or undefined when the tag resolves to that digest. `resolved` is
 * the tag's digest in ECR (undefined: the tag does not exist). Pure: the message for ConfigurationError.
 */
export function taggedDigestProblem(
  step: { container: string; image: string; lookup: EcrLookup; digest: string },
  resolved: string | undefined,
): string | undefined {
  if (resolved === step.digest) return undefined;
  const tag = `${step.lookup.repositoryName}:${step.lookup.tag}`;
  const found = resolved === undefined ? `tag ${tag} does not exist in ECR` : `tag ${tag} is ${resolved} in ECR`;
  return (
    `container '${step.container}': image ${step.image} names a tag and a digest of different images (${found}); ` +
    `ECS would run ${step.digest} while the tag says otherwise. Give the tag alone, the digest alone, or the tag with its own digest`
  );
}

/** The digest of `repository:tag`, undefined when the tag or repository does not exist (other errors propagate). */
export async function findDigest(ecr: ECRClient, lookup: EcrLookup, signal: AbortSignal): Promise<string | undefined> {
  try {
    return await resolveDigest(ecr, lookup, signal);
  } catch (err) {
    const name = (err as { cause?: { name?: string } }).cause?.name;
    if (name === 'ImageNotFoundException' || name === 'RepositoryNotFoundException') return undefined;
    throw err;
  }
}
