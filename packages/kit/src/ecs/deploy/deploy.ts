import * as core from '@actions/core';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  type ContainerDefinition,
  type Deployment,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
  type Service,
  type ServiceEvent,
  type Tag,
  UpdateServiceCommand,
  type UpdateServiceCommandOutput,
} from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ConfigurationError, describeAwsError, errorMessage, isAwsError, isErrorNamed } from '../../runtime/errors';
import { type Clock, formatDuration, realClock } from '../../runtime/poll';
import { isTaskDefinitionNotFound } from '../taskdef/source';
import {
  canonicalJson,
  DEPLOY_ACTIONS_TAG_PREFIX,
  type TaskDefJson,
  taskDefDiffText,
  taskDefsEqual,
  toRegisterInput,
} from '../taskdef/taskdef';
import { collectDiagnostics, diagnosticsText, type ServiceDiagnostics } from './diagnostics';
import { type HealthCheckResult, type HealthCheckSpec, healthCheckLine, runHealthChecks } from './health-check';
import {
  familyOf,
  findRevision,
  knownGoodTags,
  type Provenance,
  type RollbackTo,
  registrationTags,
  tagRevision,
} from './known-good';
import { cleanupRevisions, cleanupSummaryLine, cleanupTargets } from './revision-cleanup';
import {
  breakerThreshold,
  chunk,
  evaluateRollout,
  type PollDelayOptions,
  type RolloutResult,
  type RolloutTarget,
  shortTaskDef,
  waitForRollouts,
} from './rollout';

// The deploy engine shared by deploy-ecs-wait and deploy-ecs: prepare (read-only: services, task definitions,
// rollback targets; every user mistake surfaces here, before any mutating call) → execute (register only when
// different, UpdateService, wait on the PRIMARY deployment id, health checks, root causes, auto-rollback, known-good
// markers). main.ts files are glue around `prepareDeploy` / `executeDeploy` / `deploySummaryMarkdown`.

/** Where a service's task definition comes from. */
export type TaskDefSpec =
  | { kind: 'arn'; arn: string; source: string }
  | { kind: 'json'; json: TaskDefJson; source: string };

export interface ServiceRequest {
  service: string;
  /** Undefined in rollback mode (`rollbackTo`). */
  taskDefinition?: TaskDefSpec;
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

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
}

export interface DeployDeps {
  ecs: ECSClient;
  logs?: CloudWatchLogsClient;
  elbv2?: ElasticLoadBalancingV2Client;
  clock?: Clock;
  signal?: AbortSignal;
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
    | { kind: 'existing'; arn: string; reused: boolean; containerDefinitions?: ContainerDefinition[] }
    | { kind: 'register'; key: string; json: TaskDefJson; family: string };
  /** Latest ACTIVE revision of the family (for diffs), if any. */
  latestArn?: string;
  diffText: string;
}

export interface PreparedDeploy {
  request: DeployRequest;
  services: PreparedService[];
}

const name = (req: DeployRequest, key: 'cluster' | 'services' | 'task-definition' | 'rollback-to') =>
  req.inputNames?.[key] ?? key;

/** Remove deploy-actions:* tags carried over from a describe output (they belong to the old revision). */
function withoutOurTags(json: TaskDefJson): TaskDefJson {
  const copy = { ...json };
  if (Array.isArray(copy.tags)) {
    const kept = (copy.tags as Tag[]).filter((t) => !String(t.key ?? '').startsWith(DEPLOY_ACTIONS_TAG_PREFIX));
    if (kept.length) copy.tags = kept;
    else delete copy.tags;
  }
  return copy;
}

function withoutTags(json: unknown): unknown {
  if (json && typeof json === 'object') {
    const { tags: _tags, ...rest } = json as Record<string, unknown>;
    return rest;
  }
  return json;
}

/** The task definition a service runs now: its PRIMARY deployment's, else the service's. */
function runningTaskDefinitionArn(service: Service | undefined): string | undefined {
  return service?.deployments?.find((d) => d.status === 'PRIMARY')?.taskDefinition ?? service?.taskDefinition;
}

/** DescribeServices for all names (≤10 per call). */
export async function describeServices(
  ecs: ECSClient,
  cluster: string,
  names: string[],
  signal?: AbortSignal,
): Promise<{ services: Service[]; missing: string[] }> {
  const services: Service[] = [];
  const missing: string[] = [];
  for (const batch of chunk(names, 10)) {
    const out = await ecs.send(new DescribeServicesCommand({ cluster, services: batch }), { abortSignal: signal });
    services.push(...(out.services ?? []));
    for (const f of out.failures ?? []) if (f.arn) missing.push(f.arn.split('/').pop() ?? f.arn);
  }
  return { services, missing };
}

async function describeTaskDef(ecs: ECSClient, id: string, signal?: AbortSignal) {
  try {
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: id }), { abortSignal: signal });
    return out.taskDefinition;
  } catch (err) {
    if (isTaskDefinitionNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Read-only preparation: the services exist and are ACTIVE, task definition ARNs exist, rendered JSON is compared
 * with the latest ACTIVE revision of its family (reuse when equal), rollback targets resolve. Every problem found
 * here is a ConfigurationError naming the input, thrown before any mutating call.
 */
export async function prepareDeploy(request: DeployRequest, deps: DeployDeps): Promise<PreparedDeploy> {
  const { ecs, signal } = deps;
  const names = request.services.map((s) => s.service);
  let described: { services: Service[]; missing: string[] };
  try {
    described = await describeServices(ecs, request.cluster, names, signal);
  } catch (err) {
    if (isErrorNamed(err, 'ClusterNotFoundException')) {
      throw new ConfigurationError(name(request, 'cluster'), `cluster ${JSON.stringify(request.cluster)} not found`);
    }
    throw err;
  }
  const byName = new Map(described.services.map((s) => [s.serviceName ?? '', s]));
  const missing = names.filter((n) => !byName.has(n) || byName.get(n)?.status !== 'ACTIVE');
  if (missing.length) {
    const statuses = missing.map((n) => `${n} (${byName.get(n)?.status ?? 'not found'})`).join(', ');
    throw new ConfigurationError(
      name(request, 'services'),
      `not an ACTIVE service in cluster ${JSON.stringify(request.cluster)}: ${statuses}`,
    );
  }

  // Promises, so concurrent lookups of one revision (services running the same one) share a single call.
  const tdCache = new Map<string, ReturnType<typeof describeTaskDef>>();
  const describeCached = (id: string) => {
    let described = tdCache.get(id);
    if (!described) {
      described = describeTaskDef(ecs, id, signal);
      tdCache.set(id, described);
    }
    return described;
  };
  const latestByFamily = new Map<string, Awaited<ReturnType<typeof describeTaskDef>> | null>();
  const latestOf = async (family: string) => {
    if (!latestByFamily.has(family)) {
      const latest = await describeTaskDef(ecs, family, signal);
      latestByFamily.set(family, latest ?? null);
      // The same revision described by ARN later (usually the running one) comes from the cache.
      if (latest?.taskDefinitionArn && !tdCache.has(latest.taskDefinitionArn)) {
        tdCache.set(latest.taskDefinitionArn, Promise.resolve(latest));
      }
    }
    return latestByFamily.get(family) ?? undefined;
  };

  const prepared: PreparedService[] = [];
  for (const req of request.services) {
    const current = byName.get(req.service)!;
    const primary = current.deployments?.find((d) => d.status === 'PRIMARY');
    const previousTaskDefinitionArn = runningTaskDefinitionArn(current);
    // A rendered task definition is compared with its family's latest revision, which is usually the running one:
    // describe the family first so the running revision is not described a second time by its ARN.
    const renderedFamily = req.taskDefinition?.kind === 'json' ? req.taskDefinition.json.family : undefined;
    if (!request.rollbackTo && typeof renderedFamily === 'string' && renderedFamily) await latestOf(renderedFamily);
    const previous = previousTaskDefinitionArn ? await describeCached(previousTaskDefinitionArn) : undefined;
    let target: PreparedService['target'];
    let diffBase: unknown = previous;
    let diffNew: unknown;
    let latestArn: string | undefined;

    if (request.rollbackTo) {
      const family = familyOf(previousTaskDefinitionArn ?? '');
      // known-good means "the newest known-good revision other than the one running now": a rollback moves away
      // from the current revision, which may have passed its checks once and still be the one to leave.
      const exclude = new Set<string>(
        request.rollbackTo.kind === 'known-good' && previousTaskDefinitionArn ? [previousTaskDefinitionArn] : [],
      );
      const found = await findRevision(ecs, family, request.rollbackTo, { exclude, ...(signal ? { signal } : {}) });
      if (!found) {
        const what =
          request.rollbackTo.kind === 'known-good'
            ? `no revision of family ${family} other than the running ${shortTaskDef(previousTaskDefinitionArn)} is marked known-good (tag deploy-actions:known-good)`
            : `no revision of family ${family} matches ${JSON.stringify(request.rollbackTo)}`;
        throw new ConfigurationError(name(request, 'rollback-to'), what);
      }
      target = {
        kind: 'existing',
        arn: found.arn,
        reused: true,
        ...(found.taskDefinition?.containerDefinitions
          ? { containerDefinitions: found.taskDefinition.containerDefinitions }
          : {}),
      };
      diffNew = found.taskDefinition;
    } else if (req.taskDefinition?.kind === 'arn') {
      const td = await describeCached(req.taskDefinition.arn);
      if (!td?.taskDefinitionArn) {
        throw new ConfigurationError(
          name(request, 'task-definition'),
          `task definition ${JSON.stringify(req.taskDefinition.arn)} not found`,
        );
      }
      if (td.status && td.status !== 'ACTIVE') {
        throw new ConfigurationError(
          name(request, 'task-definition'),
          `task definition ${td.taskDefinitionArn} is ${td.status}`,
        );
      }
      target = {
        kind: 'existing',
        arn: td.taskDefinitionArn,
        reused: true,
        ...(td.containerDefinitions ? { containerDefinitions: td.containerDefinitions } : {}),
      };
      diffNew = td;
    } else if (req.taskDefinition?.kind === 'json') {
      const json = withoutOurTags(req.taskDefinition.json);
      const family = typeof json.family === 'string' ? json.family : '';
      if (!family) {
        throw new ConfigurationError(name(request, 'task-definition'), `${req.taskDefinition.source} has no "family"`);
      }
      const latest = await latestOf(family);
      latestArn = latest?.taskDefinitionArn;
      // Reuse the latest ACTIVE revision when equal; failing that, a revision one of the services runs now (after a
      // rollback the latest revision is the broken one, and re-running the good deploy must not register a copy).
      const running = await Promise.all(
        request.services.map((s) => {
          const arn = runningTaskDefinitionArn(byName.get(s.service));
          return arn ? describeCached(arn) : undefined;
        }),
      );
      const same = [latest, ...running].find(
        (c) =>
          c?.taskDefinitionArn &&
          c.status !== 'INACTIVE' &&
          c.family === family &&
          taskDefsEqual(withoutTags(c), withoutTags(json)),
      );
      if (same?.taskDefinitionArn) {
        target = {
          kind: 'existing',
          arn: same.taskDefinitionArn,
          reused: true,
          ...(same.containerDefinitions ? { containerDefinitions: same.containerDefinitions } : {}),
        };
      } else {
        target = { kind: 'register', key: canonicalJson(withoutTags(json)), json, family };
      }
      diffNew = json;
      if (!previous) diffBase = latest;
    } else {
      throw new ConfigurationError(name(request, 'task-definition'), `no task definition for service ${req.service}`);
    }
    const rendered = target.kind === 'register' ? target.json.containerDefinitions : undefined;
    const containers =
      target.kind === 'register'
        ? Array.isArray(rendered)
          ? (rendered as ContainerDefinition[])
          : undefined
        : target.containerDefinitions;
    const mismatch = loadBalancerMismatch(current.loadBalancers, containers);
    if (mismatch) {
      const what = target.kind === 'existing' ? shortTaskDef(target.arn) : `the ${target.family} task definition`;
      throw new ConfigurationError(
        name(request, request.rollbackTo ? 'rollback-to' : 'task-definition'),
        `${what} cannot run service ${req.service}: ${mismatch}`,
      );
    }
    const diffText =
      diffNew === undefined
        ? ''
        : taskDefDiffText(withoutTags(diffBase), withoutTags(diffNew), {
            oldName: shortTaskDef(previousTaskDefinitionArn) || 'previous',
            newName: target.kind === 'existing' ? shortTaskDef(target.arn) : `${target.family} (new revision)`,
          });
    prepared.push({
      service: req.service,
      current,
      ...(previousTaskDefinitionArn ? { previousTaskDefinitionArn } : {}),
      ...(primary?.id ? { previousPrimaryId: primary.id } : {}),
      target,
      ...(latestArn ? { latestArn } : {}),
      diffText,
    });
  }
  return { request, services: prepared };
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
  /** `keep-revisions`: one line per family (what was deregistered, what was kept and why). */
  revisionCleanup?: string[];
  /** One-line description of the outcome (the error message on failure). */
  message: string;
  describeCalls: number;
  startedAt: number;
  finishedAt: number;
  rollbackMode: boolean;
}

export interface ExecuteHooks {
  /** After registration, before any UpdateService (deploy-ecs: migrations "before"). */
  beforeUpdate?: (arns: Map<string, string>) => Promise<void>;
}

function running(result: RolloutResult | undefined): { running?: number; desired?: number } {
  const d = result?.service?.deployments?.find((x) => x.id === result.target.deploymentId);
  return d ? { running: d.runningCount ?? 0, desired: d.desiredCount ?? 0 } : {};
}

/**
 * Why UpdateService would reject these containers for the service's load balancers (ECS: "The container web does not
 * exist in the task definition" / "did not have a container port 8000 defined"), or undefined when they fit. Checked
 * while preparing, so a renamed container or a changed port fails before anything is registered or updated.
 */
export function loadBalancerMismatch(
  loadBalancers: readonly { containerName?: string | undefined; containerPort?: number | undefined }[] | undefined,
  containers: readonly ContainerDefinition[] | undefined,
): string | undefined {
  if (!containers) return undefined;
  for (const lb of loadBalancers ?? []) {
    if (!lb.containerName) continue;
    const c = containers.find((x) => x.name === lb.containerName);
    const names = containers.map((x) => x.name).join(', ');
    if (!c)
      return `its load balancer routes to container ${JSON.stringify(lb.containerName)}, which the task definition does not have (containers: ${names})`;
    if (lb.containerPort !== undefined && !(c.portMappings ?? []).some((m) => m.containerPort === lb.containerPort)) {
      const ports = (c.portMappings ?? []).map((m) => m.containerPort).join(', ') || 'none';
      return `its load balancer routes to port ${lb.containerPort} of container ${JSON.stringify(lb.containerName)}, which maps no such port (ports: ${ports})`;
    }
  }
  return undefined;
}

/** What the waiter watches: the PRIMARY deployment an UpdateService response returned. */
function rolloutTarget(
  service: string,
  deploymentId: string,
  primary: Deployment,
  taskDefinitionArn: string,
  desiredCount: number,
  failureThreshold: number | undefined,
): RolloutTarget {
  return {
    service,
    deploymentId,
    taskDefinitionArn,
    startedAt: primary.createdAt ? new Date(primary.createdAt).getTime() : Date.now(),
    failureThreshold: failureThreshold ?? breakerThreshold(desiredCount),
  };
}

/** Register a rendered task definition, tagged with the commit and run that registered it. */
async function register(ecs: ECSClient, json: TaskDefJson, provenance: Provenance, signal?: AbortSignal) {
  const input = toRegisterInput(json);
  const ours = registrationTags(provenance);
  const keys = new Set(ours.map((t) => t.key));
  const tags = [...(input.tags ?? []).filter((t) => !keys.has(t.key)), ...ours];
  const out = await ecs.send(new RegisterTaskDefinitionCommand({ ...input, ...(tags.length ? { tags } : {}) }), {
    abortSignal: signal,
  });
  const td = out.taskDefinition;
  if (!td?.taskDefinitionArn) throw new Error('RegisterTaskDefinition returned no taskDefinitionArn');
  return td;
}

/**
 * Mutating part: register → hooks.beforeUpdate → UpdateService → wait → health checks → diagnostics → rollback →
 * known-good. Never throws for deployment failures: they are in the report (status, message); the caller writes
 * outputs and the summary, then fails the step. Throws for AWS errors of mutating calls.
 */
export async function executeDeploy(
  prepared: PreparedDeploy,
  deps: DeployDeps,
  hooks: ExecuteHooks = {},
): Promise<DeployReport> {
  const { request } = prepared;
  const { ecs, signal } = deps;
  const clock = deps.clock ?? realClock;
  const log: Logger = deps.log ?? { info: core.info, warning: core.warning };
  const startedAt = clock.now();
  const reports = new Map<string, ServiceReport>();
  const containerDefs = new Map<string, ContainerDefinition[]>();

  // 1. Register (once per distinct rendered JSON).
  const registered = new Map<string, string>();
  const arnByService = new Map<string, string>();
  for (const p of prepared.services) {
    let arn: string;
    if (p.target.kind === 'register') {
      const existing = registered.get(p.target.key);
      if (existing) arn = existing;
      else {
        const td = await register(ecs, p.target.json, request.provenance, signal);
        arn = td.taskDefinitionArn!;
        registered.set(p.target.key, arn);
        if (td.containerDefinitions) containerDefs.set(arn, td.containerDefinitions);
        log.info(
          `Registered ${shortTaskDef(arn)} (differs from ${p.latestArn ? shortTaskDef(p.latestArn) : 'no earlier revision'})`,
        );
      }
    } else {
      arn = p.target.arn;
      if (p.target.containerDefinitions) containerDefs.set(arn, p.target.containerDefinitions);
      if (
        !request.rollbackTo &&
        p.target.reused &&
        prepared.request.services.find((s) => s.service === p.service)?.taskDefinition?.kind === 'json'
      ) {
        log.info(
          `${p.service}: the rendered task definition equals ${shortTaskDef(arn)}; reusing it (no new revision)`,
        );
      }
    }
    arnByService.set(p.service, arn);
    reports.set(p.service, {
      service: p.service,
      ...(p.previousTaskDefinitionArn ? { previousTaskDefinitionArn: p.previousTaskDefinitionArn } : {}),
      taskDefinitionArn: arn,
      registered: p.target.kind === 'register',
      reused: p.target.kind === 'existing',
      status: 'not-started',
      ecsRolledBack: false,
      fallback: false,
      startedAt: clock.now(),
      events: [],
      diffText: p.diffText,
    });
  }

  if (hooks.beforeUpdate) await hooks.beforeUpdate(arnByService);

  // 2. UpdateService for each; take the PRIMARY deployment from the response. One that ECS rejects stops the loop:
  //    the services after it are left alone and the ones before it are reverted below (all or nothing).
  const targets: RolloutTarget[] = [];
  let rejected: ServiceReport | undefined;
  for (const p of prepared.services) {
    const report = reports.get(p.service)!;
    const arn = arnByService.get(p.service)!;
    report.startedAt = clock.now();
    let out: UpdateServiceCommandOutput;
    try {
      out = await ecs.send(
        new UpdateServiceCommand({
          cluster: request.cluster,
          service: p.service,
          taskDefinition: arn,
          ...(request.desiredCount !== undefined ? { desiredCount: request.desiredCount } : {}),
          forceNewDeployment: request.forceNewDeployment,
        }),
        { abortSignal: signal },
      );
    } catch (err) {
      if (signal?.aborted) throw err;
      report.status = 'failed';
      report.updateRejected = true;
      report.reason = isAwsError(err) ? describeAwsError(err) : `UpdateService failed: ${errorMessage(err)}`;
      report.finishedAt = clock.now();
      log.warning(`${p.service}: ${report.reason}`);
      rejected = report;
      break;
    }
    const svc = out.service;
    const primary = svc?.deployments?.find((d) => d.status === 'PRIMARY');
    if (!primary?.id) throw new Error(`UpdateService for ${p.service} returned no PRIMARY deployment`);
    report.deploymentId = primary.id;
    const desired = request.desiredCount ?? primary.desiredCount ?? svc?.desiredCount ?? 0;
    const target = rolloutTarget(
      p.service,
      primary.id,
      primary,
      primary.taskDefinition ?? arn,
      desired,
      request.failureThreshold,
    );
    const verdict = evaluateRollout(svc, target);
    const alreadyRunning =
      primary.id === p.previousPrimaryId &&
      (primary.rolloutState === 'COMPLETED' || (primary.rolloutState === undefined && verdict.state === 'completed'));
    if (alreadyRunning) {
      report.status = 'unchanged';
      report.finishedAt = clock.now();
      report.running = primary.runningCount ?? 0;
      report.desired = primary.desiredCount ?? 0;
      log.info(
        `${p.service}: already running ${shortTaskDef(arn)} (deployment ${primary.id} COMPLETED); nothing to wait for`,
      );
      continue;
    }
    log.info(
      `${p.service}: deployment ${primary.id} started (${shortTaskDef(p.previousTaskDefinitionArn)} → ${shortTaskDef(arn)})`,
    );
    report.status = 'started';
    targets.push(target);
  }

  let describeCalls = 0;
  let revisionCleanup: string[] | undefined;
  let healthChecks: HealthCheckResult[] = [];
  const knownGood: string[] = [];
  let message = '';
  let status: OverallStatus = 'success';

  const finish = (): DeployReport => ({
    status,
    cluster: request.cluster,
    region: request.region,
    services: prepared.services.map((p) => reports.get(p.service)!),
    healthChecks,
    knownGood,
    ...(revisionCleanup ? { revisionCleanup } : {}),
    message,
    describeCalls,
    startedAt,
    finishedAt: clock.now(),
    rollbackMode: request.rollbackTo !== undefined,
  });

  if (!request.wait) {
    status = targets.length ? 'started' : 'unchanged';
    message = targets.length
      ? `Started ${targets.length} deployment(s); not waiting (wait: false)`
      : 'All services already run the requested revision';
    return finish();
  }

  // 3. Wait.
  const describe = async (names: string[], s?: AbortSignal) =>
    (await describeServices(ecs, request.cluster, names, s)).services;
  const waitFor = async (list: RolloutTarget[], what: string) => {
    if (list.length === 0) return [];
    log.info(
      `Waiting up to ${formatDuration(request.waitTimeoutMs)} for ${what}: ${list.map((t) => t.service).join(', ')}`,
    );
    const result = await waitForRollouts({
      targets: list,
      describe,
      timeoutMs: request.waitTimeoutMs,
      clock,
      ...(signal ? { signal } : {}),
      ...(deps.pollDelays ? { delays: deps.pollDelays } : {}),
      onEvent: (svc, e) =>
        log.info(`[${svc}] ${e.createdAt ? new Date(e.createdAt).toISOString() : ''} ${e.message ?? ''}`),
      onProgress: (lines) => {
        for (const l of lines) log.info(l);
      },
      onSettled: (r) => {
        const when = formatDuration(clock.now() - startedAt);
        if (r.outcome === 'completed')
          log.info(
            `${r.target.service}: ${what} COMPLETED after ${when}${r.verdict.fallback ? ' (by counts: no rolloutState)' : ''}`,
          );
        else if (r.verdict.state === 'failed')
          log.info(`${r.target.service}: ${what} FAILED after ${when}: ${r.verdict.reason}`);
      },
    });
    describeCalls += result.describeCalls;
    return result.results;
  };

  if (rejected) {
    const verdict = await revertPartialUpdate({
      rejected,
      started: targets.map((t) => reports.get(t.service)!),
      prepared,
      deps,
      log,
      waitFor,
    });
    status = verdict.status;
    message = verdict.message;
    return finish();
  }

  const results = await waitFor(targets, 'deployment');
  for (const r of results) {
    const rep = reports.get(r.target.service)!;
    rep.events = r.events;
    rep.finishedAt = r.finishedAt;
    rep.progress = r.verdict.progress;
    rep.fallback = r.verdict.fallback;
    Object.assign(rep, running(r));
    rep.status = r.outcome;
    if (r.verdict.state === 'failed') {
      rep.reason = r.verdict.reason;
      rep.ecsRolledBack = r.verdict.ecsRolledBack;
      if (r.verdict.ecsRolledBack) {
        rep.rollback = {
          ...(r.verdict.rollbackTaskDefinitionArn ? { taskDefinitionArn: r.verdict.rollbackTaskDefinitionArn } : {}),
          outcome: 'ecs',
          reason: `ECS circuit breaker rolled back to ${shortTaskDef(r.verdict.rollbackTaskDefinitionArn)}`,
        };
      }
    } else if (r.outcome === 'timeout') {
      rep.reason = `not COMPLETED within ${formatDuration(request.waitTimeoutMs)}; last status: ${r.verdict.progress}`;
    } else if (r.outcome === 'cancelled') {
      rep.reason = `cancelled; last status: ${r.verdict.progress}`;
    }
  }

  const all = [...reports.values()];
  if (all.some((r) => r.status === 'cancelled') || signal?.aborted) {
    status = 'cancelled';
    log.info('Cancelled. Where each deployment stands:');
    for (const r of all) log.info(`  ${r.service}: ${r.status}${r.progress ? ` — ${r.progress}` : ''}`);
    message = `Cancelled while waiting: ${all
      .filter((r) => r.status === 'cancelled')
      .map((r) => `${r.service} ${r.progress ?? ''}`.trim())
      .join('; ')}`;
    return finish();
  }

  // 4. Health checks once every service completed.
  const failedNow = () => all.filter((r) => r.status === 'failed' || r.status === 'timeout');
  if (failedNow().length === 0 && request.healthChecks.length) {
    log.info(`Health checks: ${request.healthChecks.map((h) => h.url).join(', ')}`);
    healthChecks = await runHealthChecks(request.healthChecks, {
      timeoutMs: request.healthCheckTimeoutMs,
      clock,
      ...(signal ? { signal } : {}),
      ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
      ...(deps.healthCheckIntervalMs !== undefined ? { intervalMs: deps.healthCheckIntervalMs } : {}),
    }).catch((err) => {
      if (signal?.aborted) return [];
      throw err;
    });
    for (const h of healthChecks) log.info(`Health check ${healthCheckLine(h)}`);
    if (signal?.aborted) {
      status = 'cancelled';
      message = 'Cancelled during health checks';
      return finish();
    }
  }
  const healthFailed = healthChecks.some((h) => !h.ok);

  const failed = failedNow();
  if (failed.length === 0 && !healthFailed) {
    // 5. Success: mark known-good.
    status = all.every((r) => r.status === 'unchanged') ? 'unchanged' : 'success';
    if (request.markKnownGood) {
      const arns = [...new Set(all.map((r) => r.taskDefinitionArn).filter((a): a is string => !!a))];
      const tagsToAdd = knownGoodTags({
        ...request.provenance,
        ...(request.version ? { version: request.version } : {}),
        now: new Date(),
      });
      for (const arn of arns) {
        try {
          await tagRevision(ecs, arn, tagsToAdd, signal);
          knownGood.push(arn);
          log.info(`Marked ${shortTaskDef(arn)} known-good`);
        } catch (err) {
          log.warning(`Could not tag ${shortTaskDef(arn)} known-good: ${errorMessage(err)}`);
        }
      }
    }
    if (request.keepRevisions && request.keepRevisions > 0) {
      revisionCleanup = [];
      for (const [family, protect] of cleanupTargets(all)) {
        const r = await cleanupRevisions(ecs, family, {
          keep: request.keepRevisions,
          protect,
          ...(signal ? { signal } : {}),
        });
        const line = cleanupSummaryLine(family, r);
        revisionCleanup.push(line);
        if (r.errors.length) log.warning(`keep-revisions: ${line}`);
        else log.info(`keep-revisions ${request.keepRevisions}: ${line}`);
      }
    }
    message =
      status === 'unchanged'
        ? `All services already run ${[...new Set(all.map((r) => shortTaskDef(r.taskDefinitionArn)))].join(', ')}`
        : `Deployed ${all.map((r) => `${r.service} → ${shortTaskDef(r.taskDefinitionArn)}`).join(', ')}`;
    return finish();
  }

  // 6. Failure: root causes.
  for (const r of failed) {
    const p = prepared.services.find((x) => x.service === r.service)!;
    const res = results.find((x) => x.target.service === r.service);
    r.diagnostics = await collectDiagnostics({
      ecs,
      ...(deps.logs ? { logs: deps.logs } : {}),
      ...(deps.elbv2 ? { elbv2: deps.elbv2 } : {}),
      cluster: request.cluster,
      service: res?.service ?? p.current,
      serviceName: r.service,
      ...(r.deploymentId ? { deploymentId: r.deploymentId } : {}),
      ...(r.taskDefinitionArn ? { taskDefinitionArn: r.taskDefinitionArn } : {}),
      ...(r.taskDefinitionArn && containerDefs.get(r.taskDefinitionArn)
        ? { containerDefinitions: containerDefs.get(r.taskDefinitionArn) }
        : {}),
      events: r.events,
      ...(signal ? { signal } : {}),
    });
    log.info(`── Root causes for ${r.service}: ${r.reason ?? r.status}`);
    for (const line of diagnosticsText(r.diagnostics)) log.info(line);
  }
  if (healthFailed) {
    for (const r of all) if (r.status === 'completed') r.reason = 'health check failed after the rollout COMPLETED';
  }

  // 7. Auto-rollback of every service this run changed and ECS did not roll back itself.
  const toRollBack = all.filter(
    (r) => !r.ecsRolledBack && r.status !== 'unchanged' && r.status !== 'not-started' && request.autoRollback,
  );
  const rollbackTargets: RolloutTarget[] = [];
  // Services that failed with the same revision share one known-good lookup (it lists and describes revisions).
  const knownGoodLookups = new Map<string, ReturnType<typeof findRevision>>();
  const knownGoodOtherThan = (failedArn: string) => {
    let lookup = knownGoodLookups.get(failedArn);
    if (!lookup) {
      lookup = findRevision(
        ecs,
        familyOf(failedArn),
        { kind: 'known-good' },
        { exclude: new Set([failedArn]), ...(signal ? { signal } : {}) },
      );
      knownGoodLookups.set(failedArn, lookup);
    }
    return lookup;
  };
  for (const r of toRollBack) {
    const failedArn = r.taskDefinitionArn ?? '';
    let targetArn: string | undefined;
    let why = '';
    try {
      const found = await knownGoodOtherThan(failedArn);
      if (found) {
        targetArn = found.arn;
        why = `last known-good revision ${shortTaskDef(found.arn)}`;
      }
    } catch (err) {
      log.warning(`Could not look up known-good revisions: ${errorMessage(err)}`);
    }
    if (!targetArn && r.previousTaskDefinitionArn && r.previousTaskDefinitionArn !== failedArn) {
      targetArn = r.previousTaskDefinitionArn;
      why = `previous PRIMARY revision ${shortTaskDef(targetArn)} (no known-good revision found)`;
    }
    if (!targetArn) {
      r.rollback = {
        outcome: 'skipped',
        reason: 'no rollback target: no known-good revision and no different previous revision',
      };
      continue;
    }
    log.info(`${r.service}: rolling back to the ${why}`);
    try {
      const out = await ecs.send(
        new UpdateServiceCommand({ cluster: request.cluster, service: r.service, taskDefinition: targetArn }),
        { abortSignal: signal },
      );
      const primary = out.service?.deployments?.find((d) => d.status === 'PRIMARY');
      r.rollback = {
        taskDefinitionArn: targetArn,
        ...(primary?.id ? { deploymentId: primary.id } : {}),
        outcome: 'failed',
        reason: why,
      };
      if (primary?.id) {
        rollbackTargets.push(
          rolloutTarget(r.service, primary.id, primary, targetArn, primary.desiredCount ?? 0, request.failureThreshold),
        );
      }
    } catch (err) {
      r.rollback = {
        taskDefinitionArn: targetArn,
        outcome: 'failed',
        reason: `UpdateService failed: ${errorMessage(err)}`,
      };
    }
  }
  for (const res of await waitFor(rollbackTargets, 'rollback')) {
    const r = reports.get(res.target.service)!;
    if (!r.rollback) continue;
    r.rollback.outcome = res.outcome === 'completed' ? 'completed' : res.outcome;
    if (res.verdict.state === 'failed') r.rollback.reason += `; rollback failed: ${res.verdict.reason}`;
    r.events = [...r.events, ...res.events];
  }

  // 8. The verdict.
  const failedServices = all.filter((r) => r.status === 'failed' || r.status === 'timeout');
  const parts: string[] = [];
  for (const r of failedServices) {
    parts.push(
      `${r.service}: deployment of ${shortTaskDef(r.taskDefinitionArn)} ${r.status === 'timeout' ? 'timed out' : 'failed'}: ${r.reason ?? ''}`,
    );
  }
  if (healthFailed)
    parts.push(
      `health check failed: ${healthChecks
        .filter((h) => !h.ok)
        .map(healthCheckLine)
        .join('; ')}`,
    );
  const rollbacks = all.filter((r) => r.rollback);
  for (const r of rollbacks) {
    const rb = r.rollback!;
    if (rb.outcome === 'ecs') continue;
    parts.push(
      rb.outcome === 'completed'
        ? `${r.service}: rolled back to ${shortTaskDef(rb.taskDefinitionArn)} (rollback succeeded)`
        : rb.outcome === 'skipped'
          ? `${r.service}: not rolled back (${rb.reason})`
          : `${r.service}: rollback to ${shortTaskDef(rb.taskDefinitionArn)} ${rb.outcome} (${rb.reason})`,
    );
  }
  if (!request.autoRollback && failedServices.some((r) => !r.ecsRolledBack)) parts.push('auto-rollback is off');
  const rollbackOk =
    rollbacks.length > 0 &&
    rollbacks.every((r) => r.rollback!.outcome === 'completed' || r.rollback!.outcome === 'ecs');
  status =
    failedServices.every((r) => r.status === 'timeout') && failedServices.length > 0 && !healthFailed
      ? 'timeout'
      : rollbackOk
        ? 'rolled-back'
        : 'failed';
  if (signal?.aborted) {
    status = 'cancelled';
    parts.push('cancelled while rolling back');
  }
  message = parts.join('. ');
  return finish();
}

/**
 * UpdateService was rejected for one service after others had already started deploying: put those back on the
 * revision each ran before this run (and its desired count, if this run changed it), so the cluster does not end up
 * with half a release. With auto-rollback off they are left as they are, and the message says so.
 */
async function revertPartialUpdate(o: {
  rejected: ServiceReport;
  started: ServiceReport[];
  prepared: PreparedDeploy;
  deps: DeployDeps;
  log: Logger;
  waitFor: (list: RolloutTarget[], what: string) => Promise<RolloutResult[]>;
}): Promise<{ status: OverallStatus; message: string }> {
  const { request } = o.prepared;
  const { ecs, signal } = o.deps;
  const parts = [
    `${o.rejected.service}: ${o.rejected.reason ?? 'UpdateService failed'} (it still runs ${shortTaskDef(o.rejected.previousTaskDefinitionArn)})`,
  ];
  if (o.started.length === 0) return { status: 'failed', message: `${parts[0]}. Nothing was changed` };
  if (!request.autoRollback) {
    parts.push(
      `already updated and left deploying (auto-rollback is off): ${o.started.map((r) => `${r.service} → ${shortTaskDef(r.taskDefinitionArn)}`).join(', ')}`,
    );
    return { status: 'failed', message: parts.join('. ') };
  }
  const reverts: RolloutTarget[] = [];
  for (const r of o.started) {
    const p = o.prepared.services.find((x) => x.service === r.service)!;
    const targetArn = r.previousTaskDefinitionArn;
    if (!targetArn) {
      r.rollback = { outcome: 'skipped', reason: 'no previous revision to revert to' };
      continue;
    }
    const reason = `reverted because UpdateService failed for ${o.rejected.service}`;
    o.log.info(`${r.service}: reverting to ${shortTaskDef(targetArn)} (${reason})`);
    try {
      const out = await ecs.send(
        new UpdateServiceCommand({
          cluster: request.cluster,
          service: r.service,
          taskDefinition: targetArn,
          ...(request.desiredCount !== undefined && p.current.desiredCount !== undefined
            ? { desiredCount: p.current.desiredCount }
            : {}),
        }),
        { abortSignal: signal },
      );
      const primary = out.service?.deployments?.find((d) => d.status === 'PRIMARY');
      r.status = 'reverted';
      r.rollback = {
        taskDefinitionArn: targetArn,
        ...(primary?.id ? { deploymentId: primary.id } : {}),
        outcome: request.wait ? 'failed' : 'skipped',
        reason: request.wait ? reason : `${reason}; not waited for (wait: false)`,
      };
      if (primary?.id)
        reverts.push(
          rolloutTarget(r.service, primary.id, primary, targetArn, primary.desiredCount ?? 0, request.failureThreshold),
        );
    } catch (err) {
      if (signal?.aborted) throw err;
      r.rollback = {
        taskDefinitionArn: targetArn,
        outcome: 'failed',
        reason: `UpdateService failed: ${errorMessage(err)}`,
      };
    }
  }
  if (request.wait) {
    for (const res of await o.waitFor(reverts, 'revert')) {
      const r = o.started.find((x) => x.service === res.target.service)!;
      r.rollback!.outcome = res.outcome === 'completed' ? 'completed' : res.outcome;
      if (res.verdict.state === 'failed') r.rollback!.reason += `; revert failed: ${res.verdict.reason}`;
      r.events = [...r.events, ...res.events];
    }
  }
  for (const r of o.started) {
    const rb = r.rollback!;
    parts.push(
      rb.outcome === 'completed'
        ? `${r.service}: reverted to ${shortTaskDef(rb.taskDefinitionArn)} (revert completed)`
        : `${r.service}: revert to ${shortTaskDef(rb.taskDefinitionArn)} ${rb.outcome} (${rb.reason})`,
    );
  }
  const allBack = o.started.every((r) => r.rollback?.outcome === 'completed');
  if (signal?.aborted) parts.push('cancelled while reverting');
  return {
    status: signal?.aborted ? 'cancelled' : allBack ? 'rolled-back' : 'failed',
    message: parts.join('. '),
  };
}
