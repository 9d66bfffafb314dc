import type { ContainerDefinition, Deployment } from '@aws-sdk/client-ecs';
import { describeAwsError, errorMessage, isAwsError } from '../../runtime/errors';
import { coreLogger, type Logger } from '../../runtime/log';
import { type Clock, formatDuration, realClock } from '../../runtime/poll';
import type { HealthCheckResult } from './health-check';
import type { DeployDeps, DeployReport, DeployRequest, PreparedDeploy, ServiceReport } from './model';
import { describeServices } from './prepare';
import type { RegisteredRevisions } from './register';
import { breakerThreshold, type RolloutTarget } from './rollout-verdict';
import { type RolloutResult, type WaitForRolloutsOptions, waitForRollouts } from './rollout-wait';
import type { Verdict } from './verdict';

// The state one executeDeploy works on, shared by its steps (update, wait, health checks, rollback): one report per
// service, in the order of the request, plus what the summary needs.

export interface Execution {
  prepared: PreparedDeploy;
  request: DeployRequest;
  deps: DeployDeps;
  clock: Clock;
  log: Logger;
  startedAt: number;
  reports: Map<string, ServiceReport>;
  containerDefs: Map<string, ContainerDefinition[]>;
  healthChecks: HealthCheckResult[];
  knownGood: string[];
  knownGoodErrors: Array<{ arn: string; error: string }>;
  revisionCleanup?: string[];
  describeCalls: number;
}

/** A report per service, not started yet, on the revision registration resolved for it. */
export function startExecution(
  prepared: PreparedDeploy,
  deps: DeployDeps,
  registered: RegisteredRevisions,
  startedAt: number,
): Execution {
  const clock = deps.clock ?? realClock;
  const reports = new Map<string, ServiceReport>();
  for (const p of prepared.services) {
    reports.set(p.service, {
      service: p.service,
      ...(p.previousTaskDefinitionArn ? { previousTaskDefinitionArn: p.previousTaskDefinitionArn } : {}),
      taskDefinitionArn: registered.arnByService.get(p.service)!,
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
  return {
    prepared,
    request: prepared.request,
    deps,
    clock,
    log: deps.log ?? coreLogger,
    startedAt,
    reports,
    containerDefs: new Map(registered.containerDefs),
    healthChecks: [],
    knownGood: [],
    knownGoodErrors: [],
    describeCalls: 0,
  };
}

/** The reports, in the order of the request. */
export function allReports(ex: Execution): ServiceReport[] {
  return ex.prepared.services.map((p) => ex.reports.get(p.service)!);
}

/** The report of a finished execution with its verdict. */
export function finishExecution(ex: Execution, verdict: Verdict): DeployReport {
  return {
    status: verdict.status,
    cluster: ex.request.cluster,
    region: ex.request.region,
    services: allReports(ex),
    healthChecks: ex.healthChecks,
    knownGood: ex.knownGood,
    ...(ex.knownGoodErrors.length ? { knownGoodErrors: ex.knownGoodErrors } : {}),
    ...(ex.revisionCleanup ? { revisionCleanup: ex.revisionCleanup } : {}),
    message: verdict.message,
    describeCalls: ex.describeCalls,
    startedAt: ex.startedAt,
    finishedAt: ex.clock.now(),
    rollbackMode: ex.request.rollbackTo !== undefined,
  };
}

/** What the waiter watches: the PRIMARY deployment an UpdateService response returned. */
export function rolloutTarget(
  service: string,
  primary: Deployment & { id: string },
  taskDefinitionArn: string,
  desiredCount: number,
  failureThreshold: number | undefined,
): RolloutTarget {
  return {
    service,
    deploymentId: primary.id,
    taskDefinitionArn,
    startedAt: primary.createdAt ? new Date(primary.createdAt).getTime() : Date.now(),
    failureThreshold: failureThreshold ?? breakerThreshold(desiredCount),
  };
}

/** Wait for these rollouts (a deployment, a rollback or a revert), with live events and progress in the log. */
export async function waitForTargets(ex: Execution, targets: RolloutTarget[], what: string): Promise<RolloutResult[]> {
  if (targets.length === 0) return [];
  const { request, deps, log, clock } = ex;
  log.info(
    `Waiting up to ${formatDuration(request.waitTimeoutMs)} for ${what}: ${targets.map((t) => t.service).join(', ')}`,
  );
  const result = await waitForRollouts({
    targets,
    describe: async (names, signal) => (await describeServices(deps.ecs, request.cluster, names, signal)).services,
    timeoutMs: request.waitTimeoutMs,
    clock,
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.pollDelays ? { delays: deps.pollDelays } : {}),
    onEvent: (svc, e) =>
      log.info(`[${svc}] ${e.createdAt ? new Date(e.createdAt).toISOString() : ''} ${e.message ?? ''}`),
    onProgress: (lines) => {
      for (const l of lines) log.info(l);
    },
    onPollError: pollErrorLogger(log, what),
    onSettled: (r) => {
      const when = formatDuration(clock.now() - ex.startedAt);
      if (r.outcome === 'completed')
        log.info(
          `${r.target.service}: ${what} COMPLETED after ${when}${r.verdict.fallback ? ' (by counts: no rolloutState)' : ''}`,
        );
      else if (r.verdict.state === 'failed')
        log.info(`${r.target.service}: ${what} FAILED after ${when}: ${r.verdict.reason}`);
    },
  });
  ex.describeCalls += result.describeCalls;
  return result.results;
}

/** A failed status poll is a warning (the wait goes on); the first of a streak and its end are logged. */
function pollErrorLogger(log: Logger, what: string): WaitForRolloutsOptions['onPollError'] {
  return ({ error, failures, recovered }) => {
    if (recovered) log.info(`Reading the ${what} status works again after ${failures} failed poll(s)`);
    else if (failures === 1)
      log.warning(
        `Could not read the ${what} status (${isAwsError(error) ? describeAwsError(error) : errorMessage(error)}); still waiting, the wait timeout applies`,
      );
  };
}
