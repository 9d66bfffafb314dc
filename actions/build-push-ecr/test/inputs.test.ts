// parseInputs: defaults, and one ConfigurationError naming the input for each mistake.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '@deploy-actions/kit/runtime';
import { afterAll, describe, expect, test } from 'vitest';
import { parseInputs, type RawInputs } from '../src/inputs';

const ws = mkdtempSync(join(tmpdir(), 'bpe-inputs-'));
mkdirSync(join(ws, 'app'));
writeFileSync(join(ws, 'app', 'Dockerfile'), 'FROM scratch\n');
mkdirSync(join(ws, 'podman'));
writeFileSync(join(ws, 'podman', 'Containerfile'), 'FROM scratch\n');
mkdirSync(join(ws, 'empty'));
writeFileSync(join(ws, 'file.txt'), 'x');
afterAll(() => rmSync(ws, { recursive: true, force: true }));

const SHA = '3f2a9c1e7b41d0c5a6e8f9b2c3d4e5f6a7b8c9d0';
const ENV = {
  GITHUB_WORKSPACE: ws,
  GITHUB_SHA: SHA,
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'acme/shop',
  AWS_REGION: 'us-east-1',
};
const base: RawInputs = { repository: 'team/api', context: 'app' };

describe('defaults', () => {
  test('tags = GITHUB_SHA, Dockerfile in the context, linux/amd64, cache ecr, OCI labels', () => {
    const i = parseInputs(base, ENV);
    expect(i).toMatchObject({
      repository: 'team/api',
      context: join(ws, 'app'),
      dockerfile: join(ws, 'app', 'Dockerfile'),
      tags: [SHA],
      buildArgs: [],
      platforms: ['linux/amd64'],
      builder: 'auto',
      cache: 'ecr',
      cacheTag: 'buildcache',
      provenance: false,
      skipExisting: true,
      region: 'us-east-1',
      labels: [
        ['org.opencontainers.image.revision', SHA],
        ['org.opencontainers.image.source', 'https://github.com/acme/shop'],
      ],
    });
  });

  test('Containerfile fallback; explicit values', () => {
    const i = parseInputs(
      {
        repository: 'api',
        context: 'podman',
        tags: 'v1.2.3\nlatest',
        'build-args': 'VITE_API=https://x/?a=b\nNODE_ENV=production',
        platforms: 'linux/amd64, linux/arm64',
        builder: 'buildah',
        cache: 'off',
        provenance: 'true',
        'skip-existing': 'false',
        'aws-region': 'eu-west-1',
      },
      { GITHUB_WORKSPACE: ws },
    );
    expect(i).toMatchObject({
      dockerfile: join(ws, 'podman', 'Containerfile'),
      tags: ['v1.2.3', 'latest'],
      buildArgs: [
        ['VITE_API', 'https://x/?a=b'],
        ['NODE_ENV', 'production'],
      ],
      platforms: ['linux/amd64', 'linux/arm64'],
      builder: 'buildah',
      cache: 'off',
      provenance: true,
      skipExisting: false,
      region: 'eu-west-1',
      labels: [],
    });
  });
});

describe('each mistake is one ConfigurationError naming the input', () => {
  test.each<[string, RawInputs, NodeJS.ProcessEnv, string, RegExp]>([
    ['missing repository', { context: 'app' }, ENV, 'repository', /is required/],
    [
      'repository given as a URI',
      { ...base, repository: '1.dkr.ecr.us-east-1.amazonaws.com/api' },
      ENV,
      'repository',
      /not an image URI/,
    ],
    ['repository with a tag', { ...base, repository: 'api:v1' }, ENV, 'repository', /not an image URI/],
    ['upper-case repository', { ...base, repository: 'Team/API' }, ENV, 'repository', /not a valid ECR repository/],
    ['context missing', { ...base, context: 'nope' }, ENV, 'context', /directory not found: nope/],
    ['context is a file', { ...base, context: 'file.txt' }, ENV, 'context', /not a directory/],
    ['no Dockerfile in context', { ...base, context: 'empty' }, ENV, 'dockerfile', /no Dockerfile or Containerfile/],
    ['dockerfile missing', { ...base, dockerfile: 'app/Dockerfile.prod' }, ENV, 'dockerfile', /file not found/],
    ['bad tag', { ...base, tags: 'v1\n-bad' }, ENV, 'tags', /"-bad" is not a valid Docker tag/],
    ['tag too long', { ...base, tags: 'a'.repeat(129) }, ENV, 'tags', /not a valid Docker tag/],
    ['tag with a slash', { ...base, tags: 'feature/x' }, ENV, 'tags', /not a valid Docker tag/],
    ['duplicate tag', { ...base, tags: 'v1,v1' }, ENV, 'tags', /listed twice/],
    ['no tags and no GITHUB_SHA', base, { GITHUB_WORKSPACE: ws, AWS_REGION: 'us-east-1' }, 'tags', /GITHUB_SHA/],
    ['build-arg without =', { ...base, 'build-args': 'A=1\nNOPE' }, ENV, 'build-args', /line 2: expected key=value/],
    ['build-arg bad name', { ...base, 'build-args': '1X=2' }, ENV, 'build-args', /not a valid build argument name/],
    [
      'public build-arg not among build-args',
      { ...base, 'build-args': 'APP_VERSION=1', 'public-build-args': 'APP_VERSON' },
      ENV,
      'public-build-args',
      /"APP_VERSON" is not one of the build-args \(APP_VERSION\)/,
    ],
    [
      'public build-arg with a bad name',
      { ...base, 'build-args': 'A=1', 'public-build-args': 'A=1' },
      ENV,
      'public-build-args',
      /not a valid build argument name/,
    ],
    ['bad platform', { ...base, platforms: 'amd64' }, ENV, 'platforms', /not a platform/],
    ['unknown builder', { ...base, builder: 'kaniko' }, ENV, 'builder', /kaniko/],
    ['unknown cache', { ...base, cache: 'gha' }, ENV, 'cache', /gha/],
    [
      'cache tag collides with an image tag',
      { ...base, tags: 'buildcache' },
      ENV,
      'cache-tag',
      /also one of the image tags/,
    ],
    ['bad cache tag', { ...base, 'cache-tag': 'a b' }, ENV, 'cache-tag', /not a valid Docker tag/],
    ['provenance yes', { ...base, provenance: 'yes' }, ENV, 'provenance', /./],
    ['skip-existing 1', { ...base, 'skip-existing': '1' }, ENV, 'skip-existing', /./],
    ['no region anywhere', base, { GITHUB_WORKSPACE: ws, GITHUB_SHA: SHA }, 'aws-region', /no AWS region/],
    ['bad region', { ...base, 'aws-region': 'US East' }, ENV, 'aws-region', /expected an AWS region/],
  ])('%s', (_name, raw, env, input, message) => {
    let error: unknown;
    try {
      parseInputs(raw, env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).input).toBe(input);
    expect((error as Error).message).toMatch(message);
  });
});
