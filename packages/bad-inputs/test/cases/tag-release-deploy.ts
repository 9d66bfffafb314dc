import { main } from '../../../../actions/tag-release-deploy/src/main';
import { type ActionCases, bad, badCase, valueCase } from '../case';
import { gh } from '../github';

const TOKEN = 'ghs_0123456789abcdefABCDEF0123456789abcd';

export const tagReleaseDeploy: ActionCases = {
  action: 'tag-release-deploy',
  main: (env) => main({ env }),
  base: { repositories: 'team/api', 'github-token': TOKEN },
  cases: [
    bad('tag without v and patch (1.4)', 'tag', '1.4'),
    bad('tag that is a branch name', 'tag', 'main'),
    badCase('no tag and not a tag push', { tag: '' }, 'tag', {
      env: { GITHUB_REF: 'refs/heads/main' },
      message: /not for a tag/,
    }),
    bad('tag with build metadata and images', 'tag', 'v1.4.0+build.7', { message: /build metadata/ }),
    bad('repositories given as image URIs', 'repositories', '000000000000.dkr.ecr.us-east-1.amazonaws.com/team/api'),
    bad('repository listed twice', 'repositories', 'team/api\nteam/api'),
    bad('repository that does not exist (read before any write)', 'repositories', 'team/api\nteam/worker', {
      message: /team\/worker/,
    }),
    bad('source-tag with a slash', 'source-tag', 'main/abc'),
    bad(
      'source-tag that was never pushed (read before any write)',
      'source-tag',
      'fedcba9876543210fedcba9876543210fedcba98',
    ),
    bad('extra-tags with the release tag', 'extra-tags', 'v1.4.0'),
    bad('extra-tags with a bad tag', 'extra-tags', 'latest, -x'),
    valueCase('major-minor-tags', 'yes'),
    valueCase('create-release', '0'),
    valueCase('create-deployment', 'off'),
    bad('environment given as a list', 'environment', 'staging, production'),
    badCase(
      'finishing a deployment of another environment (would move it)',
      { 'deployment-id': '1000', 'deployment-status': 'success', environment: 'production' },
      'environment',
      {
        setup: () => {
          gh.deployments.push({ id: 1000, environment: 'staging' });
        },
        message: /is for "staging"/,
      },
    ),
    bad('release tag already on another image (re-release from another commit)', 'tag', 'v1.3.0', {
      message: /never moved/,
    }),
    badCase(
      'extra tag that the immutable repository cannot move',
      { repositories: 'team/frozen', 'extra-tags': 'stable' },
      'extra-tags',
      { message: /immutable/ },
    ),
    bad('environment-url without a scheme', 'environment-url', 'app.example.com'),
    badCase('missing github-token', { 'github-token': '' }, 'github-token', { env: { GITHUB_TOKEN: '' } }),
    badCase('deployment-id: abc', { 'deployment-id': 'abc', 'deployment-status': 'success' }, 'deployment-id'),
    badCase('deployment-id without a status', { 'deployment-id': '1000' }, 'deployment-status'),
    bad('deployment-status without an id', 'deployment-status', 'success'),
    badCase(
      'deployment-status: cancelled',
      { 'deployment-id': '1000', 'deployment-status': 'cancelled' },
      'deployment-status',
    ),
    badCase(
      'deployment-id that does not exist (read before the write)',
      { 'deployment-id': '4242', 'deployment-status': 'success' },
      'deployment-id',
    ),
    valueCase('aws-region', 'eu'),
  ],
};
