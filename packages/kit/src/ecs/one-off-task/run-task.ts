import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  type AssignPublicIp,
  type CapacityProviderStrategyItem,
  type ContainerDefinition,
  DescribeServicesCommand,
  type DescribeServicesCommandOutput,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  type LaunchType,
  type NetworkConfiguration,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  RunTaskCommand,
  type RunTaskCommandInput,
  type Service,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { parse as shellParse } from 'shell-quote';
import { ConfigurationError, DeployFailure, errorMessage, isAwsServiceError, isErrorNamed } from '../../runtime/errors';
import { describeJsonError, quote } from '../../runtime/inputs';
import { type Clock, formatDuration, PollAbortedError, PollTimeoutError, poll, realClock } from '../../runtime/poll';
import { codeBlock, type Summary } from '../../runtime/summary';
import {
  awslogsLocation,
  eventLines,
  LineRing,
  type LogLine,
  type LogLocation,
  type LogsClientLike,
  streamLogEvents,
  taskIdFromArn,
} from '../logs';
import { isTaskDefinitionNotFound } from '../taskdef/source';

// One-off ECS tasks (migrations): plan from inputs + observed state (pure functions, table-tested), then
// resolve network from the service → RunTask → stream the container's logs → wait until STOPPED → result.
// Used by actions/run-migration-task and by deploy-ecs's migration step.

// ---------------------------------------------------------------------------------------------------------------
// Input names (so an action with other input names gets errors naming *its* inputs)

export interface OneOffTaskInputNames {
  cluster: string;
  taskDefinition: string;
  container: string;
  command: string;
  environment: string;
  service: string;
  networkService: string;
  subnets: string;
  securityGroups: string;
  assignPublicIp: string;
  launchType: string;
  startedBy: string;
}

export const DEFAULT_ONE_OFF_INPUT_NAMES: OneOffTaskInputNames = {
  cluster: 'cluster',
  taskDefinition: 'task-definition',
  container: 'container',
  command: 'command',
  environment: 'environment',
  service: 'service',
  networkService: 'network-from-service',
  subnets: 'subnets',
  securityGroups: 'security-groups',
  assignPublicIp: 'assign-public-ip',
  launchType: 'launch-type',
  startedBy: 'started-by',
};

// ---------------------------------------------------------------------------------------------------------------
// Pure parsers

/**
 * A container command: a JSON array of strings (`["python", "manage.py", "migrate"]`) or a shell-like string
 * (`python manage.py migrate --noinput`, quotes and backslashes as in sh), parsed with shell-quote. ECS runs the
 * result in exec form, without a shell: operators (`&&`, `|`, `;`, redirections) are rejected with a hint to wrap
 * the command in `sh -c`; `$VAR` is kept literally. Blank → undefined (the task definition's own command).
 */
export function parseCommand(input: string, raw: string): string[] | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  if (text.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new ConfigurationError(input, describeJsonError(text, err, 'JSON array'));
    }
    if (!Array.isArray(value) || value.length === 0) {
      throw new ConfigurationError(
        input,
        'expected a non-empty JSON array of strings like ["python", "manage.py", "migrate"]',
      );
    }
    value.forEach((item, i) => {
      if (typeof item !== 'string') {
        throw new ConfigurationError(
          input,
          `element ${i} of the JSON array is ${JSON.stringify(item)}: every element must be a string`,
        );
      }
    });
    return value as string[];
  }
  let entries: ReturnType<typeof shellParse>;
  try {
    entries = shellParse(text, (name) => `$${name}`);
  } catch (err) {
    throw new ConfigurationError(input, `cannot parse the command ${quote(text)}: ${errorMessage(err)}`);
  }
  const args: string[] = [];
  for (const entry of entries) {
    if (typeof entry === 'string') {
      args.push(entry);
    } else if ('op' in entry && entry.op === 'glob') {
      args.push((entry as { pattern: string }).pattern);
    } else if ('op' in entry) {
      throw new ConfigurationError(
        input,
        `the command contains the shell operator '${entry.op}', but ECS runs commands without a shell: ` +
          `use a JSON array like ["sh", "-c", ${JSON.stringify(text)}]`,
      );
    } else if ('comment' in entry) {
      break;
    }
  }
  if (args.length === 0) throw new ConfigurationError(input, `no command words in ${quote(text)}`);
  if (/(^|[^\\])(["'])/.test(text) && unbalancedQuotes(text)) {
    throw new ConfigurationError(input, `unterminated quote in ${quote(text)}`);
  }
  return args;
}

/** True when a single or double quote is left open (shell-quote silently accepts that). */
function unbalancedQuotes(text: string): boolean {
  let state: 'none' | "'" | '"' = 'none';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (state === 'none') {
      if (c === '\\') i++;
      else if (c === "'" || c === '"') state = c;
    } else if (state === '"') {
      if (c === '\\') i++;
      else if (c === '"') state = 'none';
    } else if (c === "'") state = 'none';
  }
  return state !== 'none';
}

/** Format a command for logs and summaries (shell-quoted where needed). */
export function formatCommand(command: readonly string[]): string {
  return command.map((a) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

const STARTED_BY_RE = /^[A-Za-z0-9_/-]{1,128}$/;

/** RunTask's `startedBy`: up to 128 letters, digits, `-`, `_` and `/`. */
export function validateStartedBy(input: string, value: string): string {
  if (!STARTED_BY_RE.test(value)) {
    throw new ConfigurationError(
      input,
      `expected up to 128 letters, digits, '-', '_' or '/' (RunTask startedBy), got ${quote(value)}`,
    );
  }
  return value;
}

export function validateSubnets(input: string, subnets: readonly string[]): string[] {
  for (const s of subnets) {
    if (!/^subnet-[0-9a-zA-Z]+$/.test(s))
      throw new ConfigurationError(input, `expected subnet ids like subnet-0abc123, got ${quote(s)}`);
  }
  if (subnets.length > 16) throw new ConfigurationError(input, `at most 16 subnets are allowed, got ${subnets.length}`);
  return [...subnets];
}

export function validateSecurityGroups(input: string, groups: readonly string[]): string[] {
  for (const g of groups) {
    if (!/^sg-[0-9a-zA-Z]+$/.test(g)) {
      throw new ConfigurationError(input, `expected security group ids like sg-0abc123, got ${quote(g)}`);
    }
  }
  if (groups.length > 5)
    throw new ConfigurationError(input, `at most 5 security groups are allowed, got ${groups.length}`);
  return [...groups];
}

/** Environment override names as ECS accepts them (non-empty, no `=`, no whitespace). */
export function validateEnvironmentNames(input: string, pairs: ReadonlyArray<readonly [string, string]>): void {
  for (const [name] of pairs) {
    if (!/^[^\s=]+$/.test(name))
      throw new ConfigurationError(input, `invalid environment variable name ${quote(name)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Pure planners

/** The part of a task definition the planner needs (SDK TaskDefinition, RegisterTaskDefinition input, or JSON). */
export interface TaskDefShape {
  taskDefinitionArn?: string | undefined;
  family?: string | undefined;
  networkMode?: string | undefined;
  requiresCompatibilities?: string[] | undefined;
  containerDefinitions?: ContainerDefinition[] | undefined;
}

/**
 * The container to run the command in: `requested` when given (an unknown name lists the available ones and names a
 * case-only mismatch as such), else the only container, else a ConfigurationError asking for one.
 */
export function selectContainer(
  input: string,
  taskDef: TaskDefShape,
  requested: string | undefined,
): ContainerDefinition {
  const containers = taskDef.containerDefinitions ?? [];
  const names = containers.map((c) => c.name ?? '');
  const what = taskDef.taskDefinitionArn ?? taskDef.family ?? 'the task definition';
  if (requested === undefined) {
    if (containers.length === 1) return containers[0]!;
    throw new ConfigurationError(
      input,
      `is required: ${what} has ${containers.length} containers (${names.join(', ')}); name the one to run the command in`,
    );
  }
  const exact = containers.find((c) => c.name === requested);
  if (exact) return exact;
  const caseOnly = containers.find((c) => c.name?.toLowerCase() === requested.toLowerCase());
  if (caseOnly) {
    throw new ConfigurationError(
      input,
      `no container '${requested}' in ${what}; names are case-sensitive: did you mean '${caseOnly.name}'?`,
    );
  }
  throw new ConfigurationError(
    input,
    `no container '${requested}' in ${what}; its containers are: ${names.join(', ') || '(none)'}`,
  );
}

export interface NetworkRequest {
  /** Service the network settings are copied from (already described), when one was named. */
  service?: Service | undefined;
  subnets?: string[] | undefined;
  securityGroups?: string[] | undefined;
  assignPublicIp?: AssignPublicIp | undefined;
  launchType?: LaunchType | undefined;
}

export interface NetworkPlan {
  networkConfiguration?: NetworkConfiguration;
  launchType?: LaunchType;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  platformVersion?: string;
  /** Human-readable lines saying where each setting came from. */
  notes: string[];
}

/**
 * Network and placement for RunTask. Explicit subnets / security groups / assignPublicIp win; whatever is not given
 * is copied from the service's awsvpc configuration, as are launchType or capacityProviderStrategy and
 * platformVersion. An awsvpc task definition needs subnets from somewhere: else a ConfigurationError naming the
 * subnets input. A non-awsvpc task definition gets no network configuration (explicit subnets are an error).
 */
export function planNetwork(
  taskDef: TaskDefShape,
  request: NetworkRequest,
  names: OneOffTaskInputNames = DEFAULT_ONE_OFF_INPUT_NAMES,
): NetworkPlan {
  const notes: string[] = [];
  const plan: NetworkPlan = { notes };
  const service = request.service;
  const serviceName = service?.serviceName ?? 'the service';
  const fargateOnly =
    (taskDef.requiresCompatibilities ?? []).includes('FARGATE') &&
    !(taskDef.requiresCompatibilities ?? []).includes('EC2');
  const networkMode = taskDef.networkMode ?? (fargateOnly ? 'awsvpc' : undefined);
  const awsvpc = service?.networkConfiguration?.awsvpcConfiguration;

  if (networkMode === 'awsvpc') {
    let subnets = request.subnets?.length ? request.subnets : undefined;
    if (subnets) notes.push(`subnets: ${subnets.join(', ')} (input)`);
    else if (awsvpc?.subnets?.length) {
      subnets = awsvpc.subnets;
      notes.push(`subnets: ${subnets.join(', ')} (from service ${serviceName})`);
    }
    if (!subnets) {
      throw new ConfigurationError(
        names.subnets,
        service
          ? `service '${serviceName}' has no awsvpc network configuration to copy and the task definition uses awsvpc networking: set ${names.subnets} (and ${names.securityGroups})`
          : `the task definition uses awsvpc networking: set ${names.service} to copy the network from a service, or ${names.subnets} (and ${names.securityGroups})`,
      );
    }
    let securityGroups = request.securityGroups?.length ? request.securityGroups : undefined;
    if (securityGroups) notes.push(`security groups: ${securityGroups.join(', ')} (input)`);
    else if (awsvpc?.securityGroups?.length) {
      securityGroups = awsvpc.securityGroups;
      notes.push(`security groups: ${securityGroups.join(', ')} (from service ${serviceName})`);
    } else notes.push("security groups: none given (the VPC's default security group applies)");
    let assignPublicIp = request.assignPublicIp;
    if (assignPublicIp) notes.push(`assign public IP: ${assignPublicIp} (input)`);
    else if (awsvpc?.assignPublicIp) {
      assignPublicIp = awsvpc.assignPublicIp;
      notes.push(`assign public IP: ${assignPublicIp} (from service ${serviceName})`);
    }
    plan.networkConfiguration = {
      awsvpcConfiguration: {
        subnets: [...subnets],
        ...(securityGroups ? { securityGroups: [...securityGroups] } : {}),
        ...(assignPublicIp ? { assignPublicIp } : {}),
      },
    };
  } else if (request.subnets?.length || request.securityGroups?.length || request.assignPublicIp) {
    const input = request.subnets?.length
      ? names.subnets
      : request.securityGroups?.length
        ? names.securityGroups
        : names.assignPublicIp;
    throw new ConfigurationError(
      input,
      `the task definition uses the ${networkMode ?? 'default (bridge)'} network mode; network settings apply only to awsvpc task definitions`,
    );
  }

  if (request.launchType) {
    plan.launchType = request.launchType;
    notes.push(`launch type: ${request.launchType} (input)`);
  } else if (service?.capacityProviderStrategy?.length) {
    plan.capacityProviderStrategy = service.capacityProviderStrategy.map((s) => ({ ...s }));
    notes.push(
      `capacity provider strategy: ${service.capacityProviderStrategy.map((s) => `${s.capacityProvider}${s.weight !== undefined ? ` weight ${s.weight}` : ''}${s.base ? ` base ${s.base}` : ''}`).join(', ')} (from service ${serviceName})`,
    );
  } else if (service?.launchType) {
    plan.launchType = service.launchType;
    notes.push(`launch type: ${service.launchType} (from service ${serviceName})`);
  } else if (fargateOnly) {
    plan.launchType = 'FARGATE';
    notes.push('launch type: FARGATE (the task definition requires Fargate)');
  } else notes.push("launch type: the cluster's default capacity provider strategy");

  const usesFargate =
    plan.launchType === 'FARGATE' ||
    (plan.capacityProviderStrategy ?? []).some((s) => /^FARGATE/.test(s.capacityProvider ?? ''));
  if (usesFargate && service?.platformVersion && service.platformVersion !== 'LATEST') {
    plan.platformVersion = service.platformVersion;
    notes.push(`platform version: ${service.platformVersion} (from service ${serviceName})`);
  }
  return plan;
}

export interface RunTaskInputOptions {
  cluster: string;
  taskDefinition: string;
  container: string;
  command?: string[] | undefined;
  environment?: ReadonlyArray<readonly [string, string]> | undefined;
  network: NetworkPlan;
  startedBy?: string | undefined;
  clientToken?: string | undefined;
}

/** The RunTask request (pure). One task; overrides only for what was asked. */
export function buildRunTaskInput(options: RunTaskInputOptions): RunTaskCommandInput {
  const override: { name: string; command?: string[]; environment?: { name: string; value: string }[] } = {
    name: options.container,
  };
  if (options.command?.length) override.command = [...options.command];
  if (options.environment?.length) override.environment = options.environment.map(([name, value]) => ({ name, value }));
  const input: RunTaskCommandInput = {
    cluster: options.cluster,
    taskDefinition: options.taskDefinition,
    count: 1,
    ...(override.command || override.environment ? { overrides: { containerOverrides: [override] } } : {}),
    ...(options.network.networkConfiguration ? { networkConfiguration: options.network.networkConfiguration } : {}),
    ...(options.network.launchType ? { launchType: options.network.launchType } : {}),
    ...(options.network.capacityProviderStrategy
      ? { capacityProviderStrategy: options.network.capacityProviderStrategy }
      : {}),
    ...(options.network.platformVersion ? { platformVersion: options.network.platformVersion } : {}),
    ...(options.startedBy ? { startedBy: options.startedBy } : {}),
    ...(options.clientToken ? { clientToken: options.clientToken } : {}),
  };
  return input;
}

/** What a stopped task means for the step. */
export interface TaskOutcome {
  ok: boolean;
  exitCode: number | undefined;
  /** The task never reached RUNNING (image pull error, missing secret, ENI failure...). */
  neverStarted: boolean;
  stoppedReason: string | undefined;
  stopCode: string | undefined;
  containerReason: string | undefined;
  /** One line: what happened. */
  message: string;
}

/**
 * Judge a STOPPED task by the exit code of `container`: 0 = success; non-zero or missing = failure. A task that
 * never started is a failure carrying ECS's stoppedReason.
 */
export function evaluateStoppedTask(task: Task, container: string): TaskOutcome {
  const c = task.containers?.find((x) => x.name === container);
  const exitCode = c?.exitCode;
  const stoppedReason = task.stoppedReason;
  const stopCode = task.stopCode;
  const containerReason = c?.reason;
  const id = taskIdFromArn(task.taskArn ?? 'task');
  const reasonText = [
    stoppedReason,
    containerReason && containerReason !== stoppedReason ? `container: ${containerReason}` : undefined,
  ]
    .filter(Boolean)
    .join('; ');
  const neverStarted = exitCode === undefined && (stopCode === 'TaskFailedToStart' || !task.startedAt);
  const base = { exitCode, neverStarted, stoppedReason, stopCode, containerReason };
  if (exitCode === 0) return { ...base, ok: true, message: `Task ${id}: container '${container}' exited with code 0` };
  if (neverStarted) {
    return { ...base, ok: false, message: `Task ${id} failed to start: ${reasonText || 'no reason given by ECS'}` };
  }
  if (exitCode === undefined) {
    return {
      ...base,
      ok: false,
      message: `Task ${id}: container '${container}' stopped without an exit code${reasonText ? ` (${reasonText})` : ''}`,
    };
  }
  return {
    ...base,
    ok: false,
    message: `Task ${id}: container '${container}' exited with code ${exitCode}${reasonText ? ` (${reasonText})` : ''}`,
  };
}

/** Console URL of a task (partition-aware), from its ARN `arn:<partition>:ecs:<region>:<account>:task/<cluster>/<id>`. */
export function taskConsoleUrl(taskArn: string): string | undefined {
  const m = /^arn:(aws[a-z-]*):ecs:([a-z0-9-]+):\d+:task\/([^/]+)\/([^/]+)$/.exec(taskArn);
  if (!m) return undefined;
  const [, partition, region, cluster, id] = m;
  const host =
    partition === 'aws-cn'
      ? 'console.amazonaws.cn'
      : partition === 'aws-us-gov'
        ? 'console.amazonaws-us-gov.com'
        : 'console.aws.amazon.com';
  return `https://${region}.${host}/ecs/v2/clusters/${cluster}/tasks/${id}/configuration?region=${region}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Prepare (read-only calls + validation) and run (mutating calls)

/** Where the task definition comes from. */
export type TaskDefinitionSource =
  /** ARN, `family` or `family:revision`: described to validate the container. */
  | { kind: 'reference'; value: string }
  /** A rendered file (already parsed): registered by `runOneOffTask` after all validation. */
  | { kind: 'register'; input: RegisterTaskDefinitionCommandInput; path?: string }
  /** The service's current task definition. */
  | { kind: 'service' };

export interface OneOffTaskOptions {
  cluster: string;
  taskDefinition: TaskDefinitionSource;
  container?: string | undefined;
  command?: string[] | undefined;
  environment?: ReadonlyArray<readonly [string, string]> | undefined;
  /** Service for `{kind: 'service'}` task definitions, and (unless `networkService` is set) for the network. */
  service?: string | undefined;
  /** Service whose network (and launch type / capacity providers / platform version) is copied (default `service`). */
  networkService?: string | undefined;
  subnets?: string[] | undefined;
  securityGroups?: string[] | undefined;
  assignPublicIp?: AssignPublicIp | undefined;
  launchType?: LaunchType | undefined;
  startedBy?: string | undefined;
  inputNames?: Partial<OneOffTaskInputNames>;
  /** Services the caller described already (ACTIVE, same cluster): used as they are, not described again. */
  describedServices?: readonly Service[] | undefined;
}

export interface OneOffTaskClients {
  ecs: Pick<ECSClient, 'send'>;
  logs: LogsClientLike | Pick<CloudWatchLogsClient, 'send'>;
  /** A Logs client for another region (awslogs-region differs from the ECS region); default: `logs`. */
  logsForRegion?: (region: string) => LogsClientLike | Pick<CloudWatchLogsClient, 'send'>;
}

export interface OneOffTaskPlan {
  cluster: string;
  /** Known ARN (reference/service), or undefined until registered. */
  taskDefinitionArn: string | undefined;
  register: RegisterTaskDefinitionCommandInput | undefined;
  taskDefinition: TaskDefShape;
  container: ContainerDefinition;
  containerName: string;
  command: string[] | undefined;
  environmentNames: string[];
  service: Service | undefined;
  networkService: Service | undefined;
  network: NetworkPlan;
  /** RunTask input except `taskDefinition` (filled in at run time when registering). */
  runTask: RunTaskCommandInput;
  /** Human-readable plan lines. */
  notes: string[];
}

/**
 * Every read and check before anything is changed: describes the service (network, `service` task definition) and
 * the task definition (containers, network mode), validates container, command and network. Throws
 * ConfigurationError naming the input at fault. Makes no mutating call.
 */
export async function prepareOneOffTask(
  clients: Pick<OneOffTaskClients, 'ecs'>,
  options: OneOffTaskOptions,
  signal?: AbortSignal,
): Promise<OneOffTaskPlan> {
  const names = { ...DEFAULT_ONE_OFF_INPUT_NAMES, ...options.inputNames };
  const send = signal ? { abortSignal: signal } : undefined;
  if (!options.cluster) throw new ConfigurationError(names.cluster, 'is required but was not set');
  if (options.taskDefinition.kind === 'service' && !options.service) {
    throw new ConfigurationError(names.taskDefinition, `'service:current' needs the ${names.service} input`);
  }
  if (options.startedBy !== undefined) validateStartedBy(names.startedBy, options.startedBy);
  if (options.environment) validateEnvironmentNames(names.environment, options.environment);

  // One DescribeServices call for the task-definition service and the network service (when they differ), unless
  // the caller described them already.
  const described = new Map<string, Service>();
  for (const s of options.describedServices ?? []) if (s.serviceName) described.set(s.serviceName, s);
  const wanted = [
    ...new Set([options.service, options.networkService ?? options.service].filter((x): x is string => !!x)),
  ].filter((name) => !described.has(name));
  if (wanted.length) {
    let response: DescribeServicesCommandOutput;
    try {
      response = await clients.ecs.send(
        new DescribeServicesCommand({ cluster: options.cluster, services: wanted }),
        send,
      );
    } catch (err) {
      if (isErrorNamed(err, 'ClusterNotFoundException')) {
        throw new ConfigurationError(names.cluster, `cluster '${options.cluster}' not found`);
      }
      throw err;
    }
    for (const name of wanted) {
      const matches = (s: Service) => s.serviceName === name || s.serviceArn === name;
      const found = response.services?.find((s) => matches(s) && s.status !== 'INACTIVE');
      if (found) {
        described.set(name, found);
        continue;
      }
      const inactive = response.services?.some(matches) ? ' (it is INACTIVE)' : '';
      const failure =
        response.failures?.find((f) => f.arn?.endsWith(`/${name}`) || f.arn === name) ?? response.failures?.[0];
      const input = name === options.service ? names.service : names.networkService;
      throw new ConfigurationError(
        input,
        `service '${name}' not found in cluster '${options.cluster}'${inactive}${failure?.reason && !inactive ? ` (${failure.reason})` : ''}`,
      );
    }
  }
  const service = options.service ? described.get(options.service) : undefined;
  const networkServiceName = options.networkService ?? options.service;
  const networkService = networkServiceName ? described.get(networkServiceName) : undefined;

  let taskDef: TaskDefShape;
  let taskDefinitionArn: string | undefined;
  let register: RegisterTaskDefinitionCommandInput | undefined;
  const source = options.taskDefinition;
  if (source.kind === 'register') {
    register = source.input;
    taskDef = source.input;
  } else {
    const reference = source.kind === 'service' ? service?.taskDefinition : source.value;
    if (!reference) throw new ConfigurationError(names.service, `service '${options.service}' has no task definition`);
    try {
      const described = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: reference }), send);
      if (!described.taskDefinition) throw new Error('DescribeTaskDefinition returned no task definition');
      taskDef = described.taskDefinition;
      taskDefinitionArn = described.taskDefinition.taskDefinitionArn ?? reference;
    } catch (err) {
      if (isAwsServiceError(err) && isTaskDefinitionNotFound(err)) {
        throw new ConfigurationError(names.taskDefinition, `task definition '${reference}' not found: ${err.message}`);
      }
      throw err;
    }
  }

  const container = selectContainer(names.container, taskDef, options.container);
  const containerName = container.name!;
  const network = planNetwork(
    taskDef,
    {
      service: networkService,
      subnets: options.subnets,
      securityGroups: options.securityGroups,
      assignPublicIp: options.assignPublicIp,
      launchType: options.launchType,
    },
    names,
  );
  const command = options.command?.length ? [...options.command] : undefined;
  const runTask = buildRunTaskInput({
    cluster: options.cluster,
    taskDefinition: taskDefinitionArn ?? '(registered at run time)',
    container: containerName,
    command,
    environment: options.environment,
    network,
    startedBy: options.startedBy,
  });
  const notes = [
    `task definition: ${taskDefinitionArn ?? `${register?.family ?? '?'} (registered from ${source.kind === 'register' ? (source.path ?? 'the given file') : '?'})`}${source.kind === 'service' ? ` (current revision of service ${service?.serviceName})` : ''}`,
    `container: ${containerName}`,
    `command: ${command ? formatCommand(command) : `(the task definition's: ${container.command?.length ? formatCommand(container.command) : 'image default'})`}`,
    ...(options.environment?.length
      ? [`environment overrides: ${options.environment.map(([k]) => k).join(', ')}`]
      : []),
    ...network.notes,
  ];
  return {
    cluster: options.cluster,
    taskDefinitionArn,
    register,
    taskDefinition: taskDef,
    container,
    containerName,
    command,
    environmentNames: (options.environment ?? []).map(([k]) => k),
    service,
    networkService,
    network,
    runTask,
    notes,
  };
}

/** Where a run's output goes (the action: core.info / core.warning; deploy-ecs: its own prefixing). */
export interface OneOffTaskSink {
  /** A container log line (one per line of each CloudWatch event). */
  log(line: string, event: LogLine): void;
  /** Status and progress lines. */
  info(message: string): void;
  warning(message: string): void;
}

export interface RunOneOffTaskOptions {
  /** Whole run deadline from RunTask (the task is stopped when it passes). */
  timeoutMs: number;
  /** On abort (SIGINT/SIGTERM): StopTask when true (default true), then drain logs briefly. */
  stopOnCancel?: boolean;
  signal?: AbortSignal;
  sink: OneOffTaskSink;
  clock?: Clock;
  /** Called right after RunTask with the task ARN (the action saves it for its post step). */
  onTaskStarted?: (taskArn: string) => void | Promise<void>;
  /** DescribeTasks interval bounds (default 1000 → 2000 ms). */
  pollInitialMs?: number;
  pollMaxMs?: number;
  /** GetLogEvents interval while following (default 1000 ms). */
  logIntervalMs?: number;
  /** GetLogEvents page size (default: service default). */
  logPageLimit?: number;
  /** After STOPPED: keep reading until quiet this long (default 1000 ms) or at most drainMaxMs (default 10 s). */
  drainQuietMs?: number;
  drainMaxMs?: number;
  /** After cancellation/timeout: give log reading at most this long (default 1500 ms). */
  cancelDrainMs?: number;
  /** Lines kept for errors and the summary (default 30). */
  lastLines?: number;
  /** Reason given to StopTask on cancel (default mentions GitHub Actions). */
  stopReason?: string;
  /** Status line interval while running (default 60 s with logs, 10 s without). */
  progressEveryMs?: number;
}

export interface OneOffTaskResult {
  taskArn: string;
  taskId: string;
  taskDefinitionArn: string;
  containerName: string;
  command: string[] | undefined;
  /** Set when the task stopped and was judged. */
  outcome: TaskOutcome | undefined;
  exitCode: number | undefined;
  ok: boolean;
  cancelled: boolean;
  timedOut: boolean;
  /** Whether StopTask was called by us (cancel/timeout). */
  stopRequested: boolean;
  durationMs: number;
  logLocation: LogLocation | undefined;
  /** Why logs were not streamed, when they were not. */
  logNotice: string | undefined;
  lastLines: string[];
  lineCount: number;
  /** One line for the error / summary. */
  message: string;
  lastStatus: string | undefined;
  consoleUrl: string | undefined;
}

/**
 * Register (when the plan says so) → RunTask → stream the container's logs while polling DescribeTasks until
 * STOPPED → drain → judge the exit code. RunTask `failures[]` throw a DeployFailure. Timeout and cancellation
 * stop the task (cancellation only when `stopOnCancel`) and return `timedOut` / `cancelled` results; the caller
 * decides how to fail (see `oneOffTaskFailure`).
 */
export async function runOneOffTask(
  clients: OneOffTaskClients,
  plan: OneOffTaskPlan,
  options: RunOneOffTaskOptions,
): Promise<OneOffTaskResult> {
  const clock = options.clock ?? realClock;
  const sink = options.sink;
  const signal = options.signal;
  const send = signal ? { abortSignal: signal } : undefined;
  const stopOnCancel = options.stopOnCancel ?? true;

  let taskDefinitionArn = plan.taskDefinitionArn;
  if (plan.register) {
    const registered = await clients.ecs.send(new RegisterTaskDefinitionCommand(plan.register), send);
    taskDefinitionArn = registered.taskDefinition?.taskDefinitionArn;
    if (!taskDefinitionArn) throw new DeployFailure('RegisterTaskDefinition returned no task definition ARN');
    sink.info(`Registered task definition ${taskDefinitionArn}`);
  }
  const runInput: RunTaskCommandInput = { ...plan.runTask, taskDefinition: taskDefinitionArn! };
  const started = clock.now();
  const response = await clients.ecs.send(new RunTaskCommand(runInput), send);
  const failures = response.failures ?? [];
  const task = response.tasks?.[0];
  if (failures.length > 0 || !task?.taskArn) {
    const text = failures.length
      ? failures
          .map((f) => `${f.reason ?? 'unknown reason'}${f.detail ? ` (${f.detail})` : ''}${f.arn ? ` [${f.arn}]` : ''}`)
          .join('; ')
      : 'no task was returned';
    throw new DeployFailure(`RunTask could not start the task: ${text}`);
  }
  const taskArn = task.taskArn;
  const taskId = taskIdFromArn(taskArn);
  const consoleUrl = taskConsoleUrl(taskArn);
  await options.onTaskStarted?.(taskArn);
  sink.info(`Started task ${taskArn}${consoleUrl ? `\n  ${consoleUrl}` : ''}`);

  const where = awslogsLocation(plan.container, taskArn);
  const logLocation = where.ok ? where.location : undefined;
  const logNotice = where.ok
    ? undefined
    : `${where.reason}; waiting for the task to stop without streaming its output.`;
  if (logNotice) sink.warning(logNotice);
  else sink.info(`Streaming logs from ${logLocation!.group} / ${logLocation!.stream}`);

  const ring = new LineRing(options.lastLines ?? 30);
  // Stops the log follower: resolved when the task stopped (then drained), or on cancel/timeout (short drain).
  let finishLogs!: () => void;
  const logsFinished = new Promise<void>((resolve) => {
    finishLogs = resolve;
  });
  const logAbort = new AbortController();
  let logFollow: Promise<unknown> = Promise.resolve();
  if (logLocation) {
    const logsClient =
      logLocation.region && clients.logsForRegion ? clients.logsForRegion(logLocation.region) : clients.logs;
    let warnedError = false;
    logFollow = streamLogEvents({
      client: logsClient as LogsClientLike,
      group: logLocation.group,
      stream: logLocation.stream,
      until: logsFinished,
      signal: logAbort.signal,
      clock,
      intervalMs: options.logIntervalMs ?? 1000,
      ...(options.logPageLimit ? { pageLimit: options.logPageLimit } : {}),
      drainQuietMs: options.drainQuietMs ?? 1000,
      drainMaxMs: options.drainMaxMs ?? 10_000,
      onEvent: (event) => {
        ring.push(event.message);
        for (const line of eventLines([event])) sink.log(line, event);
      },
      onError: (err) => {
        if (!warnedError) sink.warning(`Reading logs failed (will retry): ${errorMessage(err)}`);
        warnedError = true;
      },
    }).catch((err) => sink.warning(`Log streaming stopped: ${errorMessage(err)}`));
  }

  const progressEveryMs = options.progressEveryMs ?? (logLocation ? 60_000 : 10_000);
  let lastStatus: string | undefined = task.lastStatus;
  if (lastStatus) sink.info(`Task status: ${lastStatus}`);
  let stopped: Task | undefined;
  let cancelled = false;
  let timedOut = false;
  let stopRequested = false;
  const stopTask = async (reason: string) => {
    stopRequested = true;
    try {
      await clients.ecs.send(
        new StopTaskCommand({ cluster: plan.cluster, task: taskArn, reason: reason.slice(0, 255) }),
      );
      sink.info(`Stopped task ${taskId}: ${reason}`);
    } catch (err) {
      sink.warning(`StopTask failed for ${taskArn}: ${errorMessage(err)}`);
    }
  };
  try {
    stopped = await poll<Task>(
      async () => {
        const described = await clients.ecs.send(
          new DescribeTasksCommand({ cluster: plan.cluster, tasks: [taskArn] }),
          send,
        );
        const current = described.tasks?.[0];
        if (!current) return { done: false, progress: `task ${taskId} not visible yet` };
        if (current.lastStatus !== lastStatus) {
          lastStatus = current.lastStatus;
          sink.info(`Task status: ${lastStatus}`);
        }
        if (current.lastStatus === 'STOPPED') return { done: true, value: current };
        // Status changes are printed at once (above); a "still <status>" line only once a period has passed.
        const elapsed = clock.now() - started;
        return elapsed < progressEveryMs
          ? { done: false }
          : {
              done: false,
              progress: `task ${taskId} still ${current.lastStatus ?? 'UNKNOWN'} after ${formatDuration(elapsed)}`,
            };
      },
      {
        timeoutMs: options.timeoutMs,
        initialDelayMs: options.pollInitialMs ?? 1000,
        maxDelayMs: options.pollMaxMs ?? 2000,
        factor: 1.5,
        jitter: 'none',
        clock,
        description: `task ${taskId} to stop`,
        progressEveryMs,
        onProgress: (message) => sink.info(message),
        ...(signal ? { signal } : {}),
      },
    );
  } catch (err) {
    if (err instanceof PollAbortedError || signal?.aborted) {
      cancelled = true;
      if (stopOnCancel) await stopTask(options.stopReason ?? 'Cancelled: the GitHub Actions run was cancelled');
      else sink.warning(`Cancelled; the task ${taskArn} keeps running (stop-on-cancel is false).`);
    } else if (err instanceof PollTimeoutError) {
      timedOut = true;
      await stopTask(`Timed out after ${formatDuration(options.timeoutMs)} (deploy-actions)`);
    } else {
      // DescribeTasks failing for good: stop following logs and rethrow.
      logAbort.abort(err);
      finishLogs();
      await logFollow;
      throw err;
    }
  }

  if (stopped) {
    finishLogs();
    await logFollow;
  } else {
    // Cancel/timeout: a short drain so the last lines reach the log, then stop reading.
    finishLogs();
    const cutoff = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, options.cancelDrainMs ?? 1500);
      t.unref?.();
    });
    await Promise.race([logFollow, cutoff]);
    logAbort.abort(new Error('drain cut off'));
    await logFollow;
  }

  const durationMs = clock.now() - started;
  const outcome = stopped ? evaluateStoppedTask(stopped, plan.containerName) : undefined;
  let message: string;
  if (outcome) message = outcome.message;
  else if (cancelled)
    message = `Cancelled after ${formatDuration(durationMs)}; task ${taskId} ${stopRequested ? 'was asked to stop' : 'keeps running'} (last status ${lastStatus ?? 'unknown'})`;
  else
    message = `Timed out after ${formatDuration(durationMs)} waiting for task ${taskId} to stop (last status ${lastStatus ?? 'unknown'}); the task was asked to stop`;
  return {
    taskArn,
    taskId,
    taskDefinitionArn: taskDefinitionArn!,
    containerName: plan.containerName,
    command: plan.command,
    outcome,
    exitCode: outcome?.exitCode,
    ok: outcome?.ok ?? false,
    cancelled,
    timedOut,
    stopRequested,
    durationMs,
    logLocation,
    logNotice,
    lastLines: ring.toArray(),
    lineCount: ring.total,
    message,
    lastStatus: stopped?.lastStatus ?? lastStatus,
    consoleUrl,
  };
}

/**
 * The DeployFailure for a failed result, or undefined when it succeeded. The message carries the outcome line and
 * the last log lines (they reach the `::error::` annotation; the full output is in the log group above).
 */
export function oneOffTaskFailure(result: OneOffTaskResult): DeployFailure | undefined {
  if (result.ok) return undefined;
  const lines = result.lastLines;
  const tail = lines.length
    ? `\nLast ${lines.length} line${lines.length === 1 ? '' : 's'} of ${result.containerName}:\n${lines.join('\n')}`
    : result.logNotice
      ? `\nNo log lines: ${result.logNotice}`
      : '';
  return new DeployFailure(`${result.message}${tail}`);
}

function oneOffStatusText(result: OneOffTaskResult): string {
  if (result.ok) return '✅ succeeded (exit code 0)';
  if (result.cancelled) return `⏹️ cancelled${result.stopRequested ? ' (task stopped)' : ''}`;
  if (result.timedOut) return '⌛ timed out (task stopped)';
  if (result.outcome?.neverStarted) return '❌ failed to start';
  return result.exitCode === undefined ? '❌ no exit code' : `❌ exit code ${result.exitCode}`;
}

/**
 * Append a one-off task's job-summary section to `summary`: status heading, a table (command, container, task with
 * console link, task definition, cluster, duration, exit code, stopped reason, logs) and the last log lines
 * (expanded when it failed). Shared by run-migration-task and deploy-ecs's migration step.
 */
export function appendOneOffTaskSummary(
  summary: Summary,
  result: OneOffTaskResult,
  context: { command: string; cluster: string; title?: string },
): Summary {
  summary.heading(`${context.title ?? 'One-off task'}: ${oneOffStatusText(result)}`, 3);
  const task = result.consoleUrl ? `[${result.taskId}](${result.consoleUrl})` : result.taskId;
  const rows: Array<[string, string]> = [
    ['Command', `\`${context.command.replace(/`/g, "'")}\``],
    ['Container', result.containerName],
    ['Task', task],
    ['Task ARN', `\`${result.taskArn}\``],
    ['Task definition', `\`${result.taskDefinitionArn}\``],
    ['Cluster', context.cluster],
    ['Duration', formatDuration(result.durationMs)],
    ['Exit code', result.exitCode === undefined ? '—' : String(result.exitCode)],
  ];
  if (result.outcome?.stoppedReason) rows.push(['Stopped reason', result.outcome.stoppedReason]);
  if (result.outcome?.containerReason) rows.push(['Container reason', result.outcome.containerReason]);
  rows.push([
    'Logs',
    result.logLocation
      ? `\`${result.logLocation.group}\` / \`${result.logLocation.stream}\``
      : (result.logNotice ?? '—'),
  ]);
  summary.table(['', ''], rows);
  if (!result.ok) summary.paragraph(result.message);
  if (result.lastLines.length) {
    const title = `Last ${result.lastLines.length} of ${result.lineCount} log lines`;
    summary.details(title, codeBlock(result.lastLines.join('\n')), { open: !result.ok });
  }
  return summary;
}

/** Action outputs of a one-off task run (`duration` in whole seconds; unset values are skipped by setOutputs). */
export function oneOffTaskOutputs(result: OneOffTaskResult): Record<string, string | number | undefined> {
  return {
    'task-arn': result.taskArn,
    'exit-code': result.exitCode,
    'log-stream': result.logLocation?.stream,
    'log-group': result.logLocation?.group,
    duration: Math.round(result.durationMs / 1000),
  };
}
