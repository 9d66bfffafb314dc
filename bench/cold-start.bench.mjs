#!/usr/bin/env node
// Cold start: from spawning `node <bundle>` to the first AWS request reaching the emulator, for every action's
// committed dist/index.js, the official aws-actions/amazon-ecs-deploy-task-definition bundle, and the floor (a bundle
// that only creates the action's SDK client and makes one call: bench/floors/*.js, built with scripts/bundle-one.mjs
// like the actions), plus `node -e 0` (spawn → exit). Runs are interleaved (one of each subject per round, in a
// shuffled order) and each subject's median is reported, so machine load shifts every column alike. A second table
// gives the CPU time each process had used by its first request (all threads, from /proc), which other load on the
// host moves far less than wall time.
//
//   pnpm bench cold-start            (pnpm exec tsx bench/cold-start.bench.mjs [--rounds 15])
//
// The first request is the first byte on a TCP proxy in front of the emulator (AWS_ENDPOINT_URL points at the
// proxy); the process is killed there: what follows is not start-up. GitHub calls (tag-release-deploy lists the
// repository's tags before it reads ECR) go to a stub answering `[]`.
// The official bundle is read from the bare snapshot in /work/.mirror (git show HEAD:dist/index.js) into a temp dir
// at run time and never stored in this repository; without the snapshot its column is skipped.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { buildFloors } from './floors.mjs';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '15' } } });
const rounds = Number(values.rounds);
const OFFICIAL_MIRROR = '/work/.mirror/aws-actions+amazon-ecs-deploy-task-definition/repo';
const RUN_TIMEOUT_MS = 30_000;

const { parse: parseYaml } = createRequire(join(root, 'packages/workflow-checks/package.json'))('yaml');
const { startEmulator, awsEnvFor } = await import('../packages/aws-emulator/src/index.ts');

// ---------------------------------------------------------------------------------------------------------------
// What runs: each action with inputs that pass validation and reach its first AWS call, its floor, the official one.

const TD_ARN = 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1';
const ACTIONS = {
  'render-task-def': { floor: 'ecs', inputs: { 'template-family': 'web' } },
  // migration-when: '' because its action.yml default (`before`) without a migration-command is refused today
  // (actions/deploy-ecs/src/inputs.ts), and the runner passes that default to every step: reported in #15's note.
  'deploy-ecs': {
    floor: 'ecs',
    inputs: { cluster: 'bench', services: 'api', 'template-family': 'web', 'migration-when': '' },
  },
  'deploy-ecs-wait': { floor: 'ecs', inputs: { cluster: 'bench', services: 'api', 'task-definition': TD_ARN } },
  'run-migration-task': { floor: 'ecs', inputs: { cluster: 'bench', 'task-definition': 'web', command: 'true' } },
  'build-push-ecr': { floor: 'ecr', inputs: { repository: 'bench/web', context: '.' } },
  'tag-release-deploy': { floor: 'ecr', inputs: { repositories: 'bench/web', 'github-token': 'bench-token' } },
  'sync-spa-cloudfront': { floor: 's3', inputs: { bucket: 'bench-site', source: 'site' } },
};

/** The defaults action.yml declares: the runner passes them as INPUT_* when a step leaves them out. */
function defaultInputs(actionYml) {
  const spec = parseYaml(readFileSync(actionYml, 'utf8'));
  const out = {};
  for (const [name, input] of Object.entries(spec.inputs ?? {})) {
    if (input?.default !== undefined && !String(input.default).includes('${{')) out[name] = String(input.default);
  }
  return out;
}

const inputEnv = (inputs) =>
  Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v]));

function officialBundle(dir) {
  if (!existsSync(OFFICIAL_MIRROR)) return undefined;
  const r = spawnSync('git', ['-C', OFFICIAL_MIRROR, 'show', 'HEAD:dist/index.js'], { maxBuffer: 64 << 20 });
  if (r.status !== 0) return undefined;
  const out = join(dir, 'official');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'index.js'), r.stdout); // CommonJS, as published (no package.json here)
  return join(out, 'index.js');
}

// ---------------------------------------------------------------------------------------------------------------
// The world: emulator behind a first-byte proxy, a GitHub stub, a workspace, command files.

const emu = await startEmulator({ port: 0 });
const emuPort = Number(new URL(emu.url).port);
let onFirstByte;
const proxy = createServer((socket) => {
  socket.once('data', () => onFirstByte?.());
  const upstream = connect(emuPort, '127.0.0.1');
  socket.pipe(upstream).pipe(socket);
  const drop = () => {
    socket.destroy();
    upstream.destroy();
  };
  socket.on('error', drop);
  upstream.on('error', drop);
});
await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
const proxyUrl = `http://127.0.0.1:${proxy.address().port}`;
const github = createHttpServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('[]');
});
await new Promise((r) => github.listen(0, '127.0.0.1', r));

const tmp = mkdtempSync(join(tmpdir(), 'cold-start-'));
const workspace = join(tmp, 'workspace');
mkdirSync(join(workspace, 'site'), { recursive: true });
writeFileSync(join(workspace, 'site', 'index.html'), '<!doctype html><title>bench</title>\n');
writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\n');
writeFileSync(
  join(workspace, 'taskdef.json'),
  JSON.stringify({
    family: 'web',
    containerDefinitions: [{ name: 'app', image: 'nginx:1.27', essential: true, memory: 128 }],
  }),
);
const files = {};
for (const f of ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_STEP_SUMMARY']) {
  files[f] = join(tmp, f.toLowerCase());
  writeFileSync(files[f], '');
}
mkdirSync(join(tmp, 'runner-temp'));
const baseEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME ?? tmp,
  ...awsEnvFor(proxyUrl),
  ...files,
  RUNNER_TEMP: join(tmp, 'runner-temp'),
  GITHUB_WORKSPACE: workspace,
  GITHUB_API_URL: `http://127.0.0.1:${github.address().port}`,
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_SHA: 'a'.repeat(40),
  GITHUB_REF: 'refs/tags/v1.4.0',
  GITHUB_RUN_ID: '1',
  GITHUB_RUN_ATTEMPT: '1',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
};

const subjects = [];
const floors = buildFloors(['ecs', 'ecr', 's3']);
for (const [action, spec] of Object.entries(ACTIONS)) {
  const defaults = defaultInputs(join(root, 'actions', action, 'action.yml'));
  subjects.push({
    name: action,
    kind: 'action',
    floor: `floor:${spec.floor}`,
    args: [join(root, 'actions', action, 'dist', 'index.js')],
    env: { ...baseEnv, ...inputEnv({ ...defaults, ...spec.inputs }) },
  });
}
for (const [name, bundle] of Object.entries(floors)) {
  subjects.push({ name: `floor:${name}`, kind: 'floor', args: [bundle], env: baseEnv });
}
const official = officialBundle(tmp);
if (official) {
  subjects.push({
    name: 'official',
    kind: 'official',
    args: [official],
    env: { ...baseEnv, ...inputEnv({ 'task-definition': 'taskdef.json', cluster: 'bench', service: 'api' }) },
  });
} else {
  console.log(`official bundle: no snapshot at ${OFFICIAL_MIRROR}; its column is skipped`);
}
subjects.push({ name: 'node -e 0', kind: 'node', args: ['-e', '0'], env: { PATH: process.env.PATH } });

/**
 * CPU time (ms) a running process's threads have had so far: the first field of each thread's
 * /proc/<pid>/task/<tid>/schedstat (ns on a CPU). Unlike wall time it hardly moves with other load on the host, so
 * it tells a slower start from a busier machine. Undefined where /proc has no schedstat.
 */
function cpuMsOf(pid) {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    }
    return ns / 1e6;
  } catch {
    return undefined;
  }
}

/**
 * One run: ms from spawn to the first AWS byte (or to exit for `node -e 0`), and the CPU ms the process had used by
 * that byte (not for `node -e 0`); ms undefined when no request came.
 */
function runOnce(subject) {
  return new Promise((resolve) => {
    let settled = false;
    let firstAt;
    let cpu;
    const started = performance.now();
    const child = spawn(process.execPath, subject.args, { cwd: workspace, env: subject.env, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    if (subject.kind !== 'node') {
      onFirstByte = () => {
        onFirstByte = undefined;
        firstAt = performance.now();
        cpu = cpuMsOf(child.pid);
        child.kill('SIGKILL');
      };
    }
    child.on('exit', () => {
      const exitedAt = performance.now();
      clearTimeout(timer);
      onFirstByte = undefined;
      if (settled) return;
      settled = true;
      if (subject.kind === 'node') resolve({ ms: exitedAt - started });
      else resolve({ ms: firstAt === undefined ? undefined : firstAt - started, cpu });
    });
  });
}

const shuffle = (xs) => {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
};

const samples = new Map(subjects.map((s) => [s.name, []]));
const cpuSamples = new Map(subjects.map((s) => [s.name, []]));
const missing = new Map();
console.log(`cold start: ${subjects.length} subjects × ${rounds} interleaved rounds`);
for (const s of subjects) await runOnce(s); // warm the file cache once; not counted
for (let round = 0; round < rounds; round++) {
  for (const s of shuffle(subjects)) {
    const { ms, cpu } = await runOnce(s);
    if (ms === undefined) missing.set(s.name, (missing.get(s.name) ?? 0) + 1);
    else samples.get(s.name).push(ms);
    if (ms !== undefined && cpu !== undefined) cpuSamples.get(s.name).push(cpu);
  }
}

const median = (xs) => {
  if (xs.length === 0) return undefined;
  const a = [...xs].sort((x, y) => x - y);
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
};
const med = Object.fromEntries([...samples].map(([k, v]) => [k, median(v)]));
const fmt = (ms) => (ms === undefined ? 'n/a' : `${ms.toFixed(0)} ms`);
const ratio = (a, b) => (a === undefined || b === undefined ? undefined : a / b);
const fmtRatio = (r, goal) =>
  r === undefined ? 'n/a' : `${r.toFixed(2)}x${goal === undefined ? '' : r <= goal ? ' ok' : ' OVER'}`;

const rows = [];
for (const s of subjects.filter((x) => x.kind === 'action')) {
  rows.push([
    s.name,
    fmt(med[s.name]),
    fmt(med[s.floor]),
    fmtRatio(ratio(med[s.name], med[s.floor]), 1.2),
    fmtRatio(ratio(med[s.name], med.official), 0.75),
    fmtRatio(ratio(med[s.name], med['node -e 0'])),
  ]);
}
for (const name of ['official', 'floor:ecs', 'floor:ecr', 'floor:s3', 'node -e 0']) {
  if (samples.has(name)) rows.push([name, fmt(med[name]), '', '', '', fmtRatio(ratio(med[name], med['node -e 0']))]);
}
const header = ['subject', 'median', 'its floor', 'vs floor (≤1.2)', 'vs official (≤0.75)', 'vs node -e 0'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(line(header));
for (const r of rows) console.log(line(r));
// The same starts in CPU time (every thread, spawn to the first byte): the steadier figure when the host is busy.
const cpuMed = Object.fromEntries([...cpuSamples].map(([k, v]) => [k, median(v)]));
if (cpuMed.official !== undefined) {
  console.log('\nCPU time to the first request (all threads), median:');
  const cpuRows = subjects
    .filter((x) => x.kind === 'action')
    .map((s) => [
      s.name,
      fmt(cpuMed[s.name]),
      fmt(cpuMed[s.floor]),
      fmtRatio(ratio(cpuMed[s.name], cpuMed[s.floor]), 1.2),
      fmtRatio(ratio(cpuMed[s.name], cpuMed.official), 0.75),
    ]);
  for (const name of ['official', 'floor:ecs', 'floor:ecr', 'floor:s3'])
    cpuRows.push([name, fmt(cpuMed[name]), '', '', '']);
  const cpuHeader = ['subject', 'CPU', 'its floor', 'vs floor', 'vs official'];
  const cw = cpuHeader.map((h, i) => Math.max(h.length, ...cpuRows.map((r) => r[i].length)));
  const cline = (cells) => cells.map((c, i) => c.padEnd(cw[i])).join('  ');
  console.log(cline(cpuHeader));
  for (const r of cpuRows) console.log(cline(r));
}
for (const [name, n] of missing)
  console.log(`${name}: ${n} of ${rounds} runs made no AWS request within ${RUN_TIMEOUT_MS} ms`);

proxy.close();
github.close();
await emu.stop();
rmSync(tmp, { recursive: true, force: true });
process.exit(0);
