import { type HealthCheckResult, healthCheckLine } from './health-check';
import type { OverallStatus, ServiceReport } from './model';
import { shortTaskDef } from './rollout-verdict';

// The deploy's final verdict: one status and one message from what happened to each service. Pure (table-tested in
// test/ecs/deploy/verdict.test.ts); execute.ts gathers the facts, this decides.

export interface Verdict {
  status: OverallStatus;
  /** One line: what happened (the step's error message when it failed). */
  message: string;
}

/** Where a cancellation (SIGINT/SIGTERM) caught the deploy, if it did. */
export type CancelledDuring = 'wait' | 'health-checks' | 'rollback';

export interface VerdictInput {
  services: readonly ServiceReport[];
  healthChecks: readonly HealthCheckResult[];
  autoRollback: boolean;
  /** False with `wait: false`: deployments were started and not followed. */
  waited: boolean;
  cancelledDuring?: CancelledDuring;
}

/** Services whose deployment failed or timed out. */
export function failedServices(services: readonly ServiceReport[]): ServiceReport[] {
  return services.filter((r) => r.status === 'failed' || r.status === 'timeout');
}

/** True when the deploy did not succeed: a deployment failed or timed out, or a health check failed. */
export function deployFailed(services: readonly ServiceReport[], healthChecks: readonly HealthCheckResult[]): boolean {
  return failedServices(services).length > 0 || healthChecks.some((h) => !h.ok);
}

/** The verdict of a deploy from where each service ended up. */
export function deployVerdict(v: VerdictInput): Verdict {
  if (!v.waited) return notWaitedVerdict(v.services);
  if (v.cancelledDuring === 'wait') return cancelledWhileWaiting(v.services);
  if (v.cancelledDuring === 'health-checks') return { status: 'cancelled', message: 'Cancelled during health checks' };
  if (!deployFailed(v.services, v.healthChecks)) return successVerdict(v.services);
  return failureVerdict(v);
}

function notWaitedVerdict(services: readonly ServiceReport[]): Verdict {
  const started = services.filter((r) => r.status === 'started').length;
  return started
    ? { status: 'started', message: `Started ${started} deployment(s); not waiting (wait: false)` }
    : { status: 'unchanged', message: 'All services already run the requested revision' };
}

function cancelledWhileWaiting(services: readonly ServiceReport[]): Verdict {
  const waiting = services.filter((r) => r.status === 'cancelled');
  return {
    status: 'cancelled',
    message: `Cancelled while waiting: ${waiting.map((r) => `${r.service} ${r.progress ?? ''}`.trim()).join('; ')}`,
  };
}

function successVerdict(services: readonly ServiceReport[]): Verdict {
  if (services.every((r) => r.status === 'unchanged')) {
    const running = [...new Set(services.map((r) => shortTaskDef(r.taskDefinitionArn)))];
    return { status: 'unchanged', message: `All services already run ${running.join(', ')}` };
  }
  return {
    status: 'success',
    message: `Deployed ${services.map((r) => `${r.service} → ${shortTaskDef(r.taskDefinitionArn)}`).join(', ')}`,
  };
}

/** What failed, what was rolled back and how that went; `timeout` only when every failure was a timeout. */
function failureVerdict(v: VerdictInput): Verdict {
  const failed = failedServices(v.services);
  const failedChecks = v.healthChecks.filter((h) => !h.ok);
  const parts = failed.map(
    (r) =>
      `${r.service}: deployment of ${shortTaskDef(r.taskDefinitionArn)} ${r.status === 'timeout' ? 'timed out' : 'failed'}: ${r.reason ?? ''}`,
  );
  if (failedChecks.length) parts.push(`health check failed: ${failedChecks.map(healthCheckLine).join('; ')}`);
  const rolledBack = v.services.filter((r) => r.rollback);
  for (const r of rolledBack) {
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
  if (!v.autoRollback && failed.some((r) => !r.ecsRolledBack)) parts.push('auto-rollback is off');
  const rollbackOk =
    rolledBack.length > 0 &&
    rolledBack.every((r) => r.rollback!.outcome === 'completed' || r.rollback!.outcome === 'ecs');
  let status: OverallStatus =
    failed.length > 0 && failed.every((r) => r.status === 'timeout') && failedChecks.length === 0
      ? 'timeout'
      : rollbackOk
        ? 'rolled-back'
        : 'failed';
  if (v.cancelledDuring === 'rollback') {
    status = 'cancelled';
    parts.push('cancelled while rolling back');
  }
  return { status, message: parts.join('. ') };
}

export interface RevertVerdictInput {
  /** The service whose UpdateService ECS rejected. */
  rejected: ServiceReport;
  /** Services updated before it (with their revert outcome in `rollback`, when one was attempted). */
  started: readonly ServiceReport[];
  autoRollback: boolean;
  cancelled: boolean;
}

/**
 * The verdict when UpdateService was rejected part-way: nothing changed, the started services were reverted (or
 * not), or they were left deploying because auto-rollback is off.
 */
export function revertVerdict(v: RevertVerdictInput): Verdict {
  const first = `${v.rejected.service}: ${v.rejected.reason ?? 'UpdateService failed'} (it still runs ${shortTaskDef(v.rejected.previousTaskDefinitionArn)})`;
  if (v.started.length === 0) return { status: 'failed', message: `${first}. Nothing was changed` };
  if (!v.autoRollback) {
    const left = v.started.map((r) => `${r.service} → ${shortTaskDef(r.taskDefinitionArn)}`).join(', ');
    return {
      status: 'failed',
      message: `${first}. already updated and left deploying (auto-rollback is off): ${left}`,
    };
  }
  const parts = [first];
  for (const r of v.started) {
    const rb = r.rollback!;
    parts.push(
      rb.outcome === 'completed'
        ? `${r.service}: reverted to ${shortTaskDef(rb.taskDefinitionArn)} (revert completed)`
        : `${r.service}: revert to ${shortTaskDef(rb.taskDefinitionArn)} ${rb.outcome} (${rb.reason})`,
    );
  }
  if (v.cancelled) parts.push('cancelled while reverting');
  const allBack = v.started.every((r) => r.rollback?.outcome === 'completed');
  return { status: v.cancelled ? 'cancelled' : allBack ? 'rolled-back' : 'failed', message: parts.join('. ') };
}
