// Emulator harness for run-migration-task tests: a seeded cluster, an in-process runner of main() that captures
// stdout, outputs and summary, and request-log helpers.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type EmulatorControl,
  type EmulatorFixture,
  type RequestLogEntry,
  useEmulator,
} from '@deploy-actions/aws-emulator';
import { type InProcessResult, runInProcess } from '@deploy-actions/kit/testing';
import { afterAll, beforeAll } from 'vitest';
import { type Deps, main } from '../src/main';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';
export const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/web:v1`;
export const TD_ARN = (rev: number, family = 'web') =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${rev}`;
export const API_NETWORK = {
  awsvpcConfiguration: {
    subnets: ['subnet-0aaa111', 'subnet-0bbb222'],
    securityGroups: ['sg-0api111'],
    assignPublicIp: 'ENABLED',
  },
};

export function webTaskDef(over: Record<string, unknown> = {}): Record<string, any> {
  return { ...JSON.parse(readFileSync(join(FIXTURES, 'web-taskdef.json'), 'utf8')), ...over };
}

/**
 * web:1 (awslogs), nolog:1 (no log configuration); service api (custom network, platform 1.4.0); the images
 * (web:v1, web:v2) and the log group they use, since the emulator starts tasks as ECS does (realism on).
 */
export const SEED = {
  clusters: ['app'],
  repositories: [{ name: 'web', images: [{ tag: 'v1' }, { tag: 'v2' }] }],
  logGroups: ['/ecs/web'],
  taskDefinitions: [
    webTaskDef(),
    {
      ...webTaskDef({ family: 'nolog' }),
      containerDefinitions: [{ name: 'django', image: IMAGE, essential: true }],
    },
    {
      family: 'bridge',
      networkMode: 'bridge',
      requiresCompatibilities: ['EC2'],
      containerDefinitions: [{ name: 'worker', image: IMAGE, essential: true, memory: 256 }],
    },
  ],
  services: [
    {
      cluster: 'app',
      serviceName: 'api',
      taskDefinition: TD_ARN(1),
      desiredCount: 1,
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      networkConfiguration: API_NETWORK,
    },
    {
      cluster: 'app',
      serviceName: 'worker-bridge',
      taskDefinition: TD_ARN(1, 'bridge'),
      desiredCount: 0,
      launchType: 'EC2',
    },
  ],
};

export type TestEmulator = EmulatorFixture;

/**
 * This test file's emulator, SDK pointed at it through the environment; started in beforeAll, stopped in afterAll.
 * Task starts are judged as ECS judges them (secrets, images and their platform, log groups).
 */
export function useTestEmulator(timeScale = 40): TestEmulator {
  return useEmulator(
    { timeScale, setEnv: true, realism: { secrets: true, images: true, logGroups: true } },
    { beforeAll, afterAll },
  );
}

export async function reseed(control: EmulatorControl, extra: Record<string, unknown[]> = {}): Promise<void> {
  await control.reset();
  await control.clearBehaviors();
  await control.seed({
    ...SEED,
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, [...((SEED as any)[k] ?? []), ...v]])),
  });
  await control.clearRequests();
}

export const mutating = (log: RequestLogEntry[]) =>
  log.filter((e) => e.mutating).map((e) => `${e.service}:${e.operation}`);

export function requestBodies(log: RequestLogEntry[], operation: string): any[] {
  return log.filter((e) => e.operation === operation).map((e) => JSON.parse(e.body ?? '{}'));
}

export type InProcessRun = InProcessResult;

/** Short intervals so in-process runs take about as long as the simulated task. */
export const FAST: Deps['tuning'] = {
  pollInitialMs: 150,
  pollMaxMs: 300,
  logIntervalMs: 150,
  drainQuietMs: 200,
  drainMaxMs: 2000,
  cancelDrainMs: 300,
};

/** Run main() in this process with these inputs (and `env`), capturing stdout and the runner files. */
export function runMain(
  inputs: Record<string, string | undefined>,
  options: Deps = {},
  env: Record<string, string> = {},
): Promise<InProcessRun> {
  return runInProcess(inputs, () => main({ tuning: FAST, ...options }), { GITHUB_WORKSPACE: FIXTURES, ...env });
}

/** Log lines the container printed, as they appear on stdout (between the group markers, without [ecs] lines). */
export function containerLines(stdout: string): string[] {
  const start = stdout.indexOf('::group::');
  const end = stdout.indexOf('::endgroup::');
  return stdout
    .slice(start, end === -1 ? undefined : end)
    .split('\n')
    .slice(1)
    .filter((l) => l !== '' && !l.startsWith('[ecs]') && !l.startsWith('::') && !l.startsWith('  https://'));
}
