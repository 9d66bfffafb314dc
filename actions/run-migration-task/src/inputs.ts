import type { AssignPublicIp, LaunchType } from '@aws-sdk/client-ecs';
import type { TaskDefinitionSource } from '@deploy-actions/kit/ecs/one-off-task';
import { loadTaskDefSource, TaskDefinitionShapeError, toRegisterInput } from '@deploy-actions/kit/ecs/taskdef';
import {
  actionInputs,
  ConfigurationError,
  maskNamedValue,
  optionalInput,
  parseBoolean,
  parseCluster,
  parseCommand,
  parseDurationInput,
  parseEnum,
  parseKeyValue,
  parseList,
  parseTaskDefReference,
  type RawInputs,
  rawInput,
  redactValue,
  SERVICE_CURRENT,
  validateEnvironmentNames,
  validateSecurityGroups,
  validateStartedBy,
  validateSubnets,
  workspaceDir,
} from '@deploy-actions/kit/runtime';

// The only file that reads inputs. Everything is parsed and checked here, before any AWS call; checks that need
// AWS state (service, container, network) are made by prepareOneOffTask with read-only calls.

export const ACTION = 'run-migration-task';
export { SERVICE_CURRENT };

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

export function getInputs(): Inputs {
  const inputs = parseInputs(actionInputs(), process.env);
  for (const [name, value] of inputs.environment) maskNamedValue(name, value);
  return inputs;
}

/** `task-definition`: service:current, an ARN, family[:revision] or a rendered JSON file (registered at run time). */
export function parseTaskDefinitionSource(
  raw: string,
  env: NodeJS.ProcessEnv = process.env,
): { source: TaskDefinitionSource; text: string } {
  const input = 'task-definition';
  const text = raw.trim();
  const ref = parseTaskDefReference(input, text, {
    allow: ['arn', 'family', 'file', 'service'],
    baseDir: workspaceDir(env),
  });
  const source = loadTaskDefSource(input, ref);
  if (source.kind !== 'file') return { source, text };
  try {
    const register = toRegisterInput(source.taskDefinition);
    if (!register.containerDefinitions?.length) throw new TaskDefinitionShapeError('no containerDefinitions');
    return { source, text };
  } catch (err) {
    if (err instanceof TaskDefinitionShapeError) throw new ConfigurationError(input, `${text}: ${err.message}`);
    throw err;
  }
}

function defaultStartedBy(env: NodeJS.ProcessEnv): string {
  const runId = env.GITHUB_RUN_ID;
  return runId && /^\d+$/.test(runId) ? `github-actions/${runId}` : 'deploy-actions';
}

/** Parse and validate every input (pure apart from reading the task definition file). */
export function parseInputs(raw: RawInputs, env: NodeJS.ProcessEnv = process.env): Inputs {
  const get = (name: string) => rawInput(raw, name);
  const cluster = parseCluster('cluster', get('cluster'));

  const command = parseCommand('command', get('command'));
  const environment = parseKeyValue('environment', get('environment'));
  validateEnvironmentNames('environment', environment);

  const service = optionalInput(raw, 'service');
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

  const timeoutMs = parseDurationInput('timeout', get('timeout'), 'task-timeout');
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
  return environment.map(([k, v]) => `${k}=${redactValue(k, v)}`);
}
