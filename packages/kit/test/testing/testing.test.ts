import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { beforeAll, describe, expect, test } from 'vitest';
import { ConfigurationError } from '../../src/runtime/errors';
import { getBoolean, getString } from '../../src/runtime/inputs/readers';
import {
  actionYmlDefaults,
  clearInputs,
  createFakeClock,
  inputEnvName,
  parseCommandFile,
  REPO_ROOT,
  runActionBundle,
  runInProcess,
  setInputs,
  withInputs,
} from '../../src/testing';

describe('inputEnvName', () => {
  test.each([
    ['pin-digest', 'INPUT_PIN-DIGEST'],
    ['aws region', 'INPUT_AWS_REGION'],
    ['template', 'INPUT_TEMPLATE'],
  ])('%s → %s', (name, env) => {
    expect(inputEnvName(name)).toBe(env);
  });
});

describe('parseCommandFile', () => {
  test.each<[string, Record<string, string>]>([
    ['a=1\nb=two=2\n', { a: '1', b: 'two=2' }],
    ['x<<ghadelimiter_1\nline1\nline2\nghadelimiter_1\n', { x: 'line1\nline2' }],
    ['e<<EOF\n\nEOF\nf=1\n', { e: '', f: '1' }],
    ['a=1\na=2\n', { a: '2' }],
    ['', {}],
  ])('%j', (text, expected) => {
    expect(parseCommandFile(text)).toEqual(expected);
  });

  test('unterminated heredoc is an error', () => {
    expect(() => parseCommandFile('x<<D\nvalue\n')).toThrow(/unterminated heredoc/);
  });
});

describe('withInputs / setInputs / clearInputs', () => {
  test('sets, isolates and restores INPUT_*', async () => {
    process.env['INPUT_PRE-EXISTING'] = 'keep';
    const result = await withInputs({ 'pin-digest': true, cluster: 'prod' }, () => {
      expect(process.env['INPUT_PRE-EXISTING']).toBeUndefined();
      return [getBoolean('pin-digest', false), getString('cluster')];
    });
    expect(result).toEqual([true, 'prod']);
    expect(process.env['INPUT_PIN-DIGEST']).toBeUndefined();
    expect(process.env['INPUT_PRE-EXISTING']).toBe('keep');
    clearInputs();
    expect(process.env['INPUT_PRE-EXISTING']).toBeUndefined();
  });

  test('restores even when fn throws (sync) or rejects (async)', async () => {
    setInputs({ a: '1' });
    await expect(
      withInputs({ b: '2' }, () => {
        throw new Error('x');
      }),
    ).rejects.toThrow('x');
    expect(process.env.INPUT_A).toBe('1');
    expect(process.env.INPUT_B).toBeUndefined();
    const pending = withInputs({ c: '3' }, async () => {
      await Promise.resolve();
      expect(process.env.INPUT_C).toBe('3');
      throw new Error('y');
    });
    await expect(pending).rejects.toThrow('y');
    expect(process.env.INPUT_A).toBe('1');
    expect(process.env.INPUT_C).toBeUndefined();
    clearInputs();
  });

  test('sync fn value is resolved', async () => {
    expect(await withInputs({ n: 5 }, () => process.env.INPUT_N)).toBe('5');
  });
});

describe('createFakeClock', () => {
  test('manual mode resolves sleeps in wake-up order on advance', async () => {
    const clock = createFakeClock({ autoAdvance: false, start: 100 });
    const order: string[] = [];
    void clock.sleep(50).then(() => order.push('b'));
    void clock.sleep(10).then(() => order.push('a'));
    await clock.advance(20);
    expect(order).toEqual(['a']);
    expect(clock.now()).toBe(120);
    await clock.advance(40);
    expect(order).toEqual(['a', 'b']);
    expect(clock.pendingSleeps()).toBe(0);
  });
});

describe('actionYmlDefaults', () => {
  test("the defaults the runner passes for omitted inputs; an expression default is the runner's to evaluate", async () => {
    const d = await actionYmlDefaults('deploy-ecs-wait');
    expect(d).toMatchObject({ wait: 'true', 'wait-timeout': '30m', 'keep-revisions': '0' });
    expect(d).not.toHaveProperty('github-token'); // ${{ github.token }}
    expect(d).not.toHaveProperty('cluster'); // required, no default
    expect(await actionYmlDefaults('no-such-action')).toEqual({});
  });
});

describe('runActionBundle', () => {
  let dir = '';
  let bundle = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-bundle-'));
    bundle = join(dir, 'index.js');
    // Plays the runner's counterpart the way @actions/core does, without depending on it.
    await writeFile(
      bundle,
      `
const fs = require('node:fs');
const env = process.env;
if (env.MODE === 'wait') {
  process.on('SIGINT', () => { console.log('::error::Cancelled: received SIGINT'); process.exit(1); });
  setTimeout(() => {}, 60000);
  console.log('waiting for rollout');
}
fs.appendFileSync(env.GITHUB_OUTPUT, 'simple=' + env['INPUT_PIN-DIGEST'] + '\\n');
fs.appendFileSync(env.GITHUB_OUTPUT, 'multi<<ghadelimiter_x\\n' + env.INPUT_CONTAINERS + '\\nghadelimiter_x\\n');
fs.appendFileSync(env.GITHUB_OUTPUT, 'env-keys=' + Object.keys(env).filter((k) => !k.startsWith('INPUT_')).sort().join(',') + '\\n');
fs.appendFileSync(env.GITHUB_OUTPUT, 'cwd=' + process.cwd() + '\\n');
fs.appendFileSync(env.GITHUB_STEP_SUMMARY, '## hello\\n');
fs.appendFileSync(env.GITHUB_STATE, 'started=yes\\n');
fs.writeFileSync(env.RUNNER_TEMP + '/x.json', '{}');
if (env.MODE === 'fail') { console.log('::error::Input \\'template\\': file not found'); process.exit(1); }
if (env.MODE === 'hang') setInterval(() => {}, 1000);
`,
    );
  });

  test('clean env, INPUT_* names, command files parsed back', async () => {
    const result = await runActionBundle({
      action: 'fake',
      bundlePath: bundle,
      inputs: { 'pin-digest': true, containers: 'app=a\nsidecar=b', unused: undefined },
      env: { AWS_REGION: 'us-east-1' },
    });
    expect(result.code).toBe(0);
    expect(result.outputs.simple).toBe('true');
    expect(result.outputs.multi).toBe('app=a\nsidecar=b');
    expect(result.outputs['env-keys']).toBe(
      'AWS_REGION,GITHUB_ENV,GITHUB_OUTPUT,GITHUB_PATH,GITHUB_STATE,GITHUB_STEP_SUMMARY,GITHUB_WORKSPACE,HOME,PATH,RUNNER_TEMP',
    );
    expect(result.outputs.cwd).toBe(join(result.tempDir, 'workspace'));
    expect(result.summary).toBe('## hello\n');
    expect(result.state).toEqual({ started: 'yes' });
    expect(existsSync(join(result.runnerTemp, 'x.json'))).toBe(true);
    expect(result.errors).toEqual([]);
  });

  test('failure: exit code and ::error:: lines', async () => {
    const result = await runActionBundle({ action: 'fake', bundlePath: bundle, env: { MODE: 'fail' } });
    expect(result.code).toBe(1);
    expect(result.errors).toEqual(["Input 'template': file not found"]);
  });

  test('signalWhen delivers SIGINT once stdout matches', async () => {
    const result = await runActionBundle({
      action: 'fake',
      bundlePath: bundle,
      env: { MODE: 'wait' },
      signalWhen: /waiting for rollout/,
      signalAfterMs: 50,
    });
    expect(result.code).toBe(1);
    expect(result.errors).toEqual(['Cancelled: received SIGINT']);
    expect(result.durationMs).toBeLessThan(30_000);
  });

  test('signalWhen as a predicate: the signal goes once it turns true, and when is reported', async () => {
    let checks = 0;
    const result = await runActionBundle({
      action: 'fake',
      bundlePath: bundle,
      env: { MODE: 'wait' },
      signalWhen: async (stdout) => {
        checks += 1;
        return stdout.includes('waiting for rollout');
      },
    });
    expect(result.code).toBe(1);
    expect(result.errors).toEqual(['Cancelled: received SIGINT']);
    expect(checks).toBeGreaterThan(0);
    expect(result.signalledAtMs).toBeGreaterThan(0);
    expect(result.signalledAtMs).toBeLessThanOrEqual(result.durationMs);
  });

  test('signalAfterMs alone delivers the signal (SIGTERM kills a process without a handler)', async () => {
    const result = await runActionBundle({
      action: 'fake',
      bundlePath: bundle,
      env: { MODE: 'hang' },
      signalAfterMs: 200,
      signal: 'SIGTERM',
    });
    expect(result.signal).toBe('SIGTERM');
    expect(result.code).toBeNull();
  });

  test('timeout kills and rejects with the output so far', async () => {
    await expect(
      runActionBundle({ action: 'fake', bundlePath: bundle, env: { MODE: 'hang' }, timeoutMs: 500 }),
    ).rejects.toThrow(/did not finish within 500 ms/);
  });

  test('a missing bundle says how to build it', async () => {
    await expect(runActionBundle({ action: 'no-such-action' })).rejects.toThrow(
      `no bundle at ${join(REPO_ROOT, 'actions', 'no-such-action', 'dist', 'index.js')}`,
    );
  });

  test('REPO_ROOT is the monorepo root', () => {
    expect(existsSync(join(REPO_ROOT, 'pnpm-workspace.yaml'))).toBe(true);
  });
});

describe('runInProcess', () => {
  test('inputs, outputs, state, summary and stdout of one run; env restored; the error returned, not thrown', async () => {
    const before = process.env.GITHUB_OUTPUT;
    const ok = await runInProcess(
      { name: 'web' },
      async () => {
        core.info(`hello ${core.getInput('name')} ${process.env.EXTRA}`);
        core.setOutput('greeting', 'hi\nthere');
        core.saveState('pid', '42');
        await core.summary.addRaw('# done').write();
      },
      { EXTRA: 'x' },
    );
    expect(ok).toMatchObject({ error: undefined, message: undefined, outputs: { greeting: 'hi\nthere' } });
    expect(ok.state).toEqual({ pid: '42' });
    expect(ok.summary).toBe('# done');
    expect(ok.stdout).toContain('hello web x');
    expect(process.env.EXTRA).toBeUndefined();
    expect(process.env.GITHUB_OUTPUT).toBe(before);
    expect(process.env.INPUT_NAME).toBeUndefined();

    const failed = await runInProcess({}, async () => {
      throw new ConfigurationError('cluster', 'is required');
    });
    expect(failed.error).toBeInstanceOf(ConfigurationError);
    expect(failed.message).toBe("Input 'cluster': is required");
    expect(failed.summary).toBe(''); // a second run gets its own summary file
  });
});
