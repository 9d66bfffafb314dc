// Benchmark: the SPA sync's first deploy under the fault soak (20% throttling, 5% 5xx, 0–200 ms latency on every
// S3/CloudFront call) against its fault-free wall time, per retry mode (the kit's default and the SDK's two), each run
// compared with the fault-free end state. Goal (#16): wall time at most 3x the fault-free one, every run equal.
//   pnpm exec node bench/spa-soak.bench.mjs
//   SOAK_RUNS=50 SOAK_MODES=ours ...        the long mode (the reliability suite runs soakSpa() itself)
//   SOAK_FILES=200 SOAK_ADAPTIVE_RUNS=2     adaptive runs take minutes each: fewer by default
// Needs the bundle: node scripts/build.mjs sync-spa-cloudfront. Writes bench/results/spa-soak.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { soakSpa } from './spa-soak.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.SOAK_RUNS ?? 5);
const modes = (process.env.SOAK_MODES ?? 'ours,standard,adaptive').split(',').filter(Boolean);
const results = await soakSpa({
  runs,
  runsByMode: {
    standard: Number(process.env.SOAK_STANDARD_RUNS ?? Math.min(runs, 3)),
    adaptive: Number(process.env.SOAK_ADAPTIVE_RUNS ?? Math.min(runs, 2)),
  },
  modes,
  files: Number(process.env.SOAK_FILES ?? 200),
  log: (line) => console.log(line),
});
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(
  `\n| ${results.files} files, first deploy under the soak | runs equal | median | max | median / fault-free (goal ≤ 3x) |`,
);
console.log('| --- | --- | --- | --- | --- |');
console.log(`| fault-free | | ${s(results.baselineMs)} | | 1x |`);
for (const [mode, m] of Object.entries(results.modes)) {
  console.log(
    `| ${mode === 'ours' ? 'ours (standard + our backoff + AIMD)' : `SDK ${mode}`} | ${m.equal} of ${m.runs.length} | ${s(m.medianMs)} | ${s(m.maxMs)} | ${m.medianRatio.toFixed(2)}x (max ${m.maxRatio.toFixed(2)}x) |`,
  );
}
await mkdir(join(root, 'bench/results'), { recursive: true });
await writeFile(
  join(root, 'bench/results/spa-soak.json'),
  `${JSON.stringify({ date: new Date().toISOString(), ...results }, null, 2)}\n`,
);
const ours = results.modes.ours;
if (ours && ours.equal !== ours.runs.length) process.exitCode = 1;
