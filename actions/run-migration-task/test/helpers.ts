// Emulator harness for run-migration-task tests: a seeded cluster, an in-process runner of main() that captures
// stdout, outputs and summary, and request-log helpers.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type EmulatorControl,
  type EmulatorFixture,
  type RequestLogEntry,
  useEmulator,
} from '@deploy-actions/aws-emulator';
import { failureMessage } from '@deploy-actions/kit';
import { parseCommandFile, withInputs } from '@deploy-actions/kit/testing';
import { afterAll, beforeAll, vi } from 'vitest';
import { type MainOptions, main } from '../src/main';

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

/** web:1 (awslogs), nolog:1 (no log configuration); service api (custom network, platform 1.4.0). */
export const SEED = {
  clusters: ['app'],
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

/** This test file's emulator, SDK pointed at it through the environment; started in beforeAll, stopped in afterAll. */
export function useTestEmulator(timeScale = 40): TestEmulator {
  return useEmulator({ timeScale, setEnv: true }, { beforeAll, afterAll });
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

export interface InProcessRun {
  error: unknown;
  /** failureMessage(error) when it failed. */
  message: string | undefined;
  stdout: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
}

/** Short intervals so in-process runs take about as long as the simulated task. */
export const FAST: MainOptions['tuning'] = {
  pollInitialMs: 150,
  pollMaxMs: 300,
  logIntervalMs: 150,
  drainQuietMs: 200,
  drainMaxMs: 2000,
  cancelDrainMs: 300,
};

// @actions/core caches the summary file path on first use, so every in-process run shares one summary file.
const SUMMARY_FILE = join(mkdtempSync(join(tmpdir(), 'rmt-summary-')), 'summary');

/** Run main() in this process with these inputs, capturing stdout and the runner files. */
export async function runMain(
  inputs: Record<string, string | undefined>,
  options: MainOptions = {},
): Promise<InProcessRun> {
  const dir = mkdtempSync(join(tmpdir(), 'rmt-'));
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: SUMMARY_FILE,
    GITHUB_STATE: join(dir, 'state'),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const saved = Object.fromEntries(Object.keys(files).map((k) => [k, process.env[k]]));
  Object.assign(process.env, files, { GITHUB_WORKSPACE: FIXTURES });
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
    stdout += String(chunk);
    return true;
  });
  let error: unknown;
  try {
    await withInputs(inputs, () => main({ tuning: FAST, ...options }));
  } catch (err) {
    error = err;
  } finally {
    spy.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return {
    error,
    message: error === undefined ? undefined : failureMessage(error),
    stdout,
    outputs: parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    state: parseCommandFile(readFileSync(files.GITHUB_STATE, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
  };
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
