import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SmallFileHash } from './checked-read';

// Hashing a build's small files on a worker thread (hash-worker.ts), in parallel with the main thread's S3 listing.
// In the bundle the worker is dist/hash-worker/index.js, beside the chunk that runs this; from src (the unit tests)
// there is none and the scan hashes in-thread, as it does on one core.
//
// A worker thread takes 65-70 ms to boot on an idle 2-core machine (its own Node environment) and ~150 ms while the
// main thread loads the S3 client: on a 2,000-file redeploy it was the last to finish, the main thread idle ~115 ms
// waiting for it. So it is started while the walk is still running, at the walk's WORKER_MIN_FILES-th file, and
// handed its job when the walk ends; the scan stops it if the final count does not call for it (large-site mode).
// Even so the worker finished last (the main thread idle ~50 ms, its listing read): the main thread now hashes too,
// from the other end of the list, between its listing's pages (hash-claims.ts).
// node:url and node:worker_threads are taken with process.getBuiltinModule, synchronously and only then: an import()
// waits for event-loop turns the listing's start takes (it started the worker ~60 ms after the walk), and a static
// import costs every run's start-up (#15 cold start).

export interface HashJob {
  /** Real paths, as the walk checked them. */
  reals: string[];
  /** Which of them are taken (hash-claims.ts): the worker takes from the front, the main thread from the back. */
  claims: BigInt64Array;
  /** Larger files come back as LARGE (streamed by the main thread). */
  maxBytes: number;
  partSize: number;
  /** Whether to hash MD5s too (the scan does not: stages/plan.ts hashes the few it needs). */
  md5: boolean;
}

/** Below this many files the worker's start-up buys nothing. */
export const WORKER_MIN_FILES = 256;
/** From this many files on, the scan runs in large-site mode: one heap, memory reclaimed eagerly (see gc.ts). */
export const LARGE_SITE = 5000;

/**
 * Whether to hash on a worker: enough files to repay its start-up, a second core to run it on, and a site below the
 * large-site mode (which keeps its memory to the main heap: the worker's heap and the results' copy would add to the
 * 50,000-file run's peak, held under 256 MB).
 */
export function useHashWorker(files: number, cores: number, largeSite: boolean): boolean {
  return !largeSite && cores >= 2 && files >= WORKER_MIN_FILES;
}

/** The bundled worker next to the running module, or undefined (running from src). */
export function hashWorkerFile(moduleUrl: string = import.meta.url): string | undefined {
  const { fileURLToPath } = process.getBuiltinModule('node:url');
  const file = join(dirname(fileURLToPath(moduleUrl)), 'hash-worker', 'index.js');
  return existsSync(file) ? file : undefined;
}

export interface HashWorker {
  /** Keep the process alive while it works (a worker started ahead of the scan does not, until the scan takes it). */
  ref(): void;
  /**
   * Hand it its one job: the results of the paths it took, [0, n) in order (hash-claims.ts); undefined when the
   * worker failed (the paths it took are hashed in-thread then).
   */
  hash(job: HashJob): Promise<SmallFileHash[] | undefined>;
  /** Terminate it (not wanted after all, done, or a cancel). */
  stop(): void;
}

/**
 * Start the worker booting; it waits for its job (`hash`). `unref`: it does not keep the process alive until `ref()`
 * (started ahead of the scan: hash-worker-early.ts).
 */
export function startHashWorker(file: string, unref = false): HashWorker {
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  const worker = new Worker(file);
  if (unref) worker.unref();
  const results = new Promise<SmallFileHash[] | undefined>((resolve) => {
    worker.once('message', (m: SmallFileHash[]) => resolve(m));
    worker.once('error', () => resolve(undefined));
    worker.once('exit', () => resolve(undefined));
  });
  return {
    ref: () => worker.ref(),
    hash: (job) => {
      worker.postMessage(job);
      return results;
    },
    stop: () => {
      void worker.terminate();
    },
  };
}
