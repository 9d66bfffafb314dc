import { describe, expect, test } from 'vitest';
import { formatImageRef, parseImageRef } from '../../src/runtime/inputs/image';

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
