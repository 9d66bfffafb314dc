import type { Service, ServiceEvent } from '@aws-sdk/client-ecs';
import { describeAwsError, errorMessage, isAwsError } from '../../runtime/errors';
import { type Clock, formatDuration, realClock } from '../../runtime/poll';
import { evaluateRollout, type RolloutTarget, type RolloutVerdict } from './rollout-verdict';

// Waiting for several ECS rollouts at once: batched DescribeServices (≤10 per call), an adaptive delay that polls
// quickly while something changes, new service events as they appear, and a result per service whatever happens
// (completed, failed, timeout, cancelled), so the caller can always say where each deployment stands.

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
  /** Set when the wait ended while DescribeServices was failing: since when the status is unknown, and why. */
  statusUnknown?: StatusUnknown;
}

/** DescribeServices failed (after the SDK's retries) on the last polls of a wait. */
export interface StatusUnknown {
  /** Epoch ms of the first failed poll of the streak. */
  since: number;
  /** Failed polls in the streak. */
  failures: number;
  error: string;
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
  /**
   * Called when a poll fails (DescribeServices after the SDK's retries) and when polls work again (`recovered`).
   * A failed poll does not end the wait: it spends time from the same budget (`timeoutMs`).
   */
  onPollError?: (event: { error: unknown; failures: number; recovered: boolean }) => void;
  /** Default 10 000. */
  progressEveryMs?: number;
  delays?: PollDelayOptions;
}

export interface WaitForRolloutsResult {
  results: RolloutResult[];
  /** DescribeServices calls made. */
  describeCalls: number;
  /** Polls that failed (each after the SDK's own retries). */
  failedPolls: number;
  timedOut: boolean;
  cancelled: boolean;
}

function isAbort(err: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (err instanceof Error && err.name === 'AbortError');
}

/** One service being waited for. */
interface Watched {
  target: RolloutTarget;
  seen: Set<string>;
  events: ServiceEvent[];
  service?: Service;
  verdict: RolloutVerdict;
  fingerprint?: string;
  result?: RolloutResult;
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
  const watched = new Map<string, Watched>();
  for (const t of opts.targets) {
    watched.set(t.service, {
      target: t,
      seen: new Set(),
      events: [],
      verdict: { state: 'in-progress', progress: `${t.service}: waiting for the first status`, fallback: false },
    });
  }
  const counter = { describeCalls: 0 };
  let delay: number | undefined;
  let lastProgressAt: number | undefined;
  let timedOut = false;
  let cancelled = false;
  const failures = { total: 0, streak: undefined as StatusUnknown | undefined };
  const settle = (s: Watched, outcome: RolloutOutcome) => {
    if (s.result) return;
    s.result = {
      target: s.target,
      outcome,
      verdict: s.verdict,
      service: s.service,
      events: s.events,
      finishedAt: clock.now(),
      ...(failures.streak ? { statusUnknown: { ...failures.streak } } : {}),
    };
    opts.onSettled?.(s.result);
  };
  const pending = () => [...watched.values()].filter((s) => !s.result);

  for (;;) {
    if (opts.signal?.aborted) {
      cancelled = true;
      break;
    }
    const waiting = pending();
    if (waiting.length === 0) break;
    let polled: { changed: boolean; settling: boolean };
    try {
      polled = await pollOnce(waiting, opts, counter, settle);
      if (failures.streak) {
        opts.onPollError?.({ error: undefined, failures: failures.streak.failures, recovered: true });
        failures.streak = undefined;
      }
    } catch (err) {
      if (isAbort(err, opts.signal)) {
        cancelled = true;
        break;
      }
      polled = recordFailedPoll(failures, err, clock.now());
      opts.onPollError?.({ error: err, failures: failures.streak!.failures, recovered: false });
    }
    const still = pending();
    if (still.length === 0) break;
    const now = clock.now();
    if (lastProgressAt === undefined || now - lastProgressAt >= progressEveryMs) {
      lastProgressAt = now;
      const unknown = failures.streak ? ` (${statusUnknownText(failures.streak, now)})` : '';
      opts.onProgress?.(still.map((s) => `${s.verdict.progress} [${formatDuration(now - start)}]${unknown}`));
    }
    if (now >= deadline) {
      timedOut = true;
      break;
    }
    delay = nextPollDelay(delay, polled.changed || polled.settling, opts.delays);
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
  for (const s of pending()) settle(s, cancelled ? 'cancelled' : 'timeout');
  return {
    results: opts.targets.map((t) => watched.get(t.service)!.result!),
    describeCalls: counter.describeCalls,
    failedPolls: failures.total,
    timedOut,
    cancelled,
  };
}

/**
 * A poll that failed (#16 defect 3): counted, remembered as the current streak, and treated as "nothing changed" so
 * the next poll comes after the usual growing delay. The wait goes on until its deadline; it never ends here.
 */
function recordFailedPoll(
  failures: { total: number; streak: StatusUnknown | undefined },
  err: unknown,
  now: number,
): { changed: boolean; settling: boolean } {
  failures.total += 1;
  const error = isAwsError(err) ? describeAwsError(err) : errorMessage(err);
  failures.streak = { since: failures.streak?.since ?? now, failures: (failures.streak?.failures ?? 0) + 1, error };
  return { changed: false, settling: false };
}

/** "status unknown for 40s: DescribeServices failed 5 times (last: …)" — for reports of a wait that ended so. */
export function statusUnknownText(unknown: StatusUnknown, now: number): string {
  return `status unknown for the last ${formatDuration(now - unknown.since)}: ${unknown.failures} poll${unknown.failures === 1 ? '' : 's'} failed (last: ${unknown.error})`;
}

/**
 * One round: describe the waiting services, report new events, judge each, settle the completed and failed ones.
 * `changed`: something moved since the last round; `settling`: every deployment runs its desired count, so only the
 * draining of old tasks is left and COMPLETED is imminent (keep polling at the short interval).
 */
async function pollOnce(
  waiting: Watched[],
  opts: WaitForRolloutsOptions,
  counter: { describeCalls: number },
  settle: (s: Watched, outcome: RolloutOutcome) => void,
): Promise<{ changed: boolean; settling: boolean }> {
  let changed = false;
  let settling = true;
  const batches = chunk(
    waiting.map((s) => s.target.service),
    10,
  );
  const described = await Promise.all(
    batches.map(async (names) => {
      counter.describeCalls += 1;
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
    if (s.verdict.state === 'completed') settle(s, 'completed');
    else if (s.verdict.state === 'failed') settle(s, 'failed');
  }
  return { changed, settling };
}
