// The AWS reads render-task-def makes (no writes): DescribeTaskDefinition and ECR DescribeImages.
import { DescribeImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { DeployFailure, type TaskDefJson, unwrapTaskDefinition } from '@deploy-actions/kit';
import type { EcrLookup } from './images';

export interface DescribedTaskDefinition {
  arn: string | undefined;
  /** The task definition with its tags folded in (describe output unwrapped). */
  taskDefinition: TaskDefJson;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; message?: string };
  // ECS answers an unknown family / revision (or one with no ACTIVE revision) with
  // ClientException "Unable to describe task definition."
  return (
    e?.name === 'ClientException' &&
    /unable to describe task definition|not found|does not exist/i.test(e.message ?? '')
  );
}

/**
 * DescribeTaskDefinition with include=TAGS. `reference` is a family (→ its latest ACTIVE revision), family:revision
 * or an ARN. Returns undefined when ECS says there is no such task definition.
 */
export async function describeTaskDefinition(
  ecs: ECSClient,
  reference: string,
  signal: AbortSignal,
): Promise<DescribedTaskDefinition | undefined> {
  try {
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: reference, include: ['TAGS'] }), {
      abortSignal: signal,
    });
    if (!out.taskDefinition) return undefined;
    return {
      arn: out.taskDefinition.taskDefinitionArn,
      taskDefinition: unwrapTaskDefinition({ taskDefinition: out.taskDefinition, tags: out.tags }),
    };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
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
