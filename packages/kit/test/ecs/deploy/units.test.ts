import type { Task } from '@aws-sdk/client-ecs';
import { describe, expect, test } from 'vitest';
import {
  diagnosticsMarkdown,
  diagnosticsText,
  failingContainer,
  type ServiceDiagnostics,
  stoppedByScaling,
  summarizeStoppedTask,
  taskBelongsTo,
} from '../../../src/ecs/deploy/diagnostics';
import { checkHealth, judgeResponse } from '../../../src/ecs/deploy/health-check';
import { parseServiceLines } from '../../../src/ecs/deploy/inputs';
import {
  familyOf,
  knownGoodTags,
  provenanceFromEnv,
  registrationTags,
  revisionOf,
  TAG_KNOWN_GOOD,
  TAG_VERSION,
  tagValue,
} from '../../../src/ecs/deploy/known-good';
import type { DeployReport } from '../../../src/ecs/deploy/model';
import { loadBalancerMismatch } from '../../../src/ecs/deploy/prepare';
import { parseRollbackTo } from '../../../src/ecs/deploy/rollback-target';
import { deployOutputs, deploySummaryMarkdown } from '../../../src/ecs/deploy/summary';
import { ConfigurationError } from '../../../src/runtime/errors';
import { parseHealthCheckUrl } from '../../../src/runtime/inputs/health-check';
import { createFakeClock } from '../../../src/testing';

const arn = (rev: number) => `arn:aws:ecs:us-east-1:000000000000:task-definition/web:${rev}`;

describe('known-good', () => {
  test.each<[string, unknown]>([
    ['known-good', { kind: 'known-good' }],
    ['KNOWN-GOOD', { kind: 'known-good' }],
    ['previous', { kind: 'previous' }],
    ['12', { kind: 'revision', revision: 12 }],
    ['web:3', { kind: 'arn', arn: 'web:3' }],
    [arn(4), { kind: 'arn', arn: arn(4) }],
    ['v1.2.3', { kind: 'version', version: 'v1.2.3' }],
    ['release 2026-01', { kind: 'version', version: 'release 2026-01' }],
  ])('parseRollbackTo(%s)', (raw, expected) => {
    expect(parseRollbackTo('rollback-to', raw)).toEqual(expected);
  });

  test.each(['0', 'arn:aws:ecs:us-east-1:1:service/x', 'bad#value', ' '])('parseRollbackTo rejects %j', (raw) => {
    expect(() => parseRollbackTo('rollback-to', raw)).toThrow(ConfigurationError);
  });

  test('tags: allowed characters, provenance from the GitHub env', () => {
    expect(tagValue('a#b$c')).toBe('a_b_c');
    const p = provenanceFromEnv({
      GITHUB_SHA: 'abc',
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_RUN_ID: '7',
      GITHUB_RUN_ATTEMPT: '2',
    });
    expect(p).toEqual({ commit: 'abc', runUrl: 'https://github.com/o/r/actions/runs/7/attempts/2' });
    expect(registrationTags(p).map((t) => t.key)).toEqual(['deploy-actions:commit', 'deploy-actions:run']);
    const kg = knownGoodTags({ ...p, version: 'v1', now: new Date('2026-01-02T03:04:05Z') });
    expect(kg[0]).toEqual({ key: TAG_KNOWN_GOOD, value: '2026-01-02T03:04:05.000Z' });
    expect(kg.map((t) => t.key)).toContain(TAG_VERSION);
    expect(familyOf(arn(9))).toBe('web');
    expect(revisionOf(arn(9))).toBe(9);
  });
});

describe('diagnostics', () => {
  const crashed: Task = {
    taskArn: 'arn:aws:ecs:us-east-1:0:task/app/abc123',
    taskDefinitionArn: arn(2),
    startedBy: 'ecs-svc/2',
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    stoppedAt: new Date(2000),
    containers: [
      { name: 'sidecar', exitCode: 0 },
      { name: 'app', exitCode: 1, reason: 'OutOfMemoryError: Container killed due to memory usage' },
    ],
  };
  test('summarize, failing container, membership, scale-in', () => {
    const info = summarizeStoppedTask(crashed);
    expect(info.taskId).toBe('abc123');
    expect(failingContainer(info)?.name).toBe('app');
    expect(taskBelongsTo(crashed, 'ecs-svc/2')).toBe(true);
    expect(taskBelongsTo(crashed, 'ecs-svc/1')).toBe(false);
    expect(taskBelongsTo({ taskDefinitionArn: arn(2) }, undefined, arn(2))).toBe(true);
    expect(stoppedByScaling(info)).toBe(false);
    expect(stoppedByScaling({ ...info, stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/3)' })).toBe(
      true,
    );
  });

  test('text and markdown carry reasons, exit codes, log lines, targets', () => {
    const d: ServiceDiagnostics = {
      service: 'api',
      stoppedTasks: [summarizeStoppedTask(crashed)],
      logs: [
        { taskId: 'abc123', container: 'app', group: '/ecs/web', stream: 'ecs/app/abc123', lines: ['boom | here'] },
      ],
      events: [{ id: '1', createdAt: new Date(0), message: '(service api) has started 1 tasks' }],
      unhealthyTargets: [
        {
          targetGroupArn: 'arn:tg/api',
          targetId: '10.0.0.1',
          port: 8000,
          state: 'unhealthy',
          reason: 'Target.ResponseCodeMismatch',
          description: 'Health checks failed with these codes: [400]',
        },
      ],
      errors: ['logs: AccessDenied'],
    };
    const text = diagnosticsText(d).join('\n');
    expect(text).toContain(
      'task abc123 (web:2) stopped: Essential container in task exited; sidecar exit 0, app exit 1 (OutOfMemoryError',
    );
    expect(text).toContain('| boom | here');
    expect(text).toContain('10.0.0.1:8000 unhealthy Target.ResponseCodeMismatch');
    expect(text).toContain('diagnostics incomplete: logs: AccessDenied');
    const md = diagnosticsMarkdown(d);
    expect(md).toContain('app: 1 (OutOfMemoryError');
    expect(md).toContain('boom | here'); // inside a code block, not a table
    expect(md).toContain('Target.ResponseCodeMismatch');
  });
});

describe('health checks', () => {
  test.each<[number, string, number, string | undefined, boolean]>([
    [200, 'ok', 200, undefined, true],
    [200, '{"status":"ok"}', 200, '"ok"', true],
    [200, 'degraded', 200, 'ok', false],
    [503, 'ok', 200, undefined, false],
    [204, '', 204, undefined, true],
  ])('status %i body %j expecting %i/%j', (status, body, expectStatus, bodyContains, ok) => {
    expect(
      judgeResponse({ url: 'http://x', expectStatus, ...(bodyContains ? { bodyContains } : {}) }, status, body) ===
        undefined,
    ).toBe(ok);
  });

  test.each(['not a url', 'ftp://x', 'file:///etc/passwd'])('parseHealthCheckUrl rejects %j', (raw) => {
    expect(() => parseHealthCheckUrl('health-check-url', raw)).toThrow(ConfigurationError);
  });

  test('polls until it passes, with an injected clock and fetch', async () => {
    const clock = createFakeClock();
    let n = 0;
    const fetchImpl = (async () =>
      new Response(++n < 3 ? 'starting' : 'ok', { status: n < 3 ? 503 : 200 })) as typeof fetch;
    const [r] = await checkHealth([{ url: 'http://app/health', expectStatus: 200 }], {
      timeoutMs: 60_000,
      clock,
      fetchImpl,
    });
    expect(r).toMatchObject({ ok: true, attempts: 3 });
    expect(clock.sleeps).toEqual([2000, 2000]);
  });

  test('gives up at the timeout with the last observation', async () => {
    const clock = createFakeClock();
    const fetchImpl = (async () => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') });
    }) as typeof fetch;
    const [r] = await checkHealth([{ url: 'http://app/health', expectStatus: 200 }], {
      timeoutMs: 5000,
      clock,
      fetchImpl,
    });
    expect(r).toMatchObject({ ok: false, last: 'connect ECONNREFUSED 127.0.0.1:9' });
    expect(clock.now()).toBe(5000);
  });
});

test('parseServiceLines', () => {
  expect(parseServiceLines('services', ['api', 'worker=td.json'])).toEqual([
    { service: 'api' },
    { service: 'worker', taskDefinition: 'td.json' },
  ]);
  expect(() => parseServiceLines('services', ['api='])).toThrow(/missing task definition/);
});

describe('summary and outputs', () => {
  const report: DeployReport = {
    status: 'rolled-back',
    cluster: 'app',
    region: 'us-east-1',
    services: [
      {
        service: 'api',
        previousTaskDefinitionArn: arn(1),
        taskDefinitionArn: arn(2),
        registered: true,
        reused: false,
        deploymentId: 'ecs-svc/2',
        status: 'failed',
        reason: '3 consecutive tasks failed',
        ecsRolledBack: false,
        fallback: false,
        rollback: { taskDefinitionArn: arn(1), outcome: 'completed', reason: 'last known-good revision web:1' },
        startedAt: 0,
        finishedAt: 65_000,
        running: 0,
        desired: 2,
        events: [{ id: 'e', createdAt: new Date(1000), message: '(service api) has started 2 tasks' }],
        diffText: '--- web:1\n+++ web:2\n-  "image": "v1"\n+  "image": "v2"\n',
      },
    ],
    healthChecks: [],
    knownGood: [],
    message: 'api: deployment of web:2 failed. api: rolled back to web:1 (rollback succeeded)',
    describeCalls: 9,
    startedAt: 0,
    finishedAt: 70_000,
    rollbackMode: false,
  };
  test('summary rows, rollback, diff, timeline, console link', () => {
    const md = deploySummaryMarkdown(report);
    expect(md).toContain('❌ Deploy failed — rolled back');
    expect(md).toContain('| api | ❌ failed, rolled back to web:1 | web:1 → web:2 (new) | 1m5s | 0/2 |');
    expect(md).toContain('Task definition diff (api)');
    expect(md).toContain('Event timeline (1)');
    expect(md).toContain(
      'https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/app/services/api/deployments?region=us-east-1',
    );
  });
  test('outputs', () => {
    const out = deployOutputs(report);
    expect(out.status).toBe('rolled-back');
    expect(JSON.parse(out.deployments!)).toEqual({
      api: {
        deploymentId: 'ecs-svc/2',
        taskDefinitionArn: arn(2),
        previousTaskDefinitionArn: arn(1),
        status: 'failed',
        rollback: { taskDefinitionArn: arn(1), outcome: 'completed' },
      },
    });
  });
});

describe('loadBalancerMismatch: what UpdateService would reject, found while preparing', () => {
  const app = { name: 'app', portMappings: [{ containerPort: 8000 }] };
  const sidecar = { name: 'envoy', portMappings: [{ containerPort: 9901 }] };
  const lb = (containerName?: string, containerPort?: number) => ({ containerName, containerPort });
  test.each([
    { name: 'no load balancers', lbs: undefined, containers: [app], want: undefined },
    { name: 'container and port present', lbs: [lb('app', 8000)], containers: [sidecar, app], want: undefined },
    {
      name: 'containers unknown (not described): no verdict',
      lbs: [lb('app', 8000)],
      containers: undefined,
      want: undefined,
    },
    { name: 'classic ELB without a container name', lbs: [lb(undefined, 80)], containers: [app], want: undefined },
    {
      name: 'renamed container',
      lbs: [lb('app', 8000)],
      containers: [{ ...app, name: 'web' }, sidecar],
      want: 'its load balancer routes to container "app", which the task definition does not have (containers: web, envoy)',
    },
    {
      name: 'changed port',
      lbs: [lb('app', 8000)],
      containers: [{ name: 'app', portMappings: [{ containerPort: 8080 }] }],
      want: 'its load balancer routes to port 8000 of container "app", which maps no such port (ports: 8080)',
    },
    {
      name: 'no port mappings at all',
      lbs: [lb('app', 8000)],
      containers: [{ name: 'app' }],
      want: 'its load balancer routes to port 8000 of container "app", which maps no such port (ports: none)',
    },
    {
      name: 'second of two target groups broken',
      lbs: [lb('app', 8000), lb('envoy', 15000)],
      containers: [app, sidecar],
      want: 'its load balancer routes to port 15000 of container "envoy", which maps no such port (ports: 9901)',
    },
  ])('$name', ({ lbs, containers, want }) => {
    expect(loadBalancerMismatch(lbs, containers)).toBe(want);
  });
});
