#!/usr/bin/env node
// `pnpm test:reliability [--long] [vitest args…]`: the reliability suite (packages/reliability) alone. Fast mode (3
// seeded runs per scenario) is also part of `pnpm test`; `--long` runs 50 per scenario and the long-only scenarios
// (the SPA first deploy of 200 files at the soak's rates). Ends with one line per scenario: equal outcomes of runs,
// wall times (baseline, median and worst of the faulted runs).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const long = args.includes('--long');
const rest = args.filter((a) => a !== '--long');
const dir = mkdtempSync(join(tmpdir(), 'reliability-'));
const report = join(dir, 'figures.jsonl');
const env = {
  ...process.env,
  RELIABILITY_REPORT: report,
  ...(long ? { RELIABILITY_RUNS: process.env.RELIABILITY_RUNS ?? '50', RELIABILITY_LONG: '1' } : {}),
};
const vitest = join(root, 'node_modules', '.bin', 'vitest');
const result = spawnSync(vitest, ['run', 'packages/reliability', ...rest], { cwd: root, stdio: 'inherit', env });

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
if (existsSync(report)) {
  console.log(`\nreliability (${long ? 'long' : 'fast'} mode):`);
  for (const line of readFileSync(report, 'utf8').split('\n').filter(Boolean)) {
    const f = JSON.parse(line);
    const worst = f.wallMs.length ? Math.max(...f.wallMs) : 0;
    const ratio = f.baselineMs ? ` (${(median(f.wallMs) / f.baselineMs).toFixed(1)}x)` : '';
    console.log(
      `  ${f.scenario}: ${f.equal} of ${f.runs} equal; baseline ${seconds(f.baselineMs)}, faulted median ${seconds(median(f.wallMs))}${ratio}, worst ${seconds(worst)}`,
    );
    for (const d of f.differences) console.log(`    seed ${d.seed}: ${d.lines.slice(0, 3).join('; ')}`);
  }
}
rmSync(dir, { recursive: true, force: true });
process.exit(result.status ?? 1);
