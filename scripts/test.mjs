#!/usr/bin/env node
// `pnpm test`: make sure the real peers the conformance tests use are installed, run the whole vitest suite on
// the Node 24 pnpm puts on PATH, and end with one plain `N passed, N failed, N skipped` line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
spawnSync(process.execPath, [join(root, 'scripts', 'ensure-tools.mjs')], { stdio: 'inherit' });

if (!process.version.startsWith('v24.')) {
  console.error(
    `tests must run on Node 24 (the runtime the actions declare); this is ${process.version}. Run them via pnpm.`,
  );
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'vitest-report-'));
const report = join(dir, 'report.json');
const vitest = join(root, 'node_modules', '.bin', 'vitest');
const result = spawnSync(
  vitest,
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);
let line = 'tests: 0 passed, 1 failed (no vitest report was written)';
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  line = `tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`;
} catch {}
rmSync(dir, { recursive: true, force: true });
console.log(line);
process.exit(result.status ?? 1);
