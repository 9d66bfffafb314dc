import type { RunResult } from '@deploy-actions/workflow-runner';
import { describe, expect, test } from 'vitest';
import { preflightLines } from '../src/preflight-lines.ts';

const run = (summaries: string[]): RunResult =>
  ({
    jobs: [
      {
        path: 'backend/deploy',
        steps: summaries.map((summary) => ({ summary })),
        jobs: [],
      },
    ],
  }) as unknown as RunResult;

describe('preflightLines', () => {
  test('all passed: the collapsed block title', () => {
    const s =
      '## Deploy\n<details><summary>Preflight: all 27 checks passed</summary>\n\n**web:2 (new revision)** x: 27 ok\n</details>\n';
    expect(preflightLines(run([s]))).toEqual(['preflight (backend/deploy): all 27 checks passed']);
  });

  test('skips or problems: one line per revision from the open block', () => {
    const s = [
      '<details open><summary>Preflight</summary>',
      '',
      '**api (new revision)** for api, runs on linux/amd64 (X86_64/LINUX): 3 ok, 1 problem',
      '| table |',
      '**worker (new revision)** for worker: 2 ok',
      '</details>',
    ].join('\n');
    expect(preflightLines(run([s]))).toEqual([
      'preflight (backend/deploy): api (new revision) for api, runs on linux/amd64 (X86_64/LINUX): 3 ok, 1 problem; worker (new revision) for worker: 2 ok',
    ]);
  });

  test('no preflight block, no line', () => {
    expect(preflightLines(run(['### build-push-ecr: pushed']))).toEqual([]);
    expect(preflightLines(undefined)).toEqual([]);
  });
});
