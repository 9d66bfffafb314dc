// parseInputs: defaults, the finishing mode, and one ConfigurationError naming the input for each mistake.
import { ConfigurationError } from '@deploy-actions/kit/runtime';
import { describe, expect, test } from 'vitest';
import { parseInputs, type RawInputs } from '../src/inputs';

const SHA = '3f2a9c1e7b41d0c5a6e8f9b2c3d4e5f6a7b8c9d0';
const ENV = {
  GITHUB_REF: 'refs/tags/v1.4.0',
  GITHUB_SHA: SHA,
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_RUN_ID: '99',
  GITHUB_TOKEN: 'ghs_env',
  AWS_REGION: 'us-east-1',
};

describe('defaults', () => {
  test('tag from GITHUB_REF, source tag = GITHUB_SHA, production, release on, token from the environment', () => {
    expect(parseInputs({ repositories: 'team/api\nteam/worker' }, ENV)).toEqual({
      mode: 'release',
      tag: { name: 'v1.4.0', version: '1.4.0', prefix: 'v', major: 1, minor: 4, prerelease: false, build: false },
      repositories: ['team/api', 'team/worker'],
      sourceTag: SHA,
      extraTags: [],
      majorMinorTags: false,
      createRelease: true,
      createDeployment: true,
      region: 'us-east-1',
      sha: SHA,
      token: 'ghs_env',
      owner: 'acme',
      repo: 'shop',
      apiUrl: 'https://api.github.com',
      environment: 'production',
      environmentUrl: undefined,
      logUrl: 'https://github.com/acme/shop/actions/runs/99',
    });
  });

  test('explicit values; no repositories needs no region', () => {
    const i = parseInputs(
      {
        tag: '2.0.0-rc.1',
        'extra-tags': 'latest, stable',
        'major-minor-tags': 'true',
        environment: 'staging',
        'environment-url': 'https://staging.example.com',
        'create-release': 'false',
        'github-token': 'ghp_input',
      },
      { GITHUB_REPOSITORY: 'acme/shop', GITHUB_API_URL: 'https://ghe.example.com/api/v3' },
    );
    expect(i).toMatchObject({
      mode: 'release',
      tag: { name: '2.0.0-rc.1', prerelease: true },
      repositories: [],
      extraTags: ['latest', 'stable'],
      majorMinorTags: true,
      createRelease: false,
      region: undefined,
      token: 'ghp_input',
      apiUrl: 'https://ghe.example.com/api/v3',
      environment: 'staging',
      environmentUrl: 'https://staging.example.com',
      logUrl: undefined,
    });
  });

  test('finishing mode: only deployment-id, status and the GitHub side (no tag needed, even on a branch)', () => {
    const i = parseInputs(
      { 'deployment-id': '1234', 'deployment-status': 'failure', 'environment-url': 'https://app.example.com' },
      { ...ENV, GITHUB_REF: 'refs/heads/main' },
    );
    expect(i).toEqual({
      mode: 'finish',
      deploymentId: 1234,
      deploymentStatus: 'failure',
      environmentGiven: false,
      token: 'ghs_env',
      owner: 'acme',
      repo: 'shop',
      apiUrl: 'https://api.github.com',
      environment: 'production',
      environmentUrl: 'https://app.example.com',
      logUrl: 'https://github.com/acme/shop/actions/runs/99',
    });
  });
});

describe('each mistake is one ConfigurationError naming the input', () => {
  const base: RawInputs = { repositories: 'team/api' };
  test.each<[string, RawInputs, NodeJS.ProcessEnv, string, RegExp]>([
    [
      'not a tag run, no tag',
      base,
      { ...ENV, GITHUB_REF: 'refs/heads/main' },
      'tag',
      /not for a tag.*refs\/heads\/main/,
    ],
    ['tag not semver', { ...base, tag: 'v1.4' }, ENV, 'tag', /not a semantic version tag/],
    ['tag with a name', { ...base, tag: 'release-2024' }, ENV, 'tag', /not a semantic version/],
    ['tag with build metadata and images', { ...base, tag: 'v1.0.0+b7' }, ENV, 'tag', /build metadata/],
    [
      'repository as a URI',
      { repositories: '1.dkr.ecr.us-east-1.amazonaws.com/api' },
      ENV,
      'repositories',
      /not an image URI/,
    ],
    ['repository with a tag', { repositories: 'api:v1' }, ENV, 'repositories', /not an image URI/],
    ['upper-case repository', { repositories: 'Team/API' }, ENV, 'repositories', /not a valid ECR repository/],
    ['repository twice', { repositories: 'api, api' }, ENV, 'repositories', /listed twice/],
    ['no source tag', base, { ...ENV, GITHUB_SHA: '' }, 'source-tag', /GITHUB_SHA is not set/],
    ['bad source tag', { ...base, 'source-tag': 'a/b' }, ENV, 'source-tag', /not a valid image tag/],
    ['bad extra tag', { ...base, 'extra-tags': 'latest\n-x' }, ENV, 'extra-tags', /"-x" is not a valid image tag/],
    ['extra tag twice', { ...base, 'extra-tags': 'latest,latest' }, ENV, 'extra-tags', /listed twice/],
    ['extra tag = release tag', { ...base, 'extra-tags': 'v1.4.0' }, ENV, 'extra-tags', /release tag itself/],
    ['extra tag = source tag', { ...base, 'extra-tags': SHA }, ENV, 'extra-tags', /source tag/],
    ['major-minor-tags yes', { ...base, 'major-minor-tags': 'yes' }, ENV, 'major-minor-tags', /./],
    ['create-release 1', { ...base, 'create-release': '1' }, ENV, 'create-release', /./],
    ['create-deployment yes', { ...base, 'create-deployment': 'yes' }, ENV, 'create-deployment', /./],
    ['no token', base, { ...ENV, GITHUB_TOKEN: '' }, 'github-token', /GITHUB_TOKEN is not set/],
    ['no region with repositories', base, { ...ENV, AWS_REGION: '' }, 'aws-region', /no AWS region/],
    ['bad region', { ...base, 'aws-region': 'US East' }, ENV, 'aws-region', /expected an AWS region/],
    ['bad environment', { ...base, environment: 'prod\nx' }, ENV, 'environment', /not a valid GitHub environment/],
    [
      'environment-url not a URL',
      { ...base, 'environment-url': 'app.example.com' },
      ENV,
      'environment-url',
      /not a URL/,
    ],
    ['environment-url ftp', { ...base, 'environment-url': 'ftp://x' }, ENV, 'environment-url', /http\(s\)/],
    [
      'deployment-id not a number',
      { 'deployment-id': 'abc', 'deployment-status': 'success' },
      ENV,
      'deployment-id',
      /not a deployment id/,
    ],
    [
      'deployment-id without status',
      { 'deployment-id': '12' },
      ENV,
      'deployment-status',
      /required with deployment-id/,
    ],
    [
      'unknown deployment status',
      { 'deployment-id': '12', 'deployment-status': 'done' },
      ENV,
      'deployment-status',
      /done/,
    ],
    [
      'status without deployment-id',
      { ...base, 'deployment-status': 'success' },
      ENV,
      'deployment-status',
      /only applies with deployment-id/,
    ],
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
