import type { Deployment, Service } from '@aws-sdk/client-ecs';
import { describe, expect, test } from 'vitest';
import {
  breakerThreshold,
  evaluateRollout,
  type RolloutTarget,
  rolloutStateUnavailableReason,
} from '../../../src/ecs/deploy/rollout-verdict';
import { chunk, newEvents, nextPollDelay, waitForRollouts } from '../../../src/ecs/deploy/rollout-wait';
import { createFakeClock } from '../../../src/testing';

const TD = (rev: number) => `arn:aws:ecs:us-east-1:000000000000:task-definition/web:${rev}`;

function dep(id: string, over: Partial<Deployment> = {}): Deployment {
  return {
    id,
    status: 'PRIMARY',
    taskDefinition: TD(2),
    desiredCount: 2,
    runningCount: 0,
    pendingCount: 0,
    failedTasks: 0,
    rolloutState: 'IN_PROGRESS',
    ...over,
  };
}

function svc(deployments: Deployment[], over: Partial<Service> = {}): Service {
  return {
    serviceName: 'api',
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 2,
    deployments,
    deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    ...over,
  };
}

const target: RolloutTarget = {
  service: 'api',
  deploymentId: 'ecs-svc/2',
  taskDefinitionArn: TD(2),
  startedAt: 0,
  failureThreshold: 3,
};
const noBreaker = { deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: false } } };

describe('breakerThreshold', () => {
  test.each([
    [0, 3],
    [1, 3],
    [2, 3],
    [6, 3],
    [7, 4],
    [10, 5],
    [399, 200],
    [1000, 200],
  ])('desired %i -> %i', (desired, expected) => {
    expect(breakerThreshold(desired)).toBe(expected);
  });
});

describe('evaluateRollout', () => {
  test.each<[string, Service | undefined, string, string?]>([
    ['completed and PRIMARY', svc([dep('ecs-svc/2', { rolloutState: 'COMPLETED', runningCount: 2 })]), 'completed'],
    [
      'in progress with old deployment draining',
      svc([dep('ecs-svc/2', { runningCount: 1 }), dep('ecs-svc/1', { status: 'ACTIVE', taskDefinition: TD(1) })]),
      'in-progress',
    ],
    [
      'FAILED with rollback deployment PRIMARY',
      svc([
        dep('ecs-svc/3', { taskDefinition: TD(1) }),
        dep('ecs-svc/2', {
          status: 'ACTIVE',
          rolloutState: 'FAILED',
          rolloutStateReason: 'circuit breaker: tasks failed',
        }),
      ]),
      'failed',
      'rolled-back',
    ],
    [
      'FAILED without rollback',
      svc([dep('ecs-svc/2', { rolloutState: 'FAILED', rolloutStateReason: 'tasks failed to start' })]),
      'failed',
      'rollout-failed',
    ],
    [
      'replaced by a newer deployment',
      svc([dep('ecs-svc/9', { taskDefinition: TD(3) }), dep('ecs-svc/2', { status: 'ACTIVE' })]),
      'failed',
      'replaced',
    ],
    ['deployment gone', svc([dep('ecs-svc/9', { rolloutState: 'COMPLETED' })]), 'failed', 'missing'],
    [
      'deployment gone after a breaker failure (events say so), rollback on',
      svc([dep('ecs-svc/1', { taskDefinition: TD(1), rolloutState: 'COMPLETED' })], {
        events: [
          { message: '(service api) rolling back to deployment ecs-svc/1.', createdAt: new Date(2000) },
          {
            message: '(service api) (deployment ecs-svc/2) deployment failed: tasks failed to start.',
            createdAt: new Date(1000),
          },
        ],
      }),
      'failed',
      'rolled-back',
    ],
    [
      "deployment gone, another deployment's breaker failure in the events: still missing",
      svc([dep('ecs-svc/9', { rolloutState: 'COMPLETED' })], {
        events: [{ message: '(service api) (deployment ecs-svc/7) deployment failed: tasks failed to start.' }],
      }),
      'failed',
      'missing',
    ],
    [
      'deployment gone after a breaker failure, breaker without rollback',
      svc([dep('ecs-svc/1', { taskDefinition: TD(1) })], {
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } },
        events: [{ message: '(service api) (deployment ecs-svc/2) deployment failed: tasks failed to start.' }],
      }),
      'failed',
      'rollout-failed',
    ],
    ['service missing', undefined, 'failed', 'service-gone'],
    ['service draining', svc([dep('ecs-svc/2')], { status: 'DRAINING' }), 'failed', 'service-gone'],
    [
      'COMPLETED counts look fine but it is not PRIMARY',
      svc([dep('ecs-svc/9'), dep('ecs-svc/2', { status: 'ACTIVE', rolloutState: 'COMPLETED', runningCount: 2 })]),
      'failed',
      'replaced',
    ],
    ['no breaker: 3 failed tasks', svc([dep('ecs-svc/2', { failedTasks: 3 })], noBreaker), 'failed', 'failed-tasks'],
    ['no breaker: 2 failed tasks', svc([dep('ecs-svc/2', { failedTasks: 2 })], noBreaker), 'in-progress'],
    ['breaker on: failed tasks left to ECS', svc([dep('ecs-svc/2', { failedTasks: 5 })]), 'in-progress'],
    [
      'CODE_DEPLOY controller falls back to counts (stable)',
      svc([dep('ecs-svc/2', { rolloutState: undefined, runningCount: 2 })], {
        deploymentController: { type: 'CODE_DEPLOY' },
      }),
      'completed',
    ],
    [
      'no rolloutState, two deployments: not stable',
      svc([dep('ecs-svc/2', { rolloutState: undefined, runningCount: 2 }), dep('ecs-svc/1', { status: 'ACTIVE' })]),
      'in-progress',
    ],
  ])('%s', (_name, service, state, kind) => {
    const verdict = evaluateRollout(service, target);
    expect(verdict.state).toBe(state);
    if (kind) expect(verdict.state === 'failed' && verdict.kind).toBe(kind);
  });

  test('a breaker rollback finished between two polls still reads as ECS rolling back, with the reason', () => {
    const v = evaluateRollout(
      svc([dep('ecs-svc/1', { taskDefinition: TD(1), rolloutState: 'COMPLETED' })], {
        events: [
          { message: '(service api) rolling back to deployment ecs-svc/1.', createdAt: new Date(2000) },
          {
            message: '(service api) (deployment ecs-svc/2) deployment failed: tasks failed to start.',
            createdAt: new Date(1000),
          },
        ],
      }),
      target,
    );
    expect(v).toMatchObject({
      state: 'failed',
      kind: 'rolled-back',
      ecsRolledBack: true,
      rollbackTaskDefinitionArn: TD(1),
      reason: 'ECS deployment circuit breaker: tasks failed to start; ECS rolled back to web:1',
    });
  });

  test('rolled-back names the revision ECS went back to and the reason', () => {
    const v = evaluateRollout(
      svc([
        dep('ecs-svc/3', { taskDefinition: TD(1) }),
        dep('ecs-svc/2', {
          status: 'ACTIVE',
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker',
        }),
      ]),
      target,
    );
    expect(v).toMatchObject({ state: 'failed', ecsRolledBack: true, rollbackTaskDefinitionArn: TD(1) });
    expect(v.state === 'failed' && v.reason).toContain('ECS rolled back to web:1');
    expect(v.state === 'failed' && v.reason).toContain('circuit breaker');
  });

  test('progress line puts the new deployment first with counts', () => {
    const v = evaluateRollout(
      svc([
        dep('ecs-svc/1', { status: 'ACTIVE', taskDefinition: TD(1), runningCount: 2, rolloutState: 'COMPLETED' }),
        dep('ecs-svc/2', { runningCount: 1, pendingCount: 1 }),
      ]),
      target,
    );
    expect(v.progress).toBe(
      'api: new web:2 (2) IN_PROGRESS running 1/2 pending 1; active web:1 (1) COMPLETED running 2/2',
    );
  });
});

describe('rolloutStateUnavailableReason', () => {
  test.each<[Partial<Service>, boolean]>([
    [{}, false],
    [{ deploymentController: { type: 'ECS' } }, false],
    [{ deploymentController: { type: 'EXTERNAL' } }, true],
    [{ loadBalancers: [{ loadBalancerName: 'classic', containerName: 'web', containerPort: 80 }] }, true],
    [{ loadBalancers: [{ targetGroupArn: 'arn:tg', containerName: 'web', containerPort: 80 }] }, false],
  ])('%j -> unavailable=%s', (service, unavailable) => {
    expect(rolloutStateUnavailableReason(service as Service) !== undefined).toBe(unavailable);
  });
});

describe('nextPollDelay', () => {
  test.each<[number | undefined, boolean, number]>([
    [undefined, false, 1000],
    [1000, false, 1500],
    [1500, false, 2250],
    [4000, false, 5000],
    [5000, false, 5000],
    [5000, true, 2000],
    [1000, true, 2000],
  ])('prev %s changed %s -> %i', (prev, changed, expected) => {
    expect(nextPollDelay(prev, changed)).toBe(expected);
  });
});

test('chunk splits into batches of 10', () => {
  expect(chunk([...Array(23).keys()], 10).map((c) => c.length)).toEqual([10, 10, 3]);
});

test('newEvents: unseen, since the update, oldest first', () => {
  const seen = new Set<string>(['e1']);
  const events = [
    { id: 'e4', createdAt: new Date(4000), message: 'four' },
    { id: 'e3', createdAt: new Date(3000), message: 'three' },
    { id: 'e1', createdAt: new Date(2500), message: 'one' },
    { id: 'e0', createdAt: new Date(100), message: 'old' },
  ];
  expect(newEvents(events, seen, 2000).map((e) => e.id)).toEqual(['e3', 'e4']);
  expect(newEvents(events, seen, 2000)).toEqual([]);
});

describe('waitForRollouts', () => {
  test('batches ≤10 services per call and finishes when all complete', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `s${i}`);
    const clock = createFakeClock();
    let polls = 0;
    const batchSizes: number[] = [];
    const result = await waitForRollouts({
      targets: names.map((service) => ({ ...target, service })),
      clock,
      timeoutMs: 60_000,
      describe: async (list) => {
        batchSizes.push(list.length);
        polls += 1;
        return list.map((serviceName) =>
          svc([dep('ecs-svc/2', { rolloutState: polls > 4 ? 'COMPLETED' : 'IN_PROGRESS' })], { serviceName }),
        );
      },
    });
    expect(result.results.every((r) => r.outcome === 'completed')).toBe(true);
    expect(Math.max(...batchSizes)).toBe(10);
    expect(result.describeCalls).toBe(batchSizes.length);
  });

  test('times out with the last verdict and never sleeps past the deadline', async () => {
    const clock = createFakeClock();
    const result = await waitForRollouts({
      targets: [target],
      clock,
      timeoutMs: 30_000,
      describe: async () => [svc([dep('ecs-svc/2')])],
    });
    expect(result.timedOut).toBe(true);
    expect(result.results[0]!.outcome).toBe('timeout');
    expect(clock.now()).toBe(30_000);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(5000);
  });

  test('one failure does not stop waiting for the others', async () => {
    const clock = createFakeClock();
    let n = 0;
    const result = await waitForRollouts({
      targets: [target, { ...target, service: 'worker' }],
      clock,
      timeoutMs: 60_000,
      describe: async () => {
        n += 1;
        return [
          svc([dep('ecs-svc/2', { rolloutState: 'FAILED' })]),
          svc([dep('ecs-svc/2', { rolloutState: n > 3 ? 'COMPLETED' : 'IN_PROGRESS' })], { serviceName: 'worker' }),
        ];
      },
    });
    expect(result.results.map((r) => r.outcome)).toEqual(['failed', 'completed']);
  });

  test('abort mid-sleep settles as cancelled promptly', async () => {
    const clock = createFakeClock({ autoAdvance: false });
    const controller = new AbortController();
    const p = waitForRollouts({
      targets: [target],
      clock,
      signal: controller.signal,
      timeoutMs: 60_000,
      describe: async () => [svc([dep('ecs-svc/2', { runningCount: 1 })])],
    });
    await new Promise((r) => setTimeout(r, 10));
    controller.abort(new Error('received SIGINT'));
    const result = await p;
    expect(result.cancelled).toBe(true);
    expect(result.results[0]!.outcome).toBe('cancelled');
    expect(result.results[0]!.verdict.progress).toContain('running 1/2');
  });

  test('prints new events once and progress at most every 10 s', async () => {
    const clock = createFakeClock();
    const events: string[] = [];
    const progress: number[] = [];
    let n = 0;
    await waitForRollouts({
      targets: [target],
      clock,
      timeoutMs: 60_000,
      onEvent: (_s, e) => events.push(e.message ?? ''),
      onProgress: () => progress.push(clock.now()),
      describe: async () => {
        n += 1;
        return [
          svc([dep('ecs-svc/2', { rolloutState: n > 20 ? 'COMPLETED' : 'IN_PROGRESS' })], {
            events: [
              {
                id: `e${Math.min(n, 3)}`,
                createdAt: new Date(Math.min(n, 3) * 1000),
                message: `event ${Math.min(n, 3)}`,
              },
            ],
          }),
        ];
      },
    });
    expect(events).toEqual(['event 1', 'event 2', 'event 3']);
    for (let i = 1; i < progress.length; i++) expect(progress[i]! - progress[i - 1]!).toBeGreaterThanOrEqual(10_000);
  });
});
