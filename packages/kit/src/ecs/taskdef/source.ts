// Where a template task definition comes from: a file (already parsed by the inputs), the latest ACTIVE revision of
// a family, or a specific revision (DescribeTaskDefinition with tags; read-only). Used by render-task-def and
// deploy-ecs.
import { DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { ConfigurationError } from '../../runtime/errors';
import type { TaskDefTemplateSource } from './render-inputs';
import { type TaskDefJson, unwrapTaskDefinition } from './taskdef';

/**
 * How ECS answers DescribeTaskDefinition for a family / revision / ARN that does not exist (ClientException "Unable
 * to describe task definition.") or a malformed reference (InvalidParameterException).
 */
export function isTaskDefinitionNotFound(err: unknown): boolean {
  return err instanceof Error && (err.name === 'ClientException' || err.name === 'InvalidParameterException');
}

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

export interface LoadedTaskDefTemplate {
  taskDefinition: TaskDefJson;
  /** The file path, or the ARN of the revision described (the reference when ECS gave none). */
  source: string;
  /** The DescribeTaskDefinition answer, for family and ARN templates. */
  described?: DescribedTaskDefinition;
}

/**
 * Load the template: a file template is returned as parsed; a family or ARN is described (the ECS client is only
 * created then). No such family / revision → ConfigurationError on template-family / template-arn, saying
 * `in <region>` when `region` is given.
 */
export async function loadTaskDefTemplate(
  ecs: () => ECSClient,
  template: TaskDefTemplateSource,
  signal: AbortSignal,
  options: { region?: string } = {},
): Promise<LoadedTaskDefTemplate> {
  if (template.kind === 'file') return { taskDefinition: template.taskDefinition, source: template.path };
  const isFamily = template.kind === 'family';
  const reference = template.kind === 'family' ? template.family : template.reference;
  const described = await describeTaskDefinition(ecs(), reference, signal);
  if (!described) {
    const where = options.region === undefined ? '' : ` in ${options.region}`;
    throw new ConfigurationError(
      isFamily ? 'template-family' : 'template-arn',
      isFamily
        ? `family '${reference}' has no ACTIVE revision${where}`
        : `task definition '${reference}' not found${where}`,
    );
  }
  return { taskDefinition: described.taskDefinition, source: described.arn ?? reference, described };
}
