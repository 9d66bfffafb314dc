import { parentPort } from 'node:worker_threads';
import { hashSmallFile } from './checked-read';
import { claimFront } from './hash-claims';
import type { HashJob } from './hash-worker-client';

// The hash worker: dist/hash-worker/index.js (scripts/build.mjs bundles src/<name>-worker.ts to dist/<name>-worker/).
// It imports node built-ins only. It is started while the walk still runs (hash-worker-client.ts) and waits here for
// its one job: the walk's real paths. It takes them from the front while the main thread takes from the back
// (hash-claims.ts) and answers the hashes of the ones it took, in order. Same checked read and hashes as in-thread.

parentPort?.once('message', (job: HashJob) => {
  const scratch = Buffer.allocUnsafe(job.maxBytes);
  const hashes = [];
  for (let i = claimFront(job.claims); i !== undefined; i = claimFront(job.claims)) {
    hashes.push(hashSmallFile(job.reals[i]!, job.maxBytes, job.partSize, scratch, job.md5));
  }
  parentPort!.postMessage(hashes);
});
