import type {
  AssignPublicIp,
  CapacityProviderStrategyItem,
  ContainerDefinition,
  LaunchType,
  NetworkConfiguration,
  RegisterTaskDefinitionCommandInput,
  RunTaskCommandInput,
  Service,
  Task,
} from '@aws-sdk/client-ecs';
import { ConfigurationError } from '../../runtime/errors';
import { displayCommand } from '../../runtime/redact';
import { taskIdFromArn } from '../logs';
import type { TaskDefSource } from '../taskdef/source';

// The one-off task planner (pure, table-tested): which container, which network and placement, the RunTask request,
// what a stopped task means. prepare.ts feeds it what the read-only calls found; execute.ts runs its plan.

/** Input names, so an action with other input names (deploy-ecs: migration-*) gets errors naming *its* inputs. */
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

/**
 * Where the task definition comes from: an ARN or family[:revision] (described to validate the container), a
 * rendered file (registered by `executeOneOffTask` after all validation), or the service's current revision.
 */
export type TaskDefinitionSource = TaskDefSource;

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

/** What the read-only calls resolved, plus the requested overrides: everything `planOneOffTask` decides from. */
export interface OneOffTaskFacts {
  cluster: string;
  source: TaskDefinitionSource;
  taskDefinition: TaskDefShape;
  taskDefinitionArn: string | undefined;
  register: RegisterTaskDefinitionCommandInput | undefined;
  /** The service a `service:current` task definition comes from. */
  service: Service | undefined;
  /** The service the network is copied from. */
  networkService: Service | undefined;
  container?: string | undefined;
  command?: string[] | undefined;
  environment?: ReadonlyArray<readonly [string, string]> | undefined;
  subnets?: string[] | undefined;
  securityGroups?: string[] | undefined;
  assignPublicIp?: AssignPublicIp | undefined;
  launchType?: LaunchType | undefined;
  startedBy?: string | undefined;
}

/** The plan from the facts (pure): container, network, the RunTask request and the lines that explain it. */
export function planOneOffTask(facts: OneOffTaskFacts, names: OneOffTaskInputNames): OneOffTaskPlan {
  const { source, service, taskDefinitionArn, register } = facts;
  const container = selectContainer(names.container, facts.taskDefinition, facts.container);
  const containerName = container.name!;
  const network = planNetwork(
    facts.taskDefinition,
    {
      service: facts.networkService,
      subnets: facts.subnets,
      securityGroups: facts.securityGroups,
      assignPublicIp: facts.assignPublicIp,
      launchType: facts.launchType,
    },
    names,
  );
  const command = facts.command?.length ? [...facts.command] : undefined;
  const runTask = buildRunTaskInput({
    cluster: facts.cluster,
    taskDefinition: taskDefinitionArn ?? '(registered at run time)',
    container: containerName,
    command,
    environment: facts.environment,
    network,
    startedBy: facts.startedBy,
  });
  const notes = [
    `task definition: ${taskDefinitionArn ?? `${register?.family ?? '?'} (registered from ${source.kind === 'file' ? source.path : '?'})`}${source.kind === 'service' ? ` (current revision of service ${service?.serviceName})` : ''}`,
    `container: ${containerName}`,
    `command: ${command ? displayCommand(command) : `(the task definition's: ${container.command?.length ? displayCommand(container.command) : 'image default'})`}`,
    ...(facts.environment?.length ? [`environment overrides: ${facts.environment.map(([k]) => k).join(', ')}`] : []),
    ...network.notes,
  ];
  return {
    cluster: facts.cluster,
    taskDefinitionArn,
    register,
    taskDefinition: facts.taskDefinition,
    container,
    containerName,
    command,
    environmentNames: (facts.environment ?? []).map(([k]) => k),
    service,
    networkService: facts.networkService,
    network,
    runTask,
    notes,
  };
}
