import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { type HashWorker, hashWorkerFile, LARGE_SITE, startHashWorker, WORKER_MIN_FILES } from './hash-worker-client';
import { sourcePathOf } from './source-path';

// The hash worker started as the bundle loads: src/index.ts imports hash-worker-start.ts first, so this runs once the
// entry is compiled and before its modules are evaluated (~100 ms of the main thread). A worker thread takes ~100 ms
// of CPU to boot its own Node environment; started by the scan (at the walk's 256th file) it was ready ~75 ms after
// the walk ended, and the main thread hashed alone meanwhile. Started here it boots on the second core while the
// first evaluates the action's modules, and takes its job as the walk ends (2,000-file redeploy: 627 → 578 ms).
//
// Only when a glance at `source` promises enough files: the names in it and in its assets/ (Vite's output folder),
// one readdir each, nothing read, nothing followed. A one-file site never pays for a worker it does not need (cold
// start, #15: a worker booting beside the start-up cost a one-file deploy ~34 ms). The glance is a hint: the walk
// counts what is published, and the scan stops a worker the count does not call for.

let early: HashWorker | undefined;

export interface Glance {
  /** `rollback-to` is set: nothing is scanned. */
  rollback: boolean;
  cores: number;
  /** Names in source and source/assets; undefined when source cannot be listed (the inputs will say why). */
  names: number | undefined;
  /** The bundled worker's file; undefined when running from src. */
  workerFile: string | undefined;
}

/** Whether to start the worker ahead of the scan (pure; the scan applies useHashWorker to the walked count). */
export function startEarly({ rollback, cores, names, workerFile }: Glance): boolean {
  return (
    !rollback &&
    cores >= 2 &&
    workerFile !== undefined &&
    names !== undefined &&
    names >= WORKER_MIN_FILES &&
    names < LARGE_SITE
  );
}

/** Names directly in `dir`, or 0 when it cannot be listed. */
function namesIn(dir: string): number {
  try {
    return readdirSync(dir).length;
  } catch {
    return 0;
  }
}

/** The glance at what the inputs name, as the runner passes them (INPUT_<NAME>, trimmed like core.getInput). */
export function glance(env: NodeJS.ProcessEnv, workerFile: string | undefined): Glance {
  const rollback = (env['INPUT_ROLLBACK-TO'] ?? '').trim() !== '';
  const raw = (env.INPUT_SOURCE ?? '').trim();
  let names: number | undefined;
  if (raw !== '' && !rollback) {
    const source = sourcePathOf(raw, env).path;
    const top = namesIn(source);
    names = top === 0 ? undefined : top + namesIn(join(source, 'assets'));
  }
  return { rollback, cores: availableParallelism(), names, workerFile };
}

/** Start the worker if the glance calls for it; it does not keep the process alive until the scan takes it. */
export function startHashWorkerEarly(env: NodeJS.ProcessEnv, moduleUrl: string): void {
  const file = hashWorkerFile(moduleUrl);
  if (early === undefined && startEarly(glance(env, file))) early = startHashWorker(file!, true);
}

/** The worker started ahead of the scan, once (the scan owns it from here), or undefined. */
export function takeEarlyHashWorker(): HashWorker | undefined {
  const worker = early;
  early = undefined;
  return worker;
}
