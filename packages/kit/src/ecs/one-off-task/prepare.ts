import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  type AssignPublicIp,
  DescribeServicesCommand,
  type DescribeServicesCommandOutput,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  type LaunchType,
  type RegisterTaskDefinitionCommandInput,
  type Service,
} from '@aws-sdk/client-ecs';
import { ConfigurationError, isAwsServiceError, isErrorNamed } from '../../runtime/errors';
import { validateEnvironmentNames, validateStartedBy } from '../../runtime/inputs/ecs-ids';
import type { LogsClientLike } from '../logs';
import { isTaskDefinitionNotFound, registeredReference } from '../taskdef/source';
import { toRegisterInput } from '../taskdef/taskdef';
import {
  DEFAULT_ONE_OFF_INPUT_NAMES,
  type OneOffTaskInputNames,
  type OneOffTaskPlan,
  planOneOffTask,
  type TaskDefinitionSource,
  type TaskDefShape,
} from './plan';

// Every read and check before a one-off task changes anything: the services it needs (task definition, network)
// and the task definition (containers, network mode) are described, then the pure planner decides.

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

type Send = { abortSignal: AbortSignal } | undefined;

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
  checkOptions(options, names);
  const described = await describeNeededServices(clients.ecs, options, names, send);
  const service = options.service ? described.get(options.service) : undefined;
  const networkServiceName = options.networkService ?? options.service;
  const networkService = networkServiceName ? described.get(networkServiceName) : undefined;
  const resolved = await resolveTaskDefinition(clients.ecs, options, service, names, send);
  return planOneOffTask(
    {
      cluster: options.cluster,
      source: options.taskDefinition,
      ...resolved,
      service,
      networkService,
      container: options.container,
      command: options.command,
      environment: options.environment,
      subnets: options.subnets,
      securityGroups: options.securityGroups,
      assignPublicIp: options.assignPublicIp,
      launchType: options.launchType,
      startedBy: options.startedBy,
    },
    names,
  );
}

/** The checks that need no AWS call. */
function checkOptions(options: OneOffTaskOptions, names: OneOffTaskInputNames): void {
  if (!options.cluster) throw new ConfigurationError(names.cluster, 'is required but was not set');
  if (options.taskDefinition.kind === 'service' && !options.service) {
    throw new ConfigurationError(names.taskDefinition, `'service:current' needs the ${names.service} input`);
  }
  if (options.startedBy !== undefined) validateStartedBy(names.startedBy, options.startedBy);
  if (options.environment) validateEnvironmentNames(names.environment, options.environment);
}

/**
 * One DescribeServices call for the task-definition service and the network service (when they differ), unless the
 * caller described them already. A missing or INACTIVE service is a ConfigurationError on the input that named it.
 */
async function describeNeededServices(
  ecs: Pick<ECSClient, 'send'>,
  options: OneOffTaskOptions,
  names: OneOffTaskInputNames,
  send: Send,
): Promise<Map<string, Service>> {
  const described = new Map<string, Service>();
  for (const s of options.describedServices ?? []) if (s.serviceName) described.set(s.serviceName, s);
  const wanted = [
    ...new Set([options.service, options.networkService ?? options.service].filter((x): x is string => !!x)),
  ].filter((name) => !described.has(name));
  if (wanted.length === 0) return described;
  let response: DescribeServicesCommandOutput;
  try {
    response = await ecs.send(new DescribeServicesCommand({ cluster: options.cluster, services: wanted }), send);
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
  return described;
}

/** The task definition to plan with: the file to register, or the described reference / service revision. */
async function resolveTaskDefinition(
  ecs: Pick<ECSClient, 'send'>,
  options: OneOffTaskOptions,
  service: Service | undefined,
  names: OneOffTaskInputNames,
  send: Send,
): Promise<{
  taskDefinition: TaskDefShape;
  taskDefinitionArn: string | undefined;
  register: RegisterTaskDefinitionCommandInput | undefined;
}> {
  const source = options.taskDefinition;
  if (source.kind === 'file') {
    const register = toRegisterInput(source.taskDefinition);
    return { taskDefinition: register, taskDefinitionArn: undefined, register };
  }
  const reference = source.kind === 'service' ? service?.taskDefinition : registeredReference(source);
  if (!reference) throw new ConfigurationError(names.service, `service '${options.service}' has no task definition`);
  try {
    const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: reference }), send);
    if (!described.taskDefinition) throw new Error('DescribeTaskDefinition returned no task definition');
    return {
      taskDefinition: described.taskDefinition,
      taskDefinitionArn: described.taskDefinition.taskDefinitionArn ?? reference,
      register: undefined,
    };
  } catch (err) {
    if (isAwsServiceError(err) && isTaskDefinitionNotFound(err)) {
      throw new ConfigurationError(names.taskDefinition, `task definition '${reference}' not found: ${err.message}`);
    }
    throw err;
  }
}
