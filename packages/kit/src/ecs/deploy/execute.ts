import { errorMessage } from '../../runtime/errors';
import { formatDuration, realClock } from '../../runtime/poll';
import { settleCancelledUpdate } from './cancel';
import { collectDiagnostics, diagnosticsText } from './diagnostics';
import { allReports, type Execution, finishExecution, startExecution, waitForTargets } from './execution';
import { checkHealth, healthCheckLine } from './health-check';
import { markEcsRollbacks, markRevisionsLeft, recordCompletedDeployments } from './history-steps';
import { knownGoodTags, tagRevision } from './known-good';
import type { DeployDeps, DeployReport, PreparedDeploy } from './model';
import { type RegisteredRevisions, registerRevisions } from './register';
import { cleanupRevisions, cleanupSummaryLine, cleanupTargets } from './revision-cleanup';
import { rollBackServices, rollbackCandidates } from './rollback';
import { shortTaskDef } from './rollout-verdict';
import { type RolloutResult, statusUnknownText } from './rollout-wait';
import { revertPartialUpdate, updateServices } from './update';
import { type CancelledDuring, deployFailed, deployVerdict, failedServices } from './verdict';
import { verifyWhatRuns } from './what-runs';

// The mutating part of a deploy, as a sequence of steps: register → (rollback-to: mark what is left) → update → wait
// → what runs is what was asked (what-runs.ts) → health checks → (success: known-good markers, deploy history, old
// revisions) or (failure: root causes, auto-rollback, deploy history) → verdict. Each step is a function below or in
// update.ts / rollback.ts / history-steps.ts; the decisions are pure (verdict.ts, rollback-target.ts).

/**
 * Register (unless `registered` is given: deploy-ecs registers first and runs its migration in between) → update →
 * wait → health checks → diagnostics → rollback → known-good. Never throws for deployment failures: they are in the
 * report (status, message); the caller writes outputs and the summary, then fails the step. Throws for AWS errors of
 * mutating calls.
 */
export async function executeDeploy(
  prepared: PreparedDeploy,
  deps: DeployDeps,
  registered?: RegisteredRevisions,
): Promise<DeployReport> {
  const startedAt = (deps.clock ?? realClock).now();
  const ex = startExecution(prepared, deps, registered ?? (await registerRevisions(prepared, deps)), startedAt);
  await markRevisionsLeft(ex);
  const update = await updateServices(ex);
  if (update.cancelled) return finishExecution(ex, await settleCancelledUpdate(ex, update));
  if (update.rejected) return finishExecution(ex, await revertPartialUpdate(ex, update));
  if (!ex.request.wait) return finish(ex, { waited: false });
  const results = await waitForTargets(ex, update.targets, 'deployment');
  applyRolloutResults(ex, results);
  verifyWhatRuns(ex, results);
  if (deps.signal?.aborted || allReports(ex).some((r) => r.status === 'cancelled')) {
    logWhereEachStands(ex);
    return finish(ex, { cancelledDuring: 'wait' });
  }
  if (failedServices(allReports(ex)).length === 0 && ex.request.healthChecks.length) {
    await checkHealthAfterRollout(ex);
    if (deps.signal?.aborted) return finish(ex, { cancelledDuring: 'health-checks' });
  }
  if (!deployFailed(allReports(ex), ex.healthChecks)) {
    await markKnownGood(ex);
    await recordCompletedDeployments(ex, 'deployments');
    await cleanupOldRevisions(ex);
    return finish(ex, {});
  }
  await markEcsRollbacks(ex);
  await collectRootCauses(ex, results);
  explainHealthFailure(ex);
  await rollBackServices(ex, rollbackCandidates(allReports(ex), ex.request.autoRollback));
  await recordCompletedDeployments(ex, 'rollbacks');
  return finish(ex, deps.signal?.aborted ? { cancelledDuring: 'rollback' } : {});
}

function finish(ex: Execution, o: { waited?: boolean; cancelledDuring?: CancelledDuring }): DeployReport {
  const verdict = deployVerdict({
    services: allReports(ex),
    healthChecks: ex.healthChecks,
    autoRollback: ex.request.autoRollback,
    waited: o.waited ?? true,
    ...(o.cancelledDuring ? { cancelledDuring: o.cancelledDuring } : {}),
  });
  return finishExecution(ex, verdict);
}

/** Copy what the waiter saw into each service's report. */
function applyRolloutResults(ex: Execution, results: readonly RolloutResult[]): void {
  for (const r of results) {
    const rep = ex.reports.get(r.target.service)!;
    rep.events = r.events;
    rep.finishedAt = r.finishedAt;
    rep.progress = r.verdict.progress;
    rep.fallback = r.verdict.fallback;
    const d = r.service?.deployments?.find((x) => x.id === r.target.deploymentId);
    if (d) {
      rep.running = d.runningCount ?? 0;
      rep.desired = d.desiredCount ?? 0;
    }
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
      rep.reason = `not COMPLETED within ${formatDuration(ex.request.waitTimeoutMs)}; last status: ${r.verdict.progress}`;
    } else if (r.outcome === 'cancelled') {
      rep.reason = `cancelled; last status: ${r.verdict.progress}`;
    }
    if (r.statusUnknown && rep.reason) rep.reason += `; ${statusUnknownText(r.statusUnknown, r.finishedAt)}`;
  }
}

function logWhereEachStands(ex: Execution): void {
  ex.log.info('Cancelled. Where each deployment stands:');
  for (const r of allReports(ex)) ex.log.info(`  ${r.service}: ${r.status}${r.progress ? ` — ${r.progress}` : ''}`);
}

/** The health-check URLs, once every service completed (a cancellation leaves no results). */
async function checkHealthAfterRollout(ex: Execution): Promise<void> {
  const { request, deps, log } = ex;
  log.info(`Health checks: ${request.healthChecks.map((h) => h.url).join(', ')}`);
  ex.healthChecks = await checkHealth(request.healthChecks, {
    timeoutMs: request.healthCheckTimeoutMs,
    clock: ex.clock,
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
    ...(deps.healthCheckIntervalMs !== undefined ? { intervalMs: deps.healthCheckIntervalMs } : {}),
  }).catch((err) => {
    if (deps.signal?.aborted) return [];
    throw err;
  });
  for (const h of ex.healthChecks) log.info(`Health check ${healthCheckLine(h)}`);
}

/**
 * Tag every deployed revision known-good. A tag that cannot be written is kept in the report: the step fails after
 * the deploy (a later auto-rollback would skip that revision), saying the deploy itself succeeded.
 */
async function markKnownGood(ex: Execution): Promise<void> {
  const { request, deps, log } = ex;
  if (!request.markKnownGood) return;
  const arns = [
    ...new Set(
      allReports(ex)
        .map((r) => r.taskDefinitionArn)
        .filter((a): a is string => !!a),
    ),
  ];
  const tags = knownGoodTags({
    ...request.provenance,
    ...(request.version ? { version: request.version } : {}),
    now: new Date(),
  });
  for (const arn of arns) {
    try {
      await tagRevision(deps.ecs, arn, tags, deps.signal);
      ex.knownGood.push(arn);
      log.info(`Marked ${shortTaskDef(arn)} known-good`);
    } catch (err) {
      ex.knownGoodErrors.push({ arn, error: errorMessage(err) });
      log.warning(`Could not tag ${shortTaskDef(arn)} known-good: ${errorMessage(err)}`);
    }
  }
}

/** `keep-revisions`: deregister old revisions of the deployed families, never one a rollback could want. */
async function cleanupOldRevisions(ex: Execution): Promise<void> {
  const { request, deps, log } = ex;
  if (!request.keepRevisions || request.keepRevisions <= 0) return;
  ex.revisionCleanup = [];
  for (const [family, protect] of cleanupTargets(allReports(ex))) {
    const r = await cleanupRevisions(deps.ecs, family, {
      keep: request.keepRevisions,
      protect,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    const line = cleanupSummaryLine(family, r);
    ex.revisionCleanup.push(line);
    if (r.errors.length) log.warning(`keep-revisions: ${line}`);
    else log.info(`keep-revisions ${request.keepRevisions}: ${line}`);
  }
}

/** Root causes of each failed service (stopped tasks, exit codes, last log lines, unhealthy targets), best effort. */
async function collectRootCauses(ex: Execution, results: readonly RolloutResult[]): Promise<void> {
  const { request, deps, log } = ex;
  for (const r of failedServices(allReports(ex))) {
    const p = ex.prepared.services.find((x) => x.service === r.service)!;
    const res = results.find((x) => x.target.service === r.service);
    const containers = r.taskDefinitionArn ? ex.containerDefs.get(r.taskDefinitionArn) : undefined;
    r.diagnostics = await collectDiagnostics({
      ecs: deps.ecs,
      ...(deps.logs ? { logs: deps.logs } : {}),
      ...(deps.elbv2 ? { elbv2: deps.elbv2 } : {}),
      cluster: request.cluster,
      service: res?.service ?? p.current,
      serviceName: r.service,
      ...(r.deploymentId ? { deploymentId: r.deploymentId } : {}),
      ...(r.taskDefinitionArn ? { taskDefinitionArn: r.taskDefinitionArn } : {}),
      ...(containers ? { containerDefinitions: containers } : {}),
      events: r.events,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    log.info(`── Root causes for ${r.service}: ${r.reason ?? r.status}`);
    for (const line of diagnosticsText(r.diagnostics)) log.info(line);
  }
}

/** Services whose rollout completed still failed the deploy when a health check failed: say so in their report. */
function explainHealthFailure(ex: Execution): void {
  if (!ex.healthChecks.some((h) => !h.ok)) return;
  for (const r of allReports(ex))
    if (r.status === 'completed') r.reason = 'health check failed after the rollout COMPLETED';
}
