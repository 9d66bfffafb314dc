import { startHashWorkerEarly } from './hash-worker-early';

// Imported first by src/index.ts, for this one effect: the hash worker may start booting on another core while the
// rest of the bundle's modules are evaluated (~100 ms), not after (hash-worker-early.ts says when it starts).
startHashWorkerEarly(process.env, import.meta.url);
