// Lost responses (`after` faults) and the idempotency tokens that make retries after them safe, with SDK v3 clients
// at their default settings and the AWS CLI v2: the call is applied, the response never arrives, the client retries.
// Seeds: with {after: 0.5} seed 18 decides after, none, none, after for the first four requests after the faults
// are configured (configuring resets the PRNG), so "the first attempt is lost, its retry goes through".
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { beforeEach, describe, expect, test } from 'vitest';
import { FaultInjector, parseFaultConfig } from '../src/faults.ts';
import { peerTool, type RequestLogEntry } from '../src/index.ts';
import { fargateRun, fargateTd, NETWORK, useHarness } from './ecs-helpers.ts';

const h = useHarness();
const awsCli = peerTool('aws');
const LOSE_FIRST = { seed: 18, after: 0.5 };

async function requests(): Promise<RequestLogEntry[]> {
  return (await h.control('requests', undefined, 'GET')) as RequestLogEntry[];
}

async function registerAndCluster() {
  await h.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  await h.ecs.send(new RegisterTaskDefinitionCommand(fargateTd('migrate', 'repo/migrate:v1')));
}

async function taskCount(): Promise<number> {
  const running = await h.ecs.send(new ListTasksCommand({ cluster: 'prod' }));
  const stopped = await h.ecs.send(new ListTasksCommand({ cluster: 'prod', desiredStatus: 'STOPPED' }));
  return (running.taskArns?.length ?? 0) + (stopped.taskArns?.length ?? 0);
}

describe('the after fault kind', () => {
  test('seeded: the same seed replays the same decisions, and adding `after` moves no other fault', () => {
    const kinds = (config: Record<string, unknown>, n = 200) => {
      const f = new FaultInjector();
      f.configure(parseFaultConfig(config));
      return Array.from({ length: n }, () => f.decide('ecs').kind);
    };
    expect(kinds({ seed: 18, after: 0.5 }, 4)).toEqual(['after', 'none', 'none', 'after']);
    expect(kinds({ seed: 5, throttle: 0.2, after: 0.3 })).toEqual(kinds({ seed: 5, throttle: 0.2, after: 0.3 }));
    const without = kinds({ seed: 5, throttle: 0.2, error: 0.1 });
    const withAfter = kinds({ seed: 5, throttle: 0.2, error: 0.1, after: 0.2 });
    withAfter.forEach((k, i) => {
      expect(k === 'after' ? 'none' : k).toBe(without[i]);
    });
    expect(withAfter.filter((k) => k === 'after').length).toBeGreaterThan(20);
  });

  test('POST /_emulator/faults validates after / afterFailure and echoes them only when given', async () => {
    expect(await h.control('faults', { seed: 2, after: 0.1 })).toEqual({
      seed: 2,
      throttle: 0,
      error: 0,
      reset: 0,
      latencyMs: [0, 0],
      after: 0.1,
    });
    await expect(h.control('faults', { after: 2 })).rejects.toThrow(/faults.after must be a number between 0 and 1/);
    await expect(h.control('faults', { after: 0.5, afterFailure: 'drop' })).rejects.toThrow(/afterFailure/);
    await expect(h.control('faults', { throttle: 0.6, after: 0.6 })).rejects.toThrow(/must not exceed 1/);
  });

  test('RegisterTaskDefinition whose response is lost: the SDK retries and a second revision is registered', async () => {
    await h.control('faults', { ...LOSE_FIRST, services: ['ecs'] });
    const out = await h.ecs.send(new RegisterTaskDefinitionCommand(fargateTd('api', 'repo/api:v1')));
    await h.control('faults', {});
    // the client only saw the retry's answer: revision 2; revision 1 was registered by the lost attempt
    expect(out.taskDefinition?.revision).toBe(2);
    const list = await h.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'api' }));
    expect(list.taskDefinitionArns).toEqual([
      'arn:aws:ecs:us-east-1:000000000000:task-definition/api:1',
      'arn:aws:ecs:us-east-1:000000000000:task-definition/api:2',
    ]);
    const log = (await requests()).filter((e) => e.operation === 'RegisterTaskDefinition');
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({ fault: 'after', applied: true, handledStatus: 200, status: -1, mutating: true });
    expect(log[1]?.fault).toBeUndefined();
    expect(log[1]?.status).toBe(200);
  });

  test('afterFailure "error": PutObject is stored, the client gets a 500 and its retry succeeds', async () => {
    const s3 = new S3Client(s3Config());
    try {
      await h.control('seed', { buckets: [{ name: 'site' }] });
      await h.control('faults', { ...LOSE_FIRST, afterFailure: 'error', services: ['s3'] });
      await s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'index.html', Body: '<html>v1</html>' }));
      await h.control('faults', {});
      const got = await s3.send(new GetObjectCommand({ Bucket: 'site', Key: 'index.html' }));
      expect(await got.Body?.transformToString()).toBe('<html>v1</html>');
      const puts = (await requests()).filter((e) => e.operation === 'PutObject');
      expect(puts.map((e) => [e.fault, e.applied, e.handledStatus, e.status])).toEqual([
        ['after', true, 200, 500],
        [undefined, undefined, undefined, 200],
      ]);
    } finally {
      s3.destroy();
    }
  });

  test('a call that fails on its own is not "applied" even when its response is lost', async () => {
    await h.control('faults', { seed: 1, after: 1, services: ['ecs'] });
    await expect(
      h.ecs.send(new RunTaskCommand({ cluster: 'nope', taskDefinition: 'x:1' }), { requestTimeout: 5000 }),
    ).rejects.toThrow();
    await h.control('faults', {});
    const runs = (await requests()).filter((e) => e.operation === 'RunTask');
    expect(runs.length).toBeGreaterThanOrEqual(2); // retried: a lost response looks transient to the SDK
    for (const e of runs) expect(e).toMatchObject({ fault: 'after', applied: false, handledStatus: 400 });
  });
});

function s3Config() {
  return {
    endpoint: h.emu.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
}

describe('RunTask clientToken (ECS_Idempotency.html)', () => {
  beforeEach(registerAndCluster);

  test('a lost RunTask response is retried with the SDK-generated token: one task, the same task returned', async () => {
    await h.control('faults', { ...LOSE_FIRST, services: ['ecs'] });
    const out = await h.ecs.send(new RunTaskCommand(fargateRun('migrate')));
    await h.control('faults', {});
    expect(await taskCount()).toBe(1);
    const runs = (await requests()).filter((e) => e.operation === 'RunTask');
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatchObject({ fault: 'after', applied: true });
    const tokens = runs.map((e) => (JSON.parse(e.body ?? '{}') as { clientToken?: string }).clientToken);
    expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/); // the SDK fills it in (idempotencyToken trait)
    expect(tokens[1]).toBe(tokens[0]);
    const listed = await h.ecs.send(new ListTasksCommand({ cluster: 'prod' }));
    expect(out.tasks?.map((t) => t.taskArn)).toEqual(listed.taskArns);
  });

  test('same token and parameters → the same tasks, nothing started; other parameters → ConflictException', async () => {
    const input = fargateRun('migrate:1', {
      count: 2,
      clientToken: 'deploy-42-migrate',
    });
    const first = await h.ecs.send(new RunTaskCommand(input));
    const again = await h.ecs.send(new RunTaskCommand(input));
    expect(again.tasks?.map((t) => t.taskArn)).toEqual(first.tasks?.map((t) => t.taskArn));
    expect(await taskCount()).toBe(2);
    const conflict = await h.ecs
      .send(new RunTaskCommand({ ...input, overrides: { containerOverrides: [{ name: 'app', command: ['x'] }] } }))
      .catch((e: unknown) => e as { name: string; message: string; resourceIds?: string[] });
    expect(conflict).toMatchObject({ name: 'ConflictException' });
    expect((conflict as { resourceIds?: string[] }).resourceIds?.sort()).toEqual(
      first.tasks?.map((t) => t.taskArn as string).sort(),
    );
    expect(await taskCount()).toBe(2);
    // tokens are per cluster: the same token in another cluster is another request
    await h.ecs.send(new CreateClusterCommand({ clusterName: 'other' }));
    const other = await h.ecs.send(new RunTaskCommand({ ...input, cluster: 'other', count: 1 }));
    expect(other.tasks).toHaveLength(1);
  });

  test('the token expires after 24 hours (simulated): the same request then starts a new task', async () => {
    const input = fargateRun('migrate:1', { clientToken: 'nightly-1' });
    await h.ecs.send(new RunTaskCommand(input));
    await h.advance(23 * 3600);
    await h.ecs.send(new RunTaskCommand(input));
    expect(await taskCount()).toBe(1);
    await h.advance(3600);
    await h.ecs.send(new RunTaskCommand(input));
    expect(await taskCount()).toBe(2);
  });

  test('a token longer than 64 characters or outside ASCII 33-126 is InvalidParameterException', async () => {
    for (const clientToken of ['x'.repeat(65), 'has space']) {
      await expect(h.ecs.send(new RunTaskCommand(fargateRun('migrate:1', { clientToken })))).rejects.toMatchObject({
        name: 'InvalidParameterException',
      });
    }
  });

  test.skipIf(awsCli.skip)(
    awsCli.title(
      'AWS CLI v2.9 (model older than RunTask clientToken) sends no token: a lost response means a second task',
    ),
    async () => {
      awsCli.require();
      await h.control('faults', { ...LOSE_FIRST, services: ['ecs'] });
      const res = await h.aws([
        'ecs',
        'run-task',
        '--cluster',
        'prod',
        '--task-definition',
        'migrate:1',
        '--launch-type',
        'FARGATE',
        '--network-configuration',
        'awsvpcConfiguration={subnets=[subnet-0aaa],assignPublicIp=DISABLED}',
      ]);
      await h.control('faults', {});
      expect(res.code, res.stderr).toBe(0);
      const runs = (await requests()).filter((e) => e.operation === 'RunTask');
      expect(runs.map((e) => e.fault ?? 'ok')).toEqual(['after', 'ok']);
      const body = JSON.parse(runs[0]?.body ?? '{}') as { clientToken?: string };
      // Without a token ECS has nothing to deduplicate on; the emulator behaves the same way. (Newer CLI and SDK
      // versions generate one: see the SDK test above.)
      expect(body.clientToken).toBeUndefined();
      expect(await taskCount()).toBe(2);
    },
  );
});

describe('CreateService clientToken', () => {
  beforeEach(registerAndCluster);

  const service = {
    cluster: 'prod',
    serviceName: 'api',
    taskDefinition: 'migrate:1',
    desiredCount: 1,
    launchType: 'FARGATE' as const,
    networkConfiguration: NETWORK,
  };

  test('same token and parameters: the existing service, no second deployment; otherwise not idempotent', async () => {
    const first = await h.ecs.send(new CreateServiceCommand({ ...service, clientToken: 'create-api-1' }));
    const again = await h.ecs.send(new CreateServiceCommand({ ...service, clientToken: 'create-api-1' }));
    expect(again.service?.serviceArn).toBe(first.service?.serviceArn);
    expect(again.service?.deployments?.map((d) => d.id)).toEqual(first.service?.deployments?.map((d) => d.id));
    for (const retry of [
      { ...service, clientToken: 'create-api-1', desiredCount: 3 },
      { ...service, clientToken: 'create-api-2' },
      service,
    ]) {
      await expect(h.ecs.send(new CreateServiceCommand(retry))).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message: 'Creation of service was not idempotent.',
      });
    }
  });

  test('without a token (the SDK sends none for CreateService) a retry after a lost response fails', async () => {
    await h.control('faults', { ...LOSE_FIRST, services: ['ecs'] });
    await expect(h.ecs.send(new CreateServiceCommand(service))).rejects.toMatchObject({
      message: 'Creation of service was not idempotent.',
    });
    await h.control('faults', {});
    const body = JSON.parse((await requests()).find((e) => e.operation === 'CreateService')?.body ?? '{}');
    expect(body.clientToken).toBeUndefined();
  });
});

describe('Secrets Manager ClientRequestToken', () => {
  test('CreateSecret retried after a lost response returns the same version; a changed value is refused', async () => {
    await h.control('faults', { ...LOSE_FIRST, services: ['secretsmanager'] });
    const created = await h.sm.send(new CreateSecretCommand({ Name: 'prod/db', SecretString: '{"password":"a"}' }));
    await h.control('faults', {});
    const creates = (await requests()).filter((e) => e.operation === 'CreateSecret');
    expect(creates.map((e) => e.fault ?? 'ok')).toEqual(['after', 'ok']);
    const token = (JSON.parse(creates[0]?.body ?? '{}') as { ClientRequestToken?: string }).ClientRequestToken;
    expect(created.VersionId).toBe(token);
    await expect(
      h.sm.send(
        new CreateSecretCommand({ Name: 'prod/db', SecretString: '{"password":"b"}', ClientRequestToken: token }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceExistsException' });
    await expect(
      h.sm.send(new PutSecretValueCommand({ SecretId: 'prod/db', SecretString: 'other', ClientRequestToken: token })),
    ).rejects.toMatchObject({ name: 'ResourceExistsException' });
  });
});
