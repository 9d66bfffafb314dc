// Emulator harness for build-push-ecr: a tiny build context, buildah storage in a temp dir, an in-process runner of
// main() capturing stdout and the runner files, and registry helpers.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmulatorFixture, type RequestLogEntry, useEmulator } from '@deploy-actions/aws-emulator';
import { failureMessage } from '@deploy-actions/kit';
import { parseCommandFile, withInputs } from '@deploy-actions/kit/testing';
import { afterAll, beforeAll, vi } from 'vitest';
import { type MainOptions, main } from '../src/main';

export const hasBuildah = existsSync('/usr/bin/buildah');
export const SHA = '0123456789abcdef0123456789abcdef01234567';

/** A workspace with `app/Dockerfile` (FROM scratch + COPY) and `broken/Dockerfile` (COPY of a missing file). */
export function makeWorkspace(): string {
  const ws = tempDir('bpe-ws-');
  mkdirSync(join(ws, 'app'));
  writeFileSync(join(ws, 'app', 'hello.txt'), 'hello from build-push-ecr\n');
  writeFileSync(join(ws, 'app', 'Dockerfile'), 'FROM scratch\nARG GREETING=hi\nCOPY hello.txt /hello.txt\n');
  mkdirSync(join(ws, 'broken'));
  writeFileSync(join(ws, 'broken', 'Dockerfile'), 'FROM scratch\nCOPY missing.txt /missing.txt\n');
  return ws;
}

/** buildah storage in a temp dir (vfs + chroot isolation: what works on this machine without privileges). */
export function buildahEnv(): Record<string, string> {
  const dir = tempDir('bpe-storage-');
  return {
    BUILD_PUSH_ECR_BUILDAH_STORAGE_DRIVER: 'vfs',
    BUILD_PUSH_ECR_BUILDAH_ROOT: join(dir, 'root'),
    BUILD_PUSH_ECR_BUILDAH_RUNROOT: join(dir, 'run'),
    BUILD_PUSH_ECR_BUILDAH_ISOLATION: 'chroot',
  };
}

const created: string[] = [];

/** A temp dir removed after the test file (buildah's vfs storage included). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function useTestEmulator(): EmulatorFixture {
  afterAll(() => {
    for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return useEmulator({ setEnv: true }, { beforeAll, afterAll });
}

export interface InProcessRun {
  error: unknown;
  message: string | undefined;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

// @actions/core caches the summary file path on first use, so every in-process run shares one summary file.
const SUMMARY_FILE = join(mkdtempSync(join(tmpdir(), 'bpe-summary-')), 'summary');

/** Run main() in this process with these inputs and extra environment, capturing stdout and the runner files. */
export async function runMain(
  inputs: Record<string, string | undefined>,
  env: Record<string, string>,
  options: MainOptions = {},
): Promise<InProcessRun> {
  const dir = tempDir('bpe-run-');
  const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: SUMMARY_FILE, RUNNER_TEMP: dir };
  writeFileSync(files.GITHUB_OUTPUT, '');
  writeFileSync(SUMMARY_FILE, '');
  const saved = Object.fromEntries(Object.keys(files).map((k) => [k, process.env[k]]));
  Object.assign(process.env, files);
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
    stdout += String(chunk);
    return true;
  });
  let error: unknown;
  try {
    await withInputs(inputs, () => main({ env: { ...process.env, ...env }, ...options }));
  } catch (err) {
    error = err;
  } finally {
    spy.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return {
    error,
    message: error === undefined ? undefined : failureMessage(error),
    stdout,
    outputs: parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    summary: readFileSync(SUMMARY_FILE, 'utf8'),
  };
}

/** Values registered with `::add-mask::`. */
export function maskedValues(stdout: string): string[] {
  return [...stdout.matchAll(/^::add-mask::(.+)$/gm)].map((m) => m[1]!);
}

/** stdout without the add-mask lines: what a log reader would see (before the runner's masking). */
export function visibleOutput(stdout: string): string {
  return stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
}

export const registryWrites = (log: RequestLogEntry[]) =>
  log.filter((e) => e.service === 'registry' && e.mutating).map((e) => `${e.operation}`);

export const operations = (log: RequestLogEntry[]) => log.map((e) => e.operation);
