import { parentPort, workerData } from 'node:worker_threads';
import { hashSmallFile, type SmallFileHash } from './checked-read';
import type { HashJob } from './hash-worker-client';

// The hash worker: dist/hash-worker/index.js (scripts/build.mjs bundles src/<name>-worker.ts to dist/<name>-worker/).
// It imports node built-ins only, so it starts in a few milliseconds on another core while the main thread loads the
// S3 client and lists the bucket (issue #15, SPA redeploy). Same checked read and hashes as the in-thread path.

const job = workerData as HashJob;
const scratch = Buffer.allocUnsafe(job.maxBytes);
const results: SmallFileHash[] = job.reals.map((real) => hashSmallFile(real, job.maxBytes, job.partSize, scratch));
parentPort?.postMessage(results);
