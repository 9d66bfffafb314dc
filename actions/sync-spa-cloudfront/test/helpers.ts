import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  EmulatorControl,
  type RequestLogEntry,
  type RunningEmulator,
  startEmulator,
} from '@deploy-actions/aws-emulator';
import { type Clock, ConfigurationError } from '@deploy-actions/kit/runtime';
import { parseCommandFile, withInputs } from '@deploy-actions/kit/testing';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { type Deps, main } from '../src/main';

export const BUCKET = 'spa-site';

/**
 * The workspace of every run in this test file (GITHUB_WORKSPACE): `source` must be inside it, so test builds are
 * made there by `tempDir`.
 */
export const WORKSPACE = mkdtempSync(join(tmpdir(), 'spa-workspace-'));
process.env.GITHUB_WORKSPACE = WORKSPACE;
export const DIST_ID = 'E2SPATEST00001';

export interface Emu {
  emu: RunningEmulator;
  control: EmulatorControl;
  s3: S3Client;
}

/** The env that points the SDK (default settings) at the emulator at `url`, with its test credentials. */
export function awsEnv(url: string) {
  return { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: url };
}

/** Start an emulator for a test file and point the SDK (default settings) at it. */
export async function startEmu(): Promise<Emu> {
  const emu = await startEmulator({ port: 0 });
  Object.assign(process.env, awsEnv(emu.url));
  delete process.env.AWS_PROFILE;
  const control = new EmulatorControl(emu.url);
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: emu.url,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return { emu, control, s3 };
}

export async function resetEmu(e: Emu, extraBuckets: string[] = []): Promise<void> {
  await e.control.reset();
  await e.control.seed({
    buckets: [{ name: BUCKET }, ...extraBuckets.map((name) => ({ name }))],
    distributions: [{ id: DIST_ID, originBucket: BUCKET, invalidationSeconds: 30 }],
  });
  await e.control.clearRequests();
}

export interface EmuFixture extends Emu {
  /** The keys under `prefix` in {@link BUCKET}, sorted. */
  listKeys(prefix?: string): Promise<string[]>;
}

/**
 * One emulator for this test file (or describe block): started before all its tests, stopped after them, and reset
 * to an empty {@link BUCKET} (plus `extraBuckets`) and the distribution {@link DIST_ID} before each test (`reset:
 * 'once'`: before all of them, for a file whose tests share a seeded state). The object is filled in by `beforeAll`,
 * so read its fields inside hooks and tests.
 */
export function useEmu(options: { extraBuckets?: string[]; reset?: 'each' | 'once' } = {}): EmuFixture {
  const e = {
    async listKeys(prefix = '') {
      const out = await e.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
      return (out.Contents ?? []).map((o) => o.Key!).sort();
    },
  } as EmuFixture;
  beforeAll(async () => {
    Object.assign(e, await startEmu());
    if (options.reset === 'once') await resetEmu(e, options.extraBuckets);
  });
  afterAll(async () => {
    await e.emu?.stop();
  });
  if (options.reset !== 'once') {
    beforeEach(async () => {
      await resetEmu(e, options.extraBuckets);
    });
  }
  return e;
}

type Inputs = Record<string, string | number | boolean | undefined>;

export interface Site {
  /** The emulator (see {@link useEmu}). */
  readonly e: EmuFixture;
  /** This test's build directory: fresh (inside {@link WORKSPACE}) for every test. */
  readonly dir: string;
  /** The inputs every deploy of the site shares: this test's `source`, prefix `site`, {@link DIST_ID}. */
  base(): Inputs;
  /** Run main() with {@link base} and `inputs`, on a clock that advances the emulator's time instead of waiting. */
  deploy(inputs?: Inputs, clockOffsetMs?: number, deps?: Deps): Promise<RunResult>;
}

/**
 * The fixture of the tests that deploy one site: an emulator ({@link useEmu}) and a fresh build directory for every
 * test, named after `name` (`spa: true`: with the {@link writeSpa} build written into it).
 */
export function useSite(name: string, options: { spa?: boolean } = {}): Site {
  const e = useEmu();
  let dir = '';
  beforeEach(async () => {
    dir = await tempDir(name);
    if (options.spa) await writeSpa(dir);
  });
  const site: Site = {
    e,
    get dir() {
      return dir;
    },
    base: () => ({ source: dir, prefix: 'site', 'distribution-id': DIST_ID }),
    deploy: (inputs = {}, clockOffsetMs = 0, deps = {}) =>
      runMain({ ...site.base(), ...inputs }, { clock: emulatorClock(e.control, clockOffsetMs), ...deps }),
  };
  return site;
}

/** The env main() runs with in these tests: this process's, as run 1000, attempt 1, and `extra`. */
export function runEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, GITHUB_RUN_ID: '1000', GITHUB_RUN_ATTEMPT: '1', ...extra };
}

/** A clock whose sleeps advance the emulator's simulated time instead of waiting. */
export function emulatorClock(control: EmulatorControl, offsetMs = 0): Clock & { sleeps: number[] } {
  let offset = offsetMs;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => Date.now() + offset,
    async sleep(ms: number) {
      sleeps.push(ms);
      offset += ms;
      await control.advance(ms / 1000);
    },
  };
}

export interface SpaOptions {
  /** Content of the main chunk (changes its hash and index.html). */
  version?: string;
  extraPages?: number;
}

const h8 = (s: string) => createHash('sha256').update(s).digest('base64url').replace(/[-_]/g, 'x').slice(0, 8);

/** A small Vite-like build: index.html, about/index.html, hashed chunks listed in .vite/manifest.json, public files. */
export async function writeSpa(dir: string, options: SpaOptions = {}): Promise<Record<string, string>> {
  const v = options.version ?? 'v1';
  const app = `console.log(${JSON.stringify(v)});\n`;
  const css = `body{color:#${v === 'v1' ? '111' : '222'}}\n`;
  const appFile = `assets/index-${h8(app)}.js`;
  const cssFile = `assets/index-${h8(css)}.css`;
  const vendor = 'export const vendor = 1;\n';
  const vendorFile = `assets/vendor-${h8(vendor)}.js`;
  const files: Record<string, string> = {
    'index.html': `<!doctype html><html><head><link rel="stylesheet" href="/${cssFile}"><script type="module" src="/${appFile}"></script></head><body><div id="app"></div></body></html>\n`,
    'about/index.html': `<!doctype html><html><body><script type="module" src="/${appFile}"></script>about</body></html>\n`,
    [appFile]: app,
    [cssFile]: css,
    [vendorFile]: vendor,
    'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    'robots.txt': 'User-agent: *\n',
    '.vite/manifest.json': JSON.stringify({
      'index.html': { file: appFile, src: 'index.html', isEntry: true, css: [cssFile], imports: ['_vendor'] },
      _vendor: { file: vendorFile },
    }),
  };
  for (let i = 0; i < (options.extraPages ?? 0); i++) files[`pages/p${i}.html`] = `<p>${i}</p>\n`;
  await rm(dir, { recursive: true, force: true });
  for (const [path, body] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), body);
  }
  return files;
}

/** A fresh directory inside {@link WORKSPACE}. */
export async function tempDir(name: string): Promise<string> {
  return mkdtemp(join(WORKSPACE, `spa-${name}-`));
}

export interface RunResult {
  outputs: Record<string, string>;
  summary: string;
  error?: Error;
}

/** Run main() in-process with these inputs; outputs and summary read back from the runner files. */
export async function runMain(
  inputs: Record<string, string | number | boolean | undefined>,
  deps: Deps = {},
): Promise<RunResult> {
  const dir = await tempDir('run');
  const out = join(dir, 'out.txt');
  const sum = join(dir, 'summary.md');
  await writeFile(out, '');
  await writeFile(sum, '');
  const saved = { GITHUB_OUTPUT: process.env.GITHUB_OUTPUT, GITHUB_STEP_SUMMARY: process.env.GITHUB_STEP_SUMMARY };
  process.env.GITHUB_OUTPUT = out;
  process.env.GITHUB_STEP_SUMMARY = sum;
  let error: Error | undefined;
  try {
    await withInputs({ bucket: BUCKET, ...inputs }, () => main({ env: runEnv(), ...deps }));
  } catch (err) {
    error = err as Error;
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const result: RunResult = {
    outputs: parseCommandFile(await readFile(out, 'utf8')),
    summary: await readFile(sum, 'utf8'),
  };
  if (error) result.error = error;
  return result;
}

export async function requests(control: EmulatorControl): Promise<RequestLogEntry[]> {
  return control.requests();
}

export const mutating = (log: RequestLogEntry[]) => log.filter((r) => r.mutating);
export const ops = (log: RequestLogEntry[], operation: string) => log.filter((r) => r.operation === operation);

/**
 * `r` stopped on a ConfigurationError naming `input`, with `message` (a string: the whole message), and the emulator
 * saw no mutating request. Returns the request log, for what a test checks besides.
 */
export async function expectRefused(
  r: RunResult,
  control: EmulatorControl,
  input: string,
  message: string | RegExp,
): Promise<RequestLogEntry[]> {
  expect(r.error).toBeInstanceOf(ConfigurationError);
  expect((r.error as ConfigurationError).input).toBe(input);
  if (typeof message === 'string') expect(r.error?.message).toBe(message);
  else expect(r.error?.message).toMatch(message);
  const log = await control.requests();
  expect(mutating(log)).toEqual([]);
  return log;
}

export async function getText(s3: S3Client, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return (await out.Body?.transformToString('utf8')) ?? '';
}

export async function head(s3: S3Client, key: string) {
  return s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
}
