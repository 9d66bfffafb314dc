#!/usr/bin/env node
// `pnpm test`: make sure the real peers the conformance tests use are installed, run the whole vitest suite on
// the Node 24 pnpm puts on PATH, and end with one plain `N passed, N failed, N skipped; files: N failed of N` line
// (scripts/test-summary.mjs: a file that fails to import or in a hook counts as failed).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closingLine } from './test-summary.mjs';

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
let parsed;
try {
  parsed = JSON.parse(readFileSync(report, 'utf8'));
} catch {}
rmSync(dir, { recursive: true, force: true });
const { line, failed } = closingLine(parsed);
console.log(line);
// vitest's own status, and never 0 when a test or a file failed
process.exit(result.status || (failed > 0 ? 1 : 0));
