import { describe, expect, test } from 'vitest';
import { jsonHasKey, trustsEcsTasks } from '../../../src/ecs/preflight/checks';
import { imagePlatformProblem, indexPlatformProblem, indexPlatforms } from '../../../src/ecs/preflight/platform';
import { parseBearerChallenge } from '../../../src/ecs/preflight/registry';
import { imageLocation, parseSecretRef, taskPlatform, taskRequirements } from '../../../src/ecs/preflight/requirements';

const SM = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-AbCdEf';

describe('what a task definition needs', () => {
  test.each<[string, string | undefined, unknown]>([
    [
      '111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/api:v2',
      undefined,
      { kind: 'ecr', registryId: '111122223333', region: 'eu-west-1', repository: 'team/api', tag: 'v2' },
    ],
    [
      '111122223333.dkr.ecr.eu-west-1.amazonaws.com/api@sha256:' + 'a'.repeat(64),
      undefined,
      {
        kind: 'ecr',
        registryId: '111122223333',
        region: 'eu-west-1',
        repository: 'api',
        digest: `sha256:${'a'.repeat(64)}`,
      },
    ],
    ['127.0.0.1:4566/web:v1', 'localhost:4566', { kind: 'ecr', repository: 'web', tag: 'v1' }],
    [
      'nginx',
      undefined,
      {
        kind: 'registry',
        host: 'registry-1.docker.io',
        repository: 'library/nginx',
        reference: 'latest',
        insecure: false,
      },
    ],
    [
      'docker.io/grafana/grafana:11',
      undefined,
      {
        kind: 'registry',
        host: 'registry-1.docker.io',
        repository: 'grafana/grafana',
        reference: '11',
        insecure: false,
      },
    ],
    [
      'public.ecr.aws/nginx/nginx:1.27',
      undefined,
      { kind: 'registry', host: 'public.ecr.aws', repository: 'nginx/nginx', reference: '1.27', insecure: false },
    ],
    [
      'localhost:5000/app:1',
      undefined,
      { kind: 'registry', host: 'localhost:5000', repository: 'app', reference: '1', insecure: true },
    ],
    ['Not An Image', undefined, { kind: 'invalid' }],
  ])('imageLocation(%s)', (image, endpoint, location) => {
    expect(imageLocation(image, endpoint)).toEqual(location);
  });

  test.each<[string, unknown]>([
    [SM, { kind: 'secretsmanager', valueFrom: SM, secretId: SM, region: 'eu-west-1' }],
    [
      `${SM}:password::`,
      { kind: 'secretsmanager', valueFrom: `${SM}:password::`, secretId: SM, region: 'eu-west-1', jsonKey: 'password' },
    ],
    [
      `${SM}:password:AWSPREVIOUS:`,
      {
        kind: 'secretsmanager',
        valueFrom: `${SM}:password:AWSPREVIOUS:`,
        secretId: SM,
        region: 'eu-west-1',
        jsonKey: 'password',
        versionStage: 'AWSPREVIOUS',
      },
    ],
    [
      `${SM}:password`,
      {
        kind: 'invalid',
        valueFrom: `${SM}:password`,
        problem: expect.stringContaining('<secret-arn>:<json-key>:<version-stage>:<version-id>'),
      },
    ],
    ['/app/prod/db-url', { kind: 'ssm', valueFrom: '/app/prod/db-url', name: '/app/prod/db-url', region: 'us-east-1' }],
    ['db_password', { kind: 'ssm', valueFrom: 'db_password', name: 'db_password', region: 'us-east-1' }],
    [
      'arn:aws:ssm:eu-west-1:111122223333:parameter/app/prod/db',
      {
        kind: 'ssm',
        valueFrom: 'arn:aws:ssm:eu-west-1:111122223333:parameter/app/prod/db',
        name: '/app/prod/db',
        region: 'eu-west-1',
      },
    ],
    [
      'arn:aws:ssm:eu-west-1:111122223333:parameter/db',
      { kind: 'ssm', valueFrom: 'arn:aws:ssm:eu-west-1:111122223333:parameter/db', name: 'db', region: 'eu-west-1' },
    ],
  ])('parseSecretRef(%s)', (valueFrom, ref) => {
    expect(parseSecretRef(valueFrom, 'us-east-1')).toEqual(ref);
  });

  test('the platform: runtimePlatform, X86_64/LINUX by default on Fargate, none for EC2 without one', () => {
    expect(taskPlatform({}, true)).toEqual({ os: 'linux', architecture: 'amd64', label: 'X86_64/LINUX (default)' });
    expect(taskPlatform({ runtimePlatform: { cpuArchitecture: 'ARM64' } }, true)).toEqual({
      os: 'linux',
      architecture: 'arm64',
      label: 'ARM64/LINUX',
    });
    expect(taskPlatform({ runtimePlatform: { operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE' } }, true)?.os).toBe(
      'windows',
    );
    expect(taskPlatform({}, false)).toBeUndefined();
  });

  test('requirements: images, secrets (container and log driver), log groups, why Fargate needs an execution role', () => {
    const req = taskRequirements(
      {
        requiresCompatibilities: ['FARGATE'],
        containerDefinitions: [
          {
            name: 'app',
            image: '000000000000.dkr.ecr.us-east-1.amazonaws.com/web:v1',
            secrets: [{ name: 'DB', valueFrom: `${SM}:password::` }],
            logConfiguration: {
              logDriver: 'awslogs',
              options: { 'awslogs-group': '/ecs/web', 'awslogs-region': 'eu-west-1' },
              secretOptions: [{ name: 'TOKEN', valueFrom: '/logs/token' }],
            },
          },
          {
            name: 'proxy',
            image: 'nginx:1',
            logConfiguration: {
              logDriver: 'awslogs',
              options: { 'awslogs-group': '/ecs/proxy', 'awslogs-create-group': 'true' },
            },
          },
        ],
      },
      { fargate: false, taskRegion: 'us-east-1', ecrEndpointHost: undefined },
    );
    expect(req.fargate).toBe(true);
    expect(req.images.map((i) => [i.container, i.location.kind])).toEqual([
      ['app', 'ecr'],
      ['proxy', 'registry'],
    ]);
    expect(req.secrets.map((s) => [s.container, s.name, s.ref.kind])).toEqual([
      ['app', 'DB', 'secretsmanager'],
      ['app', 'TOKEN', 'ssm'],
    ]);
    expect(req.logGroups).toEqual([
      { container: 'app', group: '/ecs/web', region: 'eu-west-1', create: false },
      { container: 'proxy', group: '/ecs/proxy', region: 'us-east-1', create: true },
    ]);
    expect(req.executionRoleNeededFor).toEqual([
      'pulling the private ECR image of app',
      'the secrets of app',
      'the awslogs log driver of app',
      'the awslogs log driver of proxy',
    ]);
    // EC2 tasks pull with the instance role: no execution role needed for that
    expect(
      taskRequirements(
        { containerDefinitions: [{ name: 'a', image: 'nginx' }] },
        { fargate: false, taskRegion: 'us-east-1', ecrEndpointHost: undefined },
      ).executionRoleNeededFor,
    ).toEqual([]);
  });
});

describe('platforms', () => {
  const amd64 = { os: 'linux', architecture: 'amd64', label: 'X86_64/LINUX (default)' };
  test('a single-platform image for another architecture: the exec format error, with both fixes', () => {
    expect(imagePlatformProblem('web:v2', { os: 'linux', architecture: 'amd64' }, amd64)).toBeUndefined();
    const p = imagePlatformProblem('web:v2', { os: 'linux', architecture: 'arm64', variant: 'v8' }, amd64);
    expect(p?.message).toBe(
      'image web:v2 is built for linux/arm64/v8, but the task runs on linux/amd64 (runtimePlatform X86_64/LINUX (default)): ECS would start it and it would exit with "exec format error"',
    );
    expect(p?.fix).toBe(
      'build and push the image for linux/amd64 (docker buildx build --platform linux/amd64, buildah bud --platform linux/amd64), or set runtimePlatform.cpuArchitecture to ARM64',
    );
  });
  test('an index without the platform; attestations are not platforms', () => {
    const index = {
      manifests: [
        { platform: { os: 'linux', architecture: 'arm64' } },
        { platform: { os: 'unknown', architecture: 'unknown' } },
      ],
    };
    expect(indexPlatforms(index)).toEqual([{ os: 'linux', architecture: 'arm64' }]);
    expect(indexPlatformProblem('web:v2', indexPlatforms(index), amd64)?.message).toContain(
      'is a multi-platform image for linux/arm64, without linux/amd64',
    );
    expect(indexPlatformProblem('web:v2', [{ os: 'linux', architecture: 'amd64' }], amd64)).toBeUndefined();
  });
});

describe('small readers', () => {
  test('jsonHasKey never lets the value out', () => {
    expect(jsonHasKey('{"a": "1"}', 'a')).toBe(true);
    expect(jsonHasKey('{"a": "1"}', 'b')).toBe(false);
    expect(jsonHasKey('hunter2', 'a')).toBe('not-json');
    expect(jsonHasKey('["a"]', 'a')).toBe('not-json');
    expect(jsonHasKey(undefined, 'a')).toBe('not-json');
  });
  test('trust policies (URL-encoded, as GetRole returns them)', () => {
    const doc = (service: string) =>
      encodeURIComponent(
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
        }),
      );
    expect(trustsEcsTasks(doc('ecs-tasks.amazonaws.com'))).toBe(true);
    expect(trustsEcsTasks(doc('lambda.amazonaws.com'))).toBe(false);
    expect(trustsEcsTasks(undefined)).toBeUndefined();
  });
  test('a registry Bearer challenge', () => {
    expect(
      parseBearerChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      ),
    ).toEqual({
      realm: 'https://auth.docker.io/token',
      service: 'registry.docker.io',
      scope: 'repository:library/nginx:pull',
    });
    expect(parseBearerChallenge('Basic realm="x"')).toBeUndefined();
  });
});
