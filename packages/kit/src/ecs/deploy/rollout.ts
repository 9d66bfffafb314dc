import type { Deployment, Service, ServiceEvent } from '@aws-sdk/client-ecs';
import { type Clock, formatDuration, realClock } from '../../runtime/poll';

// Waiting for ECS rolling deployments, the truthful way (amazon-ecs-deploy-task-definition #191, #494, #838):
// we wait on the PRIMARY deployment id that UpdateService returned and read its rolloutState. Success = that
// deployment COMPLETED and still PRIMARY. FAILED, replaced by another deployment, or rolled back = failure,
// whatever the counts say. Pure evaluation (`evaluateRollout`) + a batched, adaptive waiter (`waitForRollouts`).

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

/** Service events newer than `since` not already seen, oldest first (ECS returns newest first). */
export function newEvents(
  events: readonly ServiceEvent[] | undefined,
  seen: Set<string>,
  sinceMs: number,
): ServiceEvent[] {
  const out: ServiceEvent[] = [];
  for (const e of events ?? []) {
    const key = e.id ?? `${e.createdAt?.toISOString()}|${e.message}`;
    if (seen.has(key)) continue;
    const at = e.createdAt ? new Date(e.createdAt).getTime() : sinceMs;
    // 1 s of slack for clock skew between the runner and ECS.
    if (at < sinceMs - 1000) continue;
    seen.add(key);
    out.push(e);
  }
  return out.reverse();
}

/** A fingerprint of what matters in a service's state; when it changes we poll again quickly. */
export function serviceFingerprint(service: Service | undefined): string {
  if (!service) return 'missing';
  const ds = (service.deployments ?? [])
    .map(
      (d) =>
        `${d.id}:${d.status}:${d.rolloutState}:${d.runningCount}:${d.pendingCount}:${d.desiredCount}:${d.failedTasks}`,
    )
    .join(',');
  return `${service.status}|${service.runningCount}|${service.pendingCount}|${ds}|${service.events?.[0]?.id ?? ''}`;
}

export interface PollDelayOptions {
  /** First delay after the update (default 1000). */
  minDelayMs?: number;
  /** Delay after a poll that saw a change (default 2 × minDelayMs): responsive during bursts, ≤1 call per 2 s. */
  afterChangeMs?: number;
  /** Cap (default 5000). */
  maxDelayMs?: number;
  /** Growth while nothing changes (default 1.5). */
  factor?: number;
}

/**
 * Adaptive delay: `minDelayMs` first; `afterChangeMs` whenever the last poll saw something change (tasks started,
 * stopped, turned healthy) or completion is imminent (`changed` true); otherwise grow by `factor` up to the cap.
 */
export function nextPollDelay(previousMs: number | undefined, changed: boolean, opts: PollDelayOptions = {}): number {
  const min = opts.minDelayMs ?? 1000;
  const max = opts.maxDelayMs ?? 5000;
  if (previousMs === undefined) return Math.min(min, max);
  if (changed) return Math.min(max, opts.afterChangeMs ?? 2 * min);
  return Math.min(max, Math.round(previousMs * (opts.factor ?? 1.5)));
}

/** Split into chunks of at most `size` (DescribeServices takes ≤10 services per call). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export type RolloutOutcome = 'completed' | 'failed' | 'timeout' | 'cancelled';

export interface RolloutResult {
  target: RolloutTarget;
  outcome: RolloutOutcome;
  verdict: RolloutVerdict;
  /** Last service state seen. */
  service: Service | undefined;
  /** Events seen since the update, oldest first. */
  events: ServiceEvent[];
  /** Epoch ms when the outcome was decided. */
  finishedAt: number;
}

export interface WaitForRolloutsOptions {
  targets: readonly RolloutTarget[];
  /** DescribeServices for ≤10 names (the waiter batches). Must honour the signal. */
  describe: (services: string[], signal?: AbortSignal) => Promise<Service[]>;
  timeoutMs: number;
  clock?: Clock;
  signal?: AbortSignal;
  /** Called for each new service event (oldest first). */
  onEvent?: (service: string, event: ServiceEvent) => void;
  /** Called with one line per still-waiting service, at most every `progressEveryMs`. */
  onProgress?: (lines: string[]) => void;
  /** Called once per service when its outcome is known. */
  onSettled?: (result: RolloutResult) => void;
  /** Default 10 000. */
  progressEveryMs?: number;
  delays?: PollDelayOptions;
}

export interface WaitForRolloutsResult {
  results: RolloutResult[];
  /** DescribeServices calls made. */
  describeCalls: number;
  timedOut: boolean;
  cancelled: boolean;
}

function isAbort(err: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (err instanceof Error && err.name === 'AbortError');
}

/**
 * Poll all targets with batched DescribeServices calls (≤10 per call, one cluster) until each is completed or
 * failed, the timeout passes or the signal aborts. Never throws for timeout/abort: each unsettled target gets
 * outcome 'timeout' / 'cancelled' with its last verdict, so the caller can say where each deployment stands.
 */
export async function waitForRollouts(opts: WaitForRolloutsOptions): Promise<WaitForRolloutsResult> {
  const clock = opts.clock ?? realClock;
  const progressEveryMs = opts.progressEveryMs ?? 10_000;
  const start = clock.now();
  const deadline = start + opts.timeoutMs;
  const state = new Map<
    string,
    {
      target: RolloutTarget;
      seen: Set<string>;
      events: ServiceEvent[];
      service?: Service;
      verdict: RolloutVerdict;
      fingerprint?: string;
      result?: RolloutResult;
    }
  >();
  for (const t of opts.targets) {
    state.set(t.service, {
      target: t,
      seen: new Set(),
      events: [],
      verdict: { state: 'in-progress', progress: `${t.service}: waiting for the first status`, fallback: false },
    });
  }
  let describeCalls = 0;
  let delay: number | undefined;
  let lastProgressAt: number | undefined;
  let timedOut = false;
  let cancelled = false;

  const settle = (name: string, outcome: RolloutOutcome) => {
    const s = state.get(name)!;
    if (s.result) return;
    s.result = {
      target: s.target,
      outcome,
      verdict: s.verdict,
      service: s.service,
      events: s.events,
      finishedAt: clock.now(),
    };
    opts.onSettled?.(s.result);
  };
  const pending = () => [...state.values()].filter((s) => !s.result);

  for (;;) {
    if (opts.signal?.aborted) {
      cancelled = true;
      break;
    }
    const waiting = pending();
    if (waiting.length === 0) break;
    let changed = false;
    // Every waiting deployment already runs its desired count: only draining of old tasks is left, and COMPLETED
    // is imminent, so keep polling at the short interval instead of backing off.
    let settling = true;
    try {
      const batches = chunk(
        waiting.map((s) => s.target.service),
        10,
      );
      const described = await Promise.all(
        batches.map(async (names) => {
          describeCalls += 1;
          return opts.describe(names, opts.signal);
        }),
      );
      const byName = new Map<string, Service>();
      for (const list of described) for (const svc of list) if (svc.serviceName) byName.set(svc.serviceName, svc);
      for (const s of waiting) {
        const svc = byName.get(s.target.service);
        s.service = svc;
        for (const e of newEvents(svc?.events, s.seen, s.target.startedAt)) {
          s.events.push(e);
          opts.onEvent?.(s.target.service, e);
        }
        const fp = serviceFingerprint(svc);
        if (fp !== s.fingerprint) changed = true;
        s.fingerprint = fp;
        s.verdict = evaluateRollout(svc, s.target);
        const mine = svc?.deployments?.find((d) => d.id === s.target.deploymentId);
        if (!mine || (mine.runningCount ?? 0) < (mine.desiredCount ?? 0)) settling = false;
        if (s.verdict.state === 'completed') settle(s.target.service, 'completed');
        else if (s.verdict.state === 'failed') settle(s.target.service, 'failed');
      }
    } catch (err) {
      if (isAbort(err, opts.signal)) {
        cancelled = true;
        break;
      }
      throw err;
    }
    const still = pending();
    if (still.length === 0) break;
    const now = clock.now();
    if (lastProgressAt === undefined || now - lastProgressAt >= progressEveryMs) {
      lastProgressAt = now;
      opts.onProgress?.(still.map((s) => `${s.verdict.progress} [${formatDuration(now - start)}]`));
    }
    if (now >= deadline) {
      timedOut = true;
      break;
    }
    delay = nextPollDelay(delay, changed || settling, opts.delays);
    try {
      await clock.sleep(Math.min(delay, deadline - now), opts.signal);
    } catch (err) {
      if (isAbort(err, opts.signal)) {
        cancelled = true;
        break;
      }
      throw err;
    }
  }
  for (const s of pending()) settle(s.target.service, cancelled ? 'cancelled' : 'timeout');
  return {
    results: opts.targets.map((t) => state.get(t.service)!.result!),
    describeCalls,
    timedOut,
    cancelled,
  };
}
