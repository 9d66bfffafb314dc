import type { Deployment, Service } from '@aws-sdk/client-ecs';

// Where an ECS rolling deployment stands, the truthful way (amazon-ecs-deploy-task-definition #191, #494, #838): we
// judge the PRIMARY deployment id that UpdateService returned by its rolloutState. Success = that deployment
// COMPLETED and still PRIMARY. FAILED, replaced by another deployment, or rolled back = failure, whatever the counts
// say. Pure; rollout-wait.ts polls with it. (The emulator's services/ecs-rollout.ts is the other side: it *runs*
// rollouts and has its own breakerThreshold, the same formula as here.)

/** What we wait for on one service. */
export interface RolloutTarget {
  service: string;
  /** The PRIMARY deployment id from the UpdateService response (`ecs-svc/...`). */
  deploymentId: string;
  /** Task definition ARN of that deployment. */
  taskDefinitionArn: string;
  /** Epoch ms when UpdateService was called (events before it are history). */
  startedAt: number;
  /** Consecutive failed tasks after which we declare failure ourselves when ECS has no circuit breaker. */
  failureThreshold?: number;
}

export type FailureKind =
  /** rolloutState FAILED (circuit breaker) without a rollback deployment. */
  | 'rollout-failed'
  /** rolloutState FAILED and ECS started a rollback deployment. */
  | 'rolled-back'
  /** Our deployment is no longer PRIMARY (another deployment replaced it). */
  | 'replaced'
  /** Our deployment is gone from the service. */
  | 'missing'
  /** No circuit breaker: we counted `failureThreshold` consecutive failed tasks. */
  | 'failed-tasks'
  /** The service was deleted / is draining, or was not found. */
  | 'service-gone';

export type RolloutVerdict =
  | { state: 'in-progress'; progress: string; fallback: boolean }
  | { state: 'completed'; progress: string; fallback: boolean }
  | {
      state: 'failed';
      fallback: boolean;
      kind: FailureKind;
      reason: string;
      progress: string;
      /** True when ECS itself rolls back / rolled back (circuit breaker rollback). */
      ecsRolledBack: boolean;
      /** The task definition ECS rolled back to, when known. */
      rollbackTaskDefinitionArn?: string;
    };

/** ECS's circuit-breaker threshold: 0.5 × desired count rounded up, clamped to 3..200 (current API reference). */
export function breakerThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(0.5 * Math.max(0, desiredCount))));
}

/** Whether the service has the deployment circuit breaker enabled, and with rollback. */
export function circuitBreakerOf(service: Service | undefined): { enabled: boolean; rollback: boolean } {
  const cb = service?.deploymentConfiguration?.deploymentCircuitBreaker;
  return { enabled: cb?.enable === true, rollback: cb?.enable === true && cb?.rollback === true };
}

/**
 * rolloutState exists only for the rolling-update (ECS) controller and not behind a Classic Load Balancer.
 * Returns why it is unavailable, or undefined when ECS reports it.
 */
export function rolloutStateUnavailableReason(service: Service | undefined): string | undefined {
  const type = service?.deploymentController?.type ?? 'ECS';
  if (type !== 'ECS') return `deployment controller ${type} has no rolloutState`;
  if (service?.loadBalancers?.some((lb) => lb.loadBalancerName && !lb.targetGroupArn)) {
    return 'services behind a Classic Load Balancer have no rolloutState';
  }
  return undefined;
}

/** `arn:aws:ecs:r:a:task-definition/web:7` → `web:7` (anything else unchanged). */
export function shortTaskDef(arn: string | undefined): string {
  if (!arn) return '?';
  const i = arn.indexOf('task-definition/');
  return i >= 0 ? arn.slice(i + 'task-definition/'.length) : arn;
}

/** `ecs-svc/1234567890123456789` → `…456789` for compact progress lines. */
function shortId(id: string | undefined): string {
  if (!id) return '?';
  const tail = id.split('/').pop() ?? id;
  return tail.length > 8 ? `…${tail.slice(-6)}` : tail;
}

function deploymentLine(d: Deployment, isTarget: boolean): string {
  const parts = [
    `${isTarget ? 'new' : (d.status ?? '?').toLowerCase()} ${shortTaskDef(d.taskDefinition)} (${shortId(d.id)})`,
    d.rolloutState ?? d.status ?? '',
    `running ${d.runningCount ?? 0}/${d.desiredCount ?? 0}`,
  ];
  if (d.pendingCount) parts.push(`pending ${d.pendingCount}`);
  if (d.failedTasks) parts.push(`failed ${d.failedTasks}`);
  return parts.filter(Boolean).join(' ');
}

/** `api: new web:8 (…123456) IN_PROGRESS running 1/2 pending 1; active web:7 (…654321) COMPLETED running 2/2`. */
export function progressLine(service: Service | undefined, target: RolloutTarget): string {
  if (!service) return `${target.service}: not found`;
  const deployments = service.deployments ?? [];
  const ordered = [
    ...deployments.filter((d) => d.id === target.deploymentId),
    ...deployments.filter((d) => d.id !== target.deploymentId),
  ];
  if (ordered.length === 0) return `${target.service}: no deployments`;
  return `${target.service}: ${ordered.map((d) => deploymentLine(d, d.id === target.deploymentId)).join('; ')}`;
}

/**
 * The service events ECS writes when the circuit breaker fails a deployment, for `deploymentId`:
 * `(service api) (deployment ecs-svc/123) deployment failed: tasks failed to start.` and, with rollback on,
 * `(service api) rolling back to deployment ecs-svc/456.` (the emulator writes the same texts).
 */
export function breakerFailureEvent(
  service: Service,
  deploymentId: string,
): { failure: string; rolledBack: boolean } | undefined {
  const events = service.events ?? [];
  const failed = events.find((e) => e.message?.includes(`(deployment ${deploymentId}) deployment failed:`));
  if (!failed?.message) return undefined;
  const failure = failed.message.slice(failed.message.indexOf('deployment failed:') + 'deployment failed:'.length);
  const at = failed.createdAt ? new Date(failed.createdAt).getTime() : 0;
  const rolledBack = events.some(
    (e) => e.message?.includes('rolling back to deployment') && (!e.createdAt || new Date(e.createdAt).getTime() >= at),
  );
  return { failure: failure.trim().replace(/\.$/, '') || 'tasks failed', rolledBack };
}

/** Decide where one service's rollout stands. Pure. */
export function evaluateRollout(service: Service | undefined, target: RolloutTarget): RolloutVerdict {
  const progress = progressLine(service, target);
  const fail = (kind: FailureKind, reason: string, ecsRolledBack = false, rollbackTaskDefinitionArn?: string) =>
    ({
      state: 'failed',
      fallback: false,
      kind,
      reason,
      progress,
      ecsRolledBack,
      ...(rollbackTaskDefinitionArn ? { rollbackTaskDefinitionArn } : {}),
    }) as const;
  if (!service || (service.status && service.status !== 'ACTIVE')) {
    return fail('service-gone', `service ${target.service} is ${service?.status ?? 'not found'}`);
  }
  const deployments = service.deployments ?? [];
  const mine = deployments.find((d) => d.id === target.deploymentId);
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  const fallbackReason = rolloutStateUnavailableReason(service);

  if (!mine) {
    // A breaker rollback that finished between two polls: ECS drops the FAILED deployment once the rollback
    // deployment completes, so only the service events still say what happened to ours.
    const breakerFailure = breakerFailureEvent(service, target.deploymentId);
    if (breakerFailure) {
      const reason = `ECS deployment circuit breaker: ${breakerFailure.failure}`;
      const rolledBack = breakerFailure.rolledBack || circuitBreakerOf(service).rollback;
      if (rolledBack && primary && primary.taskDefinition !== target.taskDefinitionArn) {
        return fail(
          'rolled-back',
          `${reason}; ECS rolled back to ${shortTaskDef(primary.taskDefinition)}`,
          true,
          primary.taskDefinition,
        );
      }
      return fail('rollout-failed', reason);
    }
    return fail(
      'missing',
      `deployment ${target.deploymentId} is no longer on the service` +
        (primary ? ` (PRIMARY is now ${primary.id} with ${shortTaskDef(primary.taskDefinition)})` : ''),
    );
  }
  if (mine.rolloutState === 'FAILED') {
    const reason = mine.rolloutStateReason || 'rolloutState FAILED';
    if (primary && primary.id !== mine.id) {
      const rolledBackTo = primary.taskDefinition;
      return fail('rolled-back', `${reason}; ECS rolled back to ${shortTaskDef(rolledBackTo)}`, true, rolledBackTo);
    }
    return fail('rollout-failed', reason);
  }
  if (mine.status !== 'PRIMARY') {
    return fail(
      'replaced',
      `deployment ${target.deploymentId} is ${mine.status ?? 'not PRIMARY'}: replaced by ` +
        (primary ? `${primary.id} (${shortTaskDef(primary.taskDefinition)})` : 'another deployment'),
    );
  }
  if (mine.rolloutState === 'COMPLETED') return { state: 'completed', progress, fallback: false };

  const breaker = circuitBreakerOf(service);
  if (!breaker.enabled && target.failureThreshold !== undefined && (mine.failedTasks ?? 0) >= target.failureThreshold) {
    return fail(
      'failed-tasks',
      `${mine.failedTasks} consecutive tasks of the new deployment failed (threshold ${target.failureThreshold}; ` +
        'the service has no circuit breaker, so ECS would keep retrying)',
    );
  }
  if (mine.rolloutState === undefined || fallbackReason) {
    // No rolloutState: the classic "stable" test, but on our deployment: it alone and at the desired count.
    const stable =
      deployments.length === 1 &&
      (mine.runningCount ?? 0) === (mine.desiredCount ?? service.desiredCount ?? 0) &&
      (service.runningCount ?? mine.runningCount ?? 0) === (service.desiredCount ?? mine.desiredCount ?? 0);
    return { state: stable ? 'completed' : 'in-progress', progress, fallback: true };
  }
  return { state: 'in-progress', progress, fallback: false };
}
