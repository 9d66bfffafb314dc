// `pnpm emulator` (bin/emulator.mjs) as a process: the ready line, --seed, --time-scale, argument errors, SIGTERM.
// Spawned with process.execPath (the Node 24 that pnpm/vitest run on, which strips the TypeScript types).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/emulator.mjs', import.meta.url));

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'emu-cli-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

interface Started {
  child: ChildProcessWithoutNullStreams;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function start(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ready line within 20 s; stdout=${stdout} stderr=${stderr}`));
    }, 20_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /^ready (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] as string, exited });
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready; stdout=${stdout} stderr=${stderr}`));
    });
  });
}

/** Run to completion (argument errors, --help). */
function runToExit(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('bin/emulator.mjs', () => {
  test('--port 0 --seed --time-scale: ready line, health, seeded state, SIGTERM exits 0', async () => {
    const fixture = join(tmp, 'fixture.json');
    await writeFile(
      fixture,
      JSON.stringify({
        buckets: [
          { name: 'site', objects: [{ key: 'index.html', body: '<html>seeded</html>', contentType: 'text/html' }] },
        ],
        secrets: [{ name: 'prod/db', value: { password: 'x' } }],
      }),
    );
    const emu = await start(['--port', '0', '--time-scale', '5', '--seed', fixture]);
    try {
      const health = (await (await fetch(`${emu.url}/_emulator/health`)).json()) as { ok: boolean; services: string[] };
      expect(health.ok).toBe(true);
      expect(health.services).toEqual(expect.arrayContaining(['ecs', 'ecr', 'registry', 's3', 'cloudfront', 'logs']));
      const time = (await (await fetch(`${emu.url}/_emulator/time`)).json()) as { timeScale: number };
      expect(time.timeScale).toBe(5);
      // the seed was applied before the ready line: an unsigned path-style GET reaches S3 GetObject
      const object = await fetch(`${emu.url}/site/index.html`);
      expect(object.status).toBe(200);
      expect(object.headers.get('content-type')).toBe('text/html');
      expect(await object.text()).toBe('<html>seeded</html>');
    } finally {
      emu.child.kill('SIGTERM');
    }
    const exit = await emu.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.stdout.trim()).toBe(`ready ${emu.url}`);
    expect(exit.stderr).toBe('');
  });

  test('the default time scale is 20', async () => {
    const emu = await start(['--port', '0']);
    try {
      const time = (await (await fetch(`${emu.url}/_emulator/time`)).json()) as { timeScale: number };
      expect(time.timeScale).toBe(20);
    } finally {
      emu.child.kill('SIGINT');
    }
    expect((await emu.exited).code).toBe(0);
  });

  test.concurrent.each([
    [['--time-scale', '0'], '--time-scale must be a positive number'],
    [['--port', 'abc'], '--port must be an integer'],
    [['--seed', '/nonexistent/fixture.json'], '--seed /nonexistent/fixture.json: ENOENT'],
    [['--bogus'], "Unknown option '--bogus'"],
    [['--realism', 'secrets,bogus'], '--realism: unknown switch bogus'],
    [['--account-id', '12345'], '--account-id must be 12 digits'],
  ])('%j exits 2 with a clear message', async (args, message) => {
    const r = await runToExit(['--port', '0', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  test('--realism all / a list turns the task-start checks on (GET /_emulator/realism shows them)', async () => {
    for (const [arg, expected] of [
      ['all', { secrets: true, images: true, logGroups: true }],
      ['secrets,images', { secrets: true, images: true, logGroups: true }],
    ] as const) {
      const emu = await start(['--port', '0', '--realism', arg]);
      try {
        expect(await (await fetch(`${emu.url}/_emulator/realism`)).json()).toEqual(expected);
      } finally {
        emu.child.kill('SIGTERM');
      }
      await emu.exited;
    }
  });

  test('--account-id: the account in every ARN and in STS GetCallerIdentity', async () => {
    const emu = await start(['--port', '0', '--account-id', '123456789012']);
    try {
      const res = await fetch(`${emu.url}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sts/aws4_request',
        },
        body: 'Action=GetCallerIdentity&Version=2011-06-15',
      });
      expect(await res.text()).toContain('<Account>123456789012</Account>');
    } finally {
      emu.child.kill('SIGTERM');
    }
    await emu.exited;
  });

  test('a seed the emulator rejects exits 2 and names the problem', async () => {
    const fixture = join(tmp, 'bad.json');
    await writeFile(
      fixture,
      JSON.stringify({ services: [{ cluster: 'prod', serviceName: 'x', taskDefinition: 'nope:1' }] }),
    );
    const r = await runToExit(['--port', '0', '--seed', fixture]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('task definition nope:1 not found');
  });

  test('--help prints the usage', async () => {
    const r = await runToExit(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('usage: aws-emulator');
  });
});
