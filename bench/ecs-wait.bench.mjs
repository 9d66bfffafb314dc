#!/usr/bin/env node
// Latency from "rollout COMPLETED" to "the waiting step exits", and DescribeServices calls, for:
//   - deploy-ecs-wait: the bundled action (actions/deploy-ecs-wait/dist/index.js) run as the runner runs it;
//   - the SDK's waitUntilServicesStable configured as amazon-ecs-deploy-task-definition configures it
//     (minDelay 15 s, maxDelay 600 s), after the same UpdateService calls.
// Everything runs against one in-process emulator; every round deploys 10 services in its own cluster, all rounds
// of both waiters at the same time (so both see the same emulator load).
//
//   pnpm exec node bench/ecs-wait.bench.mjs [--time-scale 1] [--rounds 5] [--services 10]
//   (≈2 min at the default time scale 1, real ECS speed; --time-scale 4 is a ≈25 s smoke run, but it flatters the
//   SDK waiter: its 15 s first delay is real time while the rollout is compressed 4x)
//
// The completion moment is the simulated time the emulator stamped on the last deployment's COMPLETED
// (deployment.updatedAt), mapped back to wall-clock time through the emulator's clock (in-process).
// Both waiters sleep in real time, so latencies are reported in real seconds and, scaled by the time scale, in
// simulated seconds. At time scale 1 (real AWS speed) the SDK waiter's schedule is the same but rollouts are
// T times longer, so its real latency grows; the "modelled at real speed" row samples the SDK waiter's documented
// schedule against the measured rollout duration to show that.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(join(root, 'packages/aws-emulator/package.json'));
const {
  ECSClient,
  UpdateServiceCommand,
  DescribeServicesCommand,
  waitUntilServicesStable,
} = require('@aws-sdk/client-ecs');
const { awsEnvFor, startEmulator, EmulatorControl } = await import('../packages/aws-emulator/src/index.ts');

const { values } = parseArgs({
  options: {
    'time-scale': { type: 'string', default: '1' },
    rounds: { type: 'string', default: '5' },
    services: { type: 'string', default: '10' },
  },
});
const timeScale = Number(values['time-scale']);
const rounds = Number(values.rounds);
const serviceCount = Number(values.services);
const bundle = join(root, 'actions/deploy-ecs-wait/dist/index.js');
if (!existsSync(bundle)) {
  console.error(`no bundle at ${bundle}: node scripts/build.mjs deploy-ecs-wait`);
  process.exit(2);
}

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const emu = await startEmulator({ port: 0, timeScale });
const control = new EmulatorControl(emu.url);
const env = awsEnvFor(emu.url, REGION);
Object.assign(process.env, env);
const clock = emu.runtime.clock;
/** Wall-clock ms of a simulated instant (no advance() happens during the benchmark). */
const realOf = (simMs) => {
  const simNow = clock.now();
  const realNow = Date.now();
  return realNow + (simMs - simNow) / timeScale;
};

const td = (image) => ({
  family: 'web',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  // Fargate pulls a private ECR image with the execution role: the action's preflight (on by default) checks it.
  executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole`,
  containerDefinitions: [{ name: 'app', image, essential: true, portMappings: [{ containerPort: 8000 }] }],
});
const names = Array.from({ length: serviceCount }, (_, i) => `svc-${i}`);
const clusters = (kind) => Array.from({ length: rounds }, (_, r) => `${kind}-${r}`);
const all = [...clusters('ours'), ...clusters('sdk')];
await control.seed({
  // what the preflight reads: the images and the execution role
  repositories: [{ name: 'web', images: [{ tag: 'v1' }, { tag: 'v2' }] }],
  roles: ['ecsTaskExecutionRole'],
  clusters: all,
  taskDefinitions: [
    td(`${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/web:v1`),
    td(`${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/web:v2`),
  ],
  services: all.flatMap((cluster) =>
    names.map((serviceName) => ({
      cluster,
      serviceName,
      taskDefinition: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/web:1`,
      desiredCount: 2,
      launchType: 'FARGATE',
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    })),
  ),
});
await control.clearRequests();
const ecs = new ECSClient({ region: REGION });

async function runOurs(cluster) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-ecs-wait-'));
  const files = {
    GITHUB_OUTPUT: join(dir, 'out'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_STATE: join(dir, 'state'),
  };
  for (const f of Object.values(files)) await writeFile(f, '');
  const start = Date.now();
  const child = spawn(process.execPath, [bundle], {
    env: {
      PATH: process.env.PATH,
      ...env,
      ...files,
      RUNNER_TEMP: dir,
      INPUT_CLUSTER: cluster,
      INPUT_SERVICES: names.join('\n'),
      'INPUT_TASK-DEFINITION': 'web:2',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stdout += d;
  });
  const code = await new Promise((r) => child.on('close', r));
  const exit = Date.now();
  if (code !== 0) throw new Error(`deploy-ecs-wait failed on ${cluster} (exit ${code}):\n${stdout.slice(-3000)}`);
  return { cluster, start, exit };
}

async function runSdk(cluster) {
  const start = Date.now();
  for (const service of names) {
    await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: 'web:2' }));
  }
  const result = await waitUntilServicesStable(
    { client: ecs, maxWaitTime: 600, minDelay: 15, maxDelay: 600 },
    { cluster, services: names },
  );
  const exit = Date.now();
  if (result.state !== 'SUCCESS') throw new Error(`waitUntilServicesStable on ${cluster}: ${result.state}`);
  return { cluster, start, exit };
}

async function measure(run) {
  const out = await ecs.send(new DescribeServicesCommand({ cluster: run.cluster, services: names }));
  let completedSim = 0;
  let createdSim = Number.POSITIVE_INFINITY;
  for (const s of out.services ?? []) {
    const d = s.deployments?.find((x) => x.status === 'PRIMARY');
    if (d?.rolloutState !== 'COMPLETED') throw new Error(`${run.cluster}/${s.serviceName} not COMPLETED`);
    completedSim = Math.max(completedSim, d.updatedAt.getTime());
    createdSim = Math.min(createdSim, d.createdAt.getTime());
  }
  const log = emu.runtime.log.list();
  const calls = log.filter(
    (e) =>
      e.operation === 'DescribeServices' &&
      e.body?.includes(`"cluster":"${run.cluster}"`) &&
      Date.parse(e.time) >= run.start &&
      Date.parse(e.time) <= run.exit,
  ).length;
  const completedReal = realOf(completedSim);
  return {
    ...run,
    latencyMs: run.exit - completedReal,
    rolloutSimS: (completedSim - createdSim) / 1000,
    calls,
    waitS: (run.exit - run.start) / 1000,
  };
}

const started = Date.now();
console.log(
  `ecs-wait benchmark: ${rounds} rounds × ${serviceCount} services per waiter, time scale ${timeScale} (1 real s = ${timeScale} simulated s)`,
);
const [ours, sdk] = await Promise.all([
  Promise.all(clusters('ours').map(runOurs)),
  Promise.all(clusters('sdk').map(runSdk)),
]);
const oursM = await Promise.all(ours.map(measure));
const sdkM = await Promise.all(sdk.map(measure));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (n, d = 2) => n.toFixed(d);

/** The SDK waiter's schedule (smithy util-waiter): check at once, then sleep minDelay, then random in
 *  [minDelay, min(maxDelay, minDelay·2^(attempt-1))]; the latency for a rollout of `d` seconds. */
function sdkModelLatency(d, random) {
  let t = 0;
  let attempt = 1;
  const ceiling = Math.log(600 / 15) / Math.log(2) + 1;
  for (;;) {
    if (t >= d) return t - d;
    const hi = attempt > ceiling ? 600 : Math.min(600, 15 * 2 ** (attempt - 1));
    t += attempt === 1 ? 15 : 15 + random() * (hi - 15);
    attempt += 1;
  }
}
let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const rolloutReal = median(sdkM.map((m) => m.rolloutSimS));
const modelled = median(Array.from({ length: 1001 }, () => sdkModelLatency(rolloutReal, random)));

const row = (name, ms) => {
  const lat = median(ms.map((m) => m.latencyMs)) / 1000;
  const calls = median(ms.map((m) => m.calls));
  const per2s = median(ms.map((m) => (m.calls / m.waitS) * 2));
  return {
    name,
    lat,
    sim: lat * timeScale,
    max: Math.max(...ms.map((m) => m.latencyMs)) / 1000,
    calls,
    per2s,
    wait: median(ms.map((m) => m.waitS)),
  };
};
const a = row('deploy-ecs-wait (dist)', oursM);
const b = row('SDK waitUntilServicesStable 15..600 s', sdkM);
const lines = [
  '| waiter | median latency COMPLETED→exit (real s) | (simulated s) | max (real s) | DescribeServices calls (median) | calls per 2 s | median wait (real s) |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...[a, b].map(
    (r) =>
      `| ${r.name} | ${fmt(r.lat)} | ${fmt(r.sim, 1)} | ${fmt(r.max)} | ${r.calls} | ${fmt(r.per2s)} | ${fmt(r.wait, 1)} |`,
  ),
  `| SDK waiter modelled at real speed (rollout ${fmt(rolloutReal, 0)} s) | ${fmt(modelled, 1)} | – | – | – | – | – |`,
];
console.log(lines.join('\n'));
console.log(`\nratio (SDK / deploy-ecs-wait, median latency, measured): ${fmt(b.lat / a.lat, 1)}x`);
console.log(`ratio (SDK modelled at real speed / deploy-ecs-wait): ${fmt(modelled / a.lat, 1)}x`);
console.log(`rollout duration (simulated, median): ${fmt(rolloutReal, 1)} s; per-round latencies (real s):`);
console.log(`  deploy-ecs-wait: ${oursM.map((m) => fmt(m.latencyMs / 1000)).join(' ')}`);
console.log(`  SDK waiter:      ${sdkM.map((m) => fmt(m.latencyMs / 1000)).join(' ')}`);
// At a compressed time scale the SDK waiter's fixed 15 s first delay (real time) meets a rollout that takes a
// fraction of its real duration, which flatters it; at --time-scale 1 the measured row is the real-speed one.
const goals = [
  [`median latency ≤ 2 s`, a.lat <= 2],
  [`≥ 5x faster than the SDK waiter, measured at time scale ${timeScale}`, b.lat / a.lat >= 5],
  [`≥ 5x faster than the SDK waiter's schedule at real speed (modelled)`, modelled / a.lat >= 5],
  [`≤ 1 DescribeServices call per 2 s for ${serviceCount} services`, a.per2s <= 1.0001],
];
for (const [goal, ok] of goals) console.log(`${ok ? 'PASS' : 'MISS'} ${goal}`);
const resultsDir = join(root, 'bench', 'results');
await mkdir(resultsDir, { recursive: true });
await writeFile(
  join(resultsDir, timeScale === 4 ? 'ecs-wait.json' : `ecs-wait-time-scale-${timeScale}.json`),
  `${JSON.stringify(
    {
      timeScale,
      rounds,
      services: serviceCount,
      rolloutSimulatedSeconds: rolloutReal,
      ours: {
        medianLatencyS: a.lat,
        maxLatencyS: a.max,
        medianCalls: a.calls,
        callsPer2s: a.per2s,
        perRound: oursM.map((m) => m.latencyMs / 1000),
      },
      sdk: {
        medianLatencyS: b.lat,
        maxLatencyS: b.max,
        medianCalls: b.calls,
        callsPer2s: b.per2s,
        perRound: sdkM.map((m) => m.latencyMs / 1000),
      },
      sdkModelledAtRealSpeedS: modelled,
      ratioMeasured: b.lat / a.lat,
      ratioModelled: modelled / a.lat,
      goals: Object.fromEntries(goals),
    },
    null,
    2,
  )}\n`,
);
console.log(`benchmark took ${fmt((Date.now() - started) / 1000, 1)} s`);
await emu.stop();
process.exit(0);
