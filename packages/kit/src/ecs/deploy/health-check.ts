import { type Clock, formatDuration, PollTimeoutError, poll, realClock } from '../../runtime/poll';

// HTTP health checks after a rollout COMPLETED: poll each URL until it answers with the expected status (and body
// text, when given) or the timeout passes. A failure takes the same path as a failed deployment (rollback).

export interface HealthCheckSpec {
  url: string;
  expectStatus: number;
  bodyContains?: string;
  /** `health-check-headers`: sent with every request (values are masked in the log). */
  headers?: ReadonlyArray<readonly [string, string]>;
}

export interface HealthCheckResult {
  url: string;
  ok: boolean;
  attempts: number;
  /** Last observation: `HTTP 503`, `body does not contain "ok"`, `connect ECONNREFUSED`. */
  last: string;
  elapsedMs: number;
}

/** Pure: does one response pass? Returns the failure description or undefined. */
export function judgeResponse(spec: HealthCheckSpec, status: number, body: string): string | undefined {
  if (status !== spec.expectStatus) return `HTTP ${status} (expected ${spec.expectStatus})`;
  if (spec.bodyContains !== undefined && !body.includes(spec.bodyContains)) {
    return `HTTP ${status} but the body does not contain ${JSON.stringify(spec.bodyContains)}`;
  }
  return undefined;
}

export interface CheckHealthOptions {
  timeoutMs: number;
  /** Per-request timeout (default 5000). */
  requestTimeoutMs?: number;
  /** Between attempts (default 2000). */
  intervalMs?: number;
  clock?: Clock;
  signal?: AbortSignal;
  fetchImpl?: typeof fetch;
  onAttempt?: (url: string, attempt: number, outcome: string) => void;
}

async function checkOnce(spec: HealthCheckSpec, opts: CheckHealthOptions): Promise<string | undefined> {
  const timeout = AbortSignal.timeout(opts.requestTimeoutMs ?? 5000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  try {
    const res = await (opts.fetchImpl ?? fetch)(spec.url, {
      signal,
      redirect: 'follow',
      ...(spec.headers?.length ? { headers: spec.headers.map(([k, v]) => [k, v] as [string, string]) } : {}),
    });
    let body = '';
    if (spec.bodyContains !== undefined) body = await res.text();
    else await res.body?.cancel();
    return judgeResponse(spec, res.status, body);
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined;
    return err instanceof Error ? (cause ?? err.message) : String(err);
  }
}

/** Poll every URL (in parallel) until each passes once or the timeout passes. */
export async function checkHealth(
  specs: readonly HealthCheckSpec[],
  opts: CheckHealthOptions,
): Promise<HealthCheckResult[]> {
  const clock = opts.clock ?? realClock;
  const start = clock.now();
  const intervalMs = opts.intervalMs ?? 2000;
  return Promise.all(
    specs.map(async (spec) => {
      let attempts = 0;
      let last = 'not checked';
      try {
        return await poll<HealthCheckResult>(
          async () => {
            attempts += 1;
            const failure = await checkOnce(spec, opts);
            opts.onAttempt?.(spec.url, attempts, failure ?? 'ok');
            if (failure === undefined) {
              return {
                done: true,
                value: {
                  url: spec.url,
                  ok: true,
                  attempts,
                  last: `HTTP ${spec.expectStatus}`,
                  elapsedMs: clock.now() - start,
                },
              };
            }
            last = failure;
            return { done: false };
          },
          {
            timeoutMs: opts.timeoutMs,
            initialDelayMs: intervalMs,
            maxDelayMs: intervalMs,
            jitter: 'none',
            clock,
            ...(opts.signal ? { signal: opts.signal } : {}),
            description: `health check ${spec.url}`,
          },
        );
      } catch (err) {
        if (err instanceof PollTimeoutError) {
          return { url: spec.url, ok: false, attempts, last, elapsedMs: clock.now() - start };
        }
        throw err;
      }
    }),
  );
}

export function healthCheckLine(r: HealthCheckResult): string {
  return `${r.ok ? 'passed' : 'FAILED'} ${r.url}: ${r.last} after ${r.attempts} attempt(s) in ${formatDuration(r.elapsedMs)}`;
}
