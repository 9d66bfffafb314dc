// How many seeded runs, and which faults. Fast mode (in `pnpm test`, so in CI): 3 runs per scenario. Long mode
// (`pnpm test:reliability --long`): 50. The rates are the soak's of issue #16 (20% throttling, 5% 5xx, latency on
// every call) plus 5% lost responses (the call applied, its answer lost: a reset or a 5xx in turns).

/** Seeded runs per scenario: RELIABILITY_RUNS (the long mode sets 50), default 3. */
export function runCount(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.RELIABILITY_RUNS ?? 3);
  return Number.isInteger(n) && n > 0 ? n : 3;
}

/** The seeds of this mode: 1..N, so a failing seed can be replayed (RELIABILITY_SEEDS=7,12 runs only those). */
export function seeds(env: NodeJS.ProcessEnv = process.env): number[] {
  const only = env.RELIABILITY_SEEDS?.split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
  if (only?.length) return only;
  return Array.from({ length: runCount(env) }, (_, i) => i + 1);
}

export interface FaultProfile {
  seed: number;
  throttle: number;
  error: number;
  after: number;
  afterFailure: 'reset' | 'error';
  latencyMs: [number, number];
  services?: string[];
}

/** The soak's faults for `seed`: throttling, 5xx, lost responses (reset on odd seeds, 5xx on even), latency. */
export function soakFaults(seed: number, over: Partial<FaultProfile> = {}): FaultProfile {
  return {
    seed,
    throttle: 0.2,
    error: 0.05,
    after: 0.05,
    afterFailure: seed % 2 === 1 ? 'reset' : 'error',
    latencyMs: [0, 200],
    ...over,
  };
}
