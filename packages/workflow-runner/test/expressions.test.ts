// Expressions through GitHub's own evaluator plus the runner's functions, and the values GitHub prints for them.
import { describe, expect, test } from 'vitest';
import { coerceString, fromData } from '../src/expressions/data.ts';
import { evaluateCondition, evaluateData } from '../src/expressions/evaluate.ts';
import { appRepo, run } from './helpers.ts';

const scope = {
  contexts: {
    github: { ref: 'refs/heads/main', event: { commits: [{ message: 'fix' }] } },
    inputs: { flag: true, list: '["a","b"]' },
    env: { NAME: 'kaapi' },
  },
};
const value = (e: string) => fromData(evaluateData(e, scope));

describe('functions and operators', () => {
  test.each([
    ["contains('hello', 'ELL')", true],
    ["contains(fromJSON(inputs.list), 'b')", true],
    ["startsWith(github.ref, 'refs/heads/')", true],
    ["endsWith(github.ref, '/main')", true],
    ["format('{0}-{1}', env.NAME, 2)", 'kaapi-2'],
    ["join(fromJSON(inputs.list), ',')", 'a,b'],
    ['toJSON(inputs.flag)', 'true'],
    ['fromJSON(\'{"a":1}\').a', 1],
    ['github.event.commits[0].message', 'fix'],
    ['github.nothing.here', null],
    ["inputs.flag && 'yes' || 'no'", 'yes'],
    ["1 == '1'", true],
  ])('%s', (expr, expected) => expect(value(expr)).toEqual(expected));

  test('status functions follow the job status', () => {
    const failed = { ...scope, status: { success: () => false, failure: () => true, cancelled: () => false } };
    expect(evaluateCondition('success()', failed)).toBe(false);
    expect(evaluateCondition('failure()', failed)).toBe(true);
    expect(evaluateCondition('always()', failed)).toBe(true);
    expect(evaluateCondition('cancelled()', failed)).toBe(false);
  });

  test('strings as GitHub prints them', () => {
    expect(coerceString(evaluateData('true', scope))).toBe('true');
    expect(coerceString(evaluateData('null', scope))).toBe('');
    expect(coerceString(evaluateData('1.50', scope))).toBe('1.5');
  });
});

test('hashFiles over the workspace and contexts inside a run', async () => {
  const dir = appRepo({
    'package-lock.json': '{"lockfileVersion":3}\n',
    '.github/workflows/w.yml': `on: push
env:
  WF: wf-\${{ github.ref_name }}
jobs:
  a:
    runs-on: ubuntu-latest
    env:
      JOB: job
    steps:
      - uses: actions/checkout@v4
      - id: h
        env:
          STEP: step
        run: |
          echo "hash=\${{ hashFiles('**/package-lock.json') }}" >> "$GITHUB_OUTPUT"
          echo "envs=$WF/$JOB/$STEP/\${{ env.STEP }}" >> "$GITHUB_OUTPUT"
          echo "runner=\${{ runner.os }}/\${{ job.status }}/\${{ github.job }}" >> "$GITHUB_OUTPUT"
`,
  });
  const r = await run(dir, 'w.yml');
  expect(r.conclusion).toBe('success');
  const outputs = r.jobs[0]?.steps[1]?.outputs;
  expect(outputs?.hash).toMatch(/^[0-9a-f]{64}$/);
  expect(outputs?.envs).toBe('wf-main/job/step/step');
  expect(outputs?.runner).toBe('Linux/success/a');
});
