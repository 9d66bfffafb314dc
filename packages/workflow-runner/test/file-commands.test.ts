import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { createStepFiles } from '../src/steps/file-commands.ts';

test("a step's file-command files are deleted when the next step's are made (actions/runner InitializeFiles)", () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'file-commands-')), '_runner_file_commands');
  const first = createStepFiles(dir);
  writeFileSync(first.GITHUB_ENV, 'AWS_SECRET_ACCESS_KEY=from-configure-aws-credentials\n');
  writeFileSync(join(dir, 'unrelated.txt'), 'not a file command');
  const second = createStepFiles(dir);
  for (const f of Object.values(first)) expect(existsSync(f), f).toBe(false);
  for (const f of Object.values(second)) expect(existsSync(f), f).toBe(true);
  expect(readdirSync(dir).sort()).toEqual(
    [...Object.values(second).map((f) => f.slice(dir.length + 1)), 'unrelated.txt'].sort(),
  );
});
