import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as actionsCore from '@actions/core';
import { afterAll, describe, expect, test } from 'vitest';
import * as kitCore from '../../src/runtime/core';

// runtime/core replaces @actions/core in the bundles: whatever the runner reads (stdout workflow commands, the
// GITHUB_OUTPUT / GITHUB_STATE / GITHUB_ENV heredocs, the job summary, inputs, state) must be byte for byte what
// @actions/core writes. Each case runs once through each and compares; only the random heredoc delimiter differs.

const tmp = mkdtempSync(join(tmpdir(), 'kit-core-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FILES = ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_STEP_SUMMARY'] as const;
let runs = 0;

interface Captured {
  stdout: string;
  files: Record<string, string>;
  result?: unknown;
  error?: string;
  exitCode: typeof process.exitCode;
}

/** Run `fn` with fresh command files (or none, when `withFiles` is false) and env, capturing stdout. */
async function capture(
  fn: () => unknown,
  opts: { withFiles?: boolean; env?: Record<string, string | undefined> } = {},
): Promise<Captured> {
  const dir = join(tmp, String(++runs));
  const env: Record<string, string | undefined> = {};
  for (const name of FILES) env[name] = opts.withFiles === false ? undefined : join(dir, name);
  Object.assign(env, opts.env);
  mkdirSync(dir, { recursive: true });
  for (const name of FILES) if (env[name] === join(dir, name)) writeFileSync(join(dir, name), '');
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const savedExit = process.exitCode;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  // @actions/core remembers the summary path of its first write.
  (actionsCore.summary as unknown as { _filePath?: string })._filePath = undefined;
  let stdout = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  const out: Captured = { stdout: '', files: {}, exitCode: undefined };
  try {
    out.result = await fn();
  } catch (err) {
    out.error = (err as Error).message;
  } finally {
    process.stdout.write = write;
    out.exitCode = process.exitCode;
    process.exitCode = savedExit;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  out.stdout = stdout;
  for (const name of FILES) {
    try {
      out.files[name] = readFileSync(join(dir, name), 'utf8');
    } catch {}
  }
  return out;
}

const DELIMITER = /ghadelimiter_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const normal = (c: Captured) =>
  JSON.parse(
    JSON.stringify(c)
      .replace(DELIMITER, 'ghadelimiter_<uuid>')
      .replaceAll(tmp, '<tmp>')
      .replace(/<tmp>\/\d+/g, '<dir>'),
  );

type Both = (core: typeof kitCore) => unknown;

async function same(call: Both, opts?: Parameters<typeof capture>[1]): Promise<Captured> {
  const ours = await capture(() => call(kitCore), opts);
  const theirs = await capture(() => call(actionsCore as unknown as typeof kitCore), opts);
  expect(normal(ours)).toEqual(normal(theirs));
  return ours;
}

const AWKWARD = ['plain', '', 'multi\nline\r\nvalue', '100% done: a,b', '::error::inject', ' padded ', 'ünïcödé ✓'];

describe('runtime/core writes what @actions/core writes', () => {
  test.each(AWKWARD)('setOutput / saveState / exportVariable to the command files: %j', async (value) => {
    const c = await same((core) => {
      core.setOutput('out-name', value);
      core.saveState('state_name', value);
      core.exportVariable('ENV_NAME', value);
    });
    expect(c.files.GITHUB_OUTPUT).toMatch(/^out-name<<ghadelimiter_/);
    delete process.env.ENV_NAME;
  });

  test.each<[string, unknown]>([
    ['number', 3],
    ['boolean', true],
    ['object', { a: [1, 'x'] }],
    ['null', null],
    ['undefined', undefined],
  ])('non-string values (%s) as toCommandValue renders them', async (_what, value) => {
    await same((core) => {
      core.setOutput('v', value);
      core.saveState('v', value);
    });
  });

  test.each(AWKWARD)(
    'without command files: the stdout forms (::set-output, ::save-state, ::set-env): %j',
    async (value) => {
      await same(
        (core) => {
          core.setOutput('out, name:x', value);
          core.saveState('s', value);
          core.exportVariable('ENV_NAME', value);
        },
        { withFiles: false },
      );
      delete process.env.ENV_NAME;
    },
  );

  test.each([['1'], ['0'], ['true'], [undefined]])('isDebug with RUNNER_DEBUG=%j', async (value) => {
    const c = await same((core) => core.isDebug(), { env: { RUNNER_DEBUG: value } });
    expect(c.result).toBe(value === '1');
  });

  test.each(AWKWARD)('workflow commands escape data the same way: %j', async (value) => {
    await same((core) => {
      core.setSecret(value);
      core.info(value);
      core.debug(value);
      core.warning(value);
      core.notice(value);
      core.error(value);
      core.warning(new Error(value));
    });
  });

  test('setFailed: one ::error:: line and exit code 1', async () => {
    const c = await same((core) => core.setFailed("Input 'cluster': 50% of\nit"));
    expect(c.exitCode).toBe(1);
    expect(c.stdout).toBe("::error::Input 'cluster': 50%25 of%0Ait\n");
  });

  test('group: ::group:: … ::endgroup::, closed when the body throws, result passed through', async () => {
    const ok = await same((core) => core.group('title: a,b\nc', async () => 42));
    expect(ok.result).toBe(42);
    const failed = await same((core) =>
      core.group('failing', async () => {
        core.info('inside');
        throw new Error('boom');
      }),
    );
    expect(failed.error).toBe('boom');
    expect(failed.stdout).toBe('::group::failing\ninside\n::endgroup::\n');
  });

  test('the job summary: text and one line end appended', async () => {
    const c = await same((core) => {
      const write = (text: string) =>
        core === kitCore
          ? kitCore.appendSummary(text)
          : actionsCore.summary
              .emptyBuffer()
              .addRaw(text, true)
              .write()
              .then(() => undefined);
      return write('## Deployed\n\n| a | b |').then(() => write('second'));
    });
    expect(c.files.GITHUB_STEP_SUMMARY).toBe('## Deployed\n\n| a | b |\nsecond\n');
  });

  test.each([
    ['unset', undefined],
    ['missing file', join(tmp, 'nowhere', 'summary.md')],
  ])('the job summary: the same error when GITHUB_STEP_SUMMARY is %s', async (_what, path) => {
    const ours = await capture(() => kitCore.appendSummary('x'), { env: { GITHUB_STEP_SUMMARY: path } });
    const theirs = await capture(() => actionsCore.summary.emptyBuffer().addRaw('x', true).write(), {
      env: { GITHUB_STEP_SUMMARY: path },
    });
    expect(ours.error).toBeDefined();
    expect(ours.error).toBe(theirs.error);
  });

  test('a command file that is named but missing is the same error', async () => {
    const path = join(tmp, 'nowhere', 'output');
    const c = await same((core) => core.setOutput('a', 'b'), { env: { GITHUB_OUTPUT: path } });
    expect(c.error).toBe(`Missing file at path: ${path}`);
  });

  test.each<[string, string | undefined, { required?: boolean; trimWhitespace?: boolean } | undefined]>([
    ['pin-digest', '  true  ', undefined],
    ['pin-digest', '  true  ', { trimWhitespace: false }],
    ['desired count', ' 3 ', undefined],
    ['absent', undefined, undefined],
    ['absent', undefined, { required: true }],
    ['Mixed-Case', 'x\n', undefined],
  ])('getInput(%j) from INPUT_*', async (name, value, options) => {
    const key = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
    const c = await same((core) => core.getInput(name, options), { env: { [key]: value } });
    if (value !== undefined) expect(c.result).not.toBe('');
  });

  test('getState reads STATE_<name>', async () => {
    const c = await same((core) => [core.getState('taskArn'), core.getState('absent')], {
      env: { STATE_taskArn: 'arn:aws:ecs:eu-west-1:1:task/c/abc' },
    });
    expect(c.result).toEqual(['arn:aws:ecs:eu-west-1:1:task/c/abc', '']);
  });
});

describe('the heredoc delimiter', () => {
  test('is random per value (a value cannot guess it to forge another output)', async () => {
    const c = await capture(() => {
      kitCore.setOutput('a', 'x');
      kitCore.setOutput('b', 'y');
    });
    const delimiters = c.files.GITHUB_OUTPUT!.match(DELIMITER)!;
    expect(delimiters).toHaveLength(4);
    expect(delimiters[0]).toBe(delimiters[1]);
    expect(delimiters[2]).toBe(delimiters[3]);
    expect(delimiters[0]).not.toBe(delimiters[2]);
  });

  test('a value that would end the heredoc early cannot add an output', async () => {
    const c = await capture(() => kitCore.setOutput('a', 'x\nEOF\nforged<<EOF\nevil\nEOF'));
    const lines = c.files.GITHUB_OUTPUT!.split('\n');
    expect(lines[0]).toMatch(/^a<<ghadelimiter_/);
    expect(lines.filter((l) => l.startsWith('ghadelimiter_'))).toHaveLength(1);
    expect(lines.at(-2)).toMatch(/^ghadelimiter_/);
  });
});
