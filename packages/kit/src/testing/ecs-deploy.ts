// The ECS deploy test harness deploy-ecs-wait's and deploy-ecs's tests share (import from
// '@deploy-actions/kit/testing/ecs-deploy'): emulator start, seed fixtures, an in-process deploy runner.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TagResourceCommand } from '@aws-sdk/client-ecs';
import { type EmulatorControl, type EmulatorFixture, useEmulator } from '@deploy-actions/aws-emulator';
import { afterAll, beforeAll } from 'vitest';
import { createEcsClients } from '../ecs/deploy/clients';
import { executeDeploy } from '../ecs/deploy/execute';
import { TAG_KNOWN_GOOD } from '../ecs/deploy/known-good';
import type { DeployReport, DeployRequest } from '../ecs/deploy/model';
import { prepareDeploy } from '../ecs/deploy/prepare';
import { registerRevisions } from '../ecs/deploy/register';
import { deploySummaryMarkdown } from '../ecs/deploy/summary';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';
export const IMAGE = (tag: string) => `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/web:${tag}`;
export const TD_ARN = (rev: number, family = 'web') =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${rev}`;

export function baseTaskDef(): Record<string, any> {
  return JSON.parse(readFileSync(join(FIXTURES, 'web-taskdef.json'), 'utf8'));
}

export function taskDefWith(image: string, family = 'web'): Record<string, any> {
  const td = baseTaskDef();
  td.family = family;
  td.containerDefinitions[0].image = image;
  return td;
}

/** Write a task definition JSON to a temp file; returns the path. */
export function writeTaskDef(td: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'td-'));
  const path = join(dir, 'task-definition.json');
  writeFileSync(path, JSON.stringify(td, null, 2));
  return path;
}

/** The fixture task definition running image `web:<tag>`, written to a temp file; returns the path. */
export function taskDefFile(tag: string): string {
  return writeTaskDef(taskDefWith(IMAGE(tag)));
}

export type TestEmulator = EmulatorFixture;

/**
 * This test file's emulator (fast time scale), with the SDK pointed at it through the environment: started in
 * beforeAll, stopped in afterAll. `t.control`, `t.env` (for bundles), `t.url`. Task starts are judged as ECS judges
 * them (realism: secrets, images and their platform, log groups): `seedServices` seeds what the fixture needs.
 */
export function useTestEmulator(timeScale = 100): TestEmulator {
  return useEmulator(
    { timeScale, setEnv: true, realism: { secrets: true, images: true, logGroups: true } },
    { beforeAll, afterAll },
  );
}

/** Tags of the fixture's image (`web`) that exist in the emulator's ECR after seedServices (v4 and v9 do not). */
export const SEEDED_TAGS = ['v1', 'v2', 'v3', 'v5', 'v6', 'v7', 'crash', 'nopull', 'nosecret', 'sick', 'slow'];
/** The fixture's secret (its ARN in web-taskdef.json ends `secret:app-secrets-AbCdEf:DJANGO_SECRET_KEY::`). */
export const SECRET_NAME = 'app-secrets-AbCdEf';
export const SECRET_VALUE = 'fixture-django-secret-4f9a2c';

/** What the fixture task definition needs from the account: its images, secret, log group and execution role. */
export function accountFixture(tags: readonly string[] = SEEDED_TAGS) {
  return {
    repositories: [{ name: 'web', images: tags.map((tag) => ({ tag })) }],
    secrets: [{ name: SECRET_NAME, value: { DJANGO_SECRET_KEY: SECRET_VALUE } }],
    logGroups: ['/ecs/web'],
    roles: ['ecsTaskExecutionRole'],
  };
}

export interface SeedOptions {
  services?: string[];
  desiredCount?: number;
  breaker?: boolean;
  rollback?: boolean;
  image?: string;
  /** Extra revisions registered after the running one (not deployed). */
  extraImages?: string[];
  loadBalancer?: boolean;
  /** Seed what the fixture needs from the account (images, secret, log group, role): default true. */
  account?: boolean;
}

/** Cluster `app`, family `web` revision 1 running in each service (steady), optional later revisions. */
export async function seedServices(control: EmulatorControl, opts: SeedOptions = {}): Promise<void> {
  await control.reset();
  const services = opts.services ?? ['api'];
  if (opts.account !== false) await control.seed(accountFixture());
  await control.seed({
    clusters: ['app'],
    taskDefinitions: [taskDefWith(opts.image ?? IMAGE('v1')), ...(opts.extraImages ?? []).map((i) => taskDefWith(i))],
    services: services.map((serviceName) => ({
      cluster: 'app',
      serviceName,
      taskDefinition: TD_ARN(1),
      desiredCount: opts.desiredCount ?? 2,
      launchType: 'FARGATE',
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: opts.breaker ?? true, rollback: opts.rollback ?? true },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
      ...(opts.loadBalancer
        ? {
            loadBalancers: [
              {
                targetGroupArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${serviceName}/0123456789abcdef`,
                containerName: 'app',
                containerPort: 8000,
              },
            ],
          }
        : {}),
    })),
  });
  await control.clearRequests();
}

export async function markKnownGood(arn: string, when = '2026-01-01T00:00:00.000Z'): Promise<void> {
  const { ecs } = createEcsClients('test', REGION);
  await ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: TAG_KNOWN_GOOD, value: when }] }));
}

export function request(over: Partial<DeployRequest> = {}): DeployRequest {
  return {
    cluster: 'app',
    services: [
      { service: 'api', taskDefinition: { kind: 'file', path: 'test', taskDefinition: taskDefWith(IMAGE('v2')) } },
    ],
    forceNewDeployment: false,
    wait: true,
    waitTimeoutMs: 60_000,
    healthChecks: [],
    healthCheckTimeoutMs: 2000,
    autoRollback: true,
    markKnownGood: true,
    provenance: { commit: 'abc123', runUrl: 'https://github.com/o/r/actions/runs/1' },
    region: REGION,
    ...over,
  };
}

/** Test hooks: `beforeUpdate` runs between registration and the first UpdateService (to change AWS under the deploy). */
export interface ExecuteHooks {
  beforeUpdate?: (arns: Map<string, string>) => Promise<void>;
}

export interface DeployRun {
  report: DeployReport;
  log: string[];
  text: string;
  summary: string;
}

/** Prepare + execute in-process with fast poll delays; returns the report, log lines and summary markdown. */
export async function deploy(
  req: DeployRequest,
  opts: { signal?: AbortSignal; hooks?: ExecuteHooks } = {},
): Promise<DeployRun> {
  const log: string[] = [];
  const logger = { info: (m: string) => log.push(m), warning: (m: string) => log.push(`WARNING ${m}`) };
  const clients = createEcsClients('deploy-ecs-wait', REGION);
  const deps = {
    ...clients,
    log: logger,
    pollDelays: { minDelayMs: 100, maxDelayMs: 300 },
    healthCheckIntervalMs: 100,
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
  const prepared = await prepareDeploy(req, deps);
  const registered = await registerRevisions(prepared, deps);
  await opts.hooks?.beforeUpdate?.(registered.arnByService);
  const report = await executeDeploy(prepared, deps, registered);
  return { report, log, text: log.join('\n'), summary: deploySummaryMarkdown(report) };
}

export { mutatingRequests } from '@deploy-actions/aws-emulator';
export { type DeployBundleResult, runDeployBundle } from './deploy-bundle';
