// Task start fails as ECS fails it, from what the account holds (ecs-task-start.ts), when the realism switches are
// on: secrets and SSM parameters, registry images and their platform, awslogs groups. SDK v3 at default settings;
// simulated time moves by explicit advances (time scale 1).

import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  RunTaskCommand,
  type Task,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { beforeEach, describe, expect, test } from 'vitest';
import { sdkClientConfig } from '../src/index.ts';
import { fargateRun, fargateTd, NETWORK, useHarness } from './ecs-helpers.ts';

const h = useHarness();
const ECR = '000000000000.dkr.ecr.us-east-1.amazonaws.com';
const SECRETS_PREFIX =
  'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed:';
const ASM = `${SECRETS_PREFIX} unable to retrieve secret from asm: service call has been retried 1 time(s):`;

let family = 0;

/** Register `td`, RunTask it and let simulated time pass; the task as DescribeTasks shows it then. */
async function runAndWait(td: RegisterTaskDefinitionCommandInput, seconds = 120): Promise<Task> {
  const registered = await h.ecs.send(new RegisterTaskDefinitionCommand(td));
  const out = await h.ecs.send(new RunTaskCommand(fargateRun(registered.taskDefinition?.taskDefinitionArn)));
  await h.advance(seconds);
  const d = await h.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: [out.tasks?.[0]?.taskArn as string] }));
  return d.tasks?.[0] as Task;
}

/** A Fargate task definition (awslogs group /ecs/<family>, seeded below) with `extra` merged into its container. */
function td(
  image: string,
  container: Record<string, unknown> = {},
  extra: Partial<RegisterTaskDefinitionCommandInput> = {},
) {
  const base = fargateTd(`t${++family}`, image, extra);
  const c = { ...base.containerDefinitions?.[0], ...container };
  const logGroup = (c.logConfiguration?.options as Record<string, string> | undefined)?.['awslogs-group'];
  return { input: { ...base, containerDefinitions: [c] } as RegisterTaskDefinitionCommandInput, logGroup };
}

async function withGroup(t: ReturnType<typeof td>): Promise<RegisterTaskDefinitionCommandInput> {
  if (t.logGroup) await h.control('seed', { logGroups: [t.logGroup] });
  return t.input;
}

beforeEach(async () => {
  await h.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
  // one-off tasks keep running (a RunTask task without a rule exits 0 after 5 s)
  await h.control('behaviors', { image: '*', run: { durationSeconds: 100_000 } });
});

describe('realism switches (control API)', () => {
  test('logGroups on, the others off by default; POST /_emulator/realism switches them; reset restores the default', async () => {
    expect(await h.control('realism', undefined, 'GET')).toEqual({ secrets: false, images: false, logGroups: true });
    expect(await h.control('realism', { all: true })).toEqual({ secrets: true, images: true, logGroups: true });
    expect(await h.control('realism', { images: false })).toEqual({ secrets: true, images: false, logGroups: true });
    await expect(h.control('realism', { bogus: true })).rejects.toThrow(/unknown switch/);
    await expect(h.control('realism', { secrets: 'yes' })).rejects.toThrow(/must be true or false/);
    await h.control('reset');
    expect(await h.control('realism', undefined, 'GET')).toEqual({ secrets: false, images: false, logGroups: true });
  });

  test('switches off: a missing secret, a foreign-architecture image and a missing log group all still run', async () => {
    await h.control('realism', { all: false });
    await h.control('seed', { repositories: [{ name: 'app', images: [{ tag: 'arm', architecture: 'arm64' }] }] });
    const t = td(`${ECR}/app:arm`, {
      secrets: [{ name: 'X', valueFrom: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:nope-AbCdEf:key::' }],
    });
    const task = await runAndWait(t.input, 40);
    expect(task.lastStatus).toBe('RUNNING');
  });
});

describe('secrets (realism.secrets)', () => {
  beforeEach(async () => {
    await h.control('realism', { secrets: true });
    await h.control('seed', {
      secrets: [
        { name: 'pikaia/app', value: { DATABASE_URL: 'postgres://db', DJANGO_SECRET_KEY: 'k' } },
        { name: 'plain', secretString: 'hunter2' },
      ],
      parameters: [
        { name: '/pikaia/prod/redis-url', value: 'redis://r' },
        { name: 'legacy_flag', value: 'on' },
      ],
    });
  });

  const arnOf = async (name: string) => (await h.sm.send(new DescribeSecretCommand({ SecretId: name }))).ARN as string;
  const withSecret = async (valueFrom: string) => withGroup(td('repo/app:v1', { secrets: [{ name: 'S', valueFrom }] }));

  test('resolvable references start: full ARN with json key, partial ARN, whole secret, SSM name / path / ARN', async () => {
    const arn = await arnOf('pikaia/app');
    const secrets = [
      { name: 'A', valueFrom: `${arn}:DATABASE_URL::` },
      { name: 'B', valueFrom: `${arn.slice(0, -7)}:DJANGO_SECRET_KEY:AWSCURRENT:` },
      { name: 'C', valueFrom: await arnOf('plain') },
      { name: 'D', valueFrom: '/pikaia/prod/redis-url' },
      { name: 'E', valueFrom: 'legacy_flag' },
      { name: 'F', valueFrom: 'arn:aws:ssm:us-east-1:000000000000:parameter/pikaia/prod/redis-url' },
    ];
    const task = await runAndWait(await withGroup(td('repo/app:v1', { secrets })), 40);
    expect([task.lastStatus, task.stoppedReason]).toEqual(['RUNNING', undefined]);
  });

  test.each([
    [
      'a secret that does not exist',
      async () => 'arn:aws:secretsmanager:us-east-1:000000000000:secret:pikaia/missing-AbCdEf:key::',
      `${ASM} ResourceNotFoundException: The task can't retrieve the secret with ARN 'arn:aws:secretsmanager:us-east-1:000000000000:secret:pikaia/missing-AbCdEf' from AWS Secrets Manager. Check whether the secret exists in the specified Region: ResourceNotFoundException: Secrets Manager can't find the specified secret.`,
    ],
    [
      'a json key missing from the secret (seed 000: STYTCH_WEBHOOK_SECRET)',
      async () => `${await arnOf('pikaia/app')}:STYTCH_WEBHOOK_SECRET::`,
      `${ASM} retrieved secret from Secrets Manager did not contain json key STYTCH_WEBHOOK_SECRET`,
    ],
    [
      'a version stage the secret does not have',
      async () => `${await arnOf('pikaia/app')}:DATABASE_URL:AWSPENDING:`,
      "Secrets Manager can't find the specified secret value for VersionId or staging label.",
    ],
    [
      'a json key on a secret that is not JSON',
      async () => `${await arnOf('plain')}:password::`,
      `${ASM} invalid character 'h' looking for beginning of value`,
    ],
    [
      'an ARN with the wrong number of fields (json key without stage and version id)',
      async () => `${await arnOf('pikaia/app')}:DATABASE_URL`,
      'an invalid ARN format for the AWS Secrets Manager secret was specified. Specify a valid ARN and try again.',
    ],
    [
      'an SSM parameter that does not exist',
      async () => '/pikaia/prod/missing',
      `${SECRETS_PREFIX} unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: /pikaia/prod/missing`,
    ],
  ])('%s → ResourceInitializationError, TaskFailedToStart', async (_name, valueFrom, reason) => {
    const task = await runAndWait(await withSecret(await valueFrom()));
    expect(task.lastStatus).toBe('STOPPED');
    expect(task.stopCode).toBe('TaskFailedToStart');
    expect(task.stoppedReason).toContain(reason);
    expect(task.containers?.[0]?.exitCode).toBeUndefined();
    expect(task.startedAt).toBeUndefined();
  });
});

describe('images and their platform (realism.images)', () => {
  beforeEach(async () => {
    await h.control('realism', { images: true });
    await h.control('seed', {
      repositories: [
        {
          name: 'pikaia-backend',
          images: [
            { tag: 'amd64' },
            { tag: 'arm64', architecture: 'arm64' },
            { tag: 'multi', platforms: ['linux/amd64', 'linux/arm64'], format: 'oci' },
            { tag: 'amd-only-index', platforms: ['linux/amd64'] },
          ],
        },
      ],
    });
  });
  const ARM64 = { runtimePlatform: { cpuArchitecture: 'ARM64' as const, operatingSystemFamily: 'LINUX' as const } };

  test('an amd64 image on an ARM64 task: it starts, the entrypoint dies with exec format error, exit 1', async () => {
    const t = td(`${ECR}/pikaia-backend:amd64`, {}, ARM64);
    const task = await runAndWait(await withGroup(t));
    expect(task).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited' });
    expect(task.stoppedReason).toBe('Essential container in task exited');
    expect(task.startedAt).toBeInstanceOf(Date);
    expect(task.containers?.[0]?.exitCode).toBe(1);
    const stream = `ecs/app/${task.taskArn?.split('/').pop()}`;
    const events = await h.logs.send(new GetLogEventsCommand({ logGroupName: t.logGroup, logStreamName: stream }));
    expect(events.events?.map((e) => e.message)).toEqual(['exec /bin/sh: exec format error']);
  });

  test('an arm64 laptop build on the default (X86_64) platform fails the same way; the right one runs', async () => {
    expect((await runAndWait(await withGroup(td(`${ECR}/pikaia-backend:arm64`)))).stoppedReason).toBe(
      'Essential container in task exited',
    );
    expect((await runAndWait(await withGroup(td(`${ECR}/pikaia-backend:amd64`)), 40)).lastStatus).toBe('RUNNING');
    expect((await runAndWait(await withGroup(td(`${ECR}/pikaia-backend:arm64`, {}, ARM64)), 40)).lastStatus).toBe(
      'RUNNING',
    );
  });

  test('an index: the task pulls its platform; an index without it is CannotPullContainerError', async () => {
    const multi = await runAndWait(await withGroup(td(`${ECR}/pikaia-backend:multi`, {}, ARM64)), 40);
    expect(multi.lastStatus).toBe('RUNNING');
    // the digest ECS reports is the stored one (what the tag pointed at), not an invented one
    const ecr = new ECRClient(sdkClientConfig(h.emu.url));
    const described = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'pikaia-backend', imageIds: [{ imageTag: 'multi' }] }),
    );
    ecr.destroy();
    expect(multi.containers?.[0]?.imageDigest).toBe(described.imageDetails?.[0]?.imageDigest);
    const task = await runAndWait(await withGroup(td(`${ECR}/pikaia-backend:amd-only-index`, {}, ARM64)));
    expect(task.stopCode).toBe('TaskFailedToStart');
    expect(task.stoppedReason).toMatch(
      /^CannotPullContainerError: pull image manifest has been retried 5 time\(s\): no match for platform in manifest sha256:[0-9a-f]{64}: not found$/,
    );
    expect(task.containers?.[0]?.reason).toBe(task.stoppedReason);
  });

  test('a tag the repository does not have is CannotPullContainerError; images on other registries are not judged', async () => {
    const missing = await runAndWait(await withGroup(td(`${ECR}/pikaia-backend:v9`)));
    expect(missing.stoppedReason).toBe(
      `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${ECR}/pikaia-backend:v9: not found`,
    );
    expect((await runAndWait(await withGroup(td('public.ecr.aws/nginx/nginx:1.27')), 40)).lastStatus).toBe('RUNNING');
  });

  test('a service deploying the wrong architecture trips the circuit breaker and rolls back', async () => {
    const good = await h.ecs.send(
      new RegisterTaskDefinitionCommand(await withGroup(td(`${ECR}/pikaia-backend:amd64`))),
    );
    await h.ecs.send(
      new CreateServiceCommand({
        cluster: 'prod',
        serviceName: 'api',
        taskDefinition: good.taskDefinition?.taskDefinitionArn,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: NETWORK,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    );
    await h.advance(120);
    const bad = await h.ecs.send(new RegisterTaskDefinitionCommand(await withGroup(td(`${ECR}/pikaia-backend:arm64`))));
    await h.ecs.send(
      new UpdateServiceCommand({
        cluster: 'prod',
        service: 'api',
        taskDefinition: bad.taskDefinition?.taskDefinitionArn,
      }),
    );
    for (let i = 0; i < 12; i++) await h.advance(30);
    const svc = (await h.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['api'] }))).services?.[0];
    const failed = svc?.deployments?.find((d) => d.taskDefinition === bad.taskDefinition?.taskDefinitionArn);
    expect(svc?.events?.map((e) => e.message).join('\n')).toContain('deployment failed: tasks failed to start.');
    expect(svc?.taskDefinition).toBe(good.taskDefinition?.taskDefinitionArn);
    expect(failed === undefined || failed.rolloutState === 'FAILED').toBe(true);
  });
});

describe('awslogs groups (realism.logGroups)', () => {
  beforeEach(async () => {
    await h.control('realism', { logGroups: true });
  });

  test('a missing group without awslogs-create-group → ResourceInitializationError: failed to validate logger args', async () => {
    const task = await runAndWait(td('repo/app:v1').input);
    expect(task.stopCode).toBe('TaskFailedToStart');
    expect(task.stoppedReason).toBe(
      'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1',
    );
  });

  test('awslogs-create-group "true" creates it; an existing group is used', async () => {
    const t = td('repo/app:v1', {
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': '/ecs/created',
          'awslogs-region': 'us-east-1',
          'awslogs-stream-prefix': 'ecs',
          'awslogs-create-group': 'true',
        },
      },
    });
    expect((await runAndWait(t.input, 40)).lastStatus).toBe('RUNNING');
    expect((await runAndWait(await withGroup(td('repo/app:v1')), 40)).lastStatus).toBe('RUNNING');
  });

  test('switch off: the group is created on first use (the emulator before this check)', async () => {
    await h.control('realism', { logGroups: false });
    expect((await runAndWait(td('repo/app:v1').input, 40)).lastStatus).toBe('RUNNING');
  });
});
