// Seeded fault injection (POST /_emulator/faults). Off by default. One PRNG per emulator so a seed replays the
// same sequence of throttles, 5xx errors, latencies, connection resets and lost responses for the same request
// sequence. `throttle`, `error` and `reset` strike before the request is handled (no effect); `after` strikes after
// it was handled: the effect is kept and the response is lost, as when a proxy or a load balancer drops it
// (ECS's idempotency page describes exactly this case: "timeouts or server issues occurring after the resources are
// mutated", https://docs.aws.amazon.com/AmazonECS/latest/APIReference/ECS_Idempotency.html).

export interface FaultConfig {
  seed: number;
  /** Fraction of AWS API requests answered with the service's real throttling error. */
  throttle: number;
  /** Fraction answered with a 5xx (InternalError / ServiceUnavailable). */
  error: number;
  /** Added latency range in ms, uniform. */
  latencyMs: [number, number];
  /** Fraction of requests whose connection is reset before any response. */
  reset: number;
  /** Fraction of requests that are handled (their effect kept) and whose response is then lost. */
  after?: number;
  /** How a lost response reaches the client: `reset` (default: the connection is destroyed, ECONNRESET) or
   * `error` (the service's own 5xx, as a proxy answering 5xx instead of the response). */
  afterFailure?: 'reset' | 'error';
  /** Services the faults apply to (default: all AWS APIs, never the control API). */
  services?: string[];
  /** Operations the faults apply to (request-log operation names, e.g. `DescribeTasks`; default: all). */
  operations?: string[];
}

export type FaultKind = 'throttle' | 'error' | 'reset' | 'after';
export type FaultDecision = { kind: 'none' | FaultKind; delayMs: number };

export const NO_FAULTS: FaultConfig = { seed: 1, throttle: 0, error: 0, latencyMs: [0, 0], reset: 0 };

/** mulberry32: tiny, seedable, good enough for picking faults (and for the tests' generated cases). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function parseFaultConfig(body: unknown): FaultConfig {
  const b = (body ?? {}) as Record<string, unknown>;
  const frac = (k: string) => {
    const v = b[k] ?? 0;
    if (typeof v !== 'number' || v < 0 || v > 1) throw new Error(`faults.${k} must be a number between 0 and 1`);
    return v;
  };
  const lat = b.latencyMs ?? [0, 0];
  if (!Array.isArray(lat) || lat.length !== 2 || lat.some((x) => typeof x !== 'number' || x < 0)) {
    throw new Error('faults.latencyMs must be [min, max] in milliseconds');
  }
  const services = b.services;
  if (services !== undefined && (!Array.isArray(services) || services.some((s) => typeof s !== 'string'))) {
    throw new Error('faults.services must be an array of service names');
  }
  const operations = b.operations;
  if (operations !== undefined && (!Array.isArray(operations) || operations.some((s) => typeof s !== 'string'))) {
    throw new Error('faults.operations must be an array of operation names');
  }
  const afterFailure = b.afterFailure;
  if (afterFailure !== undefined && afterFailure !== 'reset' && afterFailure !== 'error') {
    throw new Error('faults.afterFailure must be "reset" or "error"');
  }
  const config: FaultConfig = {
    seed: typeof b.seed === 'number' ? b.seed : 1,
    throttle: frac('throttle'),
    error: frac('error'),
    reset: frac('reset'),
    latencyMs: [Number(lat[0]), Number(lat[1])],
    ...(services ? { services: services as string[] } : {}),
    ...(operations ? { operations: operations as string[] } : {}),
  };
  // `after` is an extension: echoed only when given, so the effective config of older callers is unchanged
  if (b.after !== undefined) config.after = frac('after');
  if (afterFailure !== undefined) config.afterFailure = afterFailure;
  const total = config.throttle + config.error + config.reset + (config.after ?? 0);
  if (config.after !== undefined && total > 1)
    throw new Error('faults: throttle + error + reset + after must not exceed 1');
  return config;
}

export class FaultInjector {
  config: FaultConfig = NO_FAULTS;
  private random = prng(1);

  configure(config: FaultConfig): void {
    this.config = config;
    this.random = prng(config.seed);
  }

  decide(service: string, operation?: string): FaultDecision {
    const c = this.config;
    if (c.services && !c.services.includes(service)) return { kind: 'none', delayMs: 0 };
    if (c.operations && !(operation !== undefined && c.operations.includes(operation)))
      return { kind: 'none', delayMs: 0 };
    const [lo, hi] = c.latencyMs;
    const delayMs = hi > 0 ? lo + this.random() * (hi - lo) : 0;
    // One draw per request whatever the kinds: adding `after` to a config does not shift the other faults of a
    // seed (it takes the band after `error`).
    const r = this.random();
    if (r < c.reset) return { kind: 'reset', delayMs };
    if (r < c.reset + c.throttle) return { kind: 'throttle', delayMs };
    if (r < c.reset + c.throttle + c.error) return { kind: 'error', delayMs };
    if (r < c.reset + c.throttle + c.error + (c.after ?? 0)) return { kind: 'after', delayMs };
    return { kind: 'none', delayMs };
  }
}
