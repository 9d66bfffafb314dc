// Rollout simulation: healthy updates, every failure behaviour with and without the circuit breaker / rollback,
// one-off tasks with logs over time, StopTask mid-run. Time moves by explicit advances (timeScale 1).
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type Service,
  StopTaskCommand,
  type Task,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, test } from 'vitest';
import { breakerThreshold } from '../src/services/ecs-deployment-sim.ts';
import { fargateRun, fargateTd, harness, seededService, useHarness } from './ecs-helpers.ts';

const h = useHarness();

const TG = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/api-tg/0123456789abcdef';

async function seed(
  opts: {
    breaker?: { enable: boolean; rollback: boolean };
    lb?: boolean;
    desired?: number;
    td?: ReturnType<typeof fargateTd>;
  } = {},
) {
  await h.control('seed', {
    clusters: ['prod'],
    taskDefinitions: [opts.td ?? fargateTd('api', 'repo/app:v1')],
    ...(opts.lb
      ? { targetGroups: [{ targetGroupArn: TG, targetGroupName: 'api-tg', port: 8080, healthCheckPath: '/health' }] }
      : {}),
    services: [
      seededService({
        desiredCount: opts.desired ?? 2,
        ...(opts.breaker ? { deploymentConfiguration: { deploymentCircuitBreaker: opts.breaker } } : {}),
        ...(opts.lb
          ? {
              loadBalancers: [{ targetGroupArn: TG, containerName: 'app', containerPort: 8080 }],
              healthCheckGracePeriodSeconds: 0,
            }
          : {}),
      }),
    ],
  });
}

async function svc(): Promise<Service> {
  const out = await h.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['api'] }));
  return out.services?.[0] as Service;
}

async function deploy(image: string, extra: Parameters<typeof fargateTd>[2] = {}) {
  const reg = await h.ecs.send(new RegisterTaskDefinitionCommand(fargateTd('api', image, extra)));
  const out = await h.ecs.send(
    new UpdateServiceCommand({
      cluster: 'prod',
      service: 'api',
      taskDefinition: reg.taskDefinition?.taskDefinitionArn,
    }),
  );
  const primary = out.service?.deployments?.find((d) => d.status === 'PRIMARY');
  return { primaryId: primary?.id as string, tdArn: reg.taskDefinition?.taskDefinitionArn as string, response: out };
}

/** Seeds the service, then deploys `repo/app:<tag>` with the emulator told to make that tag behave as `behavior`. */
async function deployMisbehaving(
  behavior: string,
  tag: string,
  seedOptions: Parameters<typeof seed>[0] = {},
  extra: Parameters<typeof deploy>[1] = {},
) {
  await seed(seedOptions);
  await h.control('behaviors', { image: `*:${tag}`, service: behavior });
  return deploy(`repo/app:${tag}`, extra);
}

async function stoppedTasks(startedBy?: string): Promise<Task[]> {
  const list = await h.ecs.send(
    new ListTasksCommand({
      cluster: 'prod',
      serviceName: 'api',
      desiredStatus: 'STOPPED',
      ...(startedBy ? { startedBy } : {}),
    }),
  );
  if (!list.taskArns?.length) return [];
  const out = await h.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: list.taskArns.slice(0, 100) }));
  return out.tasks ?? [];
}

const messages = (s: Service) => (s.events ?? []).map((e) => e.message as string);

test.each([
  [1, 3],
  [2, 3],
  [6, 3],
  [7, 4],
  [10, 5],
  [400, 200],
  [1000, 200],
])('circuit breaker threshold for desired %i is %i', (desired, threshold) => {
  expect(breakerThreshold(desired)).toBe(threshold);
});

describe('seeded service', () => {
  test('starts at steady state with RUNNING tasks and a COMPLETED deployment', async () => {
    await seed();
    const s = await svc();
    expect(s.status).toBe('ACTIVE');
    expect(s.runningCount).toBe(2);
    expect(s.deployments).toHaveLength(1);
    expect(s.deployments?.[0]).toMatchObject({
      status: 'PRIMARY',
      rolloutState: 'COMPLETED',
      runningCount: 2,
      desiredCount: 2,
      failedTasks: 0,
    });
    expect(messages(s)[0]).toBe('(service api) has reached a steady state.');
    const list = await h.ecs.send(new ListTasksCommand({ cluster: 'prod', serviceName: 'api' }));
    const tasks =
      (await h.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: list.taskArns ?? [] }))).tasks ?? [];
    expect(tasks).toHaveLength(2);
    for (const t of tasks) {
      expect(t.lastStatus).toBe('RUNNING');
      expect(t.group).toBe('service:api');
      expect(t.startedBy).toBe(s.deployments?.[0]?.id);
      expect(t.taskArn).toMatch(/^arn:aws:ecs:us-east-1:000000000000:task\/prod\/[0-9a-f]{32}$/);
      expect(t.attachments?.[0]?.type).toBe('ElasticNetworkInterface');
      const details = Object.fromEntries((t.attachments?.[0]?.details ?? []).map((d) => [d.name, d.value]));
      expect(details.privateIPv4Address).toMatch(/^10\.0\.\d+\.\d+$/);
      expect(details.networkInterfaceId).toMatch(/^eni-/);
      expect(t.containers?.[0]?.runtimeId).toMatch(new RegExp(`^${t.taskArn?.split('/').pop()}-\\d+$`));
    }
  });
});

describe('healthy rollout', () => {
  test('PRIMARY → COMPLETED with the right counts, events and drained old tasks', async () => {
    await seed();
    const before = await svc();
    const oldId = before.deployments?.[0]?.id as string;
    const { primaryId, tdArn, response } = await deploy('repo/app:v2');
    expect(primaryId).toMatch(/^ecs-svc\/\d{19}$/);
    expect(response.service?.deployments?.map((d) => [d.id, d.status, d.rolloutState])).toEqual([
      [primaryId, 'PRIMARY', 'IN_PROGRESS'],
      [oldId, 'ACTIVE', 'COMPLETED'],
    ]);
    expect(response.service?.deployments?.[0]?.rolloutStateReason).toBe(`ECS deployment ${primaryId} in progress.`);
    expect(response.service?.taskDefinition).toBe(tdArn);

    await h.advance(1);
    let s = await svc();
    expect(s.deployments?.[0]).toMatchObject({ pendingCount: 2, runningCount: 0, desiredCount: 2 });
    expect(s.runningCount).toBe(2);
    expect(messages(s)[0]).toMatch(
      /^\(service api\) has started 2 tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$/,
    );

    await h.advance(30); // RUNNING at 30 s
    s = await svc();
    expect(s.deployments?.[0]).toMatchObject({ runningCount: 2, pendingCount: 0 });
    expect(s.deployments?.[0]?.rolloutState).toBe('IN_PROGRESS');

    await h.advance(8); // healthy at 35 s, old tasks told to stop
    s = await svc();
    expect(s.deployments?.[0]?.rolloutState).toBe('IN_PROGRESS');
    expect(messages(s).some((m) => /has stopped 1 running tasks: \(task [0-9a-f]{32}\)\./.test(m))).toBe(true);

    await h.advance(10); // old tasks STOPPED at ~45 s
    s = await svc();
    expect(s.deployments).toHaveLength(1);
    expect(s.deployments?.[0]).toMatchObject({
      id: primaryId,
      status: 'PRIMARY',
      rolloutState: 'COMPLETED',
      runningCount: 2,
      failedTasks: 0,
    });
    expect(s.deployments?.[0]?.rolloutStateReason).toBe(`ECS deployment ${primaryId} completed.`);
    expect(s.runningCount).toBe(2);
    expect(messages(s).slice(0, 2)).toEqual([
      '(service api) has reached a steady state.',
      `(service api) (deployment ${primaryId}) deployment completed.`,
    ]);
    const old = await stoppedTasks(oldId);
    expect(old).toHaveLength(2);
    for (const t of old) {
      expect(t.lastStatus).toBe('STOPPED');
      expect(t.stopCode).toBe('ServiceSchedulerInitiated');
      expect(t.stoppedReason).toBe(`Scaling activity initiated by (deployment ${primaryId})`);
      expect(t.containers?.[0]?.exitCode).toBe(143);
    }
  });

  test('behind a load balancer: targets go initial → healthy, old ones drain', async () => {
    await seed({ lb: true });
    const health = async () =>
      ((await h.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: TG }))).TargetHealthDescriptions ?? []).map(
        (d) => [d.TargetHealth?.State, d.TargetHealth?.Reason],
      );
    expect(await health()).toEqual([
      ['healthy', undefined],
      ['healthy', undefined],
    ]);
    const { primaryId } = await deploy('repo/app:v2');
    await h.advance(31);
    expect((await health()).filter(([s]) => s === 'initial')).toEqual([
      ['initial', 'Elb.RegistrationInProgress'],
      ['initial', 'Elb.RegistrationInProgress'],
    ]);
    await h.advance(15); // healthy at 45 s
    const h2 = await health();
    expect(h2.filter(([s]) => s === 'draining')).toEqual([
      ['draining', 'Target.DeregistrationInProgress'],
      ['draining', 'Target.DeregistrationInProgress'],
    ]);
    expect((await svc()).deployments?.[0]?.rolloutState).toBe('IN_PROGRESS');
    await h.advance(25); // drain 10 + stopping 5 + deprovisioning 5
    const s = await svc();
    expect(s.deployments).toHaveLength(1);
    expect(s.deployments?.[0]).toMatchObject({ id: primaryId, rolloutState: 'COMPLETED' });
    expect(messages(s)).toContain('(service api) has begun draining connections on 1 tasks.');
    expect(messages(s)).toContain(`(service api) deregistered 1 targets in (target-group ${TG})`);
    expect(messages(s)).toContain(`(service api) registered 1 targets in (target-group ${TG})`);
    expect(await health()).toEqual([
      ['healthy', undefined],
      ['healthy', undefined],
    ]);
  });

  test('changing only desiredCount scales the PRIMARY without a new deployment', async () => {
    await seed();
    const id = (await svc()).deployments?.[0]?.id;
    const out = await h.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', desiredCount: 3 }));
    expect(out.service?.deployments?.map((d) => d.id)).toEqual([id]);
    await h.advance(40);
    const s = await svc();
    expect(s.deployments).toHaveLength(1);
    expect(s.runningCount).toBe(3);
    expect(s.deployments?.[0]).toMatchObject({ id, desiredCount: 3, runningCount: 3, rolloutState: 'COMPLETED' });
  });

  test('the same task definition without forceNewDeployment keeps the COMPLETED PRIMARY', async () => {
    await seed();
    const s0 = await svc();
    const out = await h.ecs.send(
      new UpdateServiceCommand({ cluster: 'prod', service: 'api', taskDefinition: s0.taskDefinition }),
    );
    expect(out.service?.deployments).toHaveLength(1);
    expect(out.service?.deployments?.[0]).toMatchObject({ id: s0.deployments?.[0]?.id, rolloutState: 'COMPLETED' });
    const forced = await h.ecs.send(
      new UpdateServiceCommand({ cluster: 'prod', service: 'api', forceNewDeployment: true }),
    );
    expect(forced.service?.deployments).toHaveLength(2);
    expect(forced.service?.deployments?.[0]).toMatchObject({
      status: 'PRIMARY',
      rolloutState: 'IN_PROGRESS',
      taskDefinition: s0.taskDefinition,
    });
  });

  test('slowStart takes 5x longer to reach RUNNING, then completes', async () => {
    const { primaryId } = await deployMisbehaving('slowStart', 'slow');
    await h.advance(60);
    let s = await svc();
    expect(s.deployments?.[0]).toMatchObject({
      id: primaryId,
      rolloutState: 'IN_PROGRESS',
      runningCount: 0,
      pendingCount: 2,
    });
    await h.advance(90); // RUNNING at 150 s
    s = await svc();
    expect(s.deployments?.[0]?.runningCount).toBe(2);
    await h.advance(20);
    s = await svc();
    expect(s.deployments).toHaveLength(1);
    expect(s.deployments?.[0]).toMatchObject({ id: primaryId, rolloutState: 'COMPLETED' });
  });
});

describe('crashloop', () => {
  test('without a circuit breaker ECS retries forever: IN_PROGRESS, failedTasks keeps growing', async () => {
    const { primaryId } = await deployMisbehaving('crashloop', 'crash');
    await h.advance(200);
    const s1 = await svc();
    const p1 = s1.deployments?.find((d) => d.id === primaryId);
    expect(p1?.rolloutState).toBe('IN_PROGRESS');
    expect(p1?.failedTasks).toBeGreaterThanOrEqual(6);
    expect(s1.deployments?.find((d) => d.status === 'ACTIVE')?.runningCount).toBe(2);
    await h.advance(100);
    const p2 = (await svc()).deployments?.find((d) => d.id === primaryId);
    expect(p2?.failedTasks).toBeGreaterThan(p1?.failedTasks ?? 0);
    expect(messages(s1)).toContain(
      '(service api) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.',
    );
    const stopped = await stoppedTasks(primaryId);
    expect(stopped.length).toBeGreaterThanOrEqual(6);
    const t = stopped[0] as Task;
    expect(t.stoppedReason).toBe('Essential container in task exited');
    expect(t.stopCode).toBe('EssentialContainerExited');
    expect(t.containers?.[0]?.exitCode).toBe(1);
    expect(t.startedAt).toBeDefined();
    // the traceback is in the container's awslogs stream prefix/container/taskId
    const taskId = t.taskArn?.split('/').pop();
    const ev = await h.logs.send(
      new GetLogEventsCommand({ logGroupName: '/ecs/api', logStreamName: `ecs/app/${taskId}`, startFromHead: true }),
    );
    const lines = (ev.events ?? []).map((e) => e.message);
    expect(lines[0]).toBe('Starting app');
    expect(lines.at(-1)).toBe('RuntimeError: required setting DATABASE_URL is not set');
  });

  test('breaker without rollback: FAILED after the threshold, stops launching, service stays on it', async () => {
    const { primaryId, tdArn } = await deployMisbehaving('crashloop', 'crash', {
      breaker: { enable: true, rollback: false },
    });
    await h.advance(100);
    const s = await svc();
    const p = s.deployments?.find((d) => d.id === primaryId);
    expect(p).toMatchObject({
      status: 'PRIMARY',
      rolloutState: 'FAILED',
      rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
    });
    expect(p?.failedTasks).toBeGreaterThanOrEqual(3);
    expect(s.taskDefinition).toBe(tdArn);
    expect(messages(s)).toContain(`(service api) (deployment ${primaryId}) deployment failed: tasks failed to start.`);
    expect(s.deployments?.find((d) => d.status === 'ACTIVE')?.runningCount).toBe(2);
    const failed = p?.failedTasks;
    await h.advance(300);
    const later = await svc();
    expect(later.deployments?.find((d) => d.id === primaryId)).toMatchObject({
      rolloutState: 'FAILED',
      failedTasks: failed,
      runningCount: 0,
      pendingCount: 0,
    });
    expect(later.runningCount).toBe(2);
  });

  test('breaker with rollback: FAILED, then a new PRIMARY on the previous task definition that completes', async () => {
    await seed({ breaker: { enable: true, rollback: true } });
    const s0 = await svc();
    const oldId = s0.deployments?.[0]?.id as string;
    const oldTd = s0.taskDefinition;
    await h.control('behaviors', { image: '*:crash', service: 'crashloop' });
    const { primaryId } = await deploy('repo/app:crash');
    await h.advance(70); // two rounds of crashes (33 s each) trip the breaker (threshold 3)
    let s = await svc();
    const failed = s.deployments?.find((d) => d.id === primaryId);
    expect(failed).toMatchObject({
      status: 'ACTIVE',
      rolloutState: 'FAILED',
      rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
    });
    const rollback = s.deployments?.find((d) => d.status === 'PRIMARY');
    expect(rollback?.id).not.toBe(primaryId);
    expect(rollback).toMatchObject({
      taskDefinition: oldTd,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `ECS deployment circuit breaker: rolling back to deploymentId ${oldId}.`,
    });
    expect(s.taskDefinition).toBe(oldTd);
    await h.advance(120);
    s = await svc();
    expect(s.deployments).toHaveLength(1);
    expect(s.deployments?.[0]).toMatchObject({
      id: rollback?.id,
      status: 'PRIMARY',
      rolloutState: 'COMPLETED',
      taskDefinition: oldTd,
      runningCount: 2,
    });
    const m = messages(s);
    expect(m).toContain(`(service api) (deployment ${primaryId}) deployment failed: tasks failed to start.`);
    expect(m).toContain(`(service api) rolling back to deployment ${oldId}.`);
    expect(m[0]).toBe('(service api) has reached a steady state.');
    expect(m.indexOf(`(service api) (deployment ${rollback?.id}) deployment completed.`)).toBe(1);
  });
});

describe('tasks that fail to start', () => {
  test('pullError: CannotPullContainerError, TaskFailedToStart, never RUNNING; breaker rolls back', async () => {
    const { primaryId } = await deployMisbehaving('pullError', 'missing', {
      breaker: { enable: true, rollback: true },
    });
    await h.advance(70);
    // once the breaker trips, the failed deployment's remaining pending task is stopped by the scheduler
    const stopped = (await stoppedTasks(primaryId)).filter((t) => t.stopCode === 'TaskFailedToStart');
    expect(stopped.length).toBeGreaterThanOrEqual(3);
    for (const t of stopped) {
      expect(t.stoppedReason).toBe(
        'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref repo/app:missing: not found',
      );
      expect(t.stopCode).toBe('TaskFailedToStart');
      expect(t.startedAt).toBeUndefined();
      expect(t.containers?.[0]?.exitCode).toBeUndefined();
      expect(t.containers?.[0]?.reason).toBe(t.stoppedReason);
    }
    await h.advance(120);
    const s = await svc();
    expect(s.deployments).toHaveLength(1);
    expect(s.deployments?.[0]?.rolloutState).toBe('COMPLETED');
    expect(s.deployments?.[0]?.id).not.toBe(primaryId);
    expect(s.taskDefinition).toMatch(/task-definition\/api:1$/);
    expect(messages(s).some((m) => /^\(service api\) rolling back to deployment ecs-svc\/\d+\.$/.test(m))).toBe(true);
  });

  test('missingSecret: ResourceInitializationError naming the json key; no breaker keeps retrying', async () => {
    const { primaryId } = await deployMisbehaving(
      'missingSecret',
      'nosecret',
      {},
      {
        containerDefinitions: [
          {
            ...fargateTd('api', 'repo/app:nosecret').containerDefinitions?.[0],
            name: 'app',
            image: 'repo/app:nosecret',
            secrets: [
              {
                name: 'DB_PASSWORD',
                valueFrom: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/db-AbCdEf:password::',
              },
            ],
          },
        ],
      },
    );
    await h.advance(100);
    const s = await svc();
    const p = s.deployments?.find((d) => d.id === primaryId);
    expect(p?.rolloutState).toBe('IN_PROGRESS');
    expect(p?.failedTasks).toBeGreaterThanOrEqual(4);
    const t = (await stoppedTasks(primaryId))[0] as Task;
    expect(t.stoppedReason).toBe(
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): retrieved secret from Secrets Manager did not contain json key password',
    );
    expect(t.stopCode).toBe('TaskFailedToStart');
  });
});

describe('unhealthy', () => {
  test('behind a load balancer: target unhealthy, task stopped for failing ELB health checks', async () => {
    const { primaryId } = await deployMisbehaving('unhealthy', 'sick', {
      lb: true,
      breaker: { enable: true, rollback: true },
    });
    await h.advance(47); // RUNNING at 30, unhealthy at 45
    const th =
      (await h.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: TG }))).TargetHealthDescriptions ?? [];
    const unhealthy = th.filter((d) => d.TargetHealth?.State === 'unhealthy');
    expect(unhealthy).toHaveLength(2);
    expect(unhealthy[0]?.TargetHealth).toMatchObject({
      Reason: 'Target.FailedHealthChecks',
      Description: 'Health checks failed',
    });
    expect(unhealthy[0]?.Target?.Port).toBe(8080);
    await h.advance(10);
    const stopped = await stoppedTasks(primaryId);
    expect(stopped.length).toBe(2);
    expect(stopped[0]?.stoppedReason).toBe(`Task failed ELB health checks in (target-group ${TG})`);
    const s = await svc();
    expect(
      messages(s).some((m) =>
        m.includes(`(port 8080) is unhealthy in (target-group ${TG}) due to (reason Health checks failed).`),
      ),
    ).toBe(true);
    expect(s.deployments?.find((d) => d.id === primaryId)?.failedTasks).toBe(2);
    await h.advance(200);
    const end = await svc();
    expect(end.deployments).toHaveLength(1);
    expect(end.deployments?.[0]?.rolloutState).toBe('COMPLETED');
    expect(end.taskDefinition).toMatch(/task-definition\/api:1$/);
    expect(messages(end)).toContain(
      `(service api) (deployment ${primaryId}) deployment failed: tasks failed to start.`,
    );
  });

  test('without a load balancer: failed container health checks', async () => {
    const { primaryId } = await deployMisbehaving('unhealthy', 'sick');
    await h.advance(50);
    const stopped = await stoppedTasks(primaryId);
    expect(stopped.length).toBeGreaterThanOrEqual(2);
    expect(stopped[0]?.stoppedReason).toBe('Task failed container health checks');
    expect(stopped[0]?.healthStatus).toBe('UNHEALTHY');
    expect(
      messages(await svc()).some((m) =>
        /^\(service api\) \(task [0-9a-f]{32}\) failed container health checks\.$/.test(m),
      ),
    ).toBe(true);
  });
});

describe('one-off tasks (RunTask)', () => {
  async function run(image: string, extra: Record<string, unknown> = {}) {
    // awslogs groups must exist (ECS validates them at task start; realism.logGroups is on by default)
    await h.control('seed', {
      clusters: ['prod'],
      taskDefinitions: [fargateTd('migrate', image)],
      logGroups: ['/ecs/migrate'],
    });
    const out = await h.ecs.send(
      new RunTaskCommand(
        fargateRun('migrate', {
          startedBy: 'deploy-actions',
          overrides: { containerOverrides: [{ name: 'app', command: ['python', 'manage.py', 'migrate'] }] },
          ...extra,
        }),
      ),
    );
    expect(out.failures).toEqual([]);
    const task = out.tasks?.[0] as Task;
    return { task, id: task.taskArn?.split('/').pop() as string };
  }
  const describeTask = async (arn: string) =>
    (await h.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: [arn] }))).tasks?.[0] as Task;
  const lines = async (id: string) =>
    (
      (
        await h.logs.send(
          new GetLogEventsCommand({
            logGroupName: '/ecs/migrate',
            logStreamName: `ecs/app/${id}`,
            startFromHead: true,
          }),
        )
      ).events ?? []
    ).map((e) => e.message);

  test('log lines arrive over time in prefix/container/taskId, then the task stops with the exit code', async () => {
    await h.control('behaviors', {
      image: 'repo/migrate:*',
      run: { logs: ['one', 'two', 'three', 'four'], exitCode: 3, durationSeconds: 10 },
    });
    const { task, id } = await run('repo/migrate:v7');
    expect(task).toMatchObject({
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      group: 'family:migrate',
      startedBy: 'deploy-actions',
      launchType: 'FARGATE',
    });
    expect(task.overrides?.containerOverrides?.[0]?.command).toEqual(['python', 'manage.py', 'migrate']);
    await h.advance(30);
    expect((await describeTask(task.taskArn as string)).lastStatus).toBe('RUNNING');
    expect(await lines(id)).toEqual([]);
    await h.advance(2.5);
    expect(await lines(id)).toEqual(['one']);
    await h.advance(4);
    expect(await lines(id)).toEqual(['one', 'two', 'three']);
    await h.advance(4);
    expect(await lines(id)).toEqual(['one', 'two', 'three', 'four']);
    const stopping = await describeTask(task.taskArn as string);
    expect(stopping.desiredStatus).toBe('STOPPED');
    expect(stopping.containers?.[0]?.exitCode).toBe(3);
    await h.advance(6);
    const t = await describeTask(task.taskArn as string);
    expect(t).toMatchObject({
      lastStatus: 'STOPPED',
      stoppedReason: 'Essential container in task exited',
      stopCode: 'EssentialContainerExited',
    });
    expect(t.containers?.[0]).toMatchObject({ exitCode: 3, lastStatus: 'STOPPED' });
    expect(t.stoppedAt).toBeDefined();
    expect(t.executionStoppedAt).toBeDefined();
  });

  test('default run: no logs, exit 0 after ~5 s', async () => {
    const { task } = await run('repo/plain:1');
    await h.advance(41);
    const t = await describeTask(task.taskArn as string);
    expect(t.lastStatus).toBe('STOPPED');
    expect(t.containers?.[0]?.exitCode).toBe(0);
  });

  test('StopTask mid-run: reason kept, UserInitiated, SIGTERM exit code, no more log lines', async () => {
    await h.control('behaviors', {
      image: 'repo/migrate:*',
      run: { logs: ['a', 'b', 'c', 'd', 'e'], exitCode: 0, durationSeconds: 60 },
    });
    const { task, id } = await run('repo/migrate:slow');
    await h.advance(51); // RUNNING at 30, lines at +10, +20
    expect(await lines(id)).toEqual(['a', 'b']);
    const stop = await h.ecs.send(
      new StopTaskCommand({ cluster: 'prod', task: task.taskArn, reason: 'Cancelled by deploy-actions' }),
    );
    expect(stop.task).toMatchObject({
      desiredStatus: 'STOPPED',
      stoppedReason: 'Cancelled by deploy-actions',
      stopCode: 'UserInitiated',
    });
    await h.advance(60);
    const t = await describeTask(task.taskArn as string);
    expect(t).toMatchObject({
      lastStatus: 'STOPPED',
      stoppedReason: 'Cancelled by deploy-actions',
      stopCode: 'UserInitiated',
    });
    expect(t.containers?.[0]?.exitCode).toBe(143);
    expect(await lines(id)).toEqual(['a', 'b']);
  });

  test('a task that fails to start (pullError rule) has no exit code', async () => {
    await h.control('behaviors', { image: 'repo/gone:*', service: 'pullError' });
    const { task } = await run('repo/gone:1');
    await h.advance(40);
    const t = await describeTask(task.taskArn as string);
    expect(t.lastStatus).toBe('STOPPED');
    expect(t.stopCode).toBe('TaskFailedToStart');
    expect(t.stoppedReason).toMatch(/^CannotPullContainerError: /);
    expect(t.containers?.[0]?.exitCode).toBeUndefined();
  });

  test('extension: a run rule with `failure` makes RunTask answer failures[] and start no task', async () => {
    await h.control('behaviors', { image: 'repo/full:*', run: { failure: 'RESOURCE:MEMORY' } });
    await h.control('seed', { clusters: ['prod'], taskDefinitions: [fargateTd('migrate', 'repo/full:1')] });
    const out = await h.ecs.send(new RunTaskCommand(fargateRun('migrate')));
    expect(out.tasks).toEqual([]);
    expect(out.failures).toEqual([
      { arn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/migrate:1', reason: 'RESOURCE:MEMORY' },
    ]);
    const listed = await h.ecs.send(new ListTasksCommand({ cluster: 'prod', family: 'migrate' }));
    expect(listed.taskArns).toEqual([]);
  });

  test('a crashloop rule makes a one-off task print a traceback and exit 1', async () => {
    await h.control('behaviors', { image: 'repo/bad:*', service: 'crashloop' });
    const { task, id } = await run('repo/bad:1');
    await h.advance(40);
    expect((await describeTask(task.taskArn as string)).containers?.[0]?.exitCode).toBe(1);
    expect((await lines(id)).at(-1)).toMatch(/^RuntimeError/);
  });
});

describe('default time scale', () => {
  test('a healthy 2-task rollout completes in about 2-3 real seconds at timeScale 20', async () => {
    const fast = await harness({ timeScale: 20 });
    try {
      await fast.control('seed', {
        clusters: ['prod'],
        taskDefinitions: [fargateTd('api', 'repo/app:v1')],
        services: [seededService()],
      });
      await fast.ecs.send(new RegisterTaskDefinitionCommand(fargateTd('api', 'repo/app:v2')));
      const started = Date.now();
      await fast.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', taskDefinition: 'api:2' }));
      let state: string | undefined;
      while (Date.now() - started < 6000) {
        const s = (await fast.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['api'] })))
          .services?.[0];
        state = s?.deployments?.length === 1 ? s.deployments[0]?.rolloutState : 'IN_PROGRESS';
        if (state === 'COMPLETED') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const elapsed = Date.now() - started;
      expect(state).toBe('COMPLETED');
      expect(elapsed).toBeGreaterThan(1500);
      expect(elapsed).toBeLessThan(3500);
    } finally {
      await fast.stop();
    }
  });
});
