// Where a task definition comes from: a file (read once, here, for every input that names one), the latest ACTIVE
// revision of a family, or a specific revision (DescribeTaskDefinition with tags; read-only).
import { readFileSync, statSync } from 'node:fs';
import { DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { ConfigurationError } from '../../runtime/errors';
import { parseJson, quote } from '../../runtime/inputs/readers';
import { type TaskDefReference, taskDefReferenceText } from '../../runtime/inputs/taskdef-ref';
import { TaskDefinitionShapeError, type TaskDefJson, unwrapTaskDefinition } from './taskdef';

/**
 * A task-definition reference (runtime/inputs' one union) with its file read: what render, the deploy engine and the
 * one-off task take. `family` without a revision means the family's latest ACTIVE revision.
 */
export type TaskDefSource =
  | { kind: 'file'; path: string; taskDefinition: TaskDefJson }
  | Exclude<TaskDefReference, { kind: 'file' }>;

/** The reference as ECS takes it, for the kinds that name a registered revision. */
export function registeredReference(source: Extract<TaskDefSource, { kind: 'arn' | 'family' }>): string {
  return taskDefReferenceText(source);
}

/** A parsed reference → a source (a file is read here). */
export function loadTaskDefSource(input: string, ref: TaskDefReference): TaskDefSource {
  if (ref.kind !== 'file') return ref;
  return { kind: 'file', path: ref.path, taskDefinition: readTaskDefFile(input, ref) };
}

/**
 * Read a task definition file the reference parser found (RegisterTaskDefinition JSON or describe-task-definition
 * output): JSON errors with line and column, the shape checked, a `family` required. The one reader of every
 * task-definition file input (template, task-definition, services lines).
 */
export function readTaskDefFile(input: string, ref: Extract<TaskDefReference, { kind: 'file' }>): TaskDefJson {
  let text: string;
  try {
    if (statSync(ref.absolutePath).isDirectory()) {
      throw new ConfigurationError(input, `${quote(ref.path)} is a directory, expected a JSON file`);
    }
    text = readFileSync(ref.absolutePath, 'utf8');
  } catch (err) {
    if (err instanceof ConfigurationError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ConfigurationError(input, `file not found: ${ref.path} (looked at ${ref.absolutePath})`);
    }
    throw new ConfigurationError(input, `cannot read ${ref.path}: ${(err as Error).message}`);
  }
  const json = parseJson(input, text.replace(/^\uFEFF/, ''), `JSON in ${ref.path}`);
  let td: TaskDefJson;
  try {
    td = unwrapTaskDefinition(json);
  } catch (err) {
    if (err instanceof TaskDefinitionShapeError) throw new ConfigurationError(input, `${ref.path}: ${err.message}`);
    throw err;
  }
  if (typeof td.family !== 'string' || td.family === '') {
    throw new ConfigurationError(input, `${ref.path}: the task definition has no "family"`);
  }
  return td;
}

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
  template: TaskDefSource,
  signal: AbortSignal,
  options: { region?: string } = {},
): Promise<LoadedTaskDefTemplate> {
  if (template.kind === 'file') return { taskDefinition: template.taskDefinition, source: template.path };
  if (template.kind === 'service') throw new Error('a template is never service:current');
  const isFamily = template.kind === 'family' && template.revision === undefined;
  const reference = registeredReference(template);
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
