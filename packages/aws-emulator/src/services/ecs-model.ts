// ECS emulator state: task definitions, clusters, services with their deployments, tasks. Shared by the API
// layer (ecs.ts) and the scheduler that moves tasks through their lifecycle in simulated time (ecs-deployment-sim.ts).
import type { RunBehavior, ServiceBehavior } from '../types.ts';

/** Simulated durations (seconds) of each task phase, chosen to resemble Fargate. With the default time scale of 20
 * a healthy 2-task rollout without a load balancer takes ~45 simulated s (~2.3 s real), behind a load balancer
 * ~65 simulated s (~3.3 s real). */
export const TIMINGS = {
  /** PROVISIONING: ENI attach, capacity. */
  provisioningSeconds: 10,
  /** PENDING: secrets, image pull, container start. */
  pendingSeconds: 20,
  /** slowStart multiplies PROVISIONING + PENDING by this. */
  slowStartFactor: 5,
  /** Without health checks a task counts as healthy once RUNNING this long (a crash-looping container exits first). */
  stabilizeSeconds: 5,
  /** With a load balancer or a container healthCheck: RUNNING → healthy (target `initial` → `healthy`). */
  healthCheckSeconds: 15,
  /** crashloop: the essential container exits this long after RUNNING. */
  crashAfterSeconds: 3,
  /** unhealthy: after the target / container turns unhealthy, the scheduler stops the task this much later. */
  unhealthyStopSeconds: 10,
  /** pullError: PENDING lasts this long before CannotPullContainerError. */
  pullErrorSeconds: 15,
  /** missingSecret: PENDING lasts this long before ResourceInitializationError. */
  secretErrorSeconds: 5,
  /** DEACTIVATING: load balancer connection draining (deregistration delay) before the containers are signalled. */
  drainSeconds: 10,
  /** STOPPING: SIGTERM until the containers have exited. */
  stoppingSeconds: 5,
  /** DEPROVISIONING: ENI detach, then STOPPED. */
  deprovisioningSeconds: 5,
  /** Default one-off task run time when no `run` behaviour matches. */
  defaultRunSeconds: 5,
};

/** Exit code of a container stopped by SIGTERM (StopTask, scale-in, draining): 128 + 15. */
export const SIGTERM_EXIT_CODE = 143;

export interface Tag {
  key: string;
  value: string;
}

export interface ContainerDefinition {
  name: string;
  image: string;
  essential?: boolean;
  portMappings?: Array<{
    containerPort?: number;
    hostPort?: number;
    protocol?: string;
    name?: string;
    containerPortRange?: string;
  }>;
  logConfiguration?: { logDriver: string; options?: Record<string, string> };
  healthCheck?: unknown;
  secrets?: Array<{ name: string; valueFrom: string }>;
  environment?: Array<{ name: string; value: string }>;
  command?: string[];
  cpu?: number;
  memory?: number;
  [k: string]: unknown;
}

export interface TaskDefinition {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';
  containerDefinitions: ContainerDefinition[];
  networkMode?: string;
  cpu?: string;
  memory?: string;
  requiresCompatibilities?: string[];
  compatibilities: string[];
  registeredAt: number;
  deregisteredAt?: number;
  [k: string]: unknown;
}

export interface Cluster {
  name: string;
  arn: string;
  region: string;
  status: 'ACTIVE' | 'INACTIVE';
  settings: Array<{ name: string; value: string }>;
  capacityProviders: string[];
  defaultCapacityProviderStrategy: Array<Record<string, unknown>>;
}

export interface LoadBalancer {
  targetGroupArn?: string;
  loadBalancerName?: string;
  containerName?: string;
  containerPort?: number;
}

export interface ServiceEvent {
  id: string;
  createdAt: number;
  message: string;
}

export interface Deployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  taskDefinition: string;
  desiredCount: number;
  failedTasks: number;
  /** Consecutive failures for the circuit breaker; reset when a task of the deployment turns healthy. */
  consecutiveFailures: number;
  createdAt: number;
  updatedAt: number;
  launchType?: string;
  capacityProviderStrategy?: Array<Record<string, unknown>>;
  platformVersion?: string;
  networkConfiguration?: unknown;
  /** undefined for deployments that have no rollout state (CODE_DEPLOY/EXTERNAL controllers, classic ELB). */
  rolloutState?: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason?: string;
  unableEventSent?: boolean;
}

export interface EcsService {
  key: string;
  name: string;
  arn: string;
  region: string;
  cluster: Cluster;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  desiredCount: number;
  taskDefinition: string;
  launchType?: string;
  capacityProviderStrategy?: Array<Record<string, unknown>>;
  platformVersion?: string;
  networkConfiguration?: {
    awsvpcConfiguration?: { subnets?: string[]; securityGroups?: string[]; assignPublicIp?: string };
  };
  loadBalancers: LoadBalancer[];
  deploymentConfiguration: {
    deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
    maximumPercent: number;
    minimumHealthyPercent: number;
    [k: string]: unknown;
  };
  deploymentController: { type: string };
  healthCheckGracePeriodSeconds?: number;
  schedulingStrategy: string;
  createdAt: number;
  createdBy: string;
  roleArn?: string;
  propagateTags: string;
  enableECSManagedTags: boolean;
  enableExecuteCommand: boolean;
  placementConstraints: unknown[];
  placementStrategy: unknown[];
  serviceRegistries: unknown[];
  events: ServiceEvent[];
  deployments: Deployment[];
  /** The last deployment that reached COMPLETED (the circuit breaker's rollback target). */
  lastCompleted?: { id: string; taskDefinition: string };
  steady: boolean;
  /** CreateService's clientToken and request fingerprint: a retry with both equal returns this service. */
  clientToken?: string;
  createFingerprint?: string;
}

export interface Container {
  containerArn: string;
  name: string;
  image: string;
  imageDigest?: string;
  runtimeId?: string;
  lastStatus: string;
  exitCode?: number;
  reason?: string;
  essential: boolean;
  healthStatus?: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
  cpu: string;
  memory?: string;
}

export type TaskBehavior =
  | { kind: 'service'; behavior: ServiceBehavior }
  | {
      kind: 'run';
      container: string;
      run: RunBehavior;
      startFailure?: 'pullError' | 'missingSecret';
      slow?: boolean;
      failure?: string;
    };

export interface Task {
  id: string;
  arn: string;
  region: string;
  cluster: Cluster;
  td: TaskDefinition;
  group: string;
  startedBy?: string;
  launchType: string;
  capacityProviderName?: string;
  platformVersion?: string;
  lastStatus: string;
  desiredStatus: 'RUNNING' | 'STOPPED';
  healthStatus: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
  createdAt: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  connectivityAt?: number;
  stoppingAt?: number;
  executionStoppedAt?: number;
  stoppedAt?: number;
  stoppedReason?: string;
  stopCode?: string;
  containers: Container[];
  eni?: { attachmentId: string; eniId: string; ip: string; mac: string; subnet: string; status: string };
  overrides: { containerOverrides: Array<Record<string, unknown>>; [k: string]: unknown };
  networkConfiguration?: unknown;
  tags: Tag[];
  availabilityZone: string;
  version: number;
  enableExecuteCommand: boolean;
  // --- emulator-internal ---
  service?: EcsService;
  deploymentId?: string;
  behavior: TaskBehavior;
  /** Counts toward steady state / minimumHealthyPercent; resets the circuit breaker when it turns true. */
  healthy: boolean;
  /** Load balancer target state, when the service has target groups and the task reached RUNNING. */
  targetState?: 'initial' | 'healthy' | 'unhealthy' | 'draining';
  /** Bumped whenever the task's plan changes (stop, failure): timers scheduled under an older epoch do nothing. */
  epoch: number;
  /** Set at PENDING when an essential container's image cannot run on the task's platform (exec format error). */
  exitOnStart?: { container: string; exitCode: number; line: string };
}

export function shortId(arnOrId: string): string {
  const i = arnOrId.lastIndexOf('/');
  return i >= 0 ? arnOrId.slice(i + 1) : arnOrId;
}

export function essentialContainers(td: TaskDefinition): ContainerDefinition[] {
  const e = td.containerDefinitions.filter((c) => c.essential !== false);
  return e.length > 0 ? e : td.containerDefinitions.slice(0, 1);
}
