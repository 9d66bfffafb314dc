import { BatchGetImageCommand, type ECRClient, type ImageIdentifier, PutImageCommand } from '@aws-sdk/client-ecr';
import { describeEcrRepository, type EcrRepositorySettings } from '@deploy-actions/kit/ecr';
import { ConfigurationError, DeployFailure, isErrorNamed } from '@deploy-actions/kit/runtime';
import type { RepositoryPlan, RepositoryState } from './plan';

// ECR helpers. Reads: DescribeRepositories (URI, tag mutability) and BatchGetImage (source manifest, which wanted
// tags exist on which digest). Writes: PutImage with the exact manifest bytes and media type (re-tag without pulling,
// AWS guide "image-retag"; shared anchors/s3-cloudfront-ecr.md §3).

/** Everything the planner needs about one repository; read-only. */
export async function readRepository(
  ecr: ECRClient,
  name: string,
  region: string,
  sourceTag: string,
  tags: readonly string[],
  /** The repository's description when its lookup was started earlier (main: while GitHub lists the tags). */
  described: Promise<EcrRepositorySettings | undefined> = describeEcrRepository(ecr, name),
): Promise<RepositoryState> {
  const repo = await described;
  if (!repo) {
    throw new ConfigurationError(
      'repositories',
      `ECR repository '${name}' does not exist in ${region}: check the repositories and aws-region inputs`,
    );
  }

  const imageIds: ImageIdentifier[] = [sourceTag, ...tags.filter((t) => t !== sourceTag)].map((imageTag) => ({
    imageTag,
  }));
  const out = await ecr.send(new BatchGetImageCommand({ repositoryName: name, imageIds }));
  const unexpected = (out.failures ?? []).filter((f) => f.failureCode !== 'ImageNotFound');
  if (unexpected.length) {
    throw new DeployFailure(
      `ECR BatchGetImage on ${name}: ${unexpected.map((f) => `${f.imageId?.imageTag}: ${f.failureCode} ${f.failureReason ?? ''}`.trim()).join('; ')}`,
    );
  }
  let source: RepositoryState['source'];
  const existing: Record<string, string> = {};
  for (const image of out.images ?? []) {
    const tag = image.imageId?.imageTag;
    const digest = image.imageId?.imageDigest;
    if (!tag || !digest) continue;
    if (tag === sourceTag) {
      if (!image.imageManifest) throw new DeployFailure(`ECR returned no manifest for ${name}:${sourceTag}`);
      source = { digest, manifest: image.imageManifest, mediaType: image.imageManifestMediaType };
    }
    if (tags.includes(tag)) existing[tag] = digest;
  }
  return { ...repo, source, existing };
}

export type PutResult = 'written' | 'already-exists';

/**
 * PutImage one tag with the source manifest. ImageAlreadyExistsException means the tag already points at this
 * digest (aws/aws-sdk#750, aws-sdk-js-v3#6642): success, as on an idempotent re-run or a concurrent run. The media
 * type is always passed: OCI manifests may omit `mediaType` and ECR then rejects them (containers-roadmap#1873).
 */
export async function putTag(ecr: ECRClient, plan: RepositoryPlan, tag: string): Promise<PutResult> {
  try {
    await ecr.send(
      new PutImageCommand({
        repositoryName: plan.name,
        imageManifest: plan.manifest,
        imageTag: tag,
        imageDigest: plan.digest,
        ...(plan.mediaType ? { imageManifestMediaType: plan.mediaType } : {}),
      }),
    );
    return 'written';
  } catch (err) {
    if (isErrorNamed(err, 'ImageAlreadyExistsException')) return 'already-exists';
    if (isErrorNamed(err, 'ImageTagAlreadyExistsException')) {
      throw new DeployFailure(
        `${plan.name}:${tag} was created on another image while this release ran (the repository's tags are immutable): ` +
          'check who else pushes release tags',
        { cause: err },
      );
    }
    throw err;
  }
}
