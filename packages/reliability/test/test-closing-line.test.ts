// `pnpm test`'s closing line (scripts/test-summary.mjs) from a real vitest JSON report: a file that fails to import,
// or whose beforeAll throws, counts as failed. Before this, an import error ended `pnpm test` with "0 failed" (#16).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@deploy-actions/kit/testing';
import { afterAll, expect, test } from 'vitest';
import { closingLine } from '../../../scripts/test-summary.mjs';

const dir = mkdtempSync(join(tmpdir(), 'closing-line-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run the real vitest on `files` (name → source) in a temp dir; its JSON report. */
function vitestReport(files: Record<string, string>): unknown {
  const root = mkdtempSync(join(dir, 'run-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  const out = join(root, 'report.json');
  const r = spawnSync(
    join(REPO_ROOT, 'node_modules', '.bin', 'vitest'),
    ['run', '--root', root, '--reporter=json', `--outputFile.json=${out}`],
    { encoding: 'utf8', timeout: 120_000 },
  );
  expect(r.status, r.stderr).toBe(1);
  return JSON.parse(readFileSync(out, 'utf8'));
}

const passing = `import { expect, test } from 'vitest';\ntest('passes', () => expect(1).toBe(1));\n`;

test('an import error is a failed file and a failed test, not "0 failed"', () => {
  const report = vitestReport({
    'ok.test.ts': passing,
    'broken.test.ts': `import { x } from './does-not-exist';\nimport { test } from 'vitest';\ntest('t', () => void x);\n`,
  });
  expect(closingLine(report)).toEqual({
    line: 'tests: 1 passed, 1 failed, 0 skipped; files: 1 failed of 2',
    failed: 1,
  });
});

test('a beforeAll that throws (its tests reported as skipped) is a failure', () => {
  const report = vitestReport({
    'ok.test.ts': passing,
    'hook.test.ts': `import { beforeAll, test } from 'vitest';\nbeforeAll(() => { throw new Error('setup'); });\ntest('t', () => {});\n`,
  });
  expect(closingLine(report).failed).toBe(1);
  expect(closingLine(report).line).toMatch(/, 1 failed, .*files: 1 failed of 2$/);
});

test('failed tests count once each, with their file once', () => {
  const report = vitestReport({
    'two.test.ts': `import { test } from 'vitest';\ntest('a', () => { throw new Error('a'); });\ntest('b', () => { throw new Error('b'); });\n`,
  });
  expect(closingLine(report)).toEqual({
    line: 'tests: 0 passed, 2 failed, 0 skipped; files: 1 failed of 1',
    failed: 2,
  });
});

test('no report at all is a failure', () => {
  expect(closingLine(undefined).failed).toBe(1);
});
