// The example's own staging workflow (examples/kaapi-fastapi/.github/workflows/staging.yml), run through the CLI as
// a push to main: the reusable deploy-staging.yml, buildah build + push of examples/kaapi-fastapi/backend, render,
// migration task, rollout, health check, OIDC against iam/kaapi-staging-deploy/trust-policy.json. Asserts the AWS
// end state from the emulator: the service runs a new revision whose image is the pushed digest.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import { EmulatorControl, type RunningEmulator, startEmulator } from '@deploy-actions/aws-emulator';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunResult } from '../src/index.ts';
import { readSelfRepository } from '../src/self-repo.ts';
import { cli, REPO_ROOT, selfCheckout, tempDir } from './helpers.ts';

const hasBuildah = existsSync('/usr/bin/buildah');
const example = join(REPO_ROOT, 'examples', 'kaapi-fastapi');
const region = 'ap-south-1';

describe.skipIf(!hasBuildah)('kaapi-fastapi staging workflow through the CLI (needs buildah)', () => {
  let emu: RunningEmulator;
  let health: Server;
  let healthUrl = '';
  let healthHits = 0;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    const registry = new URL(emu.url).host;
    const template = JSON.parse(readFileSync(join(example, 'task-definitions/staging/backend.json'), 'utf8'));
    template.containerDefinitions[0].image = `${registry}/kaapi-backend:seed`;
    await new EmulatorControl(emu.url).seed({
      region,
      clusters: ['kaapi-staging-cluster'],
      repositories: [{ name: 'kaapi-backend', region, images: [{ tag: 'seed', content: 'kaapi before this push' }] }],
      logGroups: [{ logGroupName: '/ecs/kaapi-staging-cluster/kaapi-staging-service', region }],
      taskDefinitions: [template],
      services: [
        {
          cluster: 'kaapi-staging-cluster',
          serviceName: 'kaapi-staging-service',
          taskDefinition: 'kaapi-staging-backend:1',
          desiredCount: 1,
        },
      ],
    });
    health = createServer((req, res) => {
      healthHits++;
      res.writeHead(req.url === '/api/v1/utils/health/' ? 200 : 404, { 'content-type': 'application/json' });
      res.end('true');
    });
    await new Promise<void>((r) => health.listen(0, '127.0.0.1', r));
    healthUrl = `http://127.0.0.1:${(health.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await emu?.stop();
    await new Promise<void>((r) => (health ? health.close(() => r()) : r()));
  });

  test('push to main: built, pushed, migrated, deployed by digest, healthy', async () => {
    const self = readSelfRepository();
    const dir = tempDir('wr-kaapi-');
    // The caller as committed, with one local substitution: our owner (the examples may still say `org/`). Its
    // health-check URL comes from the variable KAAPI_STAGING_API_URL, pointed at a local server here.
    const caller = readFileSync(join(example, '.github/workflows/staging.yml'), 'utf8').replace(
      /uses: [\w.-]+\/deploy-actions\//g,
      `uses: ${self.full}/`,
    );
    const callerFile = join(dir, 'staging.yml');
    writeFileSync(callerFile, caller);
    const jsonFile = join(dir, 'result.json');
    const r = await cli([
      'run',
      callerFile,
      '--repo',
      example,
      '--event',
      'push',
      '--ref',
      'main',
      '--repository',
      'acme/kaapi',
      '--secret',
      'AWS_DEPLOY_ROLE_ARN=arn:aws:iam::123456789012:role/kaapi-staging-deploy',
      '--var',
      `KAAPI_STAGING_API_URL=${healthUrl}`,
      '--emulator',
      emu.url,
      '--json',
      jsonFile,
      '--self',
      selfCheckout(),
    ]);
    if (r.code !== 0) console.log(r.stdout.slice(-15000), r.stderr.slice(-5000));
    expect(r.code).toBe(0);
    const result = JSON.parse(readFileSync(jsonFile, 'utf8')) as RunResult;
    expect(result.conclusion).toBe('success');
    const deploy = result.jobs[0];
    expect(deploy?.jobs?.map((j) => [j.id, j.result])).toEqual([
      ['build', 'success'],
      ['deploy', 'success'],
      ['smoke-test', 'skipped'],
      ['smoke-test-verdict', 'skipped'],
      ['spa-build', 'skipped'],
      ['spa', 'skipped'],
    ]);
    expect(deploy?.jobs?.[0]?.environment).toEqual({ name: 'staging' });
    expect(r.stdout).toContain('conclusion: success');

    // AWS end state, read from the emulator.
    const config = { endpoint: emu.url, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    const ecr = new ECRClient(config);
    const ecs = new ECSClient(config);
    const image = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'kaapi-backend', imageIds: [{ imageTag: result.sha }] }),
    );
    const digest = image.imageDetails?.[0]?.imageDigest;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const svc = await ecs.send(
      new DescribeServicesCommand({ cluster: 'kaapi-staging-cluster', services: ['kaapi-staging-service'] }),
    );
    const service = svc.services?.[0];
    expect(service?.taskDefinition).toMatch(/task-definition\/kaapi-staging-backend:2$/);
    expect(service?.deployments?.[0]?.rolloutState).toBe('COMPLETED');
    const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service?.taskDefinition }));
    expect(td.taskDefinition?.containerDefinitions?.[0]?.image).toBe(
      `${new URL(emu.url).host}/kaapi-backend@${digest}`,
    );
    expect(deploy?.outputs['task-definition-arn']).toBe(service?.taskDefinition);
    expect(deploy?.outputs.image).toBe(`${new URL(emu.url).host}/kaapi-backend@${digest}`);
    expect(healthHits).toBeGreaterThan(0);
    ecr.destroy();
    ecs.destroy();
  }, 300_000);
});
