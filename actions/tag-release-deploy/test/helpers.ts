import { type EmulatorFixture, useEmulator } from '@deploy-actions/aws-emulator';
import { type InProcessResult, runInProcess } from '@deploy-actions/kit/testing';
import { afterAll, beforeAll } from 'vitest';
import { main } from '../src/main';
import { FakeGitHub } from './fake-github';

export const SHA = '0123456789abcdef0123456789abcdef01234567';
export const TOKEN = 'ghs_faketoken0123456789abcdefABCDEF';

export function useTestEmulator(): EmulatorFixture {
  return useEmulator({ setEnv: true }, { beforeAll, afterAll });
}

export function useFakeGitHub(): FakeGitHub {
  const gh = new FakeGitHub('acme', 'shop');
  beforeAll(() => gh.start());
  afterAll(() => gh.stop());
  return gh;
}

/** The runner environment of a `v*` tag push, pointed at the fake GitHub server. */
export function githubEnv(gh: FakeGitHub, tag = 'v1.4.0'): Record<string, string> {
  return {
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_API_URL: gh.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '77',
    GITHUB_SHA: SHA,
    GITHUB_REF: `refs/tags/${tag}`,
  };
}

export type InProcessRun = InProcessResult;

/** Run main() in this process with these inputs and extra environment. */
export function runMain(
  inputs: Record<string, string | undefined>,
  env: Record<string, string>,
): Promise<InProcessRun> {
  return runInProcess(inputs, () => main({ env: { ...process.env, ...env } }));
}
