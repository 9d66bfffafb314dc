import { main } from '../../../../actions/build-push-ecr/src/main';
import type { ActionCases } from '../case';
import { SHA } from '../world';

export const buildPushEcr: ActionCases = {
  action: 'build-push-ecr',
  // buildah is what this machine has; the probe is given so no case depends on what PATH holds.
  main: (env) => main({ env, probe: { buildx: false, buildah: true } }),
  base: { repository: 'shop/web', context: 'app', tags: 'v9.9.9', cache: 'off' },
  cases: [
    { name: 'missing repository', inputs: { repository: '' }, input: 'repository', message: /required/ },
    {
      name: 'repository given as the image URI',
      inputs: { repository: '000000000000.dkr.ecr.us-east-1.amazonaws.com/shop/web' },
      input: 'repository',
      message: /not an image URI/,
    },
    { name: 'repository with a tag', inputs: { repository: 'shop/web:v1' }, input: 'repository' },
    { name: 'upper-case repository', inputs: { repository: 'Shop/Web' }, input: 'repository' },
    {
      name: 'repository that does not exist (read before any write)',
      inputs: { repository: 'shop/nope' },
      input: 'repository',
      message: /does not exist in region us-east-1/,
    },
    { name: 'context that does not exist', inputs: { context: 'frontend' }, input: 'context', message: /not found/ },
    { name: 'context is a file', inputs: { context: 'app/Dockerfile' }, input: 'context' },
    { name: 'dockerfile that does not exist', inputs: { dockerfile: 'app/Dockerfile.prod' }, input: 'dockerfile' },
    { name: 'context without a Dockerfile', inputs: { context: 'site' }, input: 'dockerfile' },
    { name: 'tag starting with a dash', inputs: { tags: '-rc1' }, input: 'tags' },
    { name: 'branch name as a tag (slash)', inputs: { tags: 'feature/login' }, input: 'tags' },
    { name: 'tag listed twice', inputs: { tags: 'v1,v1' }, input: 'tags', message: /listed twice/ },
    { name: 'build-args line without =', inputs: { 'build-args': 'NODE_ENV' }, input: 'build-args' },
    { name: 'build-arg name with a dash', inputs: { 'build-args': 'NODE-ENV=production' }, input: 'build-args' },
    {
      name: 'public build-arg that is not a build-arg (typo)',
      inputs: { 'build-args': 'APP_VERSION=1', 'public-build-args': 'APP_VERSON' },
      input: 'public-build-args',
    },
    { name: 'platform without os', inputs: { platforms: 'amd64' }, input: 'platforms' },
    {
      name: 'two platforms with buildah',
      inputs: { platforms: 'linux/amd64,linux/arm64' },
      input: 'platforms',
      message: /one platform/,
    },
    { name: 'unknown builder', inputs: { builder: 'kaniko' }, input: 'builder' },
    { name: 'buildx asked for where there is none', inputs: { builder: 'buildx' }, input: 'builder' },
    { name: 'unknown cache mode', inputs: { cache: 'gha' }, input: 'cache' },
    {
      name: 'cache tag equal to an image tag',
      inputs: { cache: 'ecr', tags: 'buildcache' },
      input: 'cache-tag',
      message: /also one of the image tags/,
    },
    { name: 'provenance: yes', inputs: { provenance: 'yes' }, input: 'provenance' },
    { name: 'skip-existing: 1', inputs: { 'skip-existing': '1' }, input: 'skip-existing' },
    { name: 'availability zone as region', inputs: { 'aws-region': 'us-east-1a' }, input: 'aws-region' },
    { name: 'region with a space', inputs: { 'aws-region': 'US East' }, input: 'aws-region' },
    {
      name: 'no tags and no GITHUB_SHA',
      inputs: { tags: '' },
      env: { GITHUB_SHA: '' },
      input: 'tags',
      message: /GITHUB_SHA/,
    },
    {
      name: 'existing tag in an immutable repository, skip-existing off',
      inputs: { repository: 'shop/frozen', tags: 'v1', 'skip-existing': 'false' },
      input: 'tags',
      message: /IMMUTABLE/,
    },
    {
      name: 'registry cache in an immutable repository',
      inputs: { repository: 'shop/frozen', tags: `v2-${SHA.slice(0, 7)}`, cache: 'ecr' },
      input: 'cache',
      message: /IMMUTABLE_WITH_EXCLUSION/,
    },
  ],
};
