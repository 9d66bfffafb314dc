// Errors in workflow files fail with file:line:col before any step runs (WorkflowFileError, CLI exit 2).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { WorkflowFileError } from '../src/index.ts';
import { appRepo, cli, run, tempDir } from './helpers.ts';

async function fileErrors(
  files: Record<string, string>,
  workflow = 'w.yml',
): Promise<{ errors: string[]; marker: string }> {
  const marker = join(tempDir('wr-marker-'), 'step-ran');
  const dir = appRepo(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v.replaceAll('MARKER', marker)])));
  try {
    await run(dir, workflow);
  } catch (err) {
    if (err instanceof WorkflowFileError) return { errors: err.errors, marker };
    throw err;
  }
  throw new Error('expected a WorkflowFileError');
}

const STEP = `      - run: touch MARKER\n`;

describe('before any step runs', () => {
  test('a broken expression', async () => {
    const { errors, marker } = await fileErrors({
      '.github/workflows/w.yml': `on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n${STEP}      - run: echo "\${{ github.ref == }}"\n`,
    });
    expect(errors).toEqual([expect.stringMatching(/^\.?.*w\.yml:7:\d+: Unexpected end of expression: '=='/)]);
    expect(existsSync(marker)).toBe(false);
  });

  test('an unknown job in needs and an unknown context', async () => {
    const { errors } = await fileErrors({
      '.github/workflows/w.yml': `on: push\njobs:\n  a:\n    runs-on: x\n    env:\n      X: \${{ foo.bar }}\n    steps:\n${STEP}  b:\n    needs: [c]\n    runs-on: x\n    steps:\n${STEP}`,
    });
    expect(errors.join('\n')).toMatch(/w\.yml:6:\d+: Unrecognized named-value: 'foo'/);
  });

  test('needs of a job that does not exist', async () => {
    const { errors } = await fileErrors({
      '.github/workflows/w.yml': `on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n${STEP}  b:\n    needs: [c]\n    runs-on: x\n    steps:\n${STEP}`,
    });
    expect(errors).toEqual([expect.stringMatching(/w\.yml:8:\d+: Job 'b' depends on unknown job 'c'\./)]);
  });

  test('an input the called workflow does not declare, a missing required one, a wrong literal type', async () => {
    const { errors, marker } = await fileErrors(
      {
        '.github/workflows/caller.yml': `on: push
jobs:
  first:
    runs-on: x
    steps:
${STEP}  call:
    uses: ./.github/workflows/callee.yml
    with:
      stage: staging
      colour: blue
`,
        '.github/workflows/callee.yml': `on:
  workflow_call:
    inputs:
      stage: { type: string, required: true }
      region: { type: string, required: true }
      dry-run: { type: boolean, default: false }
jobs:
  x:
    runs-on: x
    steps: [{ run: echo x }]
`,
      },
      'caller.yml',
    );
    const text = errors.join('\n');
    expect(text).toMatch(/caller\.yml:11:\d+: Invalid input, colour is not defined in the referenced workflow\./);
    expect(text).toMatch(/caller\.yml:8:\d+: Input region is required, but not provided while calling\./);
    expect(existsSync(marker)).toBe(false);
  });

  test('a literal of the wrong type for a typed input', async () => {
    const { errors } = await fileErrors(
      {
        '.github/workflows/caller.yml': `on: push\njobs:\n  call:\n    uses: ./.github/workflows/callee.yml\n    with:\n      dry-run: "yes"\n`,
        '.github/workflows/callee.yml': `on:\n  workflow_call:\n    inputs:\n      dry-run: { type: boolean, default: false }\njobs:\n  x:\n    runs-on: x\n    steps: [{ run: echo x }]\n`,
      },
      'caller.yml',
    );
    expect(errors).toEqual([
      expect.stringMatching(
        /caller\.yml:6:\d+: input dry-run of .*callee\.yml: unexpected type of value 'yes', expected type: boolean/,
      ),
    ]);
  });

  test('an unknown action names itself', async () => {
    const { errors } = await fileErrors({
      '.github/workflows/w.yml': `on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n${STEP}      - uses: docker/build-push-action@v6\n`,
    });
    expect(errors).toEqual([
      expect.stringMatching(
        /w\.yml:7:15: docker\/build-push-action@v6: the local runner has no stand-in for docker\/build-push-action/,
      ),
    ]);
  });

  test('the CLI exits 2 with file:line', async () => {
    const dir = appRepo({
      '.github/workflows/w.yml': `on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo \${{ nope( }}\n`,
    });
    const r = await cli([
      'run',
      join(dir, '.github/workflows/w.yml'),
      '--repo',
      dir,
      '--event',
      'push',
      '--ref',
      'main',
      '--repository',
      'acme/app',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: .*w\.yml:6:\d+: /);
  });

  test('the CLI exits 2 on a usage error', async () => {
    const r = await cli(['run', 'x.yml', '--repo', '.', '--event', 'pull_request', '--ref', 'main']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--event pull_request: expected push, tag or dispatch');
  });
});
