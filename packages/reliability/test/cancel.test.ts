// Cancellation of every action that waits, at each phase: before anything changed, during the updates, during the
// wait. The signal is sent when the bundle is at that phase — the emulator has received the call that marks it and
// holds it (latency on that one operation) — never after a fixed delay. Each run must exit within 7.5 s of SIGINT
// (the runner's SIGTERM follows then), write its outputs and summary, and leave AWS as its report says.
// SIGKILL (what the runner sends last) is followed by the post step, which must stop the migration left running.
import { join } from 'node:path';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { type EmulatorControl, sdkClientConfig, useEmulator } from '@deploy-actions/aws-emulator';
import { REPO_ROOT, type RunActionBundleResult, runActionBundle } from '@deploy-actions/kit/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deployEcs, deployEcsWait, readEndState, runMigrationTask, type Scenario, syncSpa } from '../src/index';

const emu = useEmulator({ timeScale: 100 }, { beforeAll, afterAll });
/** The runner sends SIGTERM 7.5 s after SIGINT: everything must be written before. */
const RUNNER_GRACE_MS = 7500;

/** True once the emulator has received `count` calls of `operation` (it may still be holding the last one). */
const received =
  (control: EmulatorControl, operation: string, count = 1) =>
  async () =>
    (await control.requests()).filter((e) => e.operation === operation).length >= count;

interface Phase {
  name: string;
  /** Held operation (latency) that keeps the bundle in this phase while the signal arrives. */
  hold?: { operation: string; ms: number };
  /** A service behaviour that keeps rollouts in progress. */
  slowRollout?: boolean;
  /** Migrations that run an hour (so they are still running when the step is cancelled or killed). */
  longTask?: boolean;
  when: (control: EmulatorControl) => () => Promise<boolean>;
}

async function cancelAt(scenario: Scenario, phase: Phase, signal: NodeJS.Signals = 'SIGINT') {
  await emu.control.faults({});
  const prepared = await scenario.prepare({ emu });
  if (phase.slowRollout) await emu.control.behaviors({ image: '*:v2', service: 'slowStart' });
  if (phase.longTask) {
    const run = { logs: ['migrating...'], exitCode: 0, durationSeconds: 3600 };
    await emu.control.behaviors([
      { image: '*:v2', run },
      { image: '*/web:v1', run },
    ]);
  }
  await emu.control.clearRequests();
  if (phase.hold) {
    await emu.control.faults({ latencyMs: [phase.hold.ms, phase.hold.ms], operations: [phase.hold.operation] });
  }
  const r = await runActionBundle({
    timeoutMs: 60_000,
    ...prepared,
    env: { ...emu.env, ...prepared.env },
    signalWhen: phase.when(emu.control),
    signal,
  });
  await emu.control.faults({});
  return r;
}

function expectPromptExit(r: RunActionBundleResult): void {
  expect(r.signalledAtMs, 'the signal was sent').toBeDefined();
  expect(r.code, r.stdout.slice(-2000)).not.toBe(0);
  expect(r.durationMs - r.signalledAtMs!).toBeLessThan(RUNNER_GRACE_MS);
}

/** Each service is where the deploy's `deployments` output says it is. */
async function expectAwsAsReported(r: RunActionBundleResult): Promise<void> {
  const reported = JSON.parse(r.outputs.deployments ?? '{}') as Record<string, Record<string, any>>;
  const ecs = new ECSClient(sdkClientConfig(emu.url));
  const names = Object.keys(reported);
  expect(names.length, 'deployments output').toBeGreaterThan(0);
  const out = await ecs.send(new DescribeServicesCommand({ cluster: 'app', services: names }));
  ecs.destroy();
  for (const svc of out.services ?? []) {
    const d = reported[svc.serviceName!]!;
    const primary = svc.deployments?.find((x) => x.status === 'PRIMARY');
    const expected =
      d.status === 'reverted'
        ? d.rollback?.taskDefinitionArn
        : d.status === 'not-started'
          ? d.previousTaskDefinitionArn
          : d.taskDefinitionArn;
    if (d.status === 'not-started' && expected) expect(primary?.taskDefinition, svc.serviceName).toBe(expected);
    if (d.status === 'not-started') expect(svc.deployments, `${svc.serviceName} untouched`).toHaveLength(1);
    else expect(primary?.taskDefinition, `${svc.serviceName} (${d.status})`).toBe(expected);
  }
}

/** Polled after every service was updated: DescribeServices received after the last of `updates` UpdateService. */
const polling = (updates: number) => (c: EmulatorControl) => async () => {
  const log = await c.requests();
  const last = log.map((e) => e.operation).lastIndexOf('UpdateService');
  const count = log.filter((e) => e.operation === 'UpdateService').length;
  return count >= updates && log.slice(last + 1).some((e) => e.operation === 'DescribeServices');
};

const ecsPhases = (updates: number): Phase[] => [
  {
    name: 'before changes (prepare reading the services)',
    hold: { operation: 'DescribeServices', ms: 1500 },
    when: (c) => received(c, 'DescribeServices'),
  },
  {
    name: 'during the updates (the second UpdateService on the wire)',
    hold: { operation: 'UpdateService', ms: 800 },
    when: (c) => received(c, 'UpdateService', 2),
  },
  { name: 'during the wait (the rollouts polled)', slowRollout: true, when: polling(updates) },
];

describe.each([
  { scenario: deployEcsWait, updates: 3 },
  { scenario: deployEcs, updates: 2 },
])('SIGINT: $scenario.action', ({ scenario, updates }) => {
  test.each(ecsPhases(updates))('$name: prompt exit, outputs and summary, AWS as reported', async (phase) => {
    const r = await cancelAt(scenario, phase);
    expectPromptExit(r);
    expect(r.outputs.status).toBe('cancelled');
    expect(r.summary).toMatch(/Deploy cancelled/);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/^Cancelled/);
    expect(r.errors[0]).not.toContain('Request aborted');
    if (phase.name.startsWith('before')) expect(r.errors[0]).toContain('nothing was deployed');
    await expectAwsAsReported(r);
  });
});

describe('SIGINT: deploy-ecs during its migration (before any service is updated)', () => {
  test('the migration task is stopped, nothing deployed, outputs and summary', async () => {
    const r = await cancelAt(deployEcs, {
      name: 'migration',
      longTask: true,
      when: (c) => received(c, 'DescribeTasks'),
    });
    expectPromptExit(r);
    expect(r.outputs.status).toBe('cancelled');
    expect(r.outputs['migration-task-arn']).toMatch(/:task\/app\//);
    expect(r.errors[0]).toMatch(
      /^Cancelled \(received SIGINT\) before any service was updated: nothing was deployed\. Migration cancelled/,
    );
    const state = await readEndState(emu.url);
    expect(state.runningOneOffTasks).toEqual({ app: 0 });
    expect(state.services).toMatchObject({ 'app/api': { taskDefinition: 'web:1' } });
  });
});

describe('SIGINT: run-migration-task', () => {
  test('before changes (prepare reading the service): nothing started, said plainly', async () => {
    const r = await cancelAt(runMigrationTask, {
      name: 'before',
      hold: { operation: 'DescribeServices', ms: 1500 },
      when: (c) => received(c, 'DescribeServices'),
    });
    expectPromptExit(r);
    expect(r.errors).toEqual([expect.stringMatching(/^Cancelled \(received SIGINT\) before the task was started/)]);
    expect(r.summary).toMatch(/cancelled/i);
    expect((await emu.control.requests()).filter((e) => e.operation === 'RunTask')).toEqual([]);
  });

  test('during the wait (task running): the task is stopped, outputs and summary', async () => {
    const r = await cancelAt(runMigrationTask, {
      name: 'wait',
      longTask: true,
      when: (c) => received(c, 'DescribeTasks'),
    });
    expectPromptExit(r);
    expect(r.outputs['task-arn']).toMatch(/:task\/app\//);
    expect(r.summary).toContain('cancelled (task stopped)');
    expect((await readEndState(emu.url)).runningOneOffTasks).toEqual({ app: 0 });
  });
});

describe('SIGKILL, then the post step: run-migration-task', () => {
  const post = (r: RunActionBundleResult) =>
    runActionBundle({
      action: 'run-migration-task',
      bundlePath: join(REPO_ROOT, 'actions', 'run-migration-task', 'dist', 'post', 'index.js'),
      env: {
        ...emu.env,
        ...Object.fromEntries(Object.entries(r.state).map(([k, v]) => [`STATE_${k}`, v])),
      },
    });

  test('killed while the task runs: the post step stops it', async () => {
    const r = await cancelAt(
      runMigrationTask,
      { name: 'wait', longTask: true, when: (c) => received(c, 'DescribeTasks') },
      'SIGKILL',
    );
    expect(r.signal).toBe('SIGKILL');
    expect((await readEndState(emu.url)).runningOneOffTasks).toEqual({ app: 1 });
    const p = await post(r);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain(`Stopped task ${r.state.taskArn}`);
    expect((await readEndState(emu.url)).runningOneOffTasks).toEqual({ app: 0 });
  });

  test('killed while RunTask was on the wire (no task ARN saved): the post step finds the task and stops it', async () => {
    const r = await cancelAt(
      runMigrationTask,
      {
        name: 'runtask',
        longTask: true,
        hold: { operation: 'RunTask', ms: 1000 },
        when: (c) => received(c, 'RunTask'),
      },
      'SIGKILL',
    );
    expect(r.state.taskArn).toBeUndefined();
    expect(r.state.runTask).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 1200)); // the emulator applies the RunTask it was holding
    expect((await readEndState(emu.url)).runningOneOffTasks).toEqual({ app: 1 });
    const p = await post(r);
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/Stopped task .*: the main step ended right after starting it/);
    expect((await readEndState(emu.url)).runningOneOffTasks).toEqual({ app: 0 });
  });
});

describe('SIGINT: sync-spa-cloudfront', () => {
  const spa = syncSpa(20, { invalidationSeconds: 3600 });
  const phases: Phase[] = [
    {
      name: 'before changes (reading the bucket)',
      hold: { operation: 'ListObjectsV2', ms: 1500 },
      when: (c) => received(c, 'ListObjectsV2'),
    },
    { name: 'during the uploads', hold: { operation: 'PutObject', ms: 800 }, when: (c) => received(c, 'PutObject') },
    { name: 'during the invalidation wait', when: (c) => received(c, 'GetInvalidation') },
  ];
  const runs = new Map<string, RunActionBundleResult>();
  for (const phase of phases) {
    test(`${phase.name}: prompt exit with one error line`, async () => {
      const r = await cancelAt(spa, phase);
      runs.set(phase.name, r);
      expectPromptExit(r);
      expect(r.errors).toHaveLength(1);
    });
    test(`${phase.name}: summary written, the cancel said plainly with what stands`, () => {
      const r = runs.get(phase.name)!;
      expect(r.errors[0]).toMatch(/^Cancelled \(.*\) while /);
      expect(r.errors[0]).not.toContain('Request aborted');
      expect(r.summary).toContain('sync-spa-cloudfront cancelled');
    });
  }
});

// The runner sends SIGTERM when a job is cancelled on some runners and after SIGINT's grace on others: the same
// handling as SIGINT, during the wait of each action that waits.
describe('SIGTERM during the wait', () => {
  test('deploy-ecs-wait: prompt exit, cancelled with outputs and summary, AWS as reported', async () => {
    const r = await cancelAt(deployEcsWait, { name: 'wait', slowRollout: true, when: polling(3) }, 'SIGTERM');
    expectPromptExit(r);
    expect(r.outputs.status).toBe('cancelled');
    expect(r.summary).toMatch(/Deploy cancelled/);
    expect(r.errors[0]).toMatch(/^Cancelled/);
    await expectAwsAsReported(r);
  });

  test('run-migration-task: the task is stopped, outputs and summary', async () => {
    const r = await cancelAt(
      runMigrationTask,
      { name: 'wait', longTask: true, when: (c) => received(c, 'DescribeTasks') },
      'SIGTERM',
    );
    expectPromptExit(r);
    expect(r.outputs['task-arn']).toMatch(/:task\/app\//);
    expect(r.summary).toContain('cancelled (task stopped)');
    expect((await readEndState(emu.url)).runningOneOffTasks).toEqual({ app: 0 });
  });

  test('sync-spa-cloudfront: prompt exit with one error line', async () => {
    const r = await cancelAt(
      syncSpa(20, { invalidationSeconds: 3600 }),
      { name: 'invalidation', when: (c) => received(c, 'GetInvalidation') },
      'SIGTERM',
    );
    expectPromptExit(r);
    expect(r.errors).toHaveLength(1);
  });
});
