import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { AssignPublicIp, LaunchType } from '@aws-sdk/client-ecs';
import type { TaskDefinitionSource } from '@deploy-actions/kit/ecs/one-off-task';
import { TaskDefinitionShapeError, toRegisterInput } from '@deploy-actions/kit/ecs/taskdef';
import {
  ConfigurationError,
  getRawInput,
  isSecretLookingName,
  maskValue,
  parseBoolean,
  parseCommand,
  parseDuration,
  parseEnum,
  parseJson,
  parseKeyValue,
  parseList,
  quote,
  redactUrlCredentials,
  validateEnvironmentNames,
  validateSecurityGroups,
  validateStartedBy,
  validateSubnets,
} from '@deploy-actions/kit/runtime';

// The only file that reads inputs. Everything is parsed and checked here, before any AWS call; checks that need
// AWS state (service, container, network) are made by prepareOneOffTask with read-only calls.

export const ACTION = 'run-migration-task';
export const SERVICE_CURRENT = 'service:current';
export const MAX_TIMEOUT_MS = 24 * 3_600_000;

export interface Inputs {
  region: string | undefined;
  cluster: string;
  taskDefinition: TaskDefinitionSource;
  /** The input as written (for the summary). */
  taskDefinitionRaw: string;
  container: string | undefined;
  command: string[] | undefined;
  environment: Array<[string, string]>;
  service: string | undefined;
  networkFromService: string | undefined;
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: AssignPublicIp | undefined;
  launchType: LaunchType | undefined;
  timeoutMs: number;
  stopOnCancel: boolean;
  startedBy: string;
}

/** Inputs by action.yml name → raw strings (what `getInputs` reads; tests call `parseInputs` directly). */
export type RawInputs = Record<string, string | undefined>;

const INPUT_NAMES = [
  'aws-region',
  'cluster',
  'task-definition',
  'container',
  'command',
  'environment',
  'service',
  'network-from-service',
  'subnets',
  'security-groups',
  'assign-public-ip',
  'launch-type',
  'timeout',
  'stop-on-cancel',
  'started-by',
] as const;

export function getInputs(): Inputs {
  const raw: RawInputs = {};
  for (const name of INPUT_NAMES) raw[name] = getRawInput(name);
  return parseInputs(raw);
}

/** A family name or `family:revision` (RunTask/DescribeTaskDefinition accept these as well as ARNs). */
const FAMILY_RE = /^[A-Za-z0-9_-]{1,255}(:\d+)?$/;

export function parseTaskDefinitionSource(
  raw: string,
  env: NodeJS.ProcessEnv = process.env,
): { source: TaskDefinitionSource; text: string } {
  const input = 'task-definition';
  const text = raw.trim();
  if (text === '') {
    throw new ConfigurationError(
      input,
      `is required: a task definition ARN, family[:revision], a rendered JSON file, or '${SERVICE_CURRENT}'`,
    );
  }
  if (text === SERVICE_CURRENT) return { source: { kind: 'service' }, text };
  if (text.startsWith('arn:')) {
    if (!/^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]+:\d+$/.test(text)) {
      throw new ConfigurationError(
        input,
        `expected a task definition ARN like arn:aws:ecs:us-east-1:123456789012:task-definition/app:7, got ${quote(text)}`,
      );
    }
    return { source: { kind: 'reference', value: text }, text };
  }
  const path = isAbsolute(text) ? text : resolve(env.GITHUB_WORKSPACE ?? process.cwd(), text);
  const looksLikeFile = text.endsWith('.json') || text.includes('/') || text.includes('\\');
  if (!looksLikeFile && !existsSync(path)) {
    if (!FAMILY_RE.test(text)) {
      throw new ConfigurationError(
        input,
        `expected an ARN, family[:revision], a JSON file or '${SERVICE_CURRENT}', got ${quote(text)}`,
      );
    }
    return { source: { kind: 'reference', value: text }, text };
  }
  if (!existsSync(path)) throw new ConfigurationError(input, `file not found: ${text} (looked at ${path})`);
  if (!statSync(path).isFile()) throw new ConfigurationError(input, `${text} is not a file`);
  const json = parseJson(input, readFileSync(path, 'utf8'), text);
  try {
    const register = toRegisterInput(json);
    if (!register.family) throw new TaskDefinitionShapeError('missing "family"');
    if (!register.containerDefinitions?.length) throw new TaskDefinitionShapeError('no containerDefinitions');
    return { source: { kind: 'register', input: register, path: text }, text };
  } catch (err) {
    if (err instanceof TaskDefinitionShapeError) throw new ConfigurationError(input, `${text}: ${err.message}`);
    throw err;
  }
}

function defaultStartedBy(env: NodeJS.ProcessEnv): string {
  const run = env.GITHUB_RUN_ID;
  return run && /^\d+$/.test(run) ? `github-actions/${run}` : 'deploy-actions';
}

/** Parse and validate every input (pure apart from reading the task definition file). */
export function parseInputs(raw: RawInputs, env: NodeJS.ProcessEnv = process.env): Inputs {
  const get = (name: string) => raw[name] ?? '';
  const cluster = get('cluster').trim();
  if (!cluster) throw new ConfigurationError('cluster', 'is required but was not set');
  if (!/^[A-Za-z0-9_:/.-]{1,255}$/.test(cluster)) {
    throw new ConfigurationError('cluster', `expected a cluster name or ARN, got ${quote(cluster)}`);
  }

  const command = parseCommand('command', get('command'));
  const environment = parseKeyValue('environment', get('environment'));
  validateEnvironmentNames('environment', environment);
  for (const [name, value] of environment) if (isSecretLookingName(name)) maskValue(value);

  const service = get('service').trim() || undefined;
  const networkFromService = get('network-from-service').trim() || service;
  const subnets = validateSubnets('subnets', parseList('subnets', get('subnets')));
  const securityGroups = validateSecurityGroups(
    'security-groups',
    parseList('security-groups', get('security-groups')),
  );
  const assignRaw = get('assign-public-ip').trim();
  const assignPublicIp = assignRaw
    ? parseEnum<AssignPublicIp>('assign-public-ip', assignRaw, ['ENABLED', 'DISABLED'])
    : undefined;
  const launchRaw = get('launch-type').trim();
  const launchType = launchRaw
    ? parseEnum<LaunchType>('launch-type', launchRaw, ['FARGATE', 'EC2', 'EXTERNAL'])
    : undefined;

  const timeoutMs = parseDuration('timeout', get('timeout'), '30m');
  if (timeoutMs < 1000 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new ConfigurationError('timeout', `expected between 1s and 24h, got ${quote(get('timeout').trim())}`);
  }
  const stopOnCancel = parseBoolean('stop-on-cancel', get('stop-on-cancel'), true);
  const startedBy = validateStartedBy('started-by', get('started-by').trim() || defaultStartedBy(env));

  const { source, text } = parseTaskDefinitionSource(get('task-definition'), env);
  if (source.kind === 'service' && !service) {
    throw new ConfigurationError('task-definition', `'${SERVICE_CURRENT}' needs the service input`);
  }
  return {
    region: get('aws-region').trim() || undefined,
    cluster,
    taskDefinition: source,
    taskDefinitionRaw: text,
    container: get('container').trim() || undefined,
    command,
    environment,
    service,
    networkFromService,
    subnets,
    securityGroups,
    assignPublicIp,
    launchType,
    timeoutMs,
    stopOnCancel,
    startedBy,
  };
}

/** Environment overrides as printable text (secret-looking values redacted). */
export function describeEnvironment(environment: ReadonlyArray<readonly [string, string]>): string[] {
  return environment.map(([k, v]) => `${k}=${isSecretLookingName(k) ? '***' : redactUrlCredentials(v)}`);
}
