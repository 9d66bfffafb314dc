import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { errorMessage } from '../../runtime/errors';
import { abortReason, cancelReason, isCancellation, realClock } from '../../runtime/poll';

export { cancelReason, isCancellation };

import type { Execution } from './execution';
import type { DeployReport, DeployRequest, PreparedDeploy, ServiceReport } from './model';
import { describeServices } from './prepare';
import { shortTaskDef } from './rollout-verdict';
import type { UpdateOutcome } from './update';
import type { Verdict } from './verdict';

// Cancellation (SIGINT/SIGTERM) outside the wait (#16 defect 4). During the UpdateService loop: put back what this
// run started (auto-rollback on) or say exactly what it left, then report. Before any service was updated: say so
// plainly, with outputs and a summary like any other ending. The wait itself reports cancellation on its own.

/**
 * Budget for the calls made after a cancel (reverts, one describe): the runner sends SIGTERM 7.5 s after SIGINT and
 * `cancellationSignal` force-exits 5 s after the first signal; outputs and the summary must be written before.
 */
export const AFTER_CANCEL_BUDGET_MS = 3000;

/**
 * How long an UpdateService already on the wire may finish after a cancel: its answer says exactly what ECS did,
 * which a cut-off call cannot (ECS may or may not have applied it).
 */
export const UPDATE_GRACE_MS = 2000;

/** A signal that aborts `graceMs` after `signal` does (never, without one). */
export function abortAfterGrace(signal: AbortSignal | undefined, graceMs: number): AbortSignal | undefined {
  if (!signal) return undefined;
  const controller = new AbortController();
  const start = () => setTimeout(() => controller.abort(abortReason(signal)), graceMs).unref?.();
  if (signal.aborted) start();
  else signal.addEventListener('abort', start, { once: true });
  return controller.signal;
}

/**
 * The cancel arrived during the UpdateService loop: services already updated (and the one whose call was in flight,
 * which ECS may or may not have applied) go back to the revision they ran (auto-rollback on; the revert is started,
 * not waited for) or are reported as left deploying; services not reached are reported as not updated.
 */
export async function settleCancelledUpdate(ex: Execution, update: UpdateOutcome): Promise<Verdict> {
  const started = update.targets.map((t) => ex.reports.get(t.service)!);
  const inFlight = update.cancelled?.inFlight;
  const budget = AbortSignal.timeout(AFTER_CANCEL_BUDGET_MS);
  if (ex.request.autoRollback) {
    for (const r of started) await revertAfterCancel(ex, r, budget, false);
    if (inFlight) await revertAfterCancel(ex, inFlight, budget, true);
  } else if (inFlight) await settleInFlight(ex, inFlight, budget);
  for (const r of started) if (r.status === 'started') r.status = 'cancelled';
  return cancelledUpdateVerdict({
    services: [...ex.reports.values()],
    autoRollback: ex.request.autoRollback,
    reason: cancelReason(ex.deps.signal),
  });
}

/**
 * UpdateService back to the revision the service ran before this run (and its desired count, if this run changed
 * it), not waited for. For the service whose own UpdateService the cancel cut off, the response tells whether ECS
 * had applied it: if not, the PRIMARY deployment is still the one that ran before and the revert changed nothing.
 */
async function revertAfterCancel(
  ex: Execution,
  r: ServiceReport,
  budget: AbortSignal,
  inFlight: boolean,
): Promise<void> {
  const p = ex.prepared.services.find((x) => x.service === r.service)!;
  const previous = r.previousTaskDefinitionArn;
  if (!previous) {
    r.rollback = { outcome: 'skipped', reason: 'no previous revision to revert to' };
    return;
  }
  try {
    const out = await ex.deps.ecs.send(
      new UpdateServiceCommand({
        cluster: ex.request.cluster,
        service: r.service,
        taskDefinition: previous,
        ...(ex.request.desiredCount !== undefined && p.current.desiredCount !== undefined
          ? { desiredCount: p.current.desiredCount }
          : {}),
      }),
      { abortSignal: budget },
    );
    const primary = out.service?.deployments?.find((d) => d.status === 'PRIMARY');
    if (inFlight && primary?.id !== undefined && primary.id === p.previousPrimaryId) {
      r.status = 'not-started';
      r.reason = `its UpdateService got no answer within ${UPDATE_GRACE_MS / 1000}s of the cancel and ECS had not applied it when the revert was sent`;
      return;
    }
    r.status = 'reverted';
    r.rollback = {
      taskDefinitionArn: previous,
      ...(primary?.id ? { deploymentId: primary.id } : {}),
      outcome: 'skipped',
      reason: 'reverted because the deploy was cancelled; revert started, not waited for',
    };
    ex.log.info(`${r.service}: reverting to ${shortTaskDef(previous)} (cancelled); not waiting for it`);
  } catch (err) {
    r.status = 'cancelled';
    r.rollback = {
      taskDefinitionArn: previous,
      outcome: 'failed',
      reason: `revert after the cancel failed: ${errorMessage(err)}`,
    };
    ex.log.warning(`${r.service}: could not revert to ${shortTaskDef(previous)}: ${errorMessage(err)}`);
  }
}

/** auto-rollback off: whether the cut-off UpdateService was applied (one DescribeServices), nothing changed. */
async function settleInFlight(ex: Execution, r: ServiceReport, budget: AbortSignal): Promise<void> {
  try {
    const { services } = await describeServices(ex.deps.ecs, ex.request.cluster, [r.service], budget);
    const primary = services[0]?.deployments?.find((d) => d.status === 'PRIMARY');
    const p = ex.prepared.services.find((x) => x.service === r.service)!;
    if (primary?.id !== undefined && primary.id === p.previousPrimaryId) {
      r.status = 'not-started';
      r.reason = `its UpdateService got no answer within ${UPDATE_GRACE_MS / 1000}s of the cancel and ECS had not applied it when we looked`;
    } else {
      r.status = 'cancelled';
      if (primary?.id) r.deploymentId = primary.id;
    }
  } catch (err) {
    r.status = 'cancelled';
    r.reason = `its UpdateService was cut off by the cancel; whether ECS applied it is unknown (${errorMessage(err)})`;
  }
}

/** The verdict of a cancel during the update (pure): what was reverted, what was left, what was not touched. */
export function cancelledUpdateVerdict(v: {
  services: readonly ServiceReport[];
  autoRollback: boolean;
  reason: string;
}): Verdict {
  const reverted = v.services.filter((r) => r.status === 'reverted');
  const left = v.services.filter((r) => r.status === 'cancelled');
  const untouched = v.services.filter((r) => r.status === 'not-started');
  if (reverted.length === 0 && left.length === 0) {
    return {
      status: 'cancelled',
      message: `Cancelled (${v.reason}) before any service was updated: nothing was deployed`,
    };
  }
  const parts: string[] = [];
  for (const r of reverted) {
    parts.push(
      `${r.service}: updated to ${shortTaskDef(r.taskDefinitionArn)}, revert to ${shortTaskDef(r.rollback?.taskDefinitionArn)} started (not waited for)`,
    );
  }
  for (const r of left) {
    const why =
      r.rollback?.outcome === 'failed' ? r.rollback.reason : v.autoRollback ? r.reason : 'auto-rollback is off';
    parts.push(`${r.service}: left deploying ${shortTaskDef(r.taskDefinitionArn)} (${why ?? 'not reverted'})`);
  }
  if (untouched.length) {
    parts.push(
      `not updated: ${untouched.map((r) => `${r.service} (still on ${shortTaskDef(r.previousTaskDefinitionArn)})`).join(', ')}`,
    );
  }
  return { status: 'cancelled', message: `Cancelled (${v.reason}) during the update. ${parts.join('. ')}` };
}

/**
 * The report of a deploy cancelled before any UpdateService (while preparing, registering, or during deploy-ecs's
 * "before" migration): every service not updated, and what was under way (`during`, e.g. the migration's line).
 */
export function cancelledBeforeUpdateReport(
  request: DeployRequest,
  o: { prepared?: PreparedDeploy | undefined; signal?: AbortSignal | undefined; during?: string; startedAt?: number },
): DeployReport {
  const now = realClock.now();
  const prepared = new Map((o.prepared?.services ?? []).map((p) => [p.service, p]));
  const services: ServiceReport[] = request.services.map(({ service }) => {
    const previous = prepared.get(service)?.previousTaskDefinitionArn;
    return {
      service,
      ...(previous ? { previousTaskDefinitionArn: previous, taskDefinitionArn: previous } : {}),
      registered: false,
      reused: false,
      status: 'not-started',
      ecsRolledBack: false,
      fallback: false,
      startedAt: o.startedAt ?? now,
      events: [],
      diffText: prepared.get(service)?.diffText ?? '',
    };
  });
  const during = o.during ? ` ${o.during}.` : '';
  return {
    status: 'cancelled',
    cluster: request.cluster,
    region: request.region,
    services,
    healthChecks: [],
    knownGood: [],
    message: `Cancelled (${cancelReason(o.signal)}) before any service was updated: nothing was deployed.${during}`,
    describeCalls: 0,
    startedAt: o.startedAt ?? now,
    finishedAt: now,
    rollbackMode: request.rollbackTo !== undefined,
  };
}
