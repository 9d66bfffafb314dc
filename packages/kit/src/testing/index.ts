// Test helpers: import from '@deploy-actions/kit/testing'. Never imported by action code (not bundled).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { ConfigurationError } from '../runtime/errors';
import { abortReason, type Clock } from '../runtime/poll';
import { failureMessage } from '../runtime/run';

export { type FakeComment, type FakeGitHub, startFakeGitHub } from './fake-github';

/** Repository root (this file is packages/kit/src/testing/index.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** The env var @actions/core reads for an input: spaces → '_', upper-cased, dashes kept (`INPUT_PIN-DIGEST`). */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export type InputValue = string | number | boolean;

/** Run `fn` and return the ConfigurationError it throws (fails the test when it throws nothing, or something else). */
export function configurationError(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigurationError) return err;
    throw err;
  }
  throw new Error('expected a ConfigurationError, nothing was thrown');
}

/** Set INPUT_* variables in this process (for in-process tests of `getInputs()` / `main()`). */
export function setInputs(inputs: Record<string, InputValue | undefined>): void {
  for (const [name, value] of Object.entries(inputs)) {
    if (value === undefined) delete process.env[inputEnvName(name)];
    else process.env[inputEnvName(name)] = String(value);
  }
}

/** Remove every INPUT_* variable from this process. */
export function clearInputs(): void {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
}

/**
 * Run `fn` with exactly these inputs set (all other INPUT_* removed), restoring the previous INPUT_* afterwards,
 * also when `fn` throws. Always returns a promise (a sync throw becomes a rejection), so `await` it.
 */
export async function withInputs<T>(
  inputs: Record<string, InputValue | undefined>,
  fn: () => T | Promise<T>,
): Promise<T> {
  const saved = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('INPUT_')));
  clearInputs();
  setInputs(inputs);
  try {
    return await fn();
  } finally {
    clearInputs();
    Object.assign(process.env, saved);
  }
}

export interface InProcessResult {
  /** What `main()` threw (undefined on success). */
  error: unknown;
  /** The one line `run()` would print for that error. */
  message: string | undefined;
  stdout: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
}

/**
 * Run an action's `main()` in this process as the runner would: exactly these inputs, fresh GITHUB_OUTPUT,
 * GITHUB_STATE, GITHUB_STEP_SUMMARY and RUNNER_TEMP, plus `env`; stdout captured; process.env restored afterwards.
 * The error `main()` throws is returned, not thrown.
 */
export async function runInProcess(
  inputs: Record<string, InputValue | undefined>,
  main: () => Promise<void>,
  env: Record<string, string> = {},
): Promise<InProcessResult> {
  const dir = await mkdtemp(join(tmpdir(), 'in-process-'));
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
  };
  for (const f of Object.values(files)) await writeFile(f, '');
  const vars: Record<string, string> = { ...files, RUNNER_TEMP: dir, ...env };
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  let stdout = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof process.stdout.write;
  let error: unknown;
  try {
    await withInputs(inputs, main);
  } catch (err) {
    error = err;
  } finally {
    process.stdout.write = write;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return {
    error,
    message: error === undefined ? undefined : failureMessage(error),
    stdout,
    outputs: parseCommandFile(await readFile(files.GITHUB_OUTPUT, 'utf8')),
    state: parseCommandFile(await readFile(files.GITHUB_STATE, 'utf8')),
    summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
  };
}

/**
 * Parse a runner file-command file (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_ENV): `name=value` lines and the
 * `name<<DELIMITER` … `DELIMITER` heredoc form @actions/core writes. Later values win.
 */
export function parseCommandFile(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      i++;
      while (i < lines.length && lines[i] !== delimiter) value.push(lines[i++]!);
      if (i >= lines.length) throw new Error(`unterminated heredoc for ${name} (delimiter ${delimiter})`);
      result[name!] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq === -1) throw new Error(`malformed command file line ${i + 1}: ${line}`);
    result[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return result;
}

export interface RunActionBundleOptions {
  /** Action folder name under actions/ (runs actions/<action>/dist/index.js). */
  action: string;
  /** Inputs by action.yml name; become INPUT_<NAME> variables. */
  inputs?: Record<string, InputValue | undefined>;
  /** Extra environment (AWS_*, GITHUB_*...). PATH and HOME are passed through; nothing else is inherited. */
  env?: Record<string, string | undefined>;
  /** Kill (SIGKILL) and reject after this long (default 60 000). */
  timeoutMs?: number;
  /** Send `signal` to the process this many ms after start, or after `signalWhen` matched (cancellation tests). */
  signalAfterMs?: number;
  /**
   * Send `signal` once the bundle is ready for it, then after `signalAfterMs` (default 0): when stdout matches a
   * string or RegExp (e.g. a progress line), or when a predicate turns true (checked every 20 ms; e.g. "the emulator
   * received the second UpdateService"). More robust than a bare delay on a loaded machine.
   */
  signalWhen?: string | RegExp | ((stdout: string) => boolean | Promise<boolean>);
  /** Signal sent at `signalAfterMs` (default SIGINT, as the runner does first). */
  signal?: NodeJS.Signals;
  /** Working directory (default: a fresh `workspace` dir in the temp dir, also GITHUB_WORKSPACE). */
  cwd?: string;
  /** Run this file instead of actions/<action>/dist/index.js. */
  bundlePath?: string;
  /**
   * Pass action.yml's `default:` of every input not in `inputs` (default true), as the runner does: an input the
   * workflow omits reaches the action as its default, never as unset. False: only `inputs`.
   */
  actionDefaults?: boolean;
}

/** The `default:` of each input in actions/<action>/action.yml (what the runner passes for an omitted input). */
export async function actionYmlDefaults(action: string): Promise<Record<string, string>> {
  const file = join(REPO_ROOT, 'actions', action, 'action.yml');
  if (!existsSync(file)) return {};
  const spec = parseYaml(await readFile(file, 'utf8')) as { inputs?: Record<string, { default?: unknown }> };
  const defaults: Record<string, string> = {};
  for (const [name, input] of Object.entries(spec.inputs ?? {})) {
    // An expression default (`${{ github.token }}`) is the runner's to evaluate: left unset here.
    if (input?.default === undefined || input.default === null || String(input.default).includes('${{')) continue;
    defaults[name] = String(input.default);
  }
  return defaults;
}

export interface RunActionBundleResult {
  /** Exit code, null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Parsed GITHUB_OUTPUT. */
  outputs: Record<string, string>;
  /** Contents of GITHUB_STEP_SUMMARY. */
  summary: string;
  /** Parsed GITHUB_STATE. */
  state: Record<string, string>;
  /** Parsed GITHUB_ENV (exportVariable). */
  exportedEnv: Record<string, string>;
  runnerTemp: string;
  /** The temp dir holding the command files, RUNNER_TEMP and the workspace. */
  tempDir: string;
  durationMs: number;
  /** `::error::` lines of stdout, without the prefix. */
  errors: string[];
  /** When the signal was sent (ms after start), if it was. */
  signalledAtMs?: number;
}

/** Spawn an action's bundled dist as the runner does (node on dist/index.js, INPUT_* env, command files). */
export async function runActionBundle(options: RunActionBundleOptions): Promise<RunActionBundleResult> {
  const bundle = options.bundlePath ?? join(REPO_ROOT, 'actions', options.action, 'dist', 'index.js');
  if (!existsSync(bundle)) {
    throw new Error(`no bundle at ${bundle}: build it first (node scripts/build.mjs ${options.action})`);
  }
  const tempDir = await mkdtemp(join(tmpdir(), `run-${options.action}-`));
  const runnerTemp = join(tempDir, 'runner-temp');
  const workspace = options.cwd ?? join(tempDir, 'workspace');
  await mkdir(runnerTemp, { recursive: true });
  await mkdir(workspace, { recursive: true });
  const files = {
    GITHUB_OUTPUT: join(tempDir, 'output.txt'),
    GITHUB_STEP_SUMMARY: join(tempDir, 'step-summary.md'),
    GITHUB_STATE: join(tempDir, 'state.txt'),
    GITHUB_ENV: join(tempDir, 'env.txt'),
    GITHUB_PATH: join(tempDir, 'path.txt'),
  };
  for (const file of Object.values(files)) await writeFile(file, '');

  const env: Record<string, string> = {};
  if (process.env.PATH) env.PATH = process.env.PATH;
  if (process.env.HOME) env.HOME = process.env.HOME;
  Object.assign(env, files, { RUNNER_TEMP: runnerTemp, GITHUB_WORKSPACE: workspace });
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const defaults = options.actionDefaults === false ? {} : await actionYmlDefaults(options.action);
  for (const [name, value] of Object.entries({ ...defaults, ...options.inputs })) {
    if (value !== undefined) env[inputEnvName(name)] = String(value);
    else if (defaults[name] !== undefined) env[inputEnvName(name)] = defaults[name];
  }

  const started = Date.now();
  const child = spawn(process.execPath, [bundle], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timedOut = false;
  const killer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  let signaller: NodeJS.Timeout | undefined;
  let signalledAtMs: number | undefined;
  const sendSignal = () => {
    if (child.exitCode === null && child.signalCode === null) {
      signalledAtMs = Date.now() - started;
      child.kill(options.signal ?? 'SIGINT');
    }
  };
  if (options.signalWhen === undefined && options.signalAfterMs !== undefined) {
    signaller = setTimeout(sendSignal, options.signalAfterMs);
  }
  let watcher: NodeJS.Timeout | undefined;
  if (typeof options.signalWhen === 'function') {
    const ready = options.signalWhen;
    let checking = false;
    watcher = setInterval(async () => {
      if (checking || signaller) return;
      checking = true;
      try {
        if (await ready(stdout)) {
          clearInterval(watcher);
          signaller = setTimeout(sendSignal, options.signalAfterMs ?? 0);
        }
      } finally {
        checking = false;
      }
    }, 20);
  } else if (options.signalWhen !== undefined) {
    const when = options.signalWhen;
    const onData = () => {
      if (typeof when === 'string' ? stdout.includes(when) : when.test(stdout)) {
        child.stdout.off('data', onData);
        signaller = setTimeout(sendSignal, options.signalAfterMs ?? 0);
      }
    };
    child.stdout.on('data', onData);
  }
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done, fail) => {
    child.on('error', fail);
    child.on('close', (c, s) => done([c, s]));
  }).finally(() => {
    clearTimeout(killer);
    if (signaller) clearTimeout(signaller);
    if (watcher) clearInterval(watcher);
  });
  if (timedOut) {
    throw new Error(
      `${options.action} bundle did not finish within ${timeoutMs} ms\n--- stdout ---\n${stdout.slice(-4000)}\n--- stderr ---\n${stderr.slice(-4000)}`,
    );
  }
  const read = (file: string) => readFile(file, 'utf8').catch(() => '');
  return {
    code,
    signal,
    stdout,
    stderr,
    outputs: parseCommandFile(await read(files.GITHUB_OUTPUT)),
    summary: await read(files.GITHUB_STEP_SUMMARY),
    state: parseCommandFile(await read(files.GITHUB_STATE)),
    exportedEnv: parseCommandFile(await read(files.GITHUB_ENV)),
    runnerTemp,
    tempDir,
    durationMs: Date.now() - started,
    errors: stdout
      .split(/\r?\n/)
      .filter((l) => l.startsWith('::error'))
      .map((l) => l.replace(/^::error[^:]*::/, '')),
    ...(signalledAtMs !== undefined ? { signalledAtMs } : {}),
  };
}

export interface FakeClock extends Clock {
  /** Move time forward, resolving every sleep whose wake-up time has come (in order). */
  advance(ms: number): Promise<void>;
  /** Sleeps not yet resolved. */
  pendingSleeps(): number;
  /** Every duration passed to sleep(), in order. */
  readonly sleeps: number[];
}

/**
 * A clock for tests. `autoAdvance: true` (default) makes every sleep jump time forward and resolve at once;
 * `autoAdvance: false` keeps sleeps pending until `advance()` (or abort, which rejects promptly).
 */
export function createFakeClock(options: { start?: number; autoAdvance?: boolean } = {}): FakeClock {
  let now = options.start ?? 0;
  const autoAdvance = options.autoAdvance ?? true;
  const sleeps: number[] = [];
  let pending: Array<{ at: number; resolve: () => void }> = [];
  return {
    sleeps,
    now: () => now,
    sleep(ms: number, signal?: AbortSignal) {
      sleeps.push(ms);
      if (signal?.aborted) return Promise.reject(abortReason(signal));
      if (autoAdvance) {
        now += Math.max(0, ms);
        return Promise.resolve();
      }
      return new Promise<void>((resolvePromise, reject) => {
        const entry = {
          at: now + Math.max(0, ms),
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolvePromise();
          },
        };
        const onAbort = () => {
          pending = pending.filter((p) => p !== entry);
          reject(abortReason(signal!));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        pending.push(entry);
      });
    },
    async advance(ms: number) {
      const target = now + ms;
      for (;;) {
        pending.sort((a, b) => a.at - b.at);
        const next = pending[0];
        if (!next || next.at > target) break;
        pending.shift();
        now = next.at;
        next.resolve();
        // let the awaiting code run up to its next sleep
        for (let i = 0; i < 20; i++) await Promise.resolve();
      }
      now = target;
    },
    pendingSleeps: () => pending.length,
  };
}
