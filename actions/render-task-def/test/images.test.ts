import { describe, expect, test } from 'vitest';
import { formatImageRef, parseEcrHost, parseImageRef, pinnedImage, planDigestPins } from '../src/images';

const D = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

describe('parseImageRef', () => {
  test.each([
    ['nginx', { registry: undefined, repository: 'nginx', tag: undefined, digest: undefined }],
    ['nginx:1.27-alpine', { registry: undefined, repository: 'nginx', tag: '1.27-alpine', digest: undefined }],
    ['library/nginx:1', { registry: undefined, repository: 'library/nginx', tag: '1', digest: undefined }],
    ['ghcr.io/org/app:v1', { registry: 'ghcr.io', repository: 'org/app', tag: 'v1', digest: undefined }],
    ['localhost:5000/app', { registry: 'localhost:5000', repository: 'app', tag: undefined, digest: undefined }],
    [
      '127.0.0.1:4566/team/app:1.0',
      { registry: '127.0.0.1:4566', repository: 'team/app', tag: '1.0', digest: undefined },
    ],
    [
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web@${D}`,
      { registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', repository: 'shop/web', tag: undefined, digest: D },
    ],
    [`repo:tag@${D}`, { registry: undefined, repository: 'repo', tag: 'tag', digest: D }],
  ])('%s', (image, expected) => {
    expect(parseImageRef(image)).toEqual(expected);
    expect(formatImageRef(parseImageRef(image)!)).toBe(image);
  });
  test.each(['', 'Nginx', 'repo:tag with space', 'repo@sha256:abc', 'repo:-bad', 'a//b'])('invalid: %j', (image) =>
    expect(parseImageRef(image)).toBeUndefined(),
  );
});

describe('parseEcrHost', () => {
  test.each([
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', { registryId: '123456789012', region: 'eu-west-1' }],
    ['123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com', { registryId: '123456789012', region: 'us-gov-west-1' }],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', { registryId: '123456789012', region: 'cn-north-1' }],
    ['123456789012.dkr-ecr.us-east-1.on.aws', { registryId: '123456789012', region: 'us-east-1' }],
    ['public.ecr.aws', undefined],
    ['127.0.0.1:4566', undefined],
  ])('%s', (host, expected) => expect(parseEcrHost(host)).toEqual(expected));
});

describe('planDigestPins', () => {
  const containers = [
    { name: 'web', image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:v1' },
    { name: 'untagged', image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/worker' },
    { name: 'pinned', image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web@${D}` },
    { name: 'hub', image: 'public.ecr.aws/datadog/agent:7' },
    { name: 'local', image: '127.0.0.1:4566/shop/web:v1' },
  ];
  test('without an ECR endpoint override', () => {
    const plan = planDigestPins(containers, undefined);
    expect(plan.map((s) => [s.container, s.action])).toEqual([
      ['web', 'lookup'],
      ['untagged', 'lookup'],
      ['pinned', 'skip'],
      ['hub', 'skip'],
      ['local', 'skip'],
    ]);
    expect(plan[0]).toMatchObject({
      lookup: { registryId: '123456789012', region: 'eu-west-1', repositoryName: 'shop/web', tag: 'v1' },
    });
    expect(plan[1]).toMatchObject({ lookup: { region: 'us-east-1', tag: 'latest' } });
    expect(plan[2]).toMatchObject({ reason: 'already pinned by digest' });
  });
  test('the emulator host is looked up by repository name when it is the ECR endpoint', () => {
    const plan = planDigestPins(containers, 'http://localhost:4566');
    expect(plan[4]).toMatchObject({
      action: 'lookup',
      lookup: { registryId: undefined, region: undefined, repositoryName: 'shop/web', tag: 'v1' },
    });
    expect(planDigestPins(containers, 'http://127.0.0.1:9999')[4]!.action).toBe('skip');
  });
  test('pinnedImage drops the tag', () => {
    expect(pinnedImage(parseImageRef('127.0.0.1:4566/shop/web:v1')!, D)).toBe(`127.0.0.1:4566/shop/web@${D}`);
  });
});
