import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  findRepoRoot,
  findSelfReferences,
  readRepoIdentity,
  referenceMode,
  selfReferenceProblem,
} from '@deploy-actions/workflow-checks';
import { expect, test } from 'vitest';
import { stampable, trackedFiles } from '../src/stamp';

// This checkout as a release would see it: what `pnpm release verify` checks on a tag, checked on every commit.
const root = findRepoRoot();
const identity = readRepoIdentity(root);

test('package.json names the repository and the release', () => {
  expect(identity.slug).toBe('deploy-actions/deploy-actions');
  expect(identity.version).toMatch(/^\d+\.\d+\.\d+$/);
});

test('every self-reference in workflows and docs names this repository at this release', () => {
  const problems: string[] = [];
  let count = 0;
  for (const file of stampable(trackedFiles(root))) {
    const text = readFileSync(join(root, file), 'utf8');
    const lines = text.split('\n');
    for (const ref of findSelfReferences(text, identity)) {
      count++;
      const problem = selfReferenceProblem(ref, identity, referenceMode(file, lines[ref.line - 1] ?? ''));
      if (problem) problems.push(`${file}:${ref.line} ${ref.text} ${problem.message}`);
    }
  }
  expect(problems).toEqual([]);
  expect(count).toBeGreaterThan(40); // the workflows, the examples and the READMEs do refer to us
});

test('nothing shipped keeps the placeholder owner', () => {
  const offenders = trackedFiles(root)
    .filter((f) => !/(^|\/)(fixtures|dist)\//.test(f) && !/\.(png|jpg|ico)$/.test(f) && f !== 'pnpm-lock.yaml')
    .filter((f) => /\borg\/deploy-actions\b/.test(readFileSync(join(root, f), 'utf8')));
  expect(offenders).toEqual([]);
});
