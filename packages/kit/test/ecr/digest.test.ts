import { describe, expect, test } from 'vitest';
import { parseEcrHost, pinnedImage, planDigestPins, taggedDigestProblem } from '../../src/ecr/digest';
import { parseImageRef } from '../../src/runtime/inputs/image';

const D = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

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

describe('tag + digest', () => {
  const E = 'sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210';
  test('an ECR image with a tag and a digest is verified; elsewhere it is left as is', () => {
    const plan = planDigestPins(
      [
        { name: 'web', image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:v1.4.0@${D}` },
        { name: 'hub', image: `nginx:1.27@${D}` },
      ],
      undefined,
    );
    expect(plan[0]).toMatchObject({
      action: 'verify',
      digest: D,
      lookup: { tag: 'v1.4.0', repositoryName: 'shop/web' },
    });
    expect(plan[1]).toMatchObject({ action: 'skip', reason: 'already pinned by digest' });
  });
  test.each<[string | undefined, RegExp | undefined]>([
    [D, undefined],
    [E, /tag shop\/web:v1\.4\.0 is sha256:fedc\w+ in ECR\); ECS would run sha256:0123/],
    [undefined, /tag shop\/web:v1\.4\.0 does not exist in ECR/],
  ])('resolved %s', (resolved, problem) => {
    const step = {
      container: 'web',
      image: `repo/shop/web:v1.4.0@${D}`,
      digest: D,
      lookup: { registryId: undefined, region: undefined, repositoryName: 'shop/web', tag: 'v1.4.0' },
    };
    const message = taggedDigestProblem(step, resolved);
    if (problem) expect(message).toMatch(problem);
    else expect(message).toBeUndefined();
  });
});
