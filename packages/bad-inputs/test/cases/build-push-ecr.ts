import { main } from '../../../../actions/build-push-ecr/src/main';
import { type ActionCases, bad, badCase, valueCase } from '../case';
import { SHA } from '../world';

export const buildPushEcr: ActionCases = {
  action: 'build-push-ecr',
  // buildah is what this machine has; the probe is given so no case depends on what PATH holds.
  main: (env) => main({ env, probe: { buildx: false, buildah: true } }),
  base: { repository: 'shop/web', context: 'app', tags: 'v9.9.9', cache: 'off' },
  cases: [
    bad('missing repository', 'repository', '', { message: /required/ }),
    bad('repository given as the image URI', 'repository', '000000000000.dkr.ecr.us-east-1.amazonaws.com/shop/web', {
      message: /not an image URI/,
    }),
    bad('repository with a tag', 'repository', 'shop/web:v1'),
    bad('upper-case repository', 'repository', 'Shop/Web'),
    bad('repository that does not exist (read before any write)', 'repository', 'shop/nope', {
      message: /does not exist in region us-east-1/,
    }),
    bad('context that does not exist', 'context', 'frontend', { message: /not found/ }),
    bad('context is a file', 'context', 'app/Dockerfile'),
    bad('dockerfile that does not exist', 'dockerfile', 'app/Dockerfile.prod'),
    badCase('context without a Dockerfile', { context: 'site' }, 'dockerfile'),
    bad('tag starting with a dash', 'tags', '-rc1'),
    bad('branch name as a tag (slash)', 'tags', 'feature/login'),
    bad('tag listed twice', 'tags', 'v1,v1', { message: /listed twice/ }),
    bad('build-args line without =', 'build-args', 'NODE_ENV'),
    bad('build-arg name with a dash', 'build-args', 'NODE-ENV=production'),
    badCase(
      'public build-arg that is not a build-arg (typo)',
      { 'build-args': 'APP_VERSION=1', 'public-build-args': 'APP_VERSON' },
      'public-build-args',
    ),
    bad('platform without os', 'platforms', 'amd64'),
    bad('two platforms with buildah', 'platforms', 'linux/amd64,linux/arm64', { message: /one platform/ }),
    bad('unknown builder', 'builder', 'kaniko'),
    bad('buildx asked for where there is none', 'builder', 'buildx'),
    bad('unknown cache mode', 'cache', 'gha'),
    badCase('cache tag equal to an image tag', { cache: 'ecr', tags: 'buildcache' }, 'cache-tag', {
      message: /also one of the image tags/,
    }),
    valueCase('provenance', 'yes'),
    valueCase('skip-existing', '1'),
    bad('availability zone as region', 'aws-region', 'us-east-1a'),
    bad('region with a space', 'aws-region', 'US East'),
    badCase('no tags and no GITHUB_SHA', { tags: '' }, 'tags', { env: { GITHUB_SHA: '' }, message: /GITHUB_SHA/ }),
    badCase(
      'existing tag in an immutable repository, skip-existing off',
      { repository: 'shop/frozen', tags: 'v1', 'skip-existing': 'false' },
      'tags',
      { message: /IMMUTABLE/ },
    ),
    badCase(
      'registry cache in an immutable repository',
      { repository: 'shop/frozen', tags: `v2-${SHA.slice(0, 7)}`, cache: 'ecr' },
      'cache',
      { message: /IMMUTABLE_WITH_EXCLUSION/ },
    ),
  ],
};
