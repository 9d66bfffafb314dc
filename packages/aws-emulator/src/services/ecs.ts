// Amazon ECS (awsJson1_1, X-Amz-Target AmazonEC2ContainerServiceV20141113.*): task definitions, clusters, services
// with rolling deployments in simulated time, one-off tasks, tags. The scheduler lives in ecs-deployment-sim.ts.
import type { EmuContext, EmuRequest, SeedFixture, ServiceModule } from '../types.ts';
import { createScheduler, type EcsStore, newStore } from './ecs-deployment-sim.ts';
import { ClientTokenStore, clientToken, RUN_TASK_TOKEN_TTL_MS, requestFingerprint } from './ecs-idempotency.ts';
import {
  type Cluster,
  type ContainerDefinition,
  type Deployment,
  type EcsService,
  type LoadBalancer,
  shortId,
  type Tag,
  type Task,
  type TaskDefinition,
} from './ecs-model.ts';
import {
  checkContainers,
  checkFargateSize,
  checkTaskDefinitionSize,
  normaliseTaskCpu,
  normaliseTaskMemory,
} from './ecs-taskdef-rules.ts';
import { AwsError, classifyJson, epochSeconds, handleJson, jsonError, paginate } from './ecs-wire.ts';
import type { Elbv2Service, TargetHealthRecord } from './elbv2.ts';

export interface EcsServiceModule extends ServiceModule {
  /** Targets of a target group: the IPs of service tasks registered while RUNNING (ELBv2 DescribeTargetHealth). */
  targetHealth(targetGroupArn: string): TargetHealthRecord[];
}

const MUTATING = new Set([
  'RegisterTaskDefinition',
  'DeregisterTaskDefinition',
  'DeleteTaskDefinitions',
  'TagResource',
  'UntagResource',
  'CreateCluster',
  'DeleteCluster',
  'CreateService',
  'UpdateService',
  'DeleteService',
  'RunTask',
  'StartTask',
  'StopTask',
]);

type Body = Record<string, unknown>;

const FAMILY_RE = /^[a-zA-Z0-9_-]{1,255}$/;
const DEFAULT_DEPLOYMENT_CONFIGURATION = {
  deploymentCircuitBreaker: { enable: false, rollback: false },
  maximumPercent: 200,
  minimumHealthyPercent: 100,
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

export function createEcsService(): EcsServiceModule {
  const store: EcsStore = newStore();
  let ctxRef: EmuContext | undefined;
  const sched = createScheduler(store, () => ctxRef);
  const now = () => (ctxRef as EmuContext).clock.now();
  const account = () => ctxRef?.accountId ?? '000000000000';
  /** RunTask results by (cluster ARN, clientToken): task ids and failures of the first successful request. */
  const runTaskTokens = new ClientTokenStore<{ taskIds: string[]; taskArns: string[]; failures: unknown[] }>();

  // ---------------- lookups ----------------

  function clusterName(ref: unknown): string {
    const s = str(ref) ?? 'default';
    const m = /:cluster\/(.+)$/.exec(s);
    return m ? (m[1] as string) : s;
  }

  function getCluster(ref: unknown): Cluster {
    const c = store.clusters.get(clusterName(ref));
    if (c?.status !== 'ACTIVE') throw new AwsError('ClusterNotFoundException', 'Cluster not found.');
    return c;
  }

  function serviceName(ref: string): string {
    return ref.startsWith('arn:') ? shortId(ref) : ref;
  }

  function findService(cluster: Cluster, ref: unknown): EcsService | undefined {
    const s = str(ref);
    if (!s) return undefined;
    return store.services.get(`${cluster.name}/${serviceName(s)}`);
  }

  function getService(cluster: Cluster, ref: unknown): EcsService {
    const svc = findService(cluster, ref);
    if (!svc) throw new AwsError('ServiceNotFoundException', 'Service not found.');
    return svc;
  }

  function parseTdRef(ref: string): { family: string; revision?: number } | undefined {
    const m = /^(?:arn:aws[\w-]*:ecs:[^:]*:\d*:task-definition\/)?([a-zA-Z0-9_-]+)(?::(\d+))?$/.exec(ref);
    if (!m) return undefined;
    return { family: m[1] as string, ...(m[2] ? { revision: Number(m[2]) } : {}) };
  }

  function findTd(ref: unknown): TaskDefinition | undefined {
    const s = str(ref);
    if (!s) return undefined;
    const p = parseTdRef(s);
    if (!p) return undefined;
    const revs = store.taskDefs.get(p.family);
    if (!revs) return undefined;
    if (p.revision !== undefined) return revs[p.revision - 1];
    return [...revs].reverse().find((t) => t.status === 'ACTIVE');
  }

  /** Task definition for CreateService / UpdateService / RunTask. */
  function usableTd(ref: unknown): TaskDefinition {
    const td = findTd(ref);
    if (!td) throw new AwsError('InvalidParameterException', 'TaskDefinition not found.');
    if (td.status !== 'ACTIVE') throw new AwsError('ClientException', 'TaskDefinition is inactive');
    return td;
  }

  // ---------------- task definitions ----------------

  function requiresAttributes(td: Body, containers: ContainerDefinition[]): Array<{ name: string }> {
    const names = new Set<string>(['com.amazonaws.ecs.capability.docker-remote-api.1.18']);
    if (td.taskRoleArn) names.add('com.amazonaws.ecs.capability.task-iam-role');
    if (td.networkMode === 'awsvpc') names.add('ecs.capability.task-eni');
    for (const c of containers) {
      if (c.logConfiguration?.logDriver === 'awslogs') {
        names.add('com.amazonaws.ecs.capability.logging-driver.awslogs');
        names.add('com.amazonaws.ecs.capability.docker-remote-api.1.19');
        if (td.executionRoleArn) names.add('ecs.capability.execution-role-awslogs');
      }
      if (/\.dkr\.ecr\./.test(c.image)) {
        names.add('com.amazonaws.ecs.capability.ecr-auth');
        if (td.executionRoleArn) names.add('ecs.capability.execution-role-ecr-pull');
      }
      for (const s of c.secrets ?? []) {
        names.add(
          s.valueFrom.includes(':secretsmanager:')
            ? 'ecs.capability.secrets.asm.environment-variables'
            : 'ecs.capability.secrets.ssm.environment-variables',
        );
      }
      if (c.healthCheck) {
        names.add('ecs.capability.container-health-check');
        names.add('com.amazonaws.ecs.capability.docker-remote-api.1.24');
      }
    }
    return [...names].map((name) => ({ name }));
  }

  function registerTaskDefinition(body: Body, region: string): { td: TaskDefinition; tags: Tag[] } {
    const family = body.family;
    if (typeof family !== 'string' || !FAMILY_RE.test(family)) {
      throw new AwsError(
        'ClientException',
        'Family contains invalid characters or is longer than 255 characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.',
      );
    }
    checkTaskDefinitionSize(body);
    const defs = arr<ContainerDefinition>(body.containerDefinitions);
    if (defs.length === 0) throw new AwsError('ClientException', 'Container list cannot be empty.');
    const seen = new Set<string>();
    for (const c of defs) {
      if (!str(c?.name)) throw new AwsError('ClientException', 'Container.name should not be null or empty.');
      if (!str(c.image)) throw new AwsError('ClientException', 'Container.image should not be null or empty.');
      if (seen.has(c.name))
        throw new AwsError('ClientException', `Duplicate container name '${c.name}' is not allowed.`);
      seen.add(c.name);
    }
    const networkMode = str(body.networkMode);
    checkContainers(defs, networkMode);
    const requires = arr<string>(body.requiresCompatibilities);
    const cpu = normaliseTaskCpu(body.cpu);
    const memory = normaliseTaskMemory(body.memory);
    if (requires.includes('FARGATE')) {
      if (networkMode !== 'awsvpc')
        throw new AwsError('ClientException', 'Fargate only supports network mode \u2018awsvpc\u2019.');
      checkFargateSize(cpu, memory);
      if (!body.executionRoleArn && defs.some((c) => c.logConfiguration?.logDriver === 'awslogs')) {
        throw new AwsError(
          'ClientException',
          'Fargate requires task definition to have execution role ARN to support log driver awslogs.',
        );
      }
    }
    if (!body.executionRoleArn && defs.some((c) => (c.secrets ?? []).length > 0)) {
      throw new AwsError(
        'ClientException',
        "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.",
      );
    }
    const hostPorts = networkMode === 'awsvpc' || networkMode === 'host';
    const containers: ContainerDefinition[] = defs.map((c) => ({
      ...c,
      cpu: c.cpu ?? 0,
      portMappings: (c.portMappings ?? []).map((p) => ({
        ...p,
        ...(p.containerPort !== undefined ? { hostPort: p.hostPort ?? (hostPorts ? p.containerPort : 0) } : {}),
        protocol: p.protocol ?? 'tcp',
      })),
      essential: c.essential ?? true,
      environment: c.environment ?? [],
      mountPoints: (c.mountPoints as unknown[]) ?? [],
      volumesFrom: (c.volumesFrom as unknown[]) ?? [],
      systemControls: (c.systemControls as unknown[]) ?? [],
    }));
    const compat = ['EC2'];
    if (networkMode === 'awsvpc' && cpu && memory) compat.push('FARGATE');
    if (networkMode !== 'awsvpc') compat.unshift('EXTERNAL');
    const revs = store.taskDefs.get(family) ?? [];
    const revision = revs.length + 1;
    const optional: Body = {};
    for (const k of [
      'taskRoleArn',
      'executionRoleArn',
      'pidMode',
      'ipcMode',
      'proxyConfiguration',
      'inferenceAccelerators',
      'ephemeralStorage',
      'runtimePlatform',
      'enableFaultInjection',
    ]) {
      if (body[k] !== undefined) optional[k] = body[k];
    }
    const td: TaskDefinition = {
      taskDefinitionArn: `arn:aws:ecs:${region}:${account()}:task-definition/${family}:${revision}`,
      containerDefinitions: containers,
      family,
      ...optional,
      ...(networkMode ? { networkMode } : {}),
      revision,
      volumes: arr(body.volumes),
      status: 'ACTIVE',
      requiresAttributes: requiresAttributes(body, containers),
      placementConstraints: arr(body.placementConstraints),
      compatibilities: compat,
      ...(requires.length > 0 ? { requiresCompatibilities: requires } : {}),
      ...(cpu ? { cpu } : {}),
      ...(memory ? { memory } : {}),
      registeredAt: now(),
      registeredBy: `arn:aws:sts::${account()}:assumed-role/emulator-role/emulator-session`,
    };
    revs.push(td);
    store.taskDefs.set(family, revs);
    const tags = arr<Tag>(body.tags);
    if (tags.length > 0) store.tags.set(td.taskDefinitionArn, tags);
    return { td, tags };
  }

  function tdShape(td: TaskDefinition) {
    const { registeredAt, deregisteredAt, ...rest } = td;
    return {
      ...rest,
      registeredAt: epochSeconds(registeredAt),
      ...(deregisteredAt !== undefined ? { deregisteredAt: epochSeconds(deregisteredAt) } : {}),
    };
  }

  // ---------------- shapes ----------------

  function clusterShape(c: Cluster, includeTags: boolean) {
    const tasks = [...store.tasks.values()].filter((t) => t.cluster === c);
    return {
      clusterArn: c.arn,
      clusterName: c.name,
      status: c.status,
      registeredContainerInstancesCount: 0,
      runningTasksCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
      pendingTasksCount: tasks.filter(
        (t) => t.desiredStatus === 'RUNNING' && (t.lastStatus === 'PENDING' || t.lastStatus === 'PROVISIONING'),
      ).length,
      activeServicesCount: [...store.services.values()].filter((s) => s.cluster === c && s.status === 'ACTIVE').length,
      statistics: [],
      ...(includeTags ? { tags: store.tags.get(c.arn) ?? [] } : {}),
      settings: c.settings,
      capacityProviders: c.capacityProviders,
      defaultCapacityProviderStrategy: c.defaultCapacityProviderStrategy,
    };
  }

  const isPending = (t: Task) =>
    t.desiredStatus === 'RUNNING' && ['PROVISIONING', 'PENDING', 'ACTIVATING'].includes(t.lastStatus);

  function deploymentShape(svc: EcsService, d: Deployment) {
    const tasks = sched.tasksOf(svc).filter((t) => t.deploymentId === d.id);
    return {
      id: d.id,
      status: d.status,
      taskDefinition: d.taskDefinition,
      desiredCount: d.desiredCount,
      pendingCount: tasks.filter(isPending).length,
      runningCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
      failedTasks: d.failedTasks,
      createdAt: epochSeconds(d.createdAt),
      updatedAt: epochSeconds(d.updatedAt),
      ...(d.capacityProviderStrategy ? { capacityProviderStrategy: d.capacityProviderStrategy } : {}),
      ...(d.launchType ? { launchType: d.launchType } : {}),
      ...(d.platformVersion ? { platformVersion: d.platformVersion, platformFamily: 'Linux' } : {}),
      ...(d.networkConfiguration ? { networkConfiguration: d.networkConfiguration } : {}),
      ...(d.rolloutState ? { rolloutState: d.rolloutState, rolloutStateReason: d.rolloutStateReason } : {}),
    };
  }

  function serviceShape(svc: EcsService, includeTags = false) {
    const tasks = sched.tasksOf(svc);
    return {
      serviceArn: svc.arn,
      serviceName: svc.name,
      clusterArn: svc.cluster.arn,
      loadBalancers: svc.loadBalancers,
      serviceRegistries: svc.serviceRegistries,
      status: svc.status,
      desiredCount: svc.desiredCount,
      runningCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
      pendingCount: tasks.filter(isPending).length,
      ...(svc.launchType ? { launchType: svc.launchType } : {}),
      ...(svc.capacityProviderStrategy ? { capacityProviderStrategy: svc.capacityProviderStrategy } : {}),
      ...(svc.launchType === 'FARGATE' || svc.capacityProviderStrategy
        ? { platformVersion: svc.platformVersion ?? 'LATEST', platformFamily: 'Linux' }
        : {}),
      taskDefinition: svc.taskDefinition,
      deploymentConfiguration: svc.deploymentConfiguration,
      deployments: svc.deployments.map((d) => deploymentShape(svc, d)),
      ...(svc.roleArn ? { roleArn: svc.roleArn } : {}),
      events: svc.events.map((e) => ({ id: e.id, createdAt: epochSeconds(e.createdAt), message: e.message })),
      createdAt: epochSeconds(svc.createdAt),
      placementConstraints: svc.placementConstraints,
      placementStrategy: svc.placementStrategy,
      ...(svc.networkConfiguration ? { networkConfiguration: svc.networkConfiguration } : {}),
      ...(svc.healthCheckGracePeriodSeconds !== undefined
        ? { healthCheckGracePeriodSeconds: svc.healthCheckGracePeriodSeconds }
        : {}),
      schedulingStrategy: svc.schedulingStrategy,
      deploymentController: svc.deploymentController,
      ...(includeTags ? { tags: store.tags.get(svc.arn) ?? [] } : {}),
      createdBy: svc.createdBy,
      enableECSManagedTags: svc.enableECSManagedTags,
      propagateTags: svc.propagateTags,
      enableExecuteCommand: svc.enableExecuteCommand,
      availabilityZoneRebalancing: 'ENABLED',
    };
  }

  function taskShape(t: Task, includeTags = false) {
    const opt = (k: string, v: number | undefined) => (v === undefined ? {} : { [k]: epochSeconds(v) });
    const eni = t.eni;
    return {
      attachments: eni
        ? [
            {
              id: eni.attachmentId,
              type: 'ElasticNetworkInterface',
              status: eni.status,
              details: [
                { name: 'subnetId', value: eni.subnet },
                { name: 'networkInterfaceId', value: eni.eniId },
                { name: 'macAddress', value: eni.mac },
                { name: 'privateDnsName', value: `ip-${eni.ip.replace(/\./g, '-')}.ec2.internal` },
                { name: 'privateIPv4Address', value: eni.ip },
              ],
            },
          ]
        : [],
      attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
      availabilityZone: t.availabilityZone,
      ...(t.capacityProviderName ? { capacityProviderName: t.capacityProviderName } : {}),
      clusterArn: t.cluster.arn,
      ...(t.connectivityAt !== undefined
        ? { connectivity: t.lastStatus === 'STOPPED' ? 'DISCONNECTED' : 'CONNECTED' }
        : {}),
      ...opt('connectivityAt', t.connectivityAt),
      containers: t.containers.map((c) => ({
        containerArn: c.containerArn,
        taskArn: t.arn,
        name: c.name,
        image: c.image,
        ...(c.imageDigest ? { imageDigest: c.imageDigest } : {}),
        ...(c.runtimeId ? { runtimeId: c.runtimeId } : {}),
        lastStatus: c.lastStatus,
        ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
        ...(c.reason ? { reason: c.reason } : {}),
        networkBindings: [],
        networkInterfaces: eni ? [{ attachmentId: eni.attachmentId, privateIpv4Address: eni.ip }] : [],
        ...(c.healthStatus ? { healthStatus: c.healthStatus } : {}),
        cpu: c.cpu,
        ...(c.memory ? { memory: c.memory } : {}),
      })),
      ...(t.td.cpu ? { cpu: t.td.cpu } : {}),
      ...(t.td.memory ? { memory: t.td.memory } : {}),
      createdAt: epochSeconds(t.createdAt),
      desiredStatus: t.desiredStatus,
      enableExecuteCommand: t.enableExecuteCommand,
      ...(t.launchType === 'FARGATE' ? { ephemeralStorage: { sizeInGiB: 20 } } : {}),
      ...opt('executionStoppedAt', t.executionStoppedAt),
      group: t.group,
      healthStatus: t.healthStatus,
      lastStatus: t.lastStatus,
      launchType: t.launchType,
      overrides: t.overrides,
      ...(t.platformVersion ? { platformVersion: t.platformVersion, platformFamily: 'Linux' } : {}),
      ...opt('pullStartedAt', t.pullStartedAt),
      ...opt('pullStoppedAt', t.pullStoppedAt),
      ...opt('startedAt', t.startedAt),
      ...(t.startedBy !== undefined ? { startedBy: t.startedBy } : {}),
      ...(t.stopCode ? { stopCode: t.stopCode } : {}),
      ...opt('stoppedAt', t.stoppedAt),
      ...(t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
      ...opt('stoppingAt', t.stoppingAt),
      ...(includeTags ? { tags: store.tags.get(t.arn) ?? t.tags } : {}),
      taskArn: t.arn,
      taskDefinitionArn: t.td.taskDefinitionArn,
      version: t.version,
    };
  }

  // ---------------- validation shared by services and RunTask ----------------

  function validateNetwork(td: TaskDefinition, networkConfiguration: unknown) {
    const subnets = (networkConfiguration as { awsvpcConfiguration?: { subnets?: unknown[] } } | undefined)
      ?.awsvpcConfiguration?.subnets;
    if (td.networkMode === 'awsvpc') {
      if (!networkConfiguration) {
        throw new AwsError(
          'InvalidParameterException',
          "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
        );
      }
      if (!Array.isArray(subnets) || subnets.length === 0) {
        throw new AwsError('InvalidParameterException', 'subnets can not be empty.');
      }
    } else if (networkConfiguration) {
      throw new AwsError(
        'InvalidParameterException',
        'Network Configuration is not valid for the given networkMode of this task definition.',
      );
    }
  }

  function validateLaunch(td: TaskDefinition, launchType: string | undefined, strategy: unknown) {
    if (launchType && Array.isArray(strategy) && strategy.length > 0) {
      throw new AwsError(
        'InvalidParameterException',
        'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.',
      );
    }
    const fargate =
      launchType === 'FARGATE' ||
      arr<{ capacityProvider?: string }>(strategy).some((s) => s.capacityProvider?.startsWith('FARGATE'));
    if (fargate && !td.compatibilities.includes('FARGATE')) {
      throw new AwsError('ClientException', 'Task definition does not support launch_type FARGATE.');
    }
  }

  function validateLoadBalancers(td: TaskDefinition, lbs: LoadBalancer[]) {
    for (const lb of lbs) {
      if (!lb.targetGroupArn && !lb.loadBalancerName) {
        throw new AwsError('InvalidParameterException', 'Either targetGroupArn or loadBalancerName must be specified.');
      }
      const c = td.containerDefinitions.find((x) => x.name === lb.containerName);
      if (!c)
        throw new AwsError(
          'InvalidParameterException',
          `The container ${lb.containerName} does not exist in the task definition.`,
        );
      if (!(c.portMappings ?? []).some((p) => p.containerPort === lb.containerPort)) {
        throw new AwsError(
          'InvalidParameterException',
          `The container ${lb.containerName} did not have a container port ${lb.containerPort} defined.`,
        );
      }
    }
  }

  function ensureTargetGroups(lbs: LoadBalancer[]) {
    const elb = ctxRef?.state.services.get('elasticloadbalancing') as Elbv2Service | undefined;
    for (const lb of lbs) {
      if (lb.targetGroupArn)
        elb?.ensureTargetGroup?.(lb.targetGroupArn, lb.containerPort !== undefined ? { port: lb.containerPort } : {});
    }
  }

  function mergeDeploymentConfiguration(
    base: EcsService['deploymentConfiguration'],
    input: unknown,
  ): EcsService['deploymentConfiguration'] {
    const i = (input ?? {}) as Partial<EcsService['deploymentConfiguration']>;
    const out = {
      ...base,
      ...i,
      deploymentCircuitBreaker: { ...base.deploymentCircuitBreaker, ...(i.deploymentCircuitBreaker ?? {}) },
    };
    if (
      out.minimumHealthyPercent < 0 ||
      (out.maximumPercent < 100 && out.minimumHealthyPercent >= out.maximumPercent)
    ) {
      throw new AwsError('InvalidParameterException', 'maximumPercent must be greater than minimumHealthyPercent.');
    }
    return out;
  }

  // ---------------- services ----------------

  function createService(body: Body, region: string, opts: { seeded?: boolean } = {}): EcsService {
    const cluster = getCluster(body.cluster);
    const name = str(body.serviceName);
    if (!name || !/^[a-zA-Z0-9_-]{1,255}$/.test(name)) {
      throw new AwsError(
        'InvalidParameterException',
        'Service name must be between 1 and 255 characters and contain only letters, numbers, hyphens, and underscores.',
      );
    }
    const token = clientToken(body.clientToken, 36);
    const fingerprint = requestFingerprint(body);
    const existing = store.services.get(`${cluster.name}/${name}`);
    if (existing && existing.status !== 'INACTIVE') {
      // Same token, same parameters: the retry succeeds without doing anything (ECS_Idempotency.html).
      if (token && existing.clientToken === token && existing.createFingerprint === fingerprint) return existing;
      throw new AwsError('InvalidParameterException', 'Creation of service was not idempotent.');
    }
    const controller = ((body.deploymentController as { type?: string } | undefined)?.type ?? 'ECS') as string;
    const td = usableTd(body.taskDefinition);
    const strategy =
      Array.isArray(body.capacityProviderStrategy) && body.capacityProviderStrategy.length > 0
        ? (body.capacityProviderStrategy as Array<Record<string, unknown>>)
        : undefined;
    const launchType = str(body.launchType) ?? (strategy ? undefined : 'EC2');
    validateLaunch(td, str(body.launchType), strategy);
    validateNetwork(td, body.networkConfiguration);
    const lbs = arr<LoadBalancer>(body.loadBalancers);
    validateLoadBalancers(td, lbs);
    const desired = body.desiredCount === undefined ? 1 : Number(body.desiredCount);
    if (!Number.isInteger(desired) || desired < 0)
      throw new AwsError('InvalidParameterException', 'desiredCount must be a non-negative integer.');
    const svc: EcsService = {
      key: `${cluster.name}/${name}`,
      name,
      arn: `arn:aws:ecs:${region}:${account()}:service/${cluster.name}/${name}`,
      region,
      cluster,
      status: 'ACTIVE',
      desiredCount: desired,
      taskDefinition: td.taskDefinitionArn,
      ...(launchType ? { launchType } : {}),
      ...(strategy ? { capacityProviderStrategy: strategy } : {}),
      ...(str(body.platformVersion) ? { platformVersion: str(body.platformVersion) } : {}),
      ...(body.networkConfiguration
        ? { networkConfiguration: body.networkConfiguration as EcsService['networkConfiguration'] }
        : {}),
      loadBalancers: lbs,
      deploymentConfiguration: mergeDeploymentConfiguration(
        DEFAULT_DEPLOYMENT_CONFIGURATION,
        body.deploymentConfiguration,
      ),
      deploymentController: { type: controller },
      ...(body.healthCheckGracePeriodSeconds !== undefined
        ? { healthCheckGracePeriodSeconds: Number(body.healthCheckGracePeriodSeconds) }
        : {}),
      schedulingStrategy: str(body.schedulingStrategy) ?? 'REPLICA',
      createdAt: now(),
      createdBy: `arn:aws:iam::${account()}:role/emulator-role`,
      ...(str(body.role) ? { roleArn: str(body.role) } : {}),
      propagateTags: str(body.propagateTags) ?? 'NONE',
      enableECSManagedTags: body.enableECSManagedTags === true,
      enableExecuteCommand: body.enableExecuteCommand === true,
      placementConstraints: arr(body.placementConstraints),
      placementStrategy: arr(body.placementStrategy),
      serviceRegistries: arr(body.serviceRegistries),
      events: [],
      deployments: [],
      steady: false,
      ...(token ? { clientToken: token, createFingerprint: fingerprint } : {}),
    };
    store.services.set(svc.key, svc);
    const tags = arr<Tag>(body.tags);
    if (tags.length > 0) store.tags.set(svc.arn, tags);
    ensureTargetGroups(lbs);
    const dep = sched.newDeployment(svc, td.taskDefinitionArn);
    if (opts.seeded) {
      // a seeded service starts at steady state: RUNNING healthy tasks, a COMPLETED deployment
      const t = now() - 600_000;
      svc.createdAt = t;
      dep.createdAt = t;
      dep.updatedAt = t + 70_000;
      if (dep.rolloutState) {
        dep.rolloutState = 'COMPLETED';
        dep.rolloutStateReason = `ECS deployment ${dep.id} completed.`;
      }
      sched.launchForDeployment(svc, dep, desired, { running: true });
      svc.lastCompleted = { id: dep.id, taskDefinition: dep.taskDefinition };
      svc.steady = true;
      svc.events.unshift({
        id: crypto.randomUUID(),
        createdAt: t + 70_000,
        message: `(service ${name}) has reached a steady state.`,
      });
    } else {
      sched.reconcile(svc);
    }
    return svc;
  }

  function updateService(body: Body): EcsService {
    const cluster = getCluster(body.cluster);
    const svc = getService(cluster, body.service);
    if (svc.status !== 'ACTIVE') throw new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.');
    let newDeployment = body.forceNewDeployment === true;
    let td: TaskDefinition | undefined;
    if (body.taskDefinition !== undefined) {
      if (svc.deploymentController.type === 'CODE_DEPLOY') {
        throw new AwsError(
          'InvalidParameterException',
          'Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.',
        );
      }
      td = usableTd(body.taskDefinition);
      if (td.taskDefinitionArn !== svc.taskDefinition) newDeployment = true;
    }
    const effectiveTd = td ?? findTd(svc.taskDefinition);
    if (!effectiveTd) throw new AwsError('InvalidParameterException', 'TaskDefinition not found.');
    const strategy = Array.isArray(body.capacityProviderStrategy)
      ? (body.capacityProviderStrategy as Array<Record<string, unknown>>)
      : undefined;
    if (strategy) validateLaunch(effectiveTd, undefined, strategy);
    const network = body.networkConfiguration ?? svc.networkConfiguration;
    if (body.networkConfiguration !== undefined || td) validateNetwork(effectiveTd, network);
    const lbs = body.loadBalancers !== undefined ? arr<LoadBalancer>(body.loadBalancers) : svc.loadBalancers;
    if (body.loadBalancers !== undefined || td) validateLoadBalancers(effectiveTd, lbs);
    const changed = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);
    if (body.networkConfiguration !== undefined && changed(body.networkConfiguration, svc.networkConfiguration)) {
      svc.networkConfiguration = body.networkConfiguration as EcsService['networkConfiguration'];
      newDeployment = true;
    }
    if (body.loadBalancers !== undefined && changed(lbs, svc.loadBalancers)) {
      svc.loadBalancers = lbs;
      ensureTargetGroups(lbs);
      newDeployment = true;
    }
    if (strategy && changed(strategy, svc.capacityProviderStrategy)) {
      svc.capacityProviderStrategy = strategy;
      delete svc.launchType;
      newDeployment = true;
    }
    if (str(body.platformVersion) && body.platformVersion !== svc.platformVersion) {
      svc.platformVersion = str(body.platformVersion);
      newDeployment = true;
    }
    if (body.deploymentConfiguration !== undefined) {
      svc.deploymentConfiguration = mergeDeploymentConfiguration(
        svc.deploymentConfiguration,
        body.deploymentConfiguration,
      );
    }
    if (body.healthCheckGracePeriodSeconds !== undefined)
      svc.healthCheckGracePeriodSeconds = Number(body.healthCheckGracePeriodSeconds);
    if (body.enableExecuteCommand !== undefined) svc.enableExecuteCommand = body.enableExecuteCommand === true;
    if (body.desiredCount !== undefined) {
      const d = Number(body.desiredCount);
      if (!Number.isInteger(d) || d < 0)
        throw new AwsError('InvalidParameterException', 'desiredCount must be a non-negative integer.');
      if (d !== svc.desiredCount) svc.steady = false;
      svc.desiredCount = d;
    }
    if (newDeployment) sched.newDeployment(svc, (td ?? effectiveTd).taskDefinitionArn);
    sched.reconcile(svc);
    return svc;
  }

  function deleteService(body: Body): EcsService {
    const cluster = getCluster(body.cluster);
    const svc = getService(cluster, body.service);
    if (svc.status !== 'ACTIVE') throw new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.');
    if (svc.desiredCount > 0 && body.force !== true) {
      throw new AwsError('InvalidParameterException', 'The service cannot be stopped while it is scaled above 0.');
    }
    svc.desiredCount = 0;
    svc.status = 'DRAINING';
    sched.reconcile(svc);
    return svc;
  }

  // ---------------- tasks ----------------

  function findTask(cluster: Cluster, ref: unknown): Task | undefined {
    const s = str(ref);
    if (!s) return undefined;
    const t = store.tasks.get(shortId(s));
    return t && t.cluster === cluster ? t : undefined;
  }

  function runTask(body: Body, region: string) {
    const cluster = getCluster(body.cluster);
    const token = clientToken(body.clientToken, 64);
    const fingerprint = requestFingerprint(body);
    if (token) {
      const prior = runTaskTokens.get(cluster.arn, token, now());
      if (prior) {
        if (prior.fingerprint !== fingerprint) {
          // botocore's ECS ConflictException: "The provided clientToken is already in use with a different RunTask
          // request. The resourceIds are the existing task ARNs which are already associated with the clientToken."
          throw new AwsError(
            'ConflictException',
            'The RunTask request could not be processed due to conflicts. The provided clientToken is already in use with a different RunTask request.',
            400,
            { resourceIds: prior.result.taskArns },
          );
        }
        const tasks = prior.result.taskIds.map((id) => store.tasks.get(id)).filter((t): t is Task => t !== undefined);
        return { tasks: tasks.map((t) => taskShape(t)), failures: prior.result.failures };
      }
    }
    const result = startTasks(body, region, cluster);
    if (token) {
      runTaskTokens.put(
        cluster.arn,
        token,
        fingerprint,
        {
          taskIds: result.tasks.map((t) => t.id),
          taskArns: result.tasks.map((t) => t.arn),
          failures: result.failures,
        },
        now() + RUN_TASK_TOKEN_TTL_MS,
      );
    }
    return { tasks: result.tasks.map((t) => taskShape(t)), failures: result.failures };
  }

  function startTasks(body: Body, region: string, cluster: Cluster): { tasks: Task[]; failures: unknown[] } {
    const td = usableTd(body.taskDefinition);
    const count = body.count === undefined ? 1 : Number(body.count);
    if (!Number.isInteger(count) || count < 1 || count > 10) {
      throw new AwsError('InvalidParameterException', 'Count must be between 1 and 10.');
    }
    const strategy =
      Array.isArray(body.capacityProviderStrategy) && body.capacityProviderStrategy.length > 0
        ? (body.capacityProviderStrategy as Array<{ capacityProvider?: string }>)
        : body.launchType === undefined && cluster.defaultCapacityProviderStrategy.length > 0
          ? (cluster.defaultCapacityProviderStrategy as Array<{ capacityProvider?: string }>)
          : undefined;
    validateLaunch(td, str(body.launchType), body.capacityProviderStrategy);
    const launchType = str(body.launchType) ?? (strategy ? 'FARGATE' : 'EC2');
    if (launchType === 'EC2' || launchType === 'EXTERNAL') {
      throw new AwsError('InvalidParameterException', 'No Container Instances were found in your cluster.');
    }
    validateNetwork(td, body.networkConfiguration);
    const overrides = (body.overrides ?? {}) as { containerOverrides?: Array<Record<string, unknown>> };
    for (const o of overrides.containerOverrides ?? []) {
      if (!td.containerDefinitions.some((c) => c.name === o.name)) {
        throw new AwsError(
          'InvalidParameterException',
          `Override for container named ${String(o.name)} is not a container in the TaskDefinition.`,
        );
      }
    }
    const behavior = sched.runBehavior(td);
    // Extension: a run rule with `failure` (e.g. a capacity message) makes RunTask answer with failures[] instead.
    if (behavior.failure) return { tasks: [], failures: [{ arn: td.taskDefinitionArn, reason: behavior.failure }] };
    const tasks: Task[] = [];
    const provider = strategy?.[0]?.capacityProvider;
    const tags = arr<Tag>(body.tags);
    for (let i = 0; i < count; i++) {
      const task = sched.createTask({
        cluster,
        td,
        region,
        group: str(body.group) ?? `family:${td.family}`,
        ...(str(body.startedBy) ? { startedBy: str(body.startedBy) } : {}),
        launchType,
        ...(provider ? { capacityProviderName: provider } : {}),
        ...(str(body.platformVersion) ? { platformVersion: str(body.platformVersion) } : {}),
        ...(body.networkConfiguration ? { networkConfiguration: body.networkConfiguration } : {}),
        overrides: overrides as Task['overrides'],
        tags,
        enableExecuteCommand: body.enableExecuteCommand === true,
        behavior,
      });
      if (tags.length > 0) store.tags.set(task.arn, tags);
      sched.startTask(task);
      tasks.push(task);
    }
    return { tasks, failures: [] };
  }

  // ---------------- tags ----------------

  function resourceExists(arn: string): boolean {
    if (/:task-definition\//.test(arn)) return findTd(arn) !== undefined;
    if (/:service\//.test(arn)) return [...store.services.values()].some((s) => s.arn === arn);
    if (/:cluster\//.test(arn)) return [...store.clusters.values()].some((c) => c.arn === arn);
    if (/:task\//.test(arn)) return [...store.tasks.values()].some((t) => t.arn === arn);
    return false;
  }

  function tagTarget(arn: unknown): string {
    const a = str(arn);
    if (!a || !resourceExists(a))
      throw new AwsError('InvalidParameterException', 'The specified resource is not found.');
    // task definitions are tagged by their full ARN (family:revision)
    return a;
  }

  // ---------------- dispatch ----------------

  function handleOp(op: string, body: Body, req: EmuRequest): unknown {
    const region = req.region;
    switch (op) {
      case 'RegisterTaskDefinition': {
        const { td, tags } = registerTaskDefinition(body, region);
        return { taskDefinition: tdShape(td), tags };
      }
      case 'DescribeTaskDefinition': {
        const td = findTd(body.taskDefinition);
        if (!td) throw new AwsError('ClientException', 'Unable to describe task definition.');
        const include = arr<string>(body.include);
        return {
          taskDefinition: tdShape(td),
          ...(include.includes('TAGS') ? { tags: store.tags.get(td.taskDefinitionArn) ?? [] } : {}),
        };
      }
      case 'ListTaskDefinitions': {
        const status = str(body.status) ?? 'ACTIVE';
        const family = str(body.familyPrefix);
        let list = [...store.taskDefs.values()]
          .flat()
          .filter((t) => t.status === status && (!family || t.family === family));
        list.sort((a, b) => (a.family < b.family ? -1 : a.family > b.family ? 1 : a.revision - b.revision));
        if (body.sort === 'DESC') list = list.reverse();
        const max = body.maxResults === undefined ? 100 : Number(body.maxResults);
        if (!Number.isInteger(max) || max < 1 || max > 100)
          throw new AwsError('InvalidParameterException', 'maxResults must be between 1 and 100.');
        const { page, nextToken } = paginate(list, body.nextToken, max);
        return { taskDefinitionArns: page.map((t) => t.taskDefinitionArn), ...(nextToken ? { nextToken } : {}) };
      }
      case 'ListTaskDefinitionFamilies': {
        const status = str(body.status) ?? 'ACTIVE';
        const prefix = str(body.familyPrefix) ?? '';
        const list = [...store.taskDefs.entries()]
          .filter(([f, revs]) => f.startsWith(prefix) && (status === 'ALL' || revs.some((t) => t.status === status)))
          .map(([f]) => f)
          .sort();
        const max = body.maxResults === undefined ? 100 : Math.max(1, Math.min(100, Number(body.maxResults)));
        const { page, nextToken } = paginate(list, body.nextToken, max);
        return { families: page, ...(nextToken ? { nextToken } : {}) };
      }
      case 'DeregisterTaskDefinition': {
        const ref = str(body.taskDefinition) ?? '';
        const p = parseTdRef(ref);
        if (!p) throw new AwsError('ClientException', 'Unable to describe task definition.');
        if (p.revision === undefined) throw new AwsError('ClientException', `Invalid revision number. Number: ${ref}`);
        const td = findTd(ref);
        if (!td) throw new AwsError('ClientException', 'Unable to describe task definition.');
        if (td.status === 'ACTIVE') {
          td.status = 'INACTIVE';
          td.deregisteredAt = now();
        }
        return { taskDefinition: tdShape(td) };
      }
      case 'TagResource': {
        const arn = tagTarget(body.resourceArn);
        const tags = arr<Tag>(body.tags);
        const current = (store.tags.get(arn) ?? []).filter((t) => !tags.some((n) => n.key === t.key));
        store.tags.set(arn, [...current, ...tags]);
        return {};
      }
      case 'UntagResource': {
        const arn = tagTarget(body.resourceArn);
        const keys = arr<string>(body.tagKeys);
        store.tags.set(
          arn,
          (store.tags.get(arn) ?? []).filter((t) => !keys.includes(t.key)),
        );
        return {};
      }
      case 'ListTagsForResource':
        return { tags: store.tags.get(tagTarget(body.resourceArn)) ?? [] };
      case 'CreateCluster': {
        const name = str(body.clusterName) ?? 'default';
        if (!/^[a-zA-Z0-9_-]{1,255}$/.test(name)) {
          throw new AwsError(
            'InvalidParameterException',
            'Cluster name can only contain letters, numbers, hyphens, and underscores.',
          );
        }
        let c = store.clusters.get(name);
        if (c?.status !== 'ACTIVE') {
          c = {
            name,
            arn: `arn:aws:ecs:${region}:${account()}:cluster/${name}`,
            region,
            status: 'ACTIVE',
            settings:
              arr(body.settings).length > 0 ? arr(body.settings) : [{ name: 'containerInsights', value: 'disabled' }],
            capacityProviders: arr(body.capacityProviders),
            defaultCapacityProviderStrategy: arr(body.defaultCapacityProviderStrategy),
          };
          store.clusters.set(name, c);
          const tags = arr<Tag>(body.tags);
          if (tags.length > 0) store.tags.set(c.arn, tags);
        }
        return { cluster: clusterShape(c, false) };
      }
      case 'DescribeClusters': {
        const refs = arr<string>(body.clusters);
        const include = arr<string>(body.include).includes('TAGS');
        const clusters: unknown[] = [];
        const failures: unknown[] = [];
        for (const ref of refs.length > 0 ? refs : ['default']) {
          const c = store.clusters.get(clusterName(ref));
          if (c) clusters.push(clusterShape(c, include));
          else
            failures.push({
              arn: ref.startsWith('arn:') ? ref : `arn:aws:ecs:${region}:${account()}:cluster/${ref}`,
              reason: 'MISSING',
            });
        }
        return { clusters, failures };
      }
      case 'ListClusters': {
        const list = [...store.clusters.values()].filter((c) => c.status === 'ACTIVE').map((c) => c.arn);
        const max = body.maxResults === undefined ? 100 : Math.max(1, Math.min(100, Number(body.maxResults)));
        const { page, nextToken } = paginate(list, body.nextToken, max);
        return { clusterArns: page, ...(nextToken ? { nextToken } : {}) };
      }
      case 'CreateService':
        return { service: serviceShape(createService(body, region)) };
      case 'UpdateService':
        return { service: serviceShape(updateService(body)) };
      case 'DeleteService':
        return { service: serviceShape(deleteService(body)) };
      case 'DescribeServices': {
        const refs = arr<string>(body.services);
        if (refs.length === 0) throw new AwsError('InvalidParameterException', 'Services cannot be empty.');
        if (refs.length > 10) throw new AwsError('InvalidParameterException', 'services can have at most 10 items.');
        const cluster = getCluster(body.cluster);
        const include = arr<string>(body.include).includes('TAGS');
        const services: unknown[] = [];
        const failures: unknown[] = [];
        for (const ref of refs) {
          const svc = findService(cluster, ref);
          if (svc) services.push(serviceShape(svc, include));
          else
            failures.push({
              arn: ref.startsWith('arn:') ? ref : `arn:aws:ecs:${region}:${account()}:service/${cluster.name}/${ref}`,
              reason: 'MISSING',
            });
        }
        return { services, failures };
      }
      case 'ListServices': {
        const cluster = getCluster(body.cluster);
        const list = [...store.services.values()]
          .filter((s) => s.cluster === cluster && s.status !== 'INACTIVE')
          .filter((s) => !body.launchType || s.launchType === body.launchType)
          .map((s) => s.arn);
        const max = body.maxResults === undefined ? 10 : Math.max(1, Math.min(100, Number(body.maxResults)));
        const { page, nextToken } = paginate(list, body.nextToken, max);
        return { serviceArns: page, ...(nextToken ? { nextToken } : {}) };
      }
      case 'RunTask':
        return runTask(body, region);
      case 'DescribeTasks': {
        const cluster = getCluster(body.cluster);
        const refs = arr<string>(body.tasks);
        if (refs.length === 0) throw new AwsError('InvalidParameterException', 'Tasks cannot be empty.');
        if (refs.length > 100) throw new AwsError('InvalidParameterException', 'tasks can have at most 100 items.');
        const include = arr<string>(body.include).includes('TAGS');
        const tasks: unknown[] = [];
        const failures: unknown[] = [];
        for (const ref of refs) {
          const t = findTask(cluster, ref);
          if (t) tasks.push(taskShape(t, include));
          else
            failures.push({
              arn: ref.startsWith('arn:') ? ref : `arn:aws:ecs:${region}:${account()}:task/${cluster.name}/${ref}`,
              reason: 'MISSING',
            });
        }
        return { tasks, failures };
      }
      case 'ListTasks': {
        const cluster = getCluster(body.cluster);
        const desiredStatus = str(body.desiredStatus) ?? 'RUNNING';
        let svc: EcsService | undefined;
        if (str(body.serviceName)) {
          svc = findService(cluster, body.serviceName);
          if (!svc) throw new AwsError('ServiceNotFoundException', 'Service not found.');
        }
        if (svc && str(body.family))
          throw new AwsError('InvalidParameterException', 'Service name and family cannot both be specified.');
        const family = str(body.family);
        const list = [...store.tasks.values()]
          .filter((t) => t.cluster === cluster && t.desiredStatus === desiredStatus)
          .filter((t) => !svc || t.service === svc)
          .filter((t) => !family || t.td.family === family)
          .filter((t) => !str(body.startedBy) || t.startedBy === body.startedBy)
          .filter((t) => !str(body.launchType) || t.launchType === body.launchType)
          .sort((a, b) => b.createdAt - a.createdAt)
          .map((t) => t.arn);
        const max = body.maxResults === undefined ? 100 : Math.max(1, Math.min(100, Number(body.maxResults)));
        const { page, nextToken } = paginate(list, body.nextToken, max);
        return { taskArns: page, ...(nextToken ? { nextToken } : {}) };
      }
      case 'StopTask': {
        const cluster = getCluster(body.cluster);
        const t = findTask(cluster, body.task);
        if (!t) throw new AwsError('InvalidParameterException', 'The referenced task was not found.');
        sched.stopTask(t, { reason: str(body.reason) ?? 'Task stopped by user', stopCode: 'UserInitiated' });
        if (t.service) sched.reconcile(t.service);
        return { task: taskShape(t) };
      }
      default:
        throw new AwsError('InvalidAction', `The action ${op} is not valid for this web service.`);
    }
  }

  // ---------------- seed ----------------

  function seed(fixture: SeedFixture, ctx: EmuContext) {
    ctxRef = ctx;
    const region = typeof fixture.region === 'string' ? fixture.region : 'us-east-1';
    const ensureCluster = (name: string, extra: Body = {}) =>
      handleOp('CreateCluster', { clusterName: name, ...extra }, { region } as EmuRequest);
    for (const raw of fixture.clusters ?? []) {
      if (typeof raw === 'string') ensureCluster(raw);
      else ensureCluster(String((raw as Body).clusterName ?? 'default'), raw as Body);
    }
    for (const raw of fixture.taskDefinitions ?? []) {
      const spec = raw as Body;
      const { td } = registerTaskDefinition(spec, region);
      if (spec.status === 'INACTIVE') {
        td.status = 'INACTIVE';
        td.deregisteredAt = now();
      }
    }
    for (const raw of fixture.services ?? []) {
      const spec = { ...(raw as Body) };
      const cname = clusterName(spec.cluster);
      if (!store.clusters.has(cname)) ensureCluster(cname);
      if (spec.taskDefinition && typeof spec.taskDefinition === 'object') {
        spec.taskDefinition = registerTaskDefinition(spec.taskDefinition as Body, region).td.taskDefinitionArn;
      }
      const td = findTd(spec.taskDefinition);
      if (!td)
        throw new Error(
          `seed services[${String(spec.serviceName)}]: task definition ${String(spec.taskDefinition)} not found`,
        );
      if (spec.launchType === undefined && spec.capacityProviderStrategy === undefined) spec.launchType = 'FARGATE';
      if (td.networkMode === 'awsvpc' && spec.networkConfiguration === undefined) {
        spec.networkConfiguration = {
          awsvpcConfiguration: {
            subnets: ['subnet-0emulator0000001', 'subnet-0emulator0000002'],
            securityGroups: ['sg-0emulator0000001'],
            assignPublicIp: 'DISABLED',
          },
        };
      }
      if (spec.status === 'INACTIVE' || spec.status === 'DRAINING')
        throw new Error('seed services[]: only ACTIVE services can be seeded');
      createService({ ...spec, cluster: cname }, region, { seeded: true });
    }
  }

  const module: EcsServiceModule = {
    name: 'ecs',
    classify: (req) => classifyJson(req, MUTATING),
    handle(req, ctx) {
      ctxRef = ctx;
      return handleJson(req, (op, body) => handleOp(op, body, req));
    },
    reset() {
      sched.reset();
      runTaskTokens.clear();
      store.taskDefs.clear();
      store.clusters.clear();
      store.services.clear();
      store.tasks.clear();
      store.tags.clear();
      store.counter = 0;
    },
    seed,
    throttleError() {
      return jsonError('ThrottlingException', 'Rate exceeded');
    },
    targetHealth(targetGroupArn) {
      return sched.targetHealth(targetGroupArn);
    },
  };
  return module;
}
