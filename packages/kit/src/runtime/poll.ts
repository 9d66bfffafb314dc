import * as core from './core';
import { DeployFailure } from './errors';

/** Time source and sleeper; inject a fake one (see '@deploy-actions/kit/testing' `createFakeClock`) in tests. */
export interface Clock {
  now(): number;
  /** Resolve after `ms`; reject promptly with the abort reason when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** An Error for an aborted signal: its reason when that is an Error, else an `AbortError`. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error(typeof reason === 'string' ? reason : 'The operation was aborted');
  err.name = 'AbortError';
  return err;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** True when `err` is the cancellation of `signal` (an aborted SDK call, wait or sleep), not some other failure. */
export function isCancellation(err: unknown, signal: AbortSignal | undefined): boolean {
  if (!signal?.aborted) return false;
  return err === signal.reason || (err instanceof Error && ['AbortError', 'PollAbortedError'].includes(err.name));
}

/** "received SIGINT" (the signal's reason), for messages. */
export function cancelReason(signal: AbortSignal | undefined): string {
  return signal?.aborted ? abortReason(signal).message : 'cancelled';
}

/** The minimum a signal source needs (process, or an EventEmitter in tests). */
export interface SignalSource {
  once(event: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
  removeListener?(event: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
}

const cancellations = new WeakMap<object, AbortController>();

export interface CancellationOptions {
  /** Where signals come from (default `process`). */
  source?: SignalSource;
  /**
   * After the first signal, force-exit this many ms later if the action has not finished (timer unref'd, so it
   * never keeps the process alive). The runner sends SIGTERM 7.5 s after SIGINT. Default 5000; 0 disables.
   */
  forceExitAfterMs?: number;
}

/**
 * An AbortSignal that aborts on the first SIGINT or SIGTERM. Idempotent: every call returns the same signal and
 * listeners are installed once per source. Pass it to `poll`, SDK calls (`{ abortSignal }`) and waiters.
 */
export function cancellationSignal(options: CancellationOptions = {}): AbortSignal {
  const source = options.source ?? process;
  const existing = cancellations.get(source);
  if (existing) return existing.signal;
  const controller = new AbortController();
  cancellations.set(source, controller);
  const forceExitAfterMs = options.forceExitAfterMs ?? 5000;
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    const err = new Error(`received ${signal}`);
    err.name = 'AbortError';
    controller.abort(err);
    if (source === process) {
      process.exitCode = 1;
      if (forceExitAfterMs > 0) setTimeout(() => process.exit(1), forceExitAfterMs).unref();
      // A second signal means "really stop now".
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
    }
  };
  source.once('SIGINT', onSignal);
  source.once('SIGTERM', onSignal);
  return controller.signal;
}

export type Jitter = 'full' | 'equal' | 'none';

export interface BackoffOptions {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** 'full': uniform in [0, d]; 'equal' (default): uniform in [d/2, d]; 'none': d. */
  jitter?: Jitter;
}

/**
 * Delay after failed attempt `attempt` (1-based): d = min(maxDelayMs, initialDelayMs * factor^(attempt-1)),
 * then jitter. Pure: `random` returns [0, 1).
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const factor = opts.factor ?? 2;
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(opts.maxDelayMs, opts.initialDelayMs * factor ** exponent);
  const capped = Number.isFinite(base) ? Math.max(0, base) : opts.maxDelayMs;
  switch (opts.jitter ?? 'equal') {
    case 'full':
      return Math.floor(random() * capped);
    case 'none':
      return capped;
    default:
      return Math.floor(capped / 2 + random() * (capped / 2));
  }
}

export type PollResult<T> = { done: true; value: T } | { done: false; progress?: string };

export interface PollProgress {
  attempt: number;
  elapsedMs: number;
  remainingMs: number;
}

export interface PollOptions extends BackoffOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  clock?: Clock;
  /** Called with the latest progress message at most every `progressEveryMs`. Default: core.info. */
  onProgress?: (message: string, info: PollProgress) => void;
  /** Default 10 000. */
  progressEveryMs?: number;
  /** What is being waited for, used in timeout/abort messages (default 'condition'). */
  description?: string;
  random?: () => number;
}

/** The deadline passed. Carries the last progress message. Printed by `run()` as a DeployFailure (no stack). */
export class PollTimeoutError extends DeployFailure {
  readonly lastProgress: string | undefined;
  readonly attempts: number;
  readonly elapsedMs: number;
  constructor(message: string, lastProgress: string | undefined, attempts: number, elapsedMs: number) {
    super(message);
    this.name = 'PollTimeoutError';
    this.lastProgress = lastProgress;
    this.attempts = attempts;
    this.elapsedMs = elapsedMs;
  }
}

/** The signal aborted (SIGINT/SIGTERM or caller). Carries the last progress message. */
export class PollAbortedError extends DeployFailure {
  readonly lastProgress: string | undefined;
  readonly attempts: number;
  constructor(message: string, lastProgress: string | undefined, attempts: number, cause?: unknown) {
    super(message, { cause });
    this.name = 'PollAbortedError';
    this.lastProgress = lastProgress;
    this.attempts = attempts;
  }
}

/** `1h2m3s` style, for progress lines. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  let seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  seconds -= h * 3600;
  const m = Math.floor(seconds / 60);
  seconds -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${seconds || (!h && !m) ? `${seconds}s` : ''}`;
}

/**
 * Call `fn(attempt)` until it returns `{done: true, value}`, sleeping with capped exponential backoff between
 * attempts. The last attempt happens at the deadline; then PollTimeoutError. Abort (signal) rejects promptly
 * even mid-sleep with PollAbortedError. Errors thrown by `fn` propagate unchanged (fn decides what is retryable).
 */
export async function poll<T>(
  fn: (attempt: number, context: { signal?: AbortSignal; elapsedMs: number }) => Promise<PollResult<T>>,
  opts: PollOptions,
): Promise<T> {
  const clock = opts.clock ?? realClock;
  const progressEveryMs = opts.progressEveryMs ?? 10_000;
  const onProgress = opts.onProgress ?? ((message: string) => core.info(message));
  const description = opts.description ?? 'condition';
  const start = clock.now();
  const deadline = start + opts.timeoutMs;
  let lastProgress: string | undefined;
  let lastReportedAt: number | undefined;
  let attempt = 0;

  const aborted = (cause?: unknown): PollAbortedError => {
    const reason = opts.signal ? abortReason(opts.signal).message : 'aborted';
    const where = lastProgress ? ` Last status: ${lastProgress}` : '';
    return new PollAbortedError(
      `Cancelled while waiting for ${description} (${reason}) after ${formatDuration(clock.now() - start)}.${where}`,
      lastProgress,
      attempt,
      cause ?? opts.signal?.reason,
    );
  };

  for (;;) {
    if (opts.signal?.aborted) throw aborted();
    attempt += 1;
    const result = await fn(attempt, { signal: opts.signal, elapsedMs: clock.now() - start });
    if (result.done) return result.value;
    if (opts.signal?.aborted) throw aborted();
    const now = clock.now();
    if (result.progress !== undefined) {
      lastProgress = result.progress;
      if (lastReportedAt === undefined || now - lastReportedAt >= progressEveryMs) {
        lastReportedAt = now;
        onProgress(result.progress, { attempt, elapsedMs: now - start, remainingMs: Math.max(0, deadline - now) });
      }
    }
    const remaining = deadline - now;
    if (remaining <= 0) {
      const where = lastProgress ? ` Last status: ${lastProgress}` : '';
      throw new PollTimeoutError(
        `Timed out after ${formatDuration(now - start)} waiting for ${description} (${attempt} checks).${where}`,
        lastProgress,
        attempt,
        now - start,
      );
    }
    const delay = Math.min(backoffDelay(attempt, opts, opts.random), remaining);
    try {
      await clock.sleep(delay, opts.signal);
    } catch (err) {
      if (opts.signal?.aborted) throw aborted(err);
      throw err;
    }
  }
}
