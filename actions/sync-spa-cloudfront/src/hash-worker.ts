import { parentPort } from 'node:worker_threads';
import { hashSmallFile } from './checked-read';
import type { HashJob } from './hash-worker-client';

// The hash worker: dist/hash-worker/index.js (scripts/build.mjs bundles src/<name>-worker.ts to dist/<name>-worker/).
// It imports node built-ins only. It is started while the walk still runs (hash-worker-client.ts) and waits here for
// its one job: the walk's real paths. Same checked read and hashes as the in-thread path.

parentPort?.once('message', (job: HashJob) => {
  const scratch = Buffer.allocUnsafe(job.maxBytes);
  parentPort!.postMessage(job.reals.map((real) => hashSmallFile(real, job.maxBytes, job.partSize, scratch)));
});
