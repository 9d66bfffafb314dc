import { main } from '../../../../actions/tag-release-deploy/src/main';
import type { ActionCases } from '../case';
import { gh } from '../github';

const TOKEN = 'ghs_0123456789abcdefABCDEF0123456789abcd';

export const tagReleaseDeploy: ActionCases = {
  action: 'tag-release-deploy',
  main: (env) => main({ env }),
  base: { repositories: 'team/api', 'github-token': TOKEN },
  cases: [
    { name: 'tag without v and patch (1.4)', inputs: { tag: '1.4' }, input: 'tag' },
    { name: 'tag that is a branch name', inputs: { tag: 'main' }, input: 'tag' },
    {
      name: 'no tag and not a tag push',
      inputs: { tag: '' },
      env: { GITHUB_REF: 'refs/heads/main' },
      input: 'tag',
      message: /not for a tag/,
    },
    {
      name: 'tag with build metadata and images',
      inputs: { tag: 'v1.4.0+build.7' },
      input: 'tag',
      message: /build metadata/,
    },
    {
      name: 'repositories given as image URIs',
      inputs: { repositories: '000000000000.dkr.ecr.us-east-1.amazonaws.com/team/api' },
      input: 'repositories',
    },
    { name: 'repository listed twice', inputs: { repositories: 'team/api\nteam/api' }, input: 'repositories' },
    {
      name: 'repository that does not exist (read before any write)',
      inputs: { repositories: 'team/api\nteam/worker' },
      input: 'repositories',
      message: /team\/worker/,
    },
    { name: 'source-tag with a slash', inputs: { 'source-tag': 'main/abc' }, input: 'source-tag' },
    {
      name: 'source-tag that was never pushed (read before any write)',
      inputs: { 'source-tag': 'fedcba9876543210fedcba9876543210fedcba98' },
      input: 'source-tag',
    },
    { name: 'extra-tags with the release tag', inputs: { 'extra-tags': 'v1.4.0' }, input: 'extra-tags' },
    { name: 'extra-tags with a bad tag', inputs: { 'extra-tags': 'latest, -x' }, input: 'extra-tags' },
    { name: 'major-minor-tags: yes', inputs: { 'major-minor-tags': 'yes' }, input: 'major-minor-tags' },
    { name: 'create-release: 0', inputs: { 'create-release': '0' }, input: 'create-release' },
    { name: 'create-deployment: off', inputs: { 'create-deployment': 'off' }, input: 'create-deployment' },
    {
      name: 'environment given as a list',
      inputs: { environment: 'staging, production' },
      input: 'environment',
    },
    {
      name: 'finishing a deployment of another environment (would move it)',
      inputs: { 'deployment-id': '1000', 'deployment-status': 'success', environment: 'production' },
      setup: () => {
        gh.deployments.push({ id: 1000, environment: 'staging' });
      },
      input: 'environment',
      message: /is for "staging"/,
    },
    {
      name: 'release tag already on another image (re-release from another commit)',
      inputs: { tag: 'v1.3.0' },
      input: 'tag',
      message: /never moved/,
    },
    {
      name: 'extra tag that the immutable repository cannot move',
      inputs: { repositories: 'team/frozen', 'extra-tags': 'stable' },
      input: 'extra-tags',
      message: /immutable/,
    },
    {
      name: 'environment-url without a scheme',
      inputs: { 'environment-url': 'app.example.com' },
      input: 'environment-url',
    },
    { name: 'missing github-token', inputs: { 'github-token': '' }, env: { GITHUB_TOKEN: '' }, input: 'github-token' },
    {
      name: 'deployment-id: abc',
      inputs: { 'deployment-id': 'abc', 'deployment-status': 'success' },
      input: 'deployment-id',
    },
    { name: 'deployment-id without a status', inputs: { 'deployment-id': '1000' }, input: 'deployment-status' },
    { name: 'deployment-status without an id', inputs: { 'deployment-status': 'success' }, input: 'deployment-status' },
    {
      name: 'deployment-status: cancelled',
      inputs: { 'deployment-id': '1000', 'deployment-status': 'cancelled' },
      input: 'deployment-status',
    },
    {
      name: 'deployment-id that does not exist (read before the write)',
      inputs: { 'deployment-id': '4242', 'deployment-status': 'success' },
      input: 'deployment-id',
    },
    { name: 'aws-region: eu', inputs: { 'aws-region': 'eu' }, input: 'aws-region' },
  ],
};
