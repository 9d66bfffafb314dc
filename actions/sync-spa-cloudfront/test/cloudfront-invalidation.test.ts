import { describe, expect, test } from 'vitest';
import {
  encodeInvalidationPath,
  invalidationAliases,
  invalidationCallerReference,
  invalidationCostText,
  planInvalidationPaths,
} from '../src/cloudfront-invalidation';

describe('invalidationAliases', () => {
  test.each([
    ['/index.html', ['/index.html', '/']],
    ['/docs/index.html', ['/docs/index.html', '/docs/', '/docs']],
    ['docs/a/index.html', ['/docs/a/index.html', '/docs/a/', '/docs/a']],
    ['/about.html', ['/about.html']],
    ['/docs/notindex.html', ['/docs/notindex.html']],
  ])('%s', (path, expected) => {
    expect(invalidationAliases(path)).toEqual(expected);
  });
});

describe('planInvalidationPaths', () => {
  const many = (dir: string, n: number) =>
    Array.from({ length: n }, (_, i) => `${dir}/p${String(i).padStart(4, '0')}.html`);
  test.each([
    { name: 'nothing', files: [], paths: [], wildcards: 0 },
    { name: 'root index', files: ['/index.html'], paths: ['/', '/index.html'], wildcards: 0 },
    {
      name: 'a few files stay individual',
      files: ['/index.html', '/docs/index.html', '/robots.txt'],
      paths: ['/', '/docs', '/docs/', '/docs/index.html', '/index.html', '/robots.txt'],
      wildcards: 0,
    },
    {
      name: '12 files in one dir collapse to /blog/*',
      files: [...many('/blog', 12), '/index.html'],
      paths: ['/', '/blog/*', '/index.html'],
      wildcards: 1,
    },
    {
      name: 'dir index included → /blog* covers the bare /blog',
      files: [...many('/blog', 12), '/blog/index.html'],
      paths: ['/blog*'],
      wildcards: 1,
    },
    {
      name: 'deepest first: /a/x/* and /a/y/* not /*',
      files: [...many('/a/x', 10), ...many('/a/y', 10), '/index.html'],
      paths: ['/', '/a/x/*', '/a/y/*', '/index.html'],
      wildcards: 2,
    },
    {
      name: 'spaces and unicode are percent-encoded',
      files: ['/my page.html', '/ü.html'],
      paths: ['/%C3%BC.html', '/my%20page.html'],
      wildcards: 0,
    },
  ])('$name', ({ files, paths, wildcards }) => {
    const plan = planInvalidationPaths(files);
    expect(plan.paths).toEqual(paths);
    expect(plan.wildcards).toBe(wildcards);
  });
  test('more than 15 wildcard-worthy directories: at most 15 wildcards, the rest collapses upward', () => {
    const files = Array.from({ length: 20 }, (_, d) => many(`/d${d}`, 10)).flat();
    const plan = planInvalidationPaths(files);
    expect(plan.wildcards).toBeLessThanOrEqual(15);
    expect(plan.paths.length).toBeLessThanOrEqual(15);
    expect(plan.paths).toEqual(['/*']);
  });
  test('4,000 files spread thinly exceed 3,000 paths → /*', () => {
    const files = Array.from({ length: 4000 }, (_, i) => `/d${i}/f.html`);
    const plan = planInvalidationPaths(files, { collapseAt: 1_000_000 });
    expect(plan.paths).toEqual(['/*']);
    expect(plan.note).toMatch(/exceed/);
  });
  test('limits are respected for small custom limits', () => {
    const files = [...many('/a', 5), ...many('/b', 5), ...many('/c', 5)];
    const plan = planInvalidationPaths(files, { collapseAt: 5, maxWildcards: 2 });
    expect(plan.wildcards).toBeLessThanOrEqual(2);
    expect(plan.paths.filter((p) => p.endsWith('*')).length).toBe(plan.wildcards);
    expect(plan.paths).toEqual(['/*']); // two wildcards used, the third directory pushes the root over the threshold
    const fewer = planInvalidationPaths([...many('/a', 5), ...many('/b', 5), ...many('/c', 2)], {
      collapseAt: 5,
      maxWildcards: 2,
    });
    expect(fewer.paths).toEqual(['/a/*', '/b/*', '/c/p0000.html', '/c/p0001.html']);
  });
  test('encodeInvalidationPath keeps slashes', () => {
    expect(encodeInvalidationPath("/a b/c'd")).toBe('/a%20b/c%27d');
  });
});

describe('CallerReference and cost', () => {
  test('same run, attempt and paths (any order) → same reference; anything else differs', () => {
    const parts = {
      runId: '123',
      attempt: '1',
      mode: 'deploy' as const,
      releaseId: 'r2',
      record: 'site/.deploy-actions/releases/20260101T000000000Z_r2.json',
      paths: ['/a', '/b'],
    };
    const a = invalidationCallerReference(parts);
    expect(invalidationCallerReference({ ...parts, paths: ['/b', '/a'] })).toBe(a);
    expect(invalidationCallerReference({ ...parts, attempt: '2' })).not.toBe(a);
    expect(invalidationCallerReference({ ...parts, runId: '124' })).not.toBe(a);
    expect(invalidationCallerReference({ ...parts, paths: ['/a'] })).not.toBe(a);
    // issue #13: a rollback, another release, another record of the same release: each its own invalidation
    expect(invalidationCallerReference({ ...parts, mode: 'rollback' })).not.toBe(a);
    expect(invalidationCallerReference({ ...parts, releaseId: 'r3' })).not.toBe(a);
    expect(invalidationCallerReference({ ...parts, record: `${parts.record}x` })).not.toBe(a);
    expect(a).toMatch(/^deploy-actions-[0-9a-f]{40}$/);
  });
  test('cost text', () => {
    expect(invalidationCostText(['/a', '/b/*'])).toMatch(/^2 invalidation paths used .* of the 1,000 free per month/);
  });
});
