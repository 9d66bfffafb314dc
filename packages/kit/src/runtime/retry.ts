import { isThrottlingError, isTransientError } from '@smithy/core/retry';

// How every AWS call of every action is retried: the SDK's standard mode (each request retried on its own) with our
// backoff, instead of the SDK's `adaptive` mode.
//
// Why not adaptive: its client-side rate limiter (a token bucket the SDK shrinks, CUBIC-style, on every throttling
// answer) slows the whole client, every request of it, and recovers slowly. Against an endpoint that throttles a
// fixed share of requests whatever the rate (the emulator's fault soak: 20% throttling, 5% 5xx, 0–200 ms latency),
// 200 uploads of the SPA sync took 68–135 s instead of ~1 s (issue #16, defect 7); standard mode took 12–17 s with
// the SDK's own delays and our backoff brings it near the fault-free time (figures in the SPA README). Backing off
// from real congestion is then the job of whoever issues requests in bulk and sees them all: the SPA sync's upload
// concurrency halves when a request runs out of retries on throttling (AIMD, actions/sync-spa-cloudfront
// concurrency.ts). Everything else makes a handful of calls, waits with the kit's `poll()` between them, and needs
// only that each call survives a few transient failures.
//
// Our backoff: full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"), delay = random × min(cap,
// base × 2^retry), with a base of 100 ms after a throttling answer and 50 ms after a transient failure (the SDK's
// 2026 defaults are 1,000 ms and 50 ms: a second per throttle is what made standard mode 12–17 s). The retry quota
// (500 tokens, a throttling retry costs 5, a transient one 10, a success refunds 1 or what its retry cost) is the
// SDK's standard-mode rule: when a service is down, retries stop instead of multiplying the load.

/** The SDK's classification of a failed attempt (what its retry middleware hands the strategy). */
export type RetryErrorType = 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR';

export const THROTTLING_BASE_DELAY_MS = 100;
export const TRANSIENT_BASE_DELAY_MS = 50;
export const MAX_RETRY_DELAY_MS = 20_000;
export const RETRY_QUOTA = 500;
export const THROTTLING_RETRY_COST = 5;
export const TRANSIENT_RETRY_COST = 10;
const SUCCESS_REFUND = 1;
/** A server's Retry-After hint may lengthen a delay by at most this much (the SDK's rule). */
const MAX_HINT_EXTENSION_MS = 5000;

/** Full-jitter exponential delay before retry number `retryCount + 1` (0 = the first retry). */
export function retryDelay(type: RetryErrorType, retryCount: number, random: () => number = Math.random): number {
  const base = type === 'THROTTLING' ? THROTTLING_BASE_DELAY_MS : TRANSIENT_BASE_DELAY_MS;
  return Math.floor(random() * Math.min(MAX_RETRY_DELAY_MS, base * 2 ** retryCount));
}

export interface RetryEvent {
  errorType: RetryErrorType;
  /** Attempts made so far (1 after the first failure). */
  attempts: number;
  /** The delay before the next attempt, or undefined when there is none (out of attempts or quota, not retryable). */
  delayMs: number | undefined;
}

export interface RetryStrategyOptions {
  random?: () => number;
  now?: () => number;
  /** Told about every failed attempt (counting retries for a summary, tests). */
  onRetry?: (event: RetryEvent) => void;
}

class Token {
  constructor(
    private readonly count: number,
    private readonly delay: number,
    private readonly cost: number | undefined,
  ) {}
  getRetryCount(): number {
    return this.count;
  }
  getRetryDelay(): number {
    return this.delay;
  }
  getRetryCost(): number | undefined {
    return this.cost;
  }
}

interface ErrorInfo {
  errorType: RetryErrorType;
  retryAfterHint?: Date;
}

/**
 * The SDK's RetryStrategyV2 contract (@smithy/types): the retry middleware asks for a token before the first attempt,
 * refreshes it after each failure (throwing = no more retries) and sleeps `getRetryDelay()`, aborted by the call's
 * AbortSignal. Set on clients by `createClient` unless AWS_RETRY_MODE or an explicit `retryMode` says otherwise.
 */
export class ThroughputRetryStrategy {
  readonly mode = 'standard';
  private capacity = RETRY_QUOTA;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(
    private readonly maxAttempts: number,
    private readonly options: RetryStrategyOptions = {},
  ) {
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  async acquireInitialRetryToken(_scope: string): Promise<Token> {
    return new Token(0, 0, undefined);
  }

  async refreshRetryTokenForRetry(token: Token, errorInfo: ErrorInfo): Promise<Token> {
    const { errorType } = errorInfo;
    const attempts = token.getRetryCount() + 1;
    const cost = errorType === 'THROTTLING' ? THROTTLING_RETRY_COST : TRANSIENT_RETRY_COST;
    const retryable = errorType === 'THROTTLING' || errorType === 'TRANSIENT';
    if (!retryable || attempts >= this.maxAttempts || this.capacity < cost) {
      this.options.onRetry?.({ errorType, attempts, delayMs: undefined });
      throw new Error('No retry token available');
    }
    let delay = retryDelay(errorType, token.getRetryCount(), this.random);
    if (errorInfo.retryAfterHint instanceof Date) {
      const hinted = errorInfo.retryAfterHint.getTime() - this.now();
      delay = Math.max(delay, Math.min(hinted, delay + MAX_HINT_EXTENSION_MS));
    }
    this.capacity -= cost;
    this.options.onRetry?.({ errorType, attempts, delayMs: delay });
    return new Token(attempts, delay, cost);
  }

  recordSuccess(token: Token): void {
    this.capacity = Math.min(RETRY_QUOTA, this.capacity + (token.getRetryCost() ?? SUCCESS_REFUND));
  }

  /** Tokens left in the retry quota (tests). */
  getCapacity(): number {
    return this.capacity;
  }
}

/**
 * How a call that the SDK gave up on failed, for callers that retry or slow down at their own level (the SPA
 * sync's upload pool): `throttling` (429, ThrottlingException, SlowDown...), `transient` (5xx, timeouts, connection
 * resets), or undefined (anything else: a user error, access denied, not found). The SDK's own classification.
 */
export function retryableFailure(err: unknown): 'throttling' | 'transient' | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as Parameters<typeof isThrottlingError>[0];
  if (isThrottlingError(e)) return 'throttling';
  if (isTransientError(e)) return 'transient';
  return undefined;
}
