import { DescribeImagesCommand, type ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { describeEcrRepository } from '@deploy-actions/kit/ecr';
import { ConfigurationError, DeployFailure, isErrorNamed } from '@deploy-actions/kit/runtime';
import type { RepositoryState } from './plan';

// Small ECR helpers (read-only calls): repository settings, tag → digest, a registry token.

export async function describeRepository(ecr: ECRClient, name: string, region: string): Promise<RepositoryState> {
  const repo = await describeEcrRepository(ecr, name);
  if (!repo) {
    throw new ConfigurationError(
      'repository',
      `ECR repository '${name}' does not exist in region ${region}: create it first (e.g. aws ecr create-repository ` +
        `--repository-name ${name} --region ${region}) or check the repository and aws-region inputs`,
    );
  }
  return repo;
}

/** Digest of `repository:tag`, undefined when the tag does not exist. */
export async function tagDigest(ecr: ECRClient, repository: string, tag: string): Promise<string | undefined> {
  try {
    const out = await ecr.send(
      new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }),
    );
    return out.imageDetails?.find((d) => d.imageDigest)?.imageDigest;
  } catch (err) {
    if (isErrorNamed(err, 'ImageNotFoundException')) return undefined;
    throw err;
  }
}

/** Tag → digest for the tags that already exist. */
export async function existingTags(
  ecr: ECRClient,
  repository: string,
  tags: readonly string[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const tag of tags) {
    const digest = await tagDigest(ecr, repository, tag);
    if (digest) found.set(tag, digest);
  }
  return found;
}

export interface RegistryToken {
  token: string;
  proxyEndpoint: string;
  expiresAt: Date | undefined;
}

export async function getRegistryToken(ecr: ECRClient, signal?: AbortSignal): Promise<RegistryToken> {
  const out = await ecr.send(new GetAuthorizationTokenCommand({}), signal ? { abortSignal: signal } : {});
  const data = out.authorizationData?.[0];
  if (!data?.authorizationToken || !data.proxyEndpoint) {
    throw new DeployFailure('ECR GetAuthorizationToken returned no token or proxy endpoint');
  }
  return { token: data.authorizationToken, proxyEndpoint: data.proxyEndpoint, expiresAt: data.expiresAt };
}

/** Fetch a new token when less than `marginMs` of its life is left (builds can outlast a token: complaint #6). */
export function tokenNeedsRefresh(expiresAt: Date | undefined, now: number, marginMs = 30 * 60_000): boolean {
  return expiresAt !== undefined && expiresAt.getTime() - now < marginMs;
}
