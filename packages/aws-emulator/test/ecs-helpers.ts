// Shared helpers for the ECS / Logs / STS / ELBv2 / Secrets Manager emulator tests.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient, type RegisterTaskDefinitionCommandInput, type RunTaskCommandInput } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { awsCliEnv, EmulatorControl, type RunningEmulator, sdkClientConfig, startEmulator } from '../src/index.ts';

const execFileAsync = promisify(execFile);

export interface Harness {
  emu: RunningEmulator;
  ecs: ECSClient;
  logs: CloudWatchLogsClient;
  elb: ElasticLoadBalancingV2Client;
  sm: SecretsManagerClient;
  sts: STSClient;
  control(path: string, body?: unknown, method?: string): Promise<unknown>;
  advance(seconds: number): Promise<void>;
  aws(args: string[]): Promise<{ stdout: string; stderr: string; code: number }>;
  stop(): Promise<void>;
}

/** timeScale 1: simulated time only moves meaningfully through explicit advance() calls. */
export async function harness(opts: { timeScale?: number } = {}): Promise<Harness> {
  const emu = await startEmulator({ port: 0, timeScale: opts.timeScale ?? 1 });
  const config = sdkClientConfig(emu.url);
  const control = new EmulatorControl(emu.url);
  const h: Harness = {
    emu,
    ecs: new ECSClient(config),
    logs: new CloudWatchLogsClient(config),
    elb: new ElasticLoadBalancingV2Client(config),
    sm: new SecretsManagerClient(config),
    sts: new STSClient(config),
    control: (path, body, method = 'POST') => control.send(path, body, method),
    async advance(seconds) {
      await control.advance(seconds);
    },
    async aws(args) {
      try {
        const { stdout, stderr } = await execFileAsync(
          '/usr/bin/aws',
          [...args, '--endpoint-url', emu.url, '--output', 'json'],
          { env: awsCliEnv(), timeout: 30_000 },
        );
        return { stdout, stderr, code: 0 };
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; code?: number };
        return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
      }
    },
    async stop() {
      for (const c of [h.ecs, h.logs, h.elb, h.sm, h.sts]) c.destroy();
      await emu.stop();
    },
  };
  return h;
}

/**
 * One harness per test file: started in beforeAll, stopped in afterAll and, unless `reset: false`, reset before
 * each test. The returned object is filled in by beforeAll, before any test reads it.
 */
export function useHarness(opts: { timeScale?: number; reset?: boolean } = {}): Harness {
  const h = {} as Harness;
  beforeAll(async () => {
    Object.assign(h, await harness(opts));
  });
  afterAll(async () => {
    await h.stop();
  });
  if (opts.reset !== false) {
    beforeEach(async () => {
      await h.control('reset');
    });
  }
  return h;
}

export const EXEC_ROLE = 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole';
export const SUBNETS = ['subnet-0aaa', 'subnet-0bbb'];
export const NETWORK = {
  awsvpcConfiguration: { subnets: SUBNETS, securityGroups: ['sg-0123'], assignPublicIp: 'DISABLED' as const },
};

/** A seeded service (control `seed`): service api of task definition family api in cluster prod, 2 tasks. */
export function seededService(extra: Record<string, unknown> = {}) {
  return {
    cluster: 'prod',
    serviceName: 'api',
    taskDefinition: 'api',
    desiredCount: 2,
    networkConfiguration: NETWORK,
    ...extra,
  };
}

/** A RunTask input: one Fargate task of `taskDefinition` in cluster prod, on the test network. */
export function fargateRun(
  taskDefinition: string | undefined,
  extra: Partial<RunTaskCommandInput> = {},
): RunTaskCommandInput {
  return { cluster: 'prod', taskDefinition, launchType: 'FARGATE', networkConfiguration: NETWORK, ...extra };
}

/** A Fargate task definition with one awslogs container. */
export function fargateTd(
  family: string,
  image: string,
  extra: Partial<RegisterTaskDefinitionCommandInput> = {},
): RegisterTaskDefinitionCommandInput {
  return {
    family,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    executionRoleArn: EXEC_ROLE,
    containerDefinitions: [
      {
        name: 'app',
        image,
        essential: true,
        portMappings: [{ containerPort: 8080 }],
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': `/ecs/${family}`, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs' },
        },
      },
    ],
    ...extra,
  };
}
