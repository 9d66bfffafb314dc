import { UpdateServiceCommand, type UpdateServiceCommandOutput } from '@aws-sdk/client-ecs';
import { describeAwsError, errorMessage, isAwsError } from '../../runtime/errors';
import { abortAfterGrace, UPDATE_GRACE_MS } from './cancel';
import { type Execution, rolloutTarget, waitForTargets } from './execution';
import type { ServiceReport } from './model';
import { evaluateRollout, type RolloutTarget, shortTaskDef } from './rollout-verdict';
import { revertVerdict, type Verdict } from './verdict';

// UpdateService for every service, all or nothing: a service ECS rejects stops the loop, the ones after it are left
// alone and the ones before it are put back on the revision they ran (revertPartialUpdate).

export interface UpdateOutcome {
  /** Deployments to wait for (services already running the revision are `unchanged` and not waited for). */
  targets: RolloutTarget[];
  /** The service whose UpdateService ECS rejected, if one was. */
  rejected?: ServiceReport;
  /**
   * Set when SIGINT/SIGTERM arrived during the loop: the loop stopped there (see cancel.ts). `inFlight`: the service
   * whose UpdateService the cancel cut off (ECS may or may not have applied it).
   */
  cancelled?: { inFlight?: ServiceReport };
}

/** UpdateService for each service in order; take the PRIMARY deployment from each response. */
export async function updateServices(ex: Execution): Promise<UpdateOutcome> {
  const { request, deps, log, clock } = ex;
  const targets: RolloutTarget[] = [];
  // A call already sent may finish after a cancel, so its answer says what ECS did (#16 defect 4).
  const callSignal = abortAfterGrace(deps.signal, UPDATE_GRACE_MS);
  for (const p of ex.prepared.services) {
    if (deps.signal?.aborted) return { targets, cancelled: {} };
    const report = ex.reports.get(p.service)!;
    const arn = report.taskDefinitionArn!;
    report.startedAt = clock.now();
    let out: UpdateServiceCommandOutput;
    try {
      out = await deps.ecs.send(
        new UpdateServiceCommand({
          cluster: request.cluster,
          service: p.service,
          taskDefinition: arn,
          ...(request.desiredCount !== undefined ? { desiredCount: request.desiredCount } : {}),
          forceNewDeployment: request.forceNewDeployment,
        }),
        { abortSignal: callSignal },
      );
    } catch (err) {
      if (deps.signal?.aborted) return { targets, cancelled: { inFlight: report } };
      report.status = 'failed';
      report.updateRejected = true;
      report.reason = isAwsError(err) ? describeAwsError(err) : `UpdateService failed: ${errorMessage(err)}`;
      report.finishedAt = clock.now();
      log.warning(`${p.service}: ${report.reason}`);
      return { targets, rejected: report };
    }
    const svc = out.service;
    const primary = svc?.deployments?.find((d) => d.status === 'PRIMARY');
    if (!primary?.id) throw new Error(`UpdateService for ${p.service} returned no PRIMARY deployment`);
    report.deploymentId = primary.id;
    const desired = request.desiredCount ?? primary.desiredCount ?? svc?.desiredCount ?? 0;
    const target = rolloutTarget(
      p.service,
      { ...primary, id: primary.id },
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
  // The cancel came while the last call was finishing: nothing is left to start, but what was started goes back.
  if (deps.signal?.aborted) return { targets, cancelled: {} };
  return { targets };
}

/**
 * UpdateService was rejected for one service after others had already started deploying: put those back on the
 * revision each ran before this run (and its desired count, if this run changed it), so the cluster does not end up
 * with half a release. With auto-rollback off they are left as they are, and the message says so.
 */
export async function revertPartialUpdate(ex: Execution, update: UpdateOutcome): Promise<Verdict> {
  const { request, deps } = ex;
  const rejected = update.rejected!;
  const started = update.targets.map((t) => ex.reports.get(t.service)!);
  const verdictOf = () =>
    revertVerdict({ rejected, started, autoRollback: request.autoRollback, cancelled: deps.signal?.aborted === true });
  if (started.length === 0 || !request.autoRollback) return verdictOf();
  const reverts: RolloutTarget[] = [];
  for (const r of started) {
    const target = await revertService(ex, r, rejected.service);
    if (target) reverts.push(target);
  }
  if (request.wait) {
    for (const res of await waitForTargets(ex, reverts, 'revert')) {
      const r = started.find((x) => x.service === res.target.service)!;
      r.rollback!.outcome = res.outcome === 'completed' ? 'completed' : res.outcome;
      if (res.verdict.state === 'failed') r.rollback!.reason += `; revert failed: ${res.verdict.reason}`;
      r.events = [...r.events, ...res.events];
    }
  }
  return verdictOf();
}

/** Put one service back on the revision it ran before; the rollout to wait for, when ECS started one. */
async function revertService(
  ex: Execution,
  r: ServiceReport,
  rejectedService: string,
): Promise<RolloutTarget | undefined> {
  const { request, deps, log } = ex;
  const p = ex.prepared.services.find((x) => x.service === r.service)!;
  const targetArn = r.previousTaskDefinitionArn;
  if (!targetArn) {
    r.rollback = { outcome: 'skipped', reason: 'no previous revision to revert to' };
    return undefined;
  }
  const reason = `reverted because UpdateService failed for ${rejectedService}`;
  log.info(`${r.service}: reverting to ${shortTaskDef(targetArn)} (${reason})`);
  try {
    const out = await deps.ecs.send(
      new UpdateServiceCommand({
        cluster: request.cluster,
        service: r.service,
        taskDefinition: targetArn,
        ...(request.desiredCount !== undefined && p.current.desiredCount !== undefined
          ? { desiredCount: p.current.desiredCount }
          : {}),
      }),
      { abortSignal: deps.signal },
    );
    const primary = out.service?.deployments?.find((d) => d.status === 'PRIMARY');
    r.status = 'reverted';
    r.rollback = {
      taskDefinitionArn: targetArn,
      ...(primary?.id ? { deploymentId: primary.id } : {}),
      outcome: request.wait ? 'failed' : 'skipped',
      reason: request.wait ? reason : `${reason}; not waited for (wait: false)`,
    };
    if (!primary?.id) return undefined;
    return rolloutTarget(
      r.service,
      { ...primary, id: primary.id },
      targetArn,
      primary.desiredCount ?? 0,
      request.failureThreshold,
    );
  } catch (err) {
    // A cancel while reverting is reported like any failed revert (revertVerdict adds "cancelled while reverting").
    r.rollback = {
      taskDefinitionArn: targetArn,
      outcome: deps.signal?.aborted ? 'cancelled' : 'failed',
      reason: deps.signal?.aborted
        ? `${reason}; cancelled before the revert was sent`
        : `UpdateService failed: ${errorMessage(err)}`,
    };
    return undefined;
  }
}
