import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { resolveRegion } from '../../runtime/aws';
import { ConfigurationError } from '../../runtime/errors';
import {
  getBoolean,
  getDuration,
  getInteger,
  getList,
  getOptionalString,
  getString,
  parseInteger,
  parseJson,
  quote,
} from '../../runtime/inputs/readers';
import { TaskDefinitionShapeError, unwrapTaskDefinition } from '../taskdef/taskdef';
import { type HealthCheckSpec, parseHealthUrl } from './health-check';
import { FAMILY_REVISION_RE, parseRollbackTo, provenanceFromEnv, TASK_DEFINITION_ARN_RE, tagValue } from './known-good';
import type { DeployRequest, ServiceRequest, TaskDefSpec } from './model';

// The deploy inputs shared by deploy-ecs-wait and deploy-ecs (same names, same meaning): read + validated here,
// so each action's inputs.ts stays the only place that reads inputs while the rules exist once.

const SERVICE_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** `services` lines: `api` or `api=<task-definition file or ARN>`; names validated, duplicates rejected. */
export function parseServiceLines(
  input: string,
  items: readonly string[],
): Array<{ service: string; taskDefinition?: string }> {
  if (items.length === 0) throw new ConfigurationError(input, 'is required: one or more ECS service names');
  const seen = new Set<string>();
  return items.map((item) => {
    const eq = item.indexOf('=');
    const service = (eq === -1 ? item : item.slice(0, eq)).trim();
    const td = eq === -1 ? undefined : item.slice(eq + 1).trim();
    if (!SERVICE_NAME.test(service)) {
      throw new ConfigurationError(
        input,
        `${quote(service)} is not a service name (letters, digits, - and _ only; use 'service=task-def-file' to pair one with a task definition)`,
      );
    }
    if (eq !== -1 && !td) throw new ConfigurationError(input, `${quote(item)}: missing task definition after '='`);
    if (seen.has(service)) throw new ConfigurationError(input, `service ${quote(service)} is listed twice`);
    seen.add(service);
    return td ? { service, taskDefinition: td } : { service };
  });
}

/**
 * A task definition reference: an ARN (or `family:revision`) or a JSON file (plain RegisterTaskDefinition JSON or
 * describe-task-definition output, e.g. render-task-def's output). Files are read and checked here.
 */
export function loadTaskDefSpec(input: string, value: string, baseDir: string): TaskDefSpec {
  const v = value.trim();
  if (v.startsWith('arn:')) {
    if (!TASK_DEFINITION_ARN_RE.test(v)) {
      throw new ConfigurationError(
        input,
        `expected a task definition revision ARN (arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>) or a file, got ${quote(v)}`,
      );
    }
    return { kind: 'arn', arn: v, source: v };
  }
  const path = isAbsolute(v) ? v : resolve(baseDir, v);
  if (!existsSync(path)) {
    if (FAMILY_REVISION_RE.test(v)) return { kind: 'arn', arn: v, source: v };
    throw new ConfigurationError(input, `file ${quote(v)} not found (expected a task definition JSON file or an ARN)`);
  }
  if (!statSync(path).isFile()) throw new ConfigurationError(input, `${quote(v)} is not a file`);
  const json = parseJson(input, readFileSync(path, 'utf8'), `task definition JSON in ${v}`);
  let td: Record<string, unknown>;
  try {
    td = unwrapTaskDefinition(json);
  } catch (err) {
    if (err instanceof TaskDefinitionShapeError) throw new ConfigurationError(input, `${v}: ${err.message}`);
    throw err;
  }
  if (typeof td.family !== 'string' || td.family === '') {
    throw new ConfigurationError(input, `${v}: the task definition has no "family"`);
  }
  return { kind: 'json', json: td, source: v };
}

export interface EcsDeployInputOptions {
  /** Base directory for relative files (default GITHUB_WORKSPACE or cwd). */
  baseDir?: string;
  /**
   * deploy-ecs renders the task definition itself: then `task-definition` is not read and every service gets
   * `renderedTaskDefinition` (set later), so `services` lines must not carry `=file`.
   */
  rendered?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface EcsDeployInputs {
  request: DeployRequest;
  /** Raw `task-definition` input, when given. */
  taskDefinitionInput?: string;
}

/** Read and validate every shared deploy input (no AWS call). */
export function readEcsDeployInputs(options: EcsDeployInputOptions = {}): EcsDeployInputs {
  const env = options.env ?? process.env;
  const baseDir = options.baseDir ?? env.GITHUB_WORKSPACE ?? process.cwd();
  const cluster = getString('cluster', { required: true });
  if (
    !/^[A-Za-z0-9_-]{1,255}$/.test(cluster) &&
    !/^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255}$/.test(cluster)
  ) {
    throw new ConfigurationError('cluster', `expected a cluster name or ARN, got ${quote(cluster)}`);
  }
  const lines = parseServiceLines('services', getList('services'));
  const rollbackRaw = getOptionalString('rollback-to');
  const rollbackTo = rollbackRaw === undefined ? undefined : parseRollbackTo('rollback-to', rollbackRaw);
  const tdInput = options.rendered ? undefined : getOptionalString('task-definition');

  let services: ServiceRequest[];
  if (rollbackTo) {
    if (tdInput) {
      throw new ConfigurationError(
        'rollback-to',
        'cannot be combined with task-definition: a rollback redeploys an existing revision',
      );
    }
    const paired = lines.find((l) => l.taskDefinition);
    if (paired) {
      throw new ConfigurationError(
        'services',
        `${paired.service}=${paired.taskDefinition}: rollback-to takes plain service names`,
      );
    }
    services = lines.map((l) => ({ service: l.service }));
  } else if (options.rendered) {
    const paired = lines.find((l) => l.taskDefinition);
    if (paired) {
      throw new ConfigurationError(
        'services',
        `${paired.service}=${paired.taskDefinition}: this action renders one task definition for all services; list names only`,
      );
    }
    services = lines.map((l) => ({ service: l.service }));
  } else {
    const shared = tdInput ? loadTaskDefSpec('task-definition', tdInput, baseDir) : undefined;
    services = lines.map((l) => {
      if (l.taskDefinition)
        return { service: l.service, taskDefinition: loadTaskDefSpec('services', l.taskDefinition, baseDir) };
      if (!shared) {
        throw new ConfigurationError(
          'task-definition',
          `is required: a task definition file or ARN for ${l.service} (or write 'service=file' lines in services, or set rollback-to)`,
        );
      }
      return { service: l.service, taskDefinition: shared };
    });
  }

  const desiredRaw = getOptionalString('desired-count');
  const desiredCount =
    desiredRaw === undefined ? undefined : parseInteger('desired-count', desiredRaw, { min: 0, max: 5000 });
  const forceNewDeployment = getBoolean('force-new-deployment', false);
  const wait = getBoolean('wait', true);
  const waitTimeoutMs = getDuration('wait-timeout', '30m');
  if (waitTimeoutMs < 1000) throw new ConfigurationError('wait-timeout', 'must be at least 1s');
  if (waitTimeoutMs > 6 * 3600_000)
    throw new ConfigurationError('wait-timeout', 'must be at most 6h (the GitHub job limit)');

  const urls = getList('health-check-url').map((u) => parseHealthUrl('health-check-url', u));
  const expectStatus = getInteger('health-check-status', { default: 200, min: 100, max: 599 });
  const bodyContains = getOptionalString('health-check-body');
  const healthCheckTimeoutMs = getDuration('health-check-timeout', '2m');
  if (!urls.length && bodyContains !== undefined) {
    throw new ConfigurationError('health-check-body', 'is set but health-check-url is empty');
  }
  if (urls.length && !wait)
    throw new ConfigurationError(
      'health-check-url',
      'needs wait: true (health is checked after the rollout COMPLETED)',
    );
  const healthChecks: HealthCheckSpec[] = urls.map((url) => ({
    url,
    expectStatus,
    ...(bodyContains !== undefined ? { bodyContains } : {}),
  }));

  const autoRollback = getBoolean('auto-rollback', true);
  const markKnownGood = getBoolean('mark-known-good', true);
  const keepRevisions = getInteger('keep-revisions', { default: 0, min: 0, max: 1000 });
  const thresholdRaw = getOptionalString('failure-threshold');
  const failureThreshold =
    thresholdRaw === undefined ? undefined : parseInteger('failure-threshold', thresholdRaw, { min: 1, max: 200 });
  const version = getOptionalString('version');
  if (version !== undefined && tagValue(version) !== version) {
    throw new ConfigurationError(
      'version',
      `${quote(version)} has characters an ECS tag value cannot hold (allowed: letters, digits, spaces, + - = . _ : / @)`,
    );
  }
  const region = resolveRegion(getOptionalString('aws-region'), env);

  return {
    request: {
      cluster,
      services,
      ...(desiredCount !== undefined ? { desiredCount } : {}),
      forceNewDeployment,
      wait,
      waitTimeoutMs,
      healthChecks,
      healthCheckTimeoutMs,
      autoRollback,
      markKnownGood,
      ...(keepRevisions > 0 ? { keepRevisions } : {}),
      ...(failureThreshold !== undefined ? { failureThreshold } : {}),
      ...(version !== undefined ? { version } : {}),
      ...(rollbackTo ? { rollbackTo } : {}),
      provenance: provenanceFromEnv(env),
      region,
    },
    ...(tdInput ? { taskDefinitionInput: tdInput } : {}),
  };
}
