// ECS conformance: the SDK v3 client at default settings and the AWS CLI v2 against the emulator.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTagsForResourceCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { describe, expect, test } from 'vitest';
import { EXEC_ROLE, fargateRun, fargateTd, NETWORK, useHarness } from './ecs-helpers.ts';

const h = useHarness();

const errorOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return err as Error & { name: string; $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected an error');
};

describe('task definitions', () => {
  test('RegisterTaskDefinition returns ECS fields and revisions per family', async () => {
    const r1 = await h.ecs.send(
      new RegisterTaskDefinitionCommand({ ...fargateTd('web', 'nginx:1'), tags: [{ key: 'commit', value: 'abc' }] }),
    );
    const td = r1.taskDefinition;
    expect(td?.taskDefinitionArn).toBe('arn:aws:ecs:us-east-1:000000000000:task-definition/web:1');
    expect(td).toMatchObject({
      family: 'web',
      revision: 1,
      status: 'ACTIVE',
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      executionRoleArn: EXEC_ROLE,
    });
    expect(td?.compatibilities).toEqual(['EC2', 'FARGATE']);
    expect(td?.requiresCompatibilities).toEqual(['FARGATE']);
    expect(td?.registeredAt).toBeInstanceOf(Date);
    expect(td?.requiresAttributes?.map((a) => a.name)).toContain('com.amazonaws.ecs.capability.logging-driver.awslogs');
    expect(td?.requiresAttributes?.map((a) => a.name)).toContain('ecs.capability.task-eni');
    // ECS fills in container defaults
    expect(td?.containerDefinitions?.[0]).toMatchObject({
      cpu: 0,
      essential: true,
      environment: [],
      mountPoints: [],
      volumesFrom: [],
      portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }],
    });
    expect(r1.tags).toEqual([{ key: 'commit', value: 'abc' }]);
    const r2 = await h.ecs.send(new RegisterTaskDefinitionCommand(fargateTd('web', 'nginx:2')));
    expect(r2.taskDefinition?.revision).toBe(2);
    const other = await h.ecs.send(new RegisterTaskDefinitionCommand(fargateTd('worker', 'w:1')));
    expect(other.taskDefinition?.revision).toBe(1);
  });

  test.each([
    ['fargate without awsvpc', { networkMode: 'bridge' as const }, 'Fargate only supports network mode'],
    ['fargate without cpu', { cpu: undefined }, "Fargate requires that 'cpu' be defined at the task level."],
    [
      'awslogs without execution role',
      { executionRoleArn: undefined },
      'Fargate requires task definition to have execution role ARN to support log driver awslogs.',
    ],
    ['bad family', { family: 'bad family!' }, 'Family contains invalid characters'],
    ['no containers', { containerDefinitions: [] }, 'Container list cannot be empty.'],
  ])('RegisterTaskDefinition rejects %s with ClientException', async (_name, patch, message) => {
    const err = await errorOf(
      h.ecs.send(new RegisterTaskDefinitionCommand({ ...fargateTd('web', 'nginx:1'), ...patch })),
    );
    expect(err.name).toBe('ClientException');
    expect(err.message).toContain(message);
    expect(err.$metadata.httpStatusCode).toBe(400);
  });

  test('DescribeTaskDefinition by family, family:revision and ARN, with TAGS', async () => {
    await h.ecs.send(
      new RegisterTaskDefinitionCommand({ ...fargateTd('web', 'nginx:1'), tags: [{ key: 'a', value: '1' }] }),
    );
    await h.ecs.send(new RegisterTaskDefinitionCommand(fargateTd('web', 'nginx:2')));
    const latest = await h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }));
    expect(latest.taskDefinition?.revision).toBe(2);
    expect(latest.tags).toBeUndefined();
    const one = await h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web:1', include: ['TAGS'] }));
    expect(one.taskDefinition?.containerDefinitions?.[0]?.image).toBe('nginx:1');
    expect(one.tags).toEqual([{ key: 'a', value: '1' }]);
    const byArn = await h.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: one.taskDefinition?.taskDefinitionArn }),
    );
    expect(byArn.taskDefinition?.revision).toBe(1);
    const err = await errorOf(h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nope' })));
    expect(err.name).toBe('ClientException');
    expect(err.message).toBe('Unable to describe task definition.');
  });

  test('ListTaskDefinitions: family, sort, status, pagination; Deregister makes INACTIVE', async () => {
    for (const i of [1, 2, 3]) await h.ecs.send(new RegisterTaskDefinitionCommand(fargateTd('web', `nginx:${i}`)));
    await h.ecs.send(new RegisterTaskDefinitionCommand(fargateTd('worker', 'w:1')));
    const dereg = await h.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web:2' }));
    expect(dereg.taskDefinition?.status).toBe('INACTIVE');
    expect(dereg.taskDefinition?.deregisteredAt).toBeInstanceOf(Date);
    const asc = await h.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web' }));
    expect(asc.taskDefinitionArns?.map((a) => a.split('/')[1])).toEqual(['web:1', 'web:3']);
    const desc = await h.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web', sort: 'DESC', maxResults: 1 }));
    expect(desc.taskDefinitionArns?.map((a) => a.split('/')[1])).toEqual(['web:3']);
    expect(desc.nextToken).toBeTruthy();
    const page2 = await h.ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: 'web', sort: 'DESC', maxResults: 1, nextToken: desc.nextToken }),
    );
    expect(page2.taskDefinitionArns?.map((a) => a.split('/')[1])).toEqual(['web:1']);
    expect(page2.nextToken).toBeUndefined();
    const inactive = await h.ecs.send(new ListTaskDefinitionsCommand({ status: 'INACTIVE' }));
    expect(inactive.taskDefinitionArns?.map((a) => a.split('/')[1])).toEqual(['web:2']);
    const all = await h.ecs.send(new ListTaskDefinitionsCommand({}));
    expect(all.taskDefinitionArns).toHaveLength(3);
    // the family name alone points at the latest ACTIVE revision
    expect(
      (await h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' }))).taskDefinition?.revision,
    ).toBe(3);
  });

  test('TagResource / UntagResource / ListTagsForResource on task definitions, services and clusters', async () => {
    const c = await h.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    const td = (await h.ecs.send(new RegisterTaskDefinitionCommand(fargateTd('web', 'nginx:1')))).taskDefinition;
    const s = await h.ecs.send(
      new CreateServiceCommand({
        cluster: 'prod',
        serviceName: 'web',
        taskDefinition: 'web',
        desiredCount: 0,
        launchType: 'FARGATE',
        networkConfiguration: NETWORK,
      }),
    );
    for (const arn of [td?.taskDefinitionArn, s.service?.serviceArn, c.cluster?.clusterArn]) {
      await h.ecs.send(
        new TagResourceCommand({
          resourceArn: arn,
          tags: [
            { key: 'deploy-actions:known-good', value: '2026-11-21T00:00:00Z' },
            { key: 'x', value: '1' },
          ],
        }),
      );
      await h.ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['x'] }));
      const tags = await h.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
      expect(tags.tags).toEqual([{ key: 'deploy-actions:known-good', value: '2026-11-21T00:00:00Z' }]);
    }
    const err = await errorOf(
      h.ecs.send(
        new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/nope:1' }),
      ),
    );
    expect(err.name).toBe('InvalidParameterException');
  });
});

describe('clusters and services', () => {
  test('CreateCluster / DescribeClusters with failures for missing ones', async () => {
    const c = await h.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    expect(c.cluster).toMatchObject({
      clusterName: 'prod',
      status: 'ACTIVE',
      clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/prod',
    });
    const d = await h.ecs.send(new DescribeClustersCommand({ clusters: ['prod', 'nope'] }));
    expect(d.clusters?.map((x) => x.clusterName)).toEqual(['prod']);
    expect(d.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/nope', reason: 'MISSING' }]);
  });

  test('CreateService records its configuration; DescribeServices ≤10 with MISSING failures', async () => {
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    await h.ecs.send(new RegisterTaskDefinitionCommand(fargateTd('web', 'nginx:1')));
    const created = await h.ecs.send(
      new CreateServiceCommand({
        cluster: 'prod',
        serviceName: 'web',
        taskDefinition: 'web',
        desiredCount: 2,
        launchType: 'FARGATE',
        networkConfiguration: NETWORK,
        deploymentConfiguration: {
          deploymentCircuitBreaker: { enable: true, rollback: true },
          minimumHealthyPercent: 50,
          maximumPercent: 200,
        },
      }),
    );
    const s = created.service;
    expect(s).toMatchObject({
      serviceName: 'web',
      serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/prod/web',
      status: 'ACTIVE',
      desiredCount: 2,
      launchType: 'FARGATE',
      schedulingStrategy: 'REPLICA',
      deploymentController: { type: 'ECS' },
      networkConfiguration: NETWORK,
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        minimumHealthyPercent: 50,
        maximumPercent: 200,
      },
    });
    expect(s?.deployments).toHaveLength(1);
    expect(s?.deployments?.[0]).toMatchObject({
      status: 'PRIMARY',
      rolloutState: 'IN_PROGRESS',
      desiredCount: 2,
      pendingCount: 2,
      launchType: 'FARGATE',
    });
    const dup = await errorOf(
      h.ecs.send(
        new CreateServiceCommand({
          cluster: 'prod',
          serviceName: 'web',
          taskDefinition: 'web',
          desiredCount: 1,
          launchType: 'FARGATE',
          networkConfiguration: NETWORK,
        }),
      ),
    );
    expect(dup.name).toBe('InvalidParameterException');
    const d = await h.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web', 'ghost'] }));
    expect(d.services?.map((x) => x.serviceName)).toEqual(['web']);
    expect(d.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:000000000000:service/prod/ghost', reason: 'MISSING' }]);
    const tooMany = await errorOf(
      h.ecs.send(
        new DescribeServicesCommand({ cluster: 'prod', services: Array.from({ length: 11 }, (_, i) => `s${i}`) }),
      ),
    );
    expect(tooMany.name).toBe('InvalidParameterException');
    const noCluster = await errorOf(h.ecs.send(new DescribeServicesCommand({ cluster: 'nope', services: ['web'] })));
    expect(noCluster.name).toBe('ClusterNotFoundException');
  });

  test.each([
    [
      'awsvpc without networkConfiguration',
      { networkConfiguration: undefined },
      'InvalidParameterException',
      "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    ],
    [
      'unknown task definition',
      { taskDefinition: 'ghost:9' },
      'InvalidParameterException',
      'TaskDefinition not found.',
    ],
    [
      'load balancer container missing',
      {
        loadBalancers: [
          {
            targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/tg/1',
            containerName: 'nope',
            containerPort: 80,
          },
        ],
      },
      'InvalidParameterException',
      'The container nope does not exist in the task definition.',
    ],
    ['unknown cluster', { cluster: 'nope' }, 'ClusterNotFoundException', 'Cluster not found.'],
  ])('CreateService rejects %s', async (_n, patch, name, message) => {
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    await h.ecs.send(new RegisterTaskDefinitionCommand(fargateTd('web', 'nginx:1')));
    const err = await errorOf(
      h.ecs.send(
        new CreateServiceCommand({
          cluster: 'prod',
          serviceName: 'web',
          taskDefinition: 'web',
          desiredCount: 1,
          launchType: 'FARGATE',
          networkConfiguration: NETWORK,
          ...patch,
        }),
      ),
    );
    expect(err.name).toBe(name);
    expect(err.message).toBe(message);
  });

  test('UpdateService on an unknown service is ServiceNotFoundException', async () => {
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    const err = await errorOf(
      h.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'ghost', desiredCount: 1 })),
    );
    expect(err.name).toBe('ServiceNotFoundException');
  });
});

describe('tasks', () => {
  test('RunTask records overrides, startedBy and the network; ListTasks filters; DescribeTasks MISSING', async () => {
    await h.control('seed', { clusters: ['prod'], taskDefinitions: [fargateTd('migrate', 'repo/migrate:1')] });
    const out = await h.ecs.send(
      new RunTaskCommand(
        fargateRun('migrate', {
          startedBy: 'gha-123',
          overrides: {
            containerOverrides: [
              { name: 'app', command: ['alembic', 'upgrade', 'head'], environment: [{ name: 'X', value: '1' }] },
            ],
          },
        }),
      ),
    );
    const task = out.tasks?.[0];
    expect(out.failures).toEqual([]);
    expect(task).toMatchObject({
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      startedBy: 'gha-123',
      group: 'family:migrate',
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
    });
    expect(task?.overrides?.containerOverrides?.[0]).toMatchObject({
      name: 'app',
      command: ['alembic', 'upgrade', 'head'],
    });
    expect(task?.attachments?.[0]?.details?.find((d) => d.name === 'subnetId')?.value).toMatch(/^subnet-0(aaa|bbb)$/);
    const running = await h.ecs.send(new ListTasksCommand({ cluster: 'prod', startedBy: 'gha-123' }));
    expect(running.taskArns).toEqual([task?.taskArn]);
    expect(
      (await h.ecs.send(new ListTasksCommand({ cluster: 'prod', family: 'migrate', desiredStatus: 'STOPPED' })))
        .taskArns,
    ).toEqual([]);
    const d = await h.ecs.send(
      new DescribeTasksCommand({
        cluster: 'prod',
        tasks: [task?.taskArn as string, 'ffffffffffffffffffffffffffffffff'],
      }),
    );
    expect(d.tasks).toHaveLength(1);
    expect(d.failures).toEqual([
      { arn: 'arn:aws:ecs:us-east-1:000000000000:task/prod/ffffffffffffffffffffffffffffffff', reason: 'MISSING' },
    ]);
    // the request log has the RunTask parameters (run-migration-task asserts the copied network from it)
    const log = (await h.control('requests', undefined, 'GET')) as Array<{
      operation: string;
      body?: string;
      mutating: boolean;
    }>;
    const run = log.find((e) => e.operation === 'RunTask');
    expect(run?.mutating).toBe(true);
    expect(JSON.parse(run?.body ?? '{}').networkConfiguration).toEqual(NETWORK);
  });

  test.each([
    ['an unknown cluster', { cluster: 'nope' }, 'ClusterNotFoundException'],
    ['no network for awsvpc', { networkConfiguration: undefined }, 'InvalidParameterException'],
    ['EC2 without container instances', { launchType: 'EC2' as const }, 'InvalidParameterException'],
    [
      'an unknown override container',
      { overrides: { containerOverrides: [{ name: 'nope' }] } },
      'InvalidParameterException',
    ],
    [
      'launch type and capacity providers together',
      { capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }] },
      'InvalidParameterException',
    ],
  ])('RunTask rejects %s', async (_n, patch, name) => {
    await h.control('seed', { clusters: ['prod'], taskDefinitions: [fargateTd('migrate', 'repo/migrate:1')] });
    const err = await errorOf(h.ecs.send(new RunTaskCommand(fargateRun('migrate', patch))));
    expect(err.name).toBe(name);
  });

  test('RunTask with a FARGATE capacity provider strategy', async () => {
    await h.control('seed', { clusters: ['prod'], taskDefinitions: [fargateTd('migrate', 'repo/migrate:1')] });
    const out = await h.ecs.send(
      new RunTaskCommand({
        cluster: 'prod',
        taskDefinition: 'migrate',
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
        networkConfiguration: NETWORK,
      }),
    );
    expect(out.tasks?.[0]).toMatchObject({ launchType: 'FARGATE', capacityProviderName: 'FARGATE_SPOT' });
  });
});

describe('throttling', () => {
  test('ThrottlingException as a 400 awsJson error; the SDK retries it', async () => {
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    await h.control('faults', { seed: 7, throttle: 1, services: ['ecs'] });
    const once = new ECSClient({
      endpoint: h.emu.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
      maxAttempts: 1,
    });
    const err = await errorOf(once.send(new DescribeClustersCommand({ clusters: ['prod'] })));
    expect(err.name).toBe('ThrottlingException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    once.destroy();
    // seeded: this seed throttles the first attempt and lets the retry through
    await h.control('faults', { seed: 8, throttle: 0.5, services: ['ecs'] });
    await h.control('requests', undefined, 'DELETE');
    const d = await h.ecs.send(new DescribeClustersCommand({ clusters: ['prod'] }));
    expect(d.clusters?.[0]?.clusterName).toBe('prod');
    const log = (await h.control('requests', undefined, 'GET')) as Array<{ fault?: string; operation: string }>;
    expect(log.map((e) => [e.operation, e.fault ?? 'none'])).toContainEqual(['DescribeClusters', 'throttle']);
    expect(log.at(-1)?.fault).toBeUndefined();
  });
});

describe('AWS CLI v2', () => {
  // CLI calls are slow (Python start-up), so independent ones run in parallel.
  test('register-task-definition --cli-input-json, describe-services, describe-task-definition error', async () => {
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    await h.control('seed', { logGroups: ['/ecs/cli'] }); // ECS validates awslogs groups at task start
    const file = join(tmpdir(), `ecs-td-${process.pid}.json`);
    writeFileSync(file, JSON.stringify(fargateTd('cli', 'repo/cli:1')));
    const [reg, bad] = await Promise.all([
      h.aws(['ecs', 'register-task-definition', '--cli-input-json', `file://${file}`]),
      h.aws(['ecs', 'describe-task-definition', '--task-definition', 'nope']),
    ]);
    expect(reg.stderr).toBe('');
    expect(JSON.parse(reg.stdout).taskDefinition).toMatchObject({
      family: 'cli',
      revision: 1,
      status: 'ACTIVE',
      compatibilities: ['EC2', 'FARGATE'],
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('(ClientException)');
    expect(bad.stderr).toContain('Unable to describe task definition.');
    await h.ecs.send(
      new CreateServiceCommand({
        cluster: 'prod',
        serviceName: 'cli',
        taskDefinition: 'cli:1',
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: NETWORK,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    );
    await h.advance(40);
    const desc = await h.aws(['ecs', 'describe-services', '--cluster', 'prod', '--services', 'cli', 'ghost']);
    const parsed = JSON.parse(desc.stdout);
    expect(parsed.services[0]).toMatchObject({
      serviceName: 'cli',
      runningCount: 1,
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
      deployments: [{ rolloutState: 'COMPLETED', runningCount: 1 }],
    });
    expect(parsed.services[0].events[0].message).toBe('(service cli) has reached a steady state.');
    expect(parsed.failures[0].reason).toBe('MISSING');
  });
});
