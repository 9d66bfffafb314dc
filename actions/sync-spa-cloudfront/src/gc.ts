import v8 from 'node:v8';
import vm from 'node:vm';
import { core } from '@deploy-actions/kit/runtime';

// Keeping the 50,000-file goal (≤256 MB RSS) on a runner whose node flags we cannot choose: V8 grows its old space
// lazily (up to ~4x the live data when allocating fast), so large syncs ask for a full collection at phase boundaries
// and every few thousand requests. `--expose-gc` set at run time makes `gc` available in a new context.

let gcFunction: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (gcFunction === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gcFunction = vm.runInNewContext('gc') as () => void;
    } catch {
      gcFunction = null;
    }
  }
  // twice: the first pass finds dead Buffers, the second frees what their finalizers released
  gcFunction?.();
  gcFunction?.();
}

/** Returns a tick function that collects every `every` calls (only for large runs). */
export function gcEvery(every: number, enabled: boolean): () => void {
  let n = 0;
  return () => {
    if (!enabled) return;
    n += 1;
    if (n % every === 0) collectGarbage();
  };
}

/**
 * Keep V8's young generation at its initial size (Node 24 lets it grow to 64 MB when many allocations survive, as
 * when hashing tens of thousands of files). Takes effect at run time, unlike --max-semi-space-size. Large sites
 * only: a small one is done before it matters, and the small young generation cost a 2,000-file first deploy about
 * a third of its GC time.
 */
export function limitYoungGeneration(): void {
  try {
    v8.setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    // only a non-string argument throws; a flag unknown to another V8 version is ignored (V8 prints
    // "Error: unrecognized flag" to stderr) and the defaults stay
  }
}

/**
 * Memory at a stage boundary, in the debug log (the 50,000-file goal is ≤256 MB RSS); large runs collect first.
 * `process.memoryUsage()` is only asked for with step debug on: it costs ~15 ms a call.
 */
export function memory(phase: string, large = false): void {
  if (large) collectGarbage();
  if (!core.isDebug()) return;
  const m = process.memoryUsage();
  const mb = (n: number) => `${Math.round(n / 1048576)}MB`;
  core.debug(
    `memory after ${phase}: rss ${mb(m.rss)}, heap ${mb(m.heapUsed)}/${mb(m.heapTotal)}, external ${mb(m.external)}, buffers ${mb(m.arrayBuffers)}`,
  );
}
