// The cleanup pieces without a build: state round trip, the docker config of a run, stopping a process group.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cleanUp, LeftoverTracker, leftoversFromState, STATE } from '../src/cleanup';
import { prepareDockerConfig, withoutCredentials } from '../src/docker-config';
import { groupMembers, isOurGroup, processStartTime, stopGroup } from '../src/tool-process';
import { tempDir } from './helpers';

describe('leftovers saved for the post step', () => {
  test('round trip through the step state; cleaned wins', () => {
    const state = new Map<string, string>();
    const t = new LeftoverTracker((k, v) => state.set(k, v));
    t.workDir('/tmp/w');
    t.credentialFiles(['/tmp/w/auth.json']);
    t.process({ pid: 4242, startTime: '99' });
    t.logout({ command: 'buildah', args: ['logout', '--authfile', '/tmp/w/auth.json', 'h'] });
    t.buildxBuilder({ command: 'docker', args: ['buildx', 'rm', 'b'], env: { DOCKER_CONFIG: '/tmp/w/docker' } });
    expect(leftoversFromState((k) => state.get(k) ?? '')).toEqual(t.leftovers);
    t.process(undefined); // exited
    expect(leftoversFromState((k) => state.get(k) ?? '')).not.toHaveProperty('process');
    t.cleaned();
    expect(leftoversFromState((k) => state.get(k) ?? '')).toBe('cleaned');
    expect(Object.values(STATE)).toContain('cleaned');
  });

  test('garbage in the state is ignored, never a crash', () => {
    const state: Record<string, string> = { [STATE.process]: '{nope', [STATE.logout]: '', [STATE.workDir]: '' };
    expect(leftoversFromState((k) => state[k] ?? '')).toEqual({});
  });
});

describe('docker config of a run', () => {
  test('credentials fields dropped, everything else kept', () => {
    expect(
      withoutCredentials(
        JSON.stringify({
          auths: { 'x.dkr.ecr': { auth: 'QVdTOnNlY3JldA==' } },
          credsStore: 'desktop',
          credHelpers: { 'public.ecr.aws': 'ecr-login' },
          currentContext: 'remote',
          proxies: { default: { httpProxy: 'http://proxy:3128' } },
        }),
      ),
    ).toEqual({ currentContext: 'remote', proxies: { default: { httpProxy: 'http://proxy:3128' } } });
    expect(withoutCredentials('not json')).toEqual({});
  });

  test("prepareDockerConfig: the user's contexts and plugins linked, buildx state kept, no credential copied", () => {
    const home = tempDir('bpe-home-');
    const user = join(home, '.docker');
    mkdirSync(join(user, 'contexts'), { recursive: true });
    mkdirSync(join(user, 'cli-plugins'), { recursive: true });
    writeFileSync(
      join(user, 'config.json'),
      JSON.stringify({ auths: { h: { auth: 'c2VjcmV0' } }, currentContext: 'c' }),
    );
    const dir = join(tempDir('bpe-run-'), 'docker');
    const env = prepareDockerConfig(dir, { HOME: home });
    expect(env).toEqual({ DOCKER_CONFIG: dir, BUILDX_CONFIG: join(user, 'buildx') });
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual({ currentContext: 'c' });
    expect(lstatSync(join(dir, 'contexts')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(dir, 'cli-plugins')).isSymbolicLink()).toBe(true);
    expect(prepareDockerConfig(join(tempDir('bpe-run-'), 'd'), { HOME: home, BUILDX_CONFIG: '/b' }).BUILDX_CONFIG).toBe(
      '/b',
    );
  });
});

describe('process groups', () => {
  test('stopGroup stops a detached group with its children; a reused pid is left alone', async () => {
    const child = spawn('sh', ['-c', 'sleep 300 & sleep 301; wait'], { detached: true, stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    const p = { pid: child.pid!, startTime: processStartTime(child.pid!) };
    await new Promise((r) => setTimeout(r, 200));
    expect(groupMembers(p.pid).length).toBeGreaterThanOrEqual(3);
    expect(isOurGroup({ ...p, startTime: 'not-the-start-time' })).toBe(false);
    expect(await stopGroup({ ...p, startTime: 'not-the-start-time' }, 100)).toBe('not ours');
    expect(await stopGroup(p, 1000)).toBe('stopped');
    expect(groupMembers(p.pid)).toEqual([]);
    expect(await stopGroup(p, 100)).toBe('none');
  });

  test('cleanUp deletes the work directory and runs the logout; problems are warnings', async () => {
    const work = tempDir('bpe-work-');
    const auth = join(work, 'auth.json');
    writeFileSync(auth, '{"auths":{"h":{"auth":"x"}}}');
    const warnings: string[] = [];
    // the credential is gone before the (slow) builder removal runs
    const probe = join(tempDir('bpe-probe-'), 'seen');
    const done = await cleanUp(
      {
        workDir: work,
        credentialFiles: [auth],
        logout: { command: 'false', args: [] },
        buildxBuilder: { command: 'sh', args: ['-c', `test -e ${auth} || touch ${probe}`, 'b'] },
      },
      { log: { info: () => {}, warning: (m) => warnings.push(m) } },
    );
    expect(existsSync(probe)).toBe(true);
    expect(existsSync(work)).toBe(false);
    expect(done).toEqual(['removed buildx builder b', `deleted ${work} (auth file, docker config)`]);
    expect(warnings).toEqual(['false logout failed: the auth file is deleted below']);
  });
});
