import { resolveRegion } from '../../runtime/aws';
import { ConfigurationError } from '../../runtime/errors';
import { ECS_NAME_RE, parseCluster } from '../../runtime/inputs/aws-ids';
import { parseDurationInput } from '../../runtime/inputs/durations';
import { parseHealthCheckHeaders, parseHealthCheckUrl } from '../../runtime/inputs/health-check';
import {
  optionalInput,
  parseBoolean,
  parseInteger,
  parseList,
  quote,
  type RawInputs,
  rawInput,
  workspaceDir,
} from '../../runtime/inputs/readers';
import { parseTaskDefReference } from '../../runtime/inputs/taskdef-ref';
import { maskValue } from '../../runtime/redact';
import { loadTaskDefSource } from '../taskdef/source';
import type { HealthCheckSpec } from './health-check';
import { provenanceFromEnv, tagValue } from './known-good';
import type { DeployRequest, ServiceRequest, TaskDefSpec } from './model';
import { parseRollbackTo } from './rollback-target';

// The deploy inputs shared by deploy-ecs-wait and deploy-ecs (same names, same meaning), parsed from the raw inputs
// each action's parseInputs hands in: the rules exist once, every input kind through runtime/inputs' one parser.

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
    if (!ECS_NAME_RE.test(service)) {
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
 * A task definition for a service: a revision ARN, `family[:revision]`, or a JSON file (plain RegisterTaskDefinition
 * JSON or describe-task-definition output, e.g. render-task-def's output), read and checked here.
 */
export function loadTaskDefSpec(input: string, value: string, baseDir: string): TaskDefSpec {
  const source = loadTaskDefSource(
    input,
    parseTaskDefReference(input, value, { allow: ['file', 'arn', 'family'], baseDir }),
  );
  if (source.kind === 'service') throw new Error('unreachable: service:current is not allowed here');
  return source;
}

export interface EcsDeployInputOptions {
  /**
   * deploy-ecs renders the task definition itself: then `task-definition` is not read and every service gets the
   * rendered one, so `services` lines must not carry `=file`.
   */
  rendered?: boolean;
}

/** `verify` / `verify-secret-keys`: the read-only preflight before any change. */
export interface PreflightInputs {
  verify: boolean;
  verifySecretKeys: boolean;
}

/** `plan` / `comment` / `github-token`: stop before the first change and say what a merge would do. */
export interface PlanInputs {
  enabled: boolean;
  comment: boolean;
  /** Only read when `comment` is on. */
  githubToken?: string;
}

export interface EcsDeployInputs {
  request: DeployRequest;
  /** Raw `task-definition` input, when given. */
  taskDefinitionInput?: string;
  preflight: PreflightInputs;
  plan: PlanInputs;
}

/** Parse and validate every shared deploy input (no AWS call). */
export function parseDeployInputs(
  raw: RawInputs,
  env: NodeJS.ProcessEnv,
  options: EcsDeployInputOptions = {},
): EcsDeployInputs {
  const cluster = parseCluster('cluster', rawInput(raw, 'cluster'));
  const lines = parseServiceLines('services', parseList('services', rawInput(raw, 'services')));
  const rollbackRaw = optionalInput(raw, 'rollback-to');
  const rollbackTo = rollbackRaw === undefined ? undefined : parseRollbackTo('rollback-to', rollbackRaw);
  const tdInput = options.rendered ? undefined : optionalInput(raw, 'task-definition');
  const services = serviceRequests(lines, rollbackTo !== undefined, tdInput, options, workspaceDir(env));
  const wait = parseBoolean('wait', rawInput(raw, 'wait'), true);
  const desiredRaw = optionalInput(raw, 'desired-count');
  const thresholdRaw = optionalInput(raw, 'failure-threshold');
  const version = parseVersion(optionalInput(raw, 'version'));
  return {
    request: {
      cluster,
      services,
      ...(desiredRaw !== undefined
        ? { desiredCount: parseInteger('desired-count', desiredRaw, { min: 0, max: 5000 }) }
        : {}),
      forceNewDeployment: parseBoolean('force-new-deployment', rawInput(raw, 'force-new-deployment'), false),
      wait,
      waitTimeoutMs: parseDurationInput('wait-timeout', rawInput(raw, 'wait-timeout'), 'wait-timeout'),
      ...parseHealthChecks(raw, wait),
      autoRollback: parseBoolean('auto-rollback', rawInput(raw, 'auto-rollback'), true),
      markKnownGood: parseBoolean('mark-known-good', rawInput(raw, 'mark-known-good'), true),
      ...keepRevisions(raw),
      ...(thresholdRaw !== undefined
        ? { failureThreshold: parseInteger('failure-threshold', thresholdRaw, { min: 1, max: 200 }) }
        : {}),
      ...(version !== undefined ? { version } : {}),
      ...(rollbackTo ? { rollbackTo } : {}),
      provenance: provenanceFromEnv(env),
      region: resolveRegion(optionalInput(raw, 'aws-region'), env),
    },
    ...(tdInput ? { taskDefinitionInput: tdInput } : {}),
    preflight: parsePreflightInputs(raw),
    plan: parsePlanInputs(raw),
  };
}

function parsePreflightInputs(raw: RawInputs): PreflightInputs {
  const verify = parseBoolean('verify', rawInput(raw, 'verify'), true);
  const verifySecretKeys = parseBoolean('verify-secret-keys', rawInput(raw, 'verify-secret-keys'), false);
  if (verifySecretKeys && !verify) {
    throw new ConfigurationError(
      'verify-secret-keys',
      'is true but verify is false: the key check is part of the preflight',
    );
  }
  return { verify, verifySecretKeys };
}

function parsePlanInputs(raw: RawInputs): PlanInputs {
  const enabled = parseBoolean('plan', rawInput(raw, 'plan'), false);
  const comment = parseBoolean('comment', rawInput(raw, 'comment'), false);
  if (comment && !enabled) {
    throw new ConfigurationError('comment', 'is true but plan is false: the comment carries the plan (set plan: true)');
  }
  if (!comment) return { enabled, comment };
  const githubToken = optionalInput(raw, 'github-token');
  if (!githubToken) {
    throw new ConfigurationError(
      'github-token',
      'is empty: comment: true writes the plan to the pull request with it (default: the job token github.token, with permissions: pull-requests: write)',
    );
  }
  return { enabled, comment, githubToken };
}

/** What each service is deployed with: nothing (rollback-to / rendered), its own `=file`, or `task-definition`. */
function serviceRequests(
  lines: Array<{ service: string; taskDefinition?: string }>,
  rollback: boolean,
  tdInput: string | undefined,
  options: EcsDeployInputOptions,
  baseDir: string,
): ServiceRequest[] {
  const paired = lines.find((l) => l.taskDefinition);
  if (rollback) {
    if (tdInput) {
      throw new ConfigurationError(
        'rollback-to',
        'cannot be combined with task-definition: a rollback redeploys an existing revision',
      );
    }
    if (paired) {
      throw new ConfigurationError(
        'services',
        `${paired.service}=${paired.taskDefinition}: rollback-to takes plain service names`,
      );
    }
    return lines.map((l) => ({ service: l.service }));
  }
  if (options.rendered) {
    if (paired) {
      throw new ConfigurationError(
        'services',
        `${paired.service}=${paired.taskDefinition}: this action renders one task definition for all services; list names only`,
      );
    }
    return lines.map((l) => ({ service: l.service }));
  }
  const shared = tdInput ? loadTaskDefSpec('task-definition', tdInput, baseDir) : undefined;
  return lines.map((l) => {
    if (l.taskDefinition) {
      return {
        service: l.service,
        taskDefinition: loadTaskDefSpec('services', l.taskDefinition, baseDir),
        taskDefinitionInput: 'services',
      };
    }
    if (!shared) {
      throw new ConfigurationError(
        'task-definition',
        `is required: a task definition file or ARN for ${l.service} (or write 'service=file' lines in services, or set rollback-to)`,
      );
    }
    return { service: l.service, taskDefinition: shared };
  });
}

/** health-check-url / -status / -body / -headers / -timeout. */
function parseHealthChecks(
  raw: RawInputs,
  wait: boolean,
): { healthChecks: HealthCheckSpec[]; healthCheckTimeoutMs: number } {
  const urls = parseList('health-check-url', rawInput(raw, 'health-check-url')).map((u) =>
    parseHealthCheckUrl('health-check-url', u),
  );
  const expectStatus = parseInteger('health-check-status', rawInput(raw, 'health-check-status'), {
    default: 200,
    min: 100,
    max: 599,
  });
  const bodyContains = optionalInput(raw, 'health-check-body');
  const headers = parseHealthCheckHeaders('health-check-headers', rawInput(raw, 'health-check-headers'));
  const healthCheckTimeoutMs = parseDurationInput(
    'health-check-timeout',
    rawInput(raw, 'health-check-timeout'),
    'health-check-timeout',
  );
  if (!urls.length && bodyContains !== undefined) {
    throw new ConfigurationError('health-check-body', 'is set but health-check-url is empty');
  }
  if (!urls.length && headers.length) {
    throw new ConfigurationError('health-check-headers', 'is set but health-check-url is empty');
  }
  if (urls.length && !wait) {
    throw new ConfigurationError(
      'health-check-url',
      'needs wait: true (health is checked after the rollout COMPLETED)',
    );
  }
  const healthChecks = urls.map((url) => ({
    url,
    expectStatus,
    ...(bodyContains !== undefined ? { bodyContains } : {}),
    ...(headers.length ? { headers } : {}),
  }));
  return { healthChecks, healthCheckTimeoutMs };
}

function keepRevisions(raw: RawInputs): { keepRevisions?: number } {
  const keep = parseInteger('keep-revisions', rawInput(raw, 'keep-revisions'), { default: 0, min: 0, max: 1000 });
  return keep > 0 ? { keepRevisions: keep } : {};
}

function parseVersion(version: string | undefined): string | undefined {
  if (version !== undefined && tagValue(version) !== version) {
    throw new ConfigurationError(
      'version',
      `${quote(version)} has characters an ECS tag value cannot hold (allowed: letters, digits, spaces, + - = . _ : / @)`,
    );
  }
  return version;
}

/** Register the secrets the deploy inputs carry with the runner (health-check header values, the GitHub token). */
export function maskDeployInputSecrets(request: DeployRequest, plan?: PlanInputs): void {
  for (const check of request.healthChecks) for (const [, value] of check.headers ?? []) maskValue(value);
  if (plan?.githubToken) maskValue(plan.githubToken);
}
