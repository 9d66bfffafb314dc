// Benchmark: delay from a log event being written in the emulator's CloudWatch Logs to the line appearing on the
// run-migration-task bundle's stdout (run as the runner runs it). The emulator runs at timeScale 1 so simulated time
// is real time; the task's PROVISIONING/PENDING phases are skipped with one time advance, whose offset is subtracted
// from the event timestamps.
//   pnpm exec node bench/log-latency.bench.mjs            40 lines over 40 s (about 45 s)
//   BENCH_LINES=20 BENCH_SECONDS=10 pnpm exec node bench/log-latency.bench.mjs
// Needs the bundle: node scripts/build.mjs run-migration-task. Prints median/p95 and writes
// bench/results/log-latency.json.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'actions/run-migration-task/dist/index.js');
if (!existsSync(bundle)) {
  console.error(`no bundle at ${bundle}: run node scripts/build.mjs run-migration-task`);
  process.exit(2);
}
const { awsEnvFor, startEmulator, EmulatorControl } = await import('../packages/aws-emulator/src/index.ts');

const LINES = Number(process.env.BENCH_LINES ?? 40);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 40);
const IMAGE = '000000000000.dkr.ecr.us-east-1.amazonaws.com/web:bench';
const ECSPRESSO_INTERVAL_S = 5;

const emu = await startEmulator({ port: 0, timeScale: 1 });
const control = new EmulatorControl(emu.url);
const awslogs = {
  logDriver: 'awslogs',
  options: { 'awslogs-group': '/ecs/bench', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs' },
};
await control.seed({
  clusters: ['bench'],
  logGroups: ['/ecs/bench'], // ECS validates awslogs groups at task start
  taskDefinitions: [
    {
      family: 'migrate',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      executionRoleArn: 'arn:aws:iam::000000000000:role/bench-execution',
      containerDefinitions: [{ name: 'app', image: IMAGE, essential: true, logConfiguration: awslogs }],
    },
  ],
  services: [
    { cluster: 'bench', serviceName: 'api', taskDefinition: 'migrate:1', desiredCount: 0, launchType: 'FARGATE' },
  ],
});
const messages = Array.from({ length: LINES }, (_, i) => `bench-line ${i}`);
await control.behaviors({ image: IMAGE, run: { logs: messages, exitCode: 0, durationSeconds: SECONDS } });

const dir = await mkdtemp(join(tmpdir(), 'bench-logs-'));
const files = {
  GITHUB_OUTPUT: join(dir, 'output'),
  GITHUB_STEP_SUMMARY: join(dir, 'summary'),
  GITHUB_STATE: join(dir, 'state'),
};
for (const f of Object.values(files)) await writeFile(f, '');
const env = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  ...files,
  RUNNER_TEMP: dir,
  ...awsEnvFor(emu.url),
  INPUT_CLUSTER: 'bench',
  INPUT_SERVICE: 'api',
  'INPUT_TASK-DEFINITION': 'service:current',
  INPUT_CONTAINER: 'app',
  INPUT_COMMAND: 'python manage.py migrate',
};

const arrivals = new Map(); // message -> wall ms when the line reached our stdout reader
let offsetMs; // simulated - wall, after the advance
const started = Date.now();
const child = spawn(process.execPath, [bundle], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
let buffer = '';
let stderr = '';
let advanced = false;
child.stdout.setEncoding('utf8').on('data', (chunk) => {
  const now = Date.now();
  buffer += chunk;
  let nl = buffer.indexOf('\n');
  while (nl !== -1) {
    const line = buffer.slice(0, nl);
    buffer = buffer.slice(nl + 1);
    if (line.startsWith('bench-line ') && !arrivals.has(line)) arrivals.set(line, now);
    if (!advanced && line.startsWith('[ecs] Task status: PROVISIONING')) {
      advanced = true;
      // Skip PROVISIONING (10 s) + PENDING (20 s): lines are then written in real time.
      control.advance(30).then((r) => {
        offsetMs = r.nowMs - Date.now();
      });
    }
    nl = buffer.indexOf('\n');
  }
});
child.stderr.setEncoding('utf8').on('data', (d) => {
  stderr += d;
});
const code = await new Promise((resolve) => child.on('close', resolve));
const wallMs = Date.now() - started;
if (code !== 0) {
  console.error(`bundle exited ${code}\n${stderr.slice(-2000)}`);
  await emu.stop();
  process.exit(1);
}
// GITHUB_OUTPUT in @actions/core's `name<<DELIMITER` … `DELIMITER` form.
const outputs = {};
{
  const lines = (await readFile(files.GITHUB_OUTPUT, 'utf8')).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (!m) continue;
    const value = [];
    while (++i < lines.length && lines[i] !== m[2]) value.push(lines[i]);
    outputs[m[1]] = value.join('\n');
  }
}

// Event timestamps as the emulator recorded them.
// (plain awsJson1_1 call: the bench has no SDK dependency of its own)
const getLogEvents = async (body) => {
  const res = await fetch(emu.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.GetLogEvents' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`GetLogEvents: ${res.status} ${await res.text()}`);
  return res.json();
};
const events = [];
let token;
for (;;) {
  const page = await getLogEvents({
    logGroupName: outputs['log-group'],
    logStreamName: outputs['log-stream'],
    startFromHead: true,
    ...(token ? { nextToken: token } : {}),
  });
  events.push(...(page.events ?? []));
  if (!page.nextForwardToken || page.nextForwardToken === token) break;
  token = page.nextForwardToken;
}
await emu.stop();

const latencies = [];
for (const e of events) {
  const arrived = arrivals.get(e.message);
  if (arrived === undefined) continue;
  latencies.push(Math.round(arrived - (e.timestamp - offsetMs)));
}
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil((p / 100) * latencies.length) - 1))];
const median = pct(50);
const p95 = pct(95);
const missing = messages.filter((m) => !arrivals.has(m)).length;
// ecspresso polls GetLogEvents every 5 s: a line waits uniformly 0..5 s for the next poll (modelled, not run here).
const ecspresso = { medianMs: (ECSPRESSO_INTERVAL_S * 1000) / 2, p95Ms: ECSPRESSO_INTERVAL_S * 1000 * 0.95 };
const result = {
  lines: LINES,
  seconds: SECONDS,
  received: latencies.length,
  missing,
  medianMs: median,
  p95Ms: p95,
  maxMs: latencies[latencies.length - 1],
  minMs: latencies[0],
  wallMs,
  ecspressoModel: ecspresso,
  speedupMedian: Number((ecspresso.medianMs / Math.max(1, median)).toFixed(1)),
  goal: 'median <= 2000 ms',
  pass: median <= 2000 && missing === 0,
};
console.log('log line latency: emulator event written -> line on the action stdout (timeScale 1)');
console.log(`| tool | median | p95 | max | lines |`);
console.log(`| --- | ---: | ---: | ---: | ---: |`);
console.log(
  `| run-migration-task (1 s GetLogEvents poll) | ${median} ms | ${p95} ms | ${result.maxMs} ms | ${latencies.length}/${LINES} |`,
);
console.log(`| ecspresso (5 s poll, modelled) | ${ecspresso.medianMs} ms | ${ecspresso.p95Ms} ms | 5000 ms | - |`);
console.log(
  `median ${result.speedupMedian}x lower than ecspresso's; goal ${result.goal}: ${result.pass ? 'PASS' : 'FAIL'}`,
);
await mkdir(join(root, 'bench', 'results'), { recursive: true });
await writeFile(join(root, 'bench', 'results', 'log-latency.json'), `${JSON.stringify(result, null, 2)}\n`);
process.exit(result.pass ? 0 : 1);
