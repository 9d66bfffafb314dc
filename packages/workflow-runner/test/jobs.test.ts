// needs / if / outputs, step outcome vs conclusion, continue-on-error, matrix, concurrency, file commands, masks.
import { describe, expect, test } from 'vitest';
import { expandMatrix } from '../src/jobs/matrix.ts';
import { appRepo, run } from './helpers.ts';

const wf = (jobs: string, extra = '') => ({ '.github/workflows/w.yml': `on: push\n${extra}jobs:\n${jobs}` });

describe('needs, if and outputs', () => {
  test('outputs flow through needs; a failed job skips its dependants unless they say always()', async () => {
    const dir = appRepo(
      wf(`  a:
    runs-on: x
    outputs:
      v: \${{ steps.s.outputs.v }}
    steps:
      - id: s
        run: |
          echo "v<<EOF" >> "$GITHUB_OUTPUT"
          printf 'line1\\nline2\\n' >> "$GITHUB_OUTPUT"
          echo "EOF" >> "$GITHUB_OUTPUT"
  b:
    needs: a
    runs-on: x
    steps:
      - id: s
        run: echo "got=\${{ contains(needs.a.outputs.v, 'line2') }}" >> "$GITHUB_OUTPUT"; exit 1
  c:
    needs: b
    runs-on: x
    steps: [{ run: echo c }]
  d:
    needs: [b]
    if: always()
    runs-on: x
    steps:
      - run: echo "b was \${{ needs.b.result }}"
  e:
    needs: [a]
    if: needs.a.outputs.v == 'nope'
    runs-on: x
    steps: [{ run: echo e }]
`),
    );
    const r = await run(dir, 'w.yml');
    const byId = Object.fromEntries(r.jobs.map((j) => [j.id, j]));
    expect(byId.a?.outputs.v).toBe('line1\nline2');
    expect(byId.b?.result).toBe('failure');
    expect(byId.b?.steps[0]?.outputs.got).toBe('true');
    expect(byId.c?.result).toBe('skipped');
    expect(byId.d?.result).toBe('success');
    expect(r.log).toContain('[d] b was failure');
    expect(byId.e?.result).toBe('skipped');
    expect(r.conclusion).toBe('failure');
  });

  test('a folded multi-line `if: >-` is one expression, and a literal block keeps no YAML indentation', async () => {
    // @actions/workflow-parser reads multi-line scalars from their raw source; without our fix the folded `if`
    // became a non-empty format() string (always true) and the block input gained the YAML indentation.
    const dir = appRepo(
      wf(`  a:
    runs-on: x
    steps: [{ run: echo a }]
  b:
    needs: [a]
    if: >-
      \${{ !cancelled() && needs.a.result == 'success'
      && 'x' == 'y' }}
    runs-on: x
    steps: [{ run: echo b }]
  c:
    needs: [a]
    if: >-
      \${{ !cancelled()
      && needs.a.result == 'success' }}
    runs-on: x
    env:
      BLOCK: |
        first=\${{ needs.a.result }}
        second
    steps:
      - run: echo "[\${BLOCK//$'\\n'/|}]"
`),
    );
    const r = await run(dir, 'w.yml');
    const byId = Object.fromEntries(r.jobs.map((j) => [j.id, j]));
    expect(byId.b?.result).toBe('skipped');
    expect(byId.c?.result).toBe('success');
    expect(r.log).toContain('[c] [first=success|second|]');
  });

  test('a skipped ancestor skips a success() job even when its direct need succeeded (actions/runner#491)', async () => {
    const dir = appRepo(
      wf(`  a:
    if: false
    runs-on: x
    steps: [{ run: echo a }]
  b:
    needs: a
    if: always()
    runs-on: x
    steps: [{ run: echo b }]
  c:
    needs: b
    runs-on: x
    steps: [{ run: echo c }]
`),
    );
    const r = await run(dir, 'w.yml');
    expect(r.jobs.map((j) => [j.id, j.result])).toEqual([
      ['a', 'skipped'],
      ['b', 'success'],
      ['c', 'skipped'],
    ]);
  });

  test('step outcome vs conclusion, continue-on-error, GITHUB_ENV / GITHUB_PATH, masks', async () => {
    const dir = appRepo(
      wf(`  a:
    runs-on: x
    steps:
      - id: flaky
        continue-on-error: true
        run: exit 4
      - run: |
          value=$(echo czNjcjN0LXZhbHVl | base64 -d)
          echo "::add-mask::$value"
          echo "the value is $value"
          echo "FROM_ENV=hello" >> "$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/bin" && printf '#!/bin/sh\\necho tool-ran\\n' > "$RUNNER_TEMP/bin/mytool" && chmod +x "$RUNNER_TEMP/bin/mytool"
          echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
      - id: after
        run: |
          echo "o=\${{ steps.flaky.outcome }}/\${{ steps.flaky.conclusion }}/$FROM_ENV/\${{ env.FROM_ENV }}" >> "$GITHUB_OUTPUT"
          mytool
`),
    );
    const r = await run(dir, 'w.yml');
    expect(r.conclusion).toBe('success');
    const steps = r.jobs[0]?.steps ?? [];
    expect(steps[0]).toMatchObject({ outcome: 'failure', conclusion: 'success' });
    expect(steps[2]?.outputs.o).toBe('failure/success/hello/hello');
    expect(r.log.join('\n')).toContain('the value is ***');
    expect(r.log.join('\n')).not.toContain('s3cr3t-value');
    expect(r.log).toContain('[a] tool-ran');
  });

  test('a mask belongs to its job (as on GitHub, actions/runner#1061); secrets are masked in every job', async () => {
    const dir = appRepo(
      wf(`  a:
    runs-on: x
    steps:
      - run: |
          echo "::add-mask::/api"
          echo "a sees /api/profile and \${{ secrets.TOKEN }}"
  b:
    needs: a
    runs-on: x
    steps:
      - run: echo "b sees /api/profile and \${{ secrets.TOKEN }}"
`),
    );
    const r = await run(dir, 'w.yml', { secrets: { TOKEN: 'tok-123456' } });
    expect(r.conclusion).toBe('success');
    expect(r.log).toContain('[a] a sees ***/profile and ***');
    expect(r.log).toContain('[b] b sees /api/profile and ***');
  });

  test("each step's GITHUB_STEP_SUMMARY is kept with the step (masked); the job summary joins them in order", async () => {
    const dir = appRepo(
      wf(`  a:
    runs-on: x
    steps:
      - id: one
        run: |
          echo "::add-mask::hidden-value"
          echo "### first step, hidden-value" >> "$GITHUB_STEP_SUMMARY"
      - run: echo no summary
      - id: three
        run: echo "| a | b |" >> "$GITHUB_STEP_SUMMARY"
`),
    );
    const r = await run(dir, 'w.yml');
    const steps = r.jobs[0]?.steps ?? [];
    expect(steps.map((s) => s.summary)).toEqual(['### first step, ***\n', undefined, '| a | b |\n']);
    expect(r.jobs[0]?.summary).toBe('### first step, ***\n\n| a | b |\n\n');
  });

  test('timeout-minutes on a step fails it with the runner message', async () => {
    const dir = appRepo(
      wf(`  a:
    runs-on: x
    steps:
      - timeout-minutes: 0.002
        run: sleep 5
      - if: failure()
        run: echo cleaned up
`),
    );
    const r = await run(dir, 'w.yml');
    expect(r.jobs[0]?.steps[0]).toMatchObject({
      outcome: 'failure',
      error: 'The action has timed out after 0.002 minutes.',
    });
    expect(r.log).toContain('[a] cleaned up');
  });
});

describe('matrix', () => {
  test('include / exclude as documented', () => {
    expect(
      expandMatrix({
        fruit: ['apple', 'pear'],
        animal: ['cat', 'dog'],
        include: [
          { color: 'green' },
          { color: 'pink', animal: 'cat' },
          { fruit: 'apple', shape: 'circle' },
          { fruit: 'banana' },
          { fruit: 'banana', animal: 'cat' },
        ],
      }),
    ).toEqual([
      { fruit: 'apple', animal: 'cat', color: 'pink', shape: 'circle' },
      { fruit: 'apple', animal: 'dog', color: 'green', shape: 'circle' },
      { fruit: 'pear', animal: 'cat', color: 'pink' },
      { fruit: 'pear', animal: 'dog', color: 'green' },
      { fruit: 'banana' },
      { fruit: 'banana', animal: 'cat' },
    ]);
    expect(expandMatrix({ os: ['a', 'b'], v: [1, 2], exclude: [{ os: 'a', v: 2 }] })).toHaveLength(3);
  });

  test('legs run with matrix and strategy contexts; fail-fast cancels the others', async () => {
    const dir = appRepo(
      wf(`  m:
    runs-on: x
    strategy:
      max-parallel: 1
      matrix:
        n: [1, 2, 3]
    steps:
      - run: |
          echo "leg \${{ matrix.n }} of \${{ strategy.job-total }} index \${{ strategy.job-index }}"
          test "\${{ matrix.n }}" != 2
`),
    );
    const r = await run(dir, 'w.yml');
    expect(r.jobs.map((j) => [j.name, j.result])).toEqual([
      ['m (1)', 'success'],
      ['m (2)', 'failure'],
      ['m (3)', 'cancelled'],
    ]);
    expect(r.log).toContain('[m (1)] leg 1 of 3 index 0');
  });
});

describe('concurrency', () => {
  test('jobs of one group run one at a time; cancel-in-progress cancels the running one', async () => {
    const dir = appRepo(
      wf(`  a:
    runs-on: x
    concurrency: shared
    steps:
      - run: echo "a start $(date +%s%N)"; sleep 1; echo "a end $(date +%s%N)"
  b:
    runs-on: x
    concurrency: shared
    steps:
      - run: echo "b start $(date +%s%N)"; sleep 1; echo "b end $(date +%s%N)"
  slow:
    runs-on: x
    concurrency: other
    steps:
      - run: sleep 20
  newer:
    runs-on: x
    needs: []
    concurrency:
      group: other
      cancel-in-progress: true
    steps:
      - run: sleep 0.5; echo newer
`),
    );
    const r = await run(dir, 'w.yml');
    const stamp = (job: string, what: string) =>
      Number(
        r.log
          .find((l) => l.startsWith(`[${job}] ${job} ${what}`))
          ?.split(' ')
          .pop(),
      );
    const [aStart, aEnd, bStart, bEnd] = [
      stamp('a', 'start'),
      stamp('a', 'end'),
      stamp('b', 'start'),
      stamp('b', 'end'),
    ];
    expect(aEnd <= bStart || bEnd <= aStart).toBe(true);
    const byId = Object.fromEntries(r.jobs.map((j) => [j.id, j]));
    expect(byId.slow?.result).toBe('cancelled');
    expect(byId.newer?.result).toBe('success');
  }, 30_000);

  test("a called workflow asking for its caller's group is a deadlock, as on GitHub", async () => {
    const dir = appRepo({
      '.github/workflows/caller.yml': `on: push
concurrency: same-group
jobs:
  call:
    uses: ./.github/workflows/callee.yml
`,
      '.github/workflows/callee.yml': `on: workflow_call
concurrency: same-group
jobs:
  x:
    runs-on: x
    steps: [{ run: echo never }]
`,
    });
    const r = await run(dir, 'caller.yml');
    expect(r.jobs[0]?.result).toBe('cancelled');
    expect(r.jobs[0]?.message).toBe(
      "Canceling since a deadlock for concurrency group 'same-group' was detected between 'top level workflow' and 'call'",
    );
  });
});
