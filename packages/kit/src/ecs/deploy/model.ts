import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ContainerDefinition, ECSClient, Service, ServiceEvent, TaskDefinition } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Sender } from '../../runtime/aws';
import type { Logger } from '../../runtime/log';
import type { Clock } from '../../runtime/poll';
import type { TaskDefSource } from '../taskdef/source';
import type { TaskDefJson } from '../taskdef/taskdef';
import type { ServiceDiagnostics } from './diagnostics';
import type { HealthCheckResult, HealthCheckSpec } from './health-check';
import type { Provenance } from './known-good';
import type { RollbackTo } from './rollback-target';
import type { PollDelayOptions } from './rollout-wait';

// The deploy engine's data: what is asked (DeployRequest), what prepare found (PreparedDeploy), what happened
// (DeployReport). The engine: prepare.ts (read-only) → register.ts → execute.ts (update, wait, health checks, root
// causes, rollback, known-good) → verdict.ts (pure) → summary.ts.

/** Where a service's task definition comes from: a rendered file (registered when it differs) or a revision. */
export type TaskDefSpec = Extract<TaskDefSource, { kind: 'file' | 'arn' | 'family' }>;

export interface ServiceRequest {
  service: string;
  /** Undefined in rollback mode (`rollbackTo`). */
  taskDefinition?: TaskDefSpec;
  /** The input the task definition came from when not `task-definition` (a `services: api=web:42` line). */
  taskDefinitionInput?: string;
}

export interface DeployRequest {
  cluster: string;
  services: ServiceRequest[];
  desiredCount?: number;
  forceNewDeployment: boolean;
  wait: boolean;
  waitTimeoutMs: number;
  healthChecks: HealthCheckSpec[];
  healthCheckTimeoutMs: number;
  autoRollback: boolean;
  markKnownGood: boolean;
  /** After success, deregister revisions older than the newest N of each deployed family (0: never). */
  keepRevisions?: number;
  /** Consecutive failed tasks before we declare failure without a circuit breaker (default: breaker formula). */
  failureThreshold?: number;
  version?: string;
  rollbackTo?: RollbackTo;
  provenance: Provenance;
  region: string;
  /** Input names for error messages (deploy-ecs uses other names for some). */
  inputNames?: Partial<Record<'cluster' | 'services' | 'task-definition' | 'rollback-to', string>>;
}

export interface DeployDeps {
  ecs: ECSClient;
  /** Root causes only (a failed deploy): loaded on first use in the bundle (clients.ts). */
  logs?: Sender<CloudWatchLogsClient>;
  elbv2?: Sender<ElasticLoadBalancingV2Client>;
  clock?: Clock;
  signal?: AbortSignal;
  /** Status lines (default: the runner's log). */
  log?: Logger;
  fetchImpl?: typeof fetch;
  /** Poll delays of the waiter (tests / benchmarks). */
  pollDelays?: PollDelayOptions;
  healthCheckIntervalMs?: number;
}

/** What `prepareDeploy` found out (read-only). */
export interface PreparedService {
  service: string;
  current: Service;
  previousTaskDefinitionArn?: string;
  previousPrimaryId?: string;
  /** Resolved target: an existing revision, or a registration to make. */
  target:
    | {
        kind: 'existing';
        arn: string;
        reused: boolean;
        containerDefinitions?: ContainerDefinition[];
        /** The revision as DescribeTaskDefinition returned it (the preflight and the plan read it). */
        taskDefinition?: TaskDefinition;
      }
    | { kind: 'register'; key: string; json: TaskDefJson; family: string };
  /** Latest ACTIVE revision of the family (for diffs), if any. */
  latestArn?: string;
  diffText: string;
}

export interface PreparedDeploy {
  request: DeployRequest;
  services: PreparedService[];
}

export type ServiceStatus =
  | 'completed'
  | 'unchanged'
  | 'started'
  | 'failed'
  | 'timeout'
  | 'cancelled'
  | 'not-started'
  /** Its deployment was replaced by the previous revision because UpdateService failed for another service. */
  | 'reverted';

export interface RollbackReport {
  taskDefinitionArn?: string;
  deploymentId?: string;
  outcome: 'completed' | 'failed' | 'timeout' | 'cancelled' | 'skipped' | 'ecs';
  reason: string;
}

export interface ServiceReport {
  service: string;
  previousTaskDefinitionArn?: string;
  taskDefinitionArn?: string;
  registered: boolean;
  reused: boolean;
  deploymentId?: string;
  status: ServiceStatus;
  reason?: string;
  ecsRolledBack: boolean;
  /** UpdateService itself was rejected: this service never left its previous revision. */
  updateRejected?: boolean;
  fallback: boolean;
  rollback?: RollbackReport;
  startedAt: number;
  finishedAt?: number;
  running?: number;
  desired?: number;
  progress?: string;
  events: ServiceEvent[];
  diagnostics?: ServiceDiagnostics;
  diffText: string;
}

export type OverallStatus = 'success' | 'unchanged' | 'started' | 'failed' | 'rolled-back' | 'timeout' | 'cancelled';

export interface DeployReport {
  status: OverallStatus;
  cluster: string;
  region: string;
  services: ServiceReport[];
  healthChecks: HealthCheckResult[];
  knownGood: string[];
  /** Revisions the known-good tag could not be written to, with why (the step fails after the deploy: #16 defect 5). */
  knownGoodErrors?: Array<{ arn: string; error: string }>;
  /** `keep-revisions`: one line per family (what was deregistered, what was kept and why). */
  revisionCleanup?: string[];
  /** One-line description of the outcome (the error message on failure). */
  message: string;
  describeCalls: number;
  startedAt: number;
  finishedAt: number;
  rollbackMode: boolean;
}
