import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SmallFileHash } from './checked-read';

// Hashing a build's small files on a worker thread (hash-worker.ts), in parallel with the main thread's S3 listing.
// In the bundle the worker is dist/hash-worker/index.js, beside the chunk that runs this; from src (the unit tests)
// there is none and the scan hashes in-thread, as it does on one core. node:url and node:worker_threads are loaded
// only when a worker is wanted: at the entry's top they cost every run's start-up (#15 cold start).

export interface HashJob {
  /** Real paths, as the walk checked them. */
  reals: string[];
  /** Larger files come back as LARGE (streamed by the main thread). */
  maxBytes: number;
  partSize: number;
}

/** Below this many files the worker's start-up (~20-30 ms on another core) buys nothing. */
export const WORKER_MIN_FILES = 256;

/**
 * Whether to hash on a worker: enough files to repay its start-up, a second core to run it on, and a site below the
 * large-site mode (which keeps its memory to the main heap: the worker's heap and the results' copy would add to the
 * 50,000-file run's peak, held under 256 MB).
 */
export function useHashWorker(files: number, cores: number, largeSite: boolean): boolean {
  return !largeSite && cores >= 2 && files >= WORKER_MIN_FILES;
}

/** The bundled worker next to the running module, or undefined (running from src). */
export async function hashWorkerFile(moduleUrl: string = import.meta.url): Promise<string | undefined> {
  const { fileURLToPath } = await import('node:url');
  const file = join(dirname(fileURLToPath(moduleUrl)), 'hash-worker', 'index.js');
  return existsSync(file) ? file : undefined;
}

export interface HashWorker {
  /** One result per path, in order; undefined when the worker failed (the caller hashes in-thread). */
  results: Promise<SmallFileHash[] | undefined>;
  /** Terminate it (cancellation). */
  stop(): void;
}

export async function startHashWorker(job: HashJob, file: string): Promise<HashWorker> {
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(file, { workerData: job });
  const results = new Promise<SmallFileHash[] | undefined>((resolve) => {
    worker.once('message', (m: SmallFileHash[]) => resolve(m));
    worker.once('error', () => resolve(undefined));
    worker.once('exit', () => resolve(undefined));
  });
  return {
    results,
    stop: () => {
      void worker.terminate();
    },
  };
}
