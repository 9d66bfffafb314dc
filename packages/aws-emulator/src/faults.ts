// Seeded fault injection (POST /_emulator/faults). Off by default. One PRNG per emulator so a seed replays the
// same sequence of throttles, 5xx errors, latencies and connection resets for the same request sequence.

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
  /** Services the faults apply to (default: all AWS APIs, never the control API). */
  services?: string[];
}

export type FaultDecision = { kind: 'none' | 'throttle' | 'error' | 'reset'; delayMs: number };

export const NO_FAULTS: FaultConfig = { seed: 1, throttle: 0, error: 0, latencyMs: [0, 0], reset: 0 };

/** mulberry32: tiny, seedable, good enough for picking faults. */
function prng(seed: number): () => number {
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
  return {
    seed: typeof b.seed === 'number' ? b.seed : 1,
    throttle: frac('throttle'),
    error: frac('error'),
    reset: frac('reset'),
    latencyMs: [Number(lat[0]), Number(lat[1])],
    ...(services ? { services: services as string[] } : {}),
  };
}

export class FaultInjector {
  config: FaultConfig = NO_FAULTS;
  private random = prng(1);

  configure(config: FaultConfig): void {
    this.config = config;
    this.random = prng(config.seed);
  }

  decide(service: string): FaultDecision {
    const c = this.config;
    if (c.services && !c.services.includes(service)) return { kind: 'none', delayMs: 0 };
    const [lo, hi] = c.latencyMs;
    const delayMs = hi > 0 ? lo + this.random() * (hi - lo) : 0;
    const r = this.random();
    if (r < c.reset) return { kind: 'reset', delayMs };
    if (r < c.reset + c.throttle) return { kind: 'throttle', delayMs };
    if (r < c.reset + c.throttle + c.error) return { kind: 'error', delayMs };
    return { kind: 'none', delayMs };
  }
}
