import { describe, expect, test } from 'vitest';
import { isInsidePrefix, joinKey, normalizePrefix, validateBucketName } from '../src/s3-names';

describe('validateBucketName', () => {
  test.each(['my-site', 'a.b.c', 'abc', 'x'.repeat(63), 'site-2024'])('accepts %s', (name) => {
    expect(validateBucketName('bucket', name)).toBe(name);
  });
  test.each([
    ['', /is required/],
    ['ab', /3 to 63/],
    ['x'.repeat(64), /3 to 63/],
    ['My-Site', /lower case/],
    ['my_site', /only letters, digits/],
    ['-site', /start and end/],
    ['site.', /start and end/],
    ['a..b', /adjacent dots/],
    ['192.168.1.1', /IP address/],
    ['xn--site', /reserved prefix/],
    ['site-s3alias', /reserved suffix/],
    ['s3://my-site/path', /not a URL: use "my-site"/],
  ])('rejects %j', (name, message) => {
    expect(() => validateBucketName('bucket', name)).toThrow(message);
  });
});

describe('normalizePrefix', () => {
  test.each([
    ['', ''],
    ['/', ''],
    ['site', 'site'],
    ['/site/', 'site'],
    ['a/b/c/', 'a/b/c'],
    ['  v1.2 ', 'v1.2'],
  ])('%j → %j', (raw, expected) => {
    expect(normalizePrefix('prefix', raw)).toBe(expected);
  });
  test.each([
    ['../other', /'\.\.' segments/],
    ['site/../../x', /'\.\.' segments/],
    ['./site', /'\.' or '\.\.'/],
    ['a//b', /empty segments/],
    ['a\\b', /backslashes/],
    ['a\u0001b', /control characters/],
  ])('rejects %j', (raw, message) => {
    expect(() => normalizePrefix('prefix', raw)).toThrow(message);
  });
  test('joinKey / isInsidePrefix', () => {
    expect(joinKey('', 'a.js')).toBe('a.js');
    expect(joinKey('site', 'a.js')).toBe('site/a.js');
    expect(isInsidePrefix('site', 'site/a.js')).toBe(true);
    expect(isInsidePrefix('site', 'site2/a.js')).toBe(false);
    expect(isInsidePrefix('site', 'site/')).toBe(false);
    expect(isInsidePrefix('', 'a.js')).toBe(true);
  });
});
