import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  actionlint,
  checkCrossFile,
  checkSecurity,
  findRepoRoot,
  formatFindings,
  listWorkflowFiles,
  loadYaml,
} from '../src/index';

// Every workflow of this repository (reusable deploy workflows, CI) and every example caller workflow.
const root = findRepoRoot();
const files = listWorkflowFiles(root);

test('finds our reusable workflows and the examples', () => {
  for (const f of ['deploy-staging.yml', 'deploy-production.yml', 'deploy-release.yml', 'rollback.yml']) {
    expect(files).toContain(join('.github', 'workflows', f));
  }
  expect(files.filter((f) => f.startsWith('examples/')).length).toBeGreaterThanOrEqual(15);
});

describe('actionlint (wasm v1.7.7)', () => {
  test.each(files)('%s', async (file) => {
    const findings = await actionlint(readFileSync(join(root, file), 'utf8'), file);
    expect(findings, formatFindings(findings)).toEqual([]);
  });
});

describe('cross-file: our actions and reusable workflows get declared inputs, required ones, declared secrets', () => {
  test.each(files)('%s', (file) => {
    const findings = checkCrossFile(loadYaml(file, root), root);
    expect(findings, formatFindings(findings)).toEqual([]);
  });
});

describe('security rules', () => {
  test.each(files)('%s', (file) => {
    const findings = checkSecurity(loadYaml(file, root), root);
    expect(findings, formatFindings(findings)).toEqual([]);
  });
});
