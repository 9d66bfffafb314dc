import { describe, expect, test } from 'vitest';
import { ecrTagIsImmutable, ecrWildcardMatch } from '../../src/ecr/tags';

describe('ECR tag mutability', () => {
  test.each([
    ['*', 'anything', true],
    ['buildcache', 'buildcache', true],
    ['build*', 'buildcache', true],
    ['*cache', 'buildcache', true],
    ['build.cache', 'buildXcache', false],
    ['dev-*', 'v1', false],
    ['v*.*.*', 'v1.2.3', true],
    ['v*.*.*', 'v1', false],
  ])('wildcard %s vs %s → %s', (pattern, tag, expected) => {
    expect(ecrWildcardMatch(pattern, tag)).toBe(expected);
  });

  test.each<[string, string[], string, boolean]>([
    ['MUTABLE', [], 'v1', false],
    ['IMMUTABLE', [], 'v1', true],
    ['IMMUTABLE_WITH_EXCLUSION', ['buildcache'], 'buildcache', false],
    ['IMMUTABLE_WITH_EXCLUSION', ['buildcache'], 'v1', true],
    ['IMMUTABLE_WITH_EXCLUSION', ['latest', 'v*'], 'v1', false],
    ['MUTABLE_WITH_EXCLUSION', ['v*'], 'v1', true],
    ['MUTABLE_WITH_EXCLUSION', ['v*'], 'latest', false],
    ['MUTABLE_WITH_EXCLUSION', ['v*.*.*'], 'v1.2.3', true],
  ])('%s %j %s → immutable %s', (mutability, filters, tag, expected) => {
    expect(ecrTagIsImmutable(mutability, filters, tag)).toBe(expected);
  });
});
