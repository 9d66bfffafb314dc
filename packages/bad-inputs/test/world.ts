// The one world every bad-input case runs in: an emulator account holding what the seven actions deploy to (cluster
// `app` with service `api` on task definition web:1, ECR repositories, the task definition's secret, role and log
// group (so the deploy preflight passes unless a case breaks it), an SSM parameter, a bucket and its CloudFront
// distribution), a workspace with the files their inputs name, and a fake GitHub. Seeded afresh before every case, so
// a case that wrongly changes AWS cannot hide or cause another case's result.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import type { EmulatorFixture } from '@deploy-actions/aws-emulator';
import { SECRET_NAME, SECRET_VALUE, taskDefWith } from '@deploy-actions/kit/testing/ecs-deploy';
import { afterAll, beforeAll } from 'vitest';
import { gh } from './github';

export const SHA = '0123456789abcdef0123456789abcdef01234567';
export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';
export const DIST_ID = 'E2SPATEST00001';
export const BUCKET = 'spa-site';
export const ECR_IMAGE = (tag: string) => `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/web:${tag}`;
export const TD_ARN = (rev: number, family = 'web') =>
  `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${rev}`;

/** The workspace (GITHUB_WORKSPACE) with every file a case names. */
export const WS = mkdtempSync(join(tmpdir(), 'bad-inputs-ws-'));

function file(path: string, content: string): string {
  const full = join(WS, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, content);
  return full;
}

file('ecs/web.json', JSON.stringify(taskDefWith(ECR_IMAGE('v2')), null, 2));
file('ecs/bad.json', '{\n  "family": "web",\n  "containerDefinitions": [\n}');
file('ecs/no-family.json', JSON.stringify({ containerDefinitions: [{ name: 'app', image: 'nginx' }] }));
file('app/Dockerfile', 'FROM scratch\nCOPY hello.txt /hello.txt\n');
file('app/hello.txt', 'hello\n');
file('site/index.html', '<!doctype html><script src="/assets/app-BxK3f9aQ.js"></script>\n');
file('site/assets/app-BxK3f9aQ.js', 'console.log(1)\n');
file('escape/index.html', '<!doctype html>\n');
symlinkSync('/etc/hostname', join(WS, 'escape', 'host.txt'));
mkdirSync(join(WS, 'out-dir'), { recursive: true });
file('README.md', 'the workspace root\n');

/** What cases may refer to that only exists once the emulator runs: its registry host, seeded digests. */
export interface World {
  /** The emulator's host:port, which the kit treats as an ECR registry host (AWS_ENDPOINT_URL). */
  host: string;
  /** Digests of shop/web:v1.3.0 and shop/web:v1.4.0 (different images). */
  v130: string;
  v140: string;
}

export function seedFixture(): Record<string, unknown> {
  return {
    clusters: ['app'],
    taskDefinitions: [taskDefWith(ECR_IMAGE('v1'))],
    services: [
      {
        cluster: 'app',
        serviceName: 'api',
        taskDefinition: TD_ARN(1),
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: ['subnet-0aaa111'],
            securityGroups: ['sg-0api111'],
            assignPublicIp: 'DISABLED',
          },
        },
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      },
    ],
    logGroups: ['/ecs/web'],
    roles: ['ecsTaskExecutionRole'],
    secrets: [{ name: SECRET_NAME, value: { DJANGO_SECRET_KEY: SECRET_VALUE } }],
    parameters: [{ name: '/app/db-password', value: 'pw-from-ssm', type: 'SecureString' }],
    repositories: [
      { name: 'web', images: [{ tag: 'v1' }, { tag: 'v2', content: 'v2' }] },
      {
        name: 'shop/web',
        images: [
          { tag: 'v1.3.0', content: 'old' },
          { tag: 'v1.4.0', content: 'new' },
        ],
      },
      { name: 'shop/frozen', imageTagMutability: 'IMMUTABLE', images: [{ tag: 'v1' }] },
      {
        name: 'team/api',
        images: [
          { tag: SHA, content: 'api' },
          { tag: 'v1.3.0', content: 'api v1.3.0' },
        ],
      },
      {
        name: 'team/frozen',
        imageTagMutability: 'IMMUTABLE',
        images: [
          { tag: SHA, content: 'frozen' },
          { tag: 'stable', content: 'frozen old' },
        ],
      },
    ],
    buckets: [{ name: BUCKET }],
    distributions: [{ id: DIST_ID, originBucket: BUCKET }],
  };
}

export async function seedWorld(emu: EmulatorFixture): Promise<void> {
  await emu.control.reset();
  await emu.control.seed(seedFixture() as never);
  await emu.control.clearRequests();
}

/** The world's late-bound values (after the first seed; seeding is deterministic, so they hold for every case). */
export async function describeWorld(emu: EmulatorFixture): Promise<World> {
  const ecr = new ECRClient(emu.clientConfig);
  try {
    const digest = async (tag: string) =>
      (await ecr.send(new DescribeImagesCommand({ repositoryName: 'shop/web', imageIds: [{ imageTag: tag }] })))
        .imageDetails![0]!.imageDigest!;
    return { host: new URL(emu.url).host, v130: await digest('v1.3.0'), v140: await digest('v1.4.0') };
  } finally {
    ecr.destroy();
  }
}

/**
 * The world of a suite file, after the emulator's own hooks: the fake GitHub started, the emulator seeded once and
 * its late-bound values read. Returns the world (once the hooks ran).
 */
export function useWorld(emu: EmulatorFixture): () => World {
  let world: World | undefined;
  beforeAll(async () => {
    await gh.start();
    await seedWorld(emu);
    world = await describeWorld(emu);
  });
  afterAll(() => gh.stop());
  return () => {
    if (!world) throw new Error('useWorld: the world is read before its beforeAll ran');
    return world;
  };
}

/** The GitHub variables the runner sets for every case: a commit, a tag push, GitHub pointed at the fake. */
export function githubEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    GITHUB_SHA: SHA,
    GITHUB_REF: 'refs/tags/v1.4.0',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: gh.url,
    GITHUB_RUN_ID: '77',
    ...extra,
  };
}
