// Emulator harness for build-push-ecr: a tiny build context, buildah storage in a temp dir, an in-process runner of
// main() capturing stdout and the runner files, and registry helpers.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmulatorFixture, type RequestLogEntry, useEmulator } from '@deploy-actions/aws-emulator';
import { type InProcessResult, runInProcess } from '@deploy-actions/kit/testing';
import { afterAll, beforeAll } from 'vitest';
import { type Deps, main } from '../src/main';

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

export type InProcessRun = InProcessResult;

/** Run main() in this process with these inputs and extra environment, capturing stdout and the runner files. */
export function runMain(
  inputs: Record<string, string | undefined>,
  env: Record<string, string>,
  options: Deps = {},
): Promise<InProcessRun> {
  return runInProcess(inputs, () => main({ env: { ...process.env, ...env }, ...options }));
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
