// #14 finding 8: a cancelled build-push-ecr leaves no ECR credential in any auth file and no builder running.
// The bundled dist runs a real buildah build whose RUN step sleeps (a `sleep` binary and its libraries copied into a
// FROM scratch image, chroot isolation); the test signals it mid-RUN:
// - SIGINT (the runner's cancel): the main step stops the builder's process group, logs out, deletes its auth file;
// - SIGKILL (the runner giving up, a crashed runner): the builder and the auth file survive the main step, and the
//   post step (dist/post/index.js, `post-if: always()`) removes both from the state the main step saved.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { peerTool } from '@deploy-actions/aws-emulator';
import { REPO_ROOT, runActionBundle } from '@deploy-actions/kit/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { buildahEnv, maskedValues, SHA, tempDir, useTestEmulator } from './helpers';

const buildah = peerTool('buildah');
const emu = useTestEmulator();
const POST = join(REPO_ROOT, 'actions', 'build-push-ecr', 'dist', 'post', 'index.js');

/** A context whose build runs `/usr/bin/sleep <seconds>` (the binary and its libraries copied from this machine). */
function slowWorkspace(seconds: number): string {
  const ws = tempDir('bpe-cancel-ws-');
  const ctx = join(ws, 'slow');
  const files = ['/usr/bin/sleep'];
  for (const line of execFileSync('ldd', ['/usr/bin/sleep'], { encoding: 'utf8' }).split('\n')) {
    const path = /(\/\S+) \(0x/.exec(line)?.[1];
    if (path) files.push(path);
  }
  for (const file of files) {
    const to = join(ctx, 'rootfs', file);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(file, to);
  }
  writeFileSync(join(ctx, 'Dockerfile'), `FROM scratch\nCOPY rootfs/ /\nRUN ["/usr/bin/sleep", "${seconds}"]\n`);
  return ws;
}

/** Pids of processes running `sleep <seconds>` (the build's RUN step). */
function sleepers(seconds: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (cmdline === `/usr/bin/sleep\0${seconds}\0` && !/\) Z /.test(stat)) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

/** Every file under `dir` holding one of `secrets` (path → the secret's length, never the secret). */
function filesHolding(dir: string, secrets: readonly string[]): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      let st: ReturnType<typeof statSync>;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && st.size < 5_000_000) {
        const text = readFileSync(p, 'utf8');
        for (const s of secrets) if (text.includes(s)) hits.push(`${p} (a ${s.length}-character secret)`);
      }
    }
  };
  walk(dir);
  return hits;
}

describe.skipIf(buildah.skip)(buildah.title('cancelled build (real buildah, bundled dist)'), () => {
  let ecr: ECRClient;
  let killed: number[] = [];
  beforeAll(() => {
    buildah.require();
    ecr = new ECRClient(emu.clientConfig);
  });
  afterAll(() => {
    // never leave a sleeper behind, even when an assertion failed
    for (const pid of killed) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    ecr?.destroy();
  });
  beforeEach(async () => {
    await emu.control.reset();
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'shop/slow' }));
  });

  function start(seconds: number, signal: NodeJS.Signals) {
    const ws = slowWorkspace(seconds);
    const home = tempDir('bpe-cancel-home-');
    const env = { ...emu.env, ...buildahEnv(), GITHUB_SHA: SHA, HOME: home, XDG_RUNTIME_DIR: '' };
    let sawBuilder = false;
    const watch = setInterval(() => {
      const pids = sleepers(seconds);
      if (pids.length > 0) {
        sawBuilder = true;
        killed = [...new Set([...killed, ...pids])];
      }
    }, 100);
    const run = runActionBundle({
      action: 'build-push-ecr',
      inputs: { repository: 'shop/slow', context: 'slow', cache: 'off', builder: 'buildah' },
      env,
      cwd: ws,
      timeoutMs: 40_000,
      signalWhen: /STEP \d+\/\d+: RUN/,
      signalAfterMs: 1500,
      signal,
    }).finally(() => clearInterval(watch));
    return { run, home, env, sawBuilder: () => sawBuilder };
  }

  test('SIGINT mid-build: builder stopped, logged out, no credential in any file', async () => {
    const seconds = 900 + Math.floor(Math.random() * 90);
    const s = start(seconds, 'SIGINT');
    const r = await s.run;
    expect(s.sawBuilder()).toBe(true);
    expect(r.code).toBe(1);
    expect(r.errors.join('\n')).toMatch(/Cancelled: received SIGINT/);
    expect(r.stdout).toMatch(/Cleaned up: .*logged out of the registry.*deleted/);
    expect(await until(() => sleepers(seconds).length === 0, 3000)).toBe(true);

    const secrets = maskedValues(r.stdout);
    expect(secrets.length).toBeGreaterThanOrEqual(2); // the token and the password were registered
    expect(filesHolding(r.tempDir, secrets)).toEqual([]);
    expect(filesHolding(s.home, secrets)).toEqual([]);
    expect(readdirSync(r.runnerTemp).filter((n) => n.startsWith('build-push-ecr-'))).toEqual([]);
    expect(r.state.cleaned).toBe('true');
  });

  test('SIGKILL mid-build: the post step stops the builder and deletes the credential', async () => {
    const seconds = 900 + Math.floor(Math.random() * 90);
    const s = start(seconds, 'SIGKILL');
    const r = await s.run;
    expect(r.signal).toBe('SIGKILL');
    const secrets = maskedValues(r.stdout);
    expect(secrets.length).toBeGreaterThanOrEqual(2);
    // What a killed main step leaves: the builder still running, the credential in its auth file.
    expect(sleepers(seconds).length).toBeGreaterThan(0);
    expect(filesHolding(r.runnerTemp, secrets).length).toBeGreaterThan(0);
    expect(r.state.cleaned).toBeUndefined();

    // The runner then runs the post step with the state the main step saved (STATE_<name>).
    const stateEnv = Object.fromEntries(Object.entries(r.state).map(([k, v]) => [`STATE_${k}`, v]));
    const post = await runActionBundle({
      action: 'build-push-ecr',
      bundlePath: POST,
      env: { ...s.env, ...stateEnv },
      timeoutMs: 30_000,
    });
    expect(post.code).toBe(0);
    expect(post.errors).toEqual([]);
    expect(post.stdout).toMatch(/The main step ended before cleaning up: stopped builder process group \d+/);
    expect(await until(() => sleepers(seconds).length === 0, 3000)).toBe(true);
    expect(filesHolding(r.tempDir, secrets)).toEqual([]);
    expect(filesHolding(s.home, secrets)).toEqual([]);
    expect(readdirSync(r.runnerTemp).filter((n) => n.startsWith('build-push-ecr-'))).toEqual([]);
  });

  test('the post step after a main step that cleaned up does nothing', async () => {
    const post = await runActionBundle({
      action: 'build-push-ecr',
      bundlePath: POST,
      env: { ...emu.env, STATE_cleaned: 'true', STATE_workDir: '/nonexistent' },
    });
    expect(post.code).toBe(0);
    expect(post.stdout).toContain('nothing to do');
  });
});
