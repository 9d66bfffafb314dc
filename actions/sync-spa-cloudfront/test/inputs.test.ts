import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '@deploy-actions/kit/runtime';
import { beforeAll, describe, expect, test } from 'vitest';
import { defaultReleaseId, parseInputs, parseOriginPath, parseReleaseId, parseRetention } from '../src/inputs';
import { DIST_ID, expectRefused, runMain, tempDir, useEmu, WORKSPACE, writeSpa } from './helpers';

describe('parseInputs (raw inputs by action.yml name → one typed object)', () => {
  const env = { GITHUB_WORKSPACE: WORKSPACE, GITHUB_SHA: 'abcdef0123456789abcdef0123456789abcdef01' };
  let site: string;
  beforeAll(async () => {
    site = await tempDir('parse');
    await writeSpa(site);
  });

  test('defaults: every input but source and bucket left empty', () => {
    const inputs = parseInputs({ source: site, bucket: 'spa-site' }, env);
    expect(inputs).toMatchObject({
      bucket: 'spa-site',
      prefix: '',
      followSymlinks: 'inside',
      deleteMode: 'off',
      keepReleases: 3,
      retentionMs: 7 * 86_400_000,
      maxDeletePercent: 25,
      dryRun: false,
      concurrency: 16,
      invalidation: 'changed',
      invalidationTimeoutMs: 600_000,
      releaseId: 'abcdef012345',
      checksumMode: 'when_supported',
      partSize: 8 * 1024 * 1024,
    });
    expect(inputs.exclude.globs).toEqual(['.vite/**', '**/.DS_Store']);
    expect(inputs.source).toMatch(/spa-parse-/);
  });

  test('rollback-to needs no source; release id without GITHUB_SHA comes from the time', () => {
    const inputs = parseInputs(
      { bucket: 'spa-site', 'rollback-to': 'v1.2.0' },
      {},
      new Date('2026-03-04T05:06:07.890Z'),
    );
    expect(inputs).toMatchObject({ source: undefined, rollbackTo: 'v1.2.0', releaseId: '20260304T050607Z' });
  });

  // One row per input: a raw value (by action.yml name) and what it becomes in the typed object.
  test.each<[string, Record<string, string>, Record<string, unknown>]>([
    ['prefix normalised', { prefix: '/app/v2/' }, { prefix: 'app/v2' }],
    ['follow-symlinks: false', { 'follow-symlinks': 'false' }, { followSymlinks: 'false' }],
    ['distribution-id', { 'distribution-id': 'E2QWRUHAPOMQZL' }, { distributionId: 'E2QWRUHAPOMQZL' }],
    ['origin-path above the prefix', { prefix: 'site/app', 'origin-path': '/site' }, { originPath: '/site' }],
    ['origin-path /', { 'origin-path': '/' }, { originPath: '' }],
    ['delete: prune', { delete: 'prune' }, { deleteMode: 'prune' }],
    ['keep-releases', { 'keep-releases': '10' }, { keepReleases: 10 }],
    ['retention in days and hours', { retention: '1d12h' }, { retentionMs: 36 * 3_600_000 }],
    ['max-delete-percent', { 'max-delete-percent': '100' }, { maxDeletePercent: 100 }],
    ['force-delete', { 'force-delete': 'true' }, { forceDelete: true }],
    ['plan', { plan: 'true' }, { dryRun: true }],
    ['dry-run (the older name of plan)', { 'dry-run': 'true' }, { dryRun: true }],
    ['comment with a token', { comment: 'true', 'github-token': 'ghs_x' }, { comment: true, githubToken: 'ghs_x' }],
    ['concurrency', { concurrency: '128' }, { concurrency: 128 }],
    ['invalidation: all', { invalidation: 'all' }, { invalidation: 'all' }],
    ['invalidation: off', { invalidation: 'off' }, { invalidation: 'off' }],
    ['wait-for-invalidation', { 'wait-for-invalidation': 'true' }, { waitForInvalidation: true }],
    ['invalidation-timeout', { 'invalidation-timeout': '15m' }, { invalidationTimeoutMs: 900_000 }],
    ['release-id given', { 'release-id': 'v1.2.3' }, { releaseId: 'v1.2.3' }],
    ['checksum-mode', { 'checksum-mode': 'when_required' }, { checksumMode: 'when_required' }],
    ['part-size in MiB', { 'part-size': '64' }, { partSize: 64 * 1024 * 1024 }],
    ['aws-region', { 'aws-region': 'eu-west-1' }, { region: 'eu-west-1' }],
  ])('%s', (_name, raw, expected) => {
    expect(parseInputs({ source: site, bucket: 'spa-site', ...raw }, env)).toMatchObject(expected);
  });

  test('cache-control and exclude rules are parsed into their matchers', () => {
    const inputs = parseInputs(
      {
        source: site,
        bucket: 'spa-site',
        'cache-control': 'assets/**=public, max-age=31536000, immutable',
        exclude: '**/*.map\n*.txt',
      },
      env,
    );
    expect(inputs.cacheRules).toHaveLength(1);
    expect(inputs.exclude.globs).toEqual(['**/*.map', '*.txt']);
  });

  // One row per mistake: the input it names.
  test.each<[string, Record<string, string>, string]>([
    ['no source and no rollback-to', { source: '' }, 'source'],
    ['a source that does not exist', { source: '/no/such/dir' }, 'source'],
    ['follow-symlinks: anywhere', { 'follow-symlinks': 'anywhere' }, 'follow-symlinks'],
    ['an empty bucket', { bucket: '' }, 'bucket'],
    ['a bucket as an s3:// URL', { bucket: 's3://spa-site' }, 'bucket'],
    ['a prefix with ..', { prefix: 'a/../b' }, 'prefix'],
    ['a distribution domain instead of its id', { 'distribution-id': 'd111.cloudfront.net' }, 'distribution-id'],
    ['an origin-path without its slash', { 'origin-path': 'site' }, 'origin-path'],
    ['a prefix outside the origin-path', { prefix: 'admin', 'origin-path': '/site' }, 'origin-path'],
    ['cache-control without a glob', { 'cache-control': 'public, max-age=60' }, 'cache-control'],
    ['an unbalanced exclude glob', { exclude: 'assets/[a-z.js' }, 'exclude'],
    ['delete: true', { delete: 'true' }, 'delete'],
    ['keep-releases: 0', { 'keep-releases': '0' }, 'keep-releases'],
    ['retention: 1w', { retention: '1w' }, 'retention'],
    ['max-delete-percent: 101', { 'max-delete-percent': '101' }, 'max-delete-percent'],
    ['force-delete: yes please', { 'force-delete': 'yes please' }, 'force-delete'],
    ['plan: maybe', { plan: 'maybe' }, 'plan'],
    ['comment: sometimes', { comment: 'sometimes' }, 'comment'],
    ['concurrency: 0', { concurrency: '0' }, 'concurrency'],
    ['concurrency: 129', { concurrency: '129' }, 'concurrency'],
    ['a bad enum', { invalidation: 'some' }, 'invalidation'],
    ['wait-for-invalidation: 1x', { 'wait-for-invalidation': '1x' }, 'wait-for-invalidation'],
    ['a bad duration', { 'invalidation-timeout': 'soon' }, 'invalidation-timeout'],
    ['a release-id with a slash', { 'release-id': 'a/b' }, 'release-id'],
    ['a rollback-to with a space', { 'rollback-to': 'v 1' }, 'rollback-to'],
    ['checksum-mode: always', { 'checksum-mode': 'always' }, 'checksum-mode'],
    ["part-size: 4 (under S3's 5 MiB)", { 'part-size': '4' }, 'part-size'],
  ])('%s → ConfigurationError naming %s', (_name, raw, input) => {
    const err = (() => {
      try {
        parseInputs({ source: site, bucket: 'spa-site', ...raw }, env);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as ConfigurationError).input).toBe(input);
  });
});

describe('pure input parsers', () => {
  test.each([
    ['7d', 7 * 86_400_000],
    ['1d12h', 1.5 * 86_400_000],
    ['36h', 36 * 3_600_000],
    ['90m', 90 * 60_000],
    ['0s', 0],
    ['', 7 * 86_400_000],
    ['3600', 3_600_000],
  ])('retention %j', (raw, ms) => {
    expect(parseRetention('retention', raw, '7d')).toBe(ms);
  });
  test.each(['7 days', '-1d', 'forever', '1w'])('retention %j is rejected', (raw) => {
    expect(() => parseRetention('retention', raw, '7d')).toThrow(ConfigurationError);
  });
  test.each(['v1.2.3', 'abc123def456', 'release_2024-01-01'])('release id %j', (id) => {
    expect(parseReleaseId('release-id', id)).toBe(id);
  });
  test.each(['', '../x', 'a/b', '-x', 'x'.repeat(101), 'a b'])('release id %j is rejected', (id) => {
    expect(() => parseReleaseId('release-id', id)).toThrow(/expected 1-100 letters/);
  });
  test.each([
    ['', ''],
    ['/', ''],
    ['/site', '/site'],
  ])('origin path %j', (raw, expected) => {
    expect(parseOriginPath('origin-path', raw)).toBe(expected);
  });
  test.each(['site', '/site/', '/a//b', '/../x'])('origin path %j is rejected', (raw) => {
    expect(() => parseOriginPath('origin-path', raw)).toThrow(ConfigurationError);
  });
  test('default release id: commit, else a timestamp', () => {
    const now = new Date('2025-01-02T03:04:05.678Z');
    expect(defaultReleaseId({ GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567' }, now)).toBe('0123456789ab');
    expect(defaultReleaseId({}, now)).toBe('20250102T030405Z');
  });
});

describe('bad inputs against the emulator: one clear error naming the input, no mutating request', () => {
  const e = useEmu();
  let site: string;
  let empty: string;
  let checkout: string;
  let outside: string;
  let onlyDots: string;
  beforeAll(async () => {
    site = await tempDir('site');
    await writeSpa(site);
    empty = await tempDir('empty');
    await mkdir(join(empty, 'sub'), { recursive: true });
    checkout = await tempDir('checkout'); // a repository checkout: `.git` next to the build files
    await writeSpa(checkout);
    await mkdir(join(checkout, '.git'));
    await writeFile(join(checkout, '.git', 'config'), '[http] extraheader = AUTHORIZATION: basic eC1hY2Nlc3M=\n');
    outside = await mkdtemp(join(tmpdir(), 'spa-outside-'));
    await writeSpa(outside);
    onlyDots = await tempDir('dots');
    await writeFile(join(onlyDots, '.env'), 'SECRET=1\n');
  });

  const cases: Array<[string, () => Record<string, string>, string, RegExp]> = [
    [
      'missing source directory',
      () => ({ source: '/nonexistent/dist' }),
      'source',
      /does not exist .*did the build step run/,
    ],
    ['empty source directory', () => ({ source: empty }), 'source', /contains no files/],
    ['source is a file', () => ({ source: join(site, 'index.html') }), 'source', /is not a directory/],
    [
      'source is the workspace root (.)',
      () => ({ source: '.' }),
      'source',
      /^"\." is the workspace root \(GITHUB_WORKSPACE\)/,
    ],
    ['source is the workspace root (absolute)', () => ({ source: WORKSPACE }), 'source', /is the workspace root/],
    ['source contains .git', () => ({ source: checkout }), 'source', /contains a \.git entry .*not a build output/],
    ['source inside .git', () => ({ source: join(checkout, '.git') }), 'source', /is inside a \.git directory/],
    ['source outside the workspace', () => ({ source: outside }), 'source', /outside the workspace/],
    [
      'source .. (above the workspace)',
      () => ({ source: '..' }),
      'source',
      /^"\.\." resolves to .* outside the workspace/,
    ],
    ['source /', () => ({ source: '/' }), 'source', /^"\/" resolves to \/, outside the workspace/],
    [
      'source with only dotfiles',
      () => ({ source: onlyDots }),
      'source',
      /contains no files \(only dot names, which are never published: \.env\)/,
    ],
    [
      'follow-symlinks anywhere',
      () => ({ source: site, 'follow-symlinks': 'true' }),
      'follow-symlinks',
      /expected one of inside, false, got "true"/,
    ],
    ['no source and no rollback', () => ({}), 'source', /is required/],
    [
      'bad glob rule',
      () => ({ source: site, 'cache-control': 'assets/**=public, max-age=60\nassets/[x=no-cache' }),
      'cache-control',
      /line 2: invalid glob/,
    ],
    [
      'cache-control without a glob (the aws s3 sync --cache-control habit)',
      () => ({ source: site, 'cache-control': 'public, max-age=31536000, immutable' }),
      'cache-control',
      /^line 1: expected GLOB=VALUE, got "public, max-age=31536000, immutable" \(a Cache-Control value without a glob\); write e\.g\. "\*\*=public, max-age=31536000, immutable" for every file/,
    ],
    [
      'bad exclude glob',
      () => ({ source: site, exclude: '.vite/**\nassets/[x' }),
      'exclude',
      /invalid glob "assets\/\[x"/,
    ],
    [
      'exclude none combined with globs',
      () => ({ source: site, exclude: 'none\n*.map' }),
      'exclude',
      /cannot be combined with globs/,
    ],
    ['exclude matching every file', () => ({ source: site, exclude: '**' }), 'exclude', /excludes all 7 files/],
    [
      'rule without a header',
      () => ({ source: site, 'cache-control': '*.html' }),
      'cache-control',
      /line 1: expected GLOB=VALUE, got "\*\.html"/,
    ],
    [
      'bad bucket name',
      () => ({ source: site, bucket: 'My_Bucket' }),
      'bucket',
      /invalid bucket name "My_Bucket": must be lower case; may contain only letters/,
    ],
    ['bucket given as a URL', () => ({ source: site, bucket: 's3://spa-site/site' }), 'bucket', /not a URL/],
    ['prefix escaping with ..', () => ({ source: site, prefix: 'site/../../other' }), 'prefix', /'\.\.' segments/],
    [
      'bad checksum-mode',
      () => ({ source: site, 'checksum-mode': 'crc32' }),
      'checksum-mode',
      /expected one of when_supported, when_required, got "crc32"/,
    ],
    ['bad keep-releases', () => ({ source: site, 'keep-releases': '0' }), 'keep-releases', /between 1 and 100, got 0/],
    [
      'keep-releases not a number',
      () => ({ source: site, 'keep-releases': 'all' }),
      'keep-releases',
      /expected an integer/,
    ],
    ['bad delete mode', () => ({ source: site, delete: 'true' }), 'delete', /expected one of off, prune/],
    ['bad retention', () => ({ source: site, retention: 'a week' }), 'retention', /expected a duration/],
    [
      'bad max-delete-percent',
      () => ({ source: site, 'max-delete-percent': '150' }),
      'max-delete-percent',
      /between 0 and 100/,
    ],
    ['bad dry-run boolean', () => ({ source: site, 'dry-run': 'yes' }), 'dry-run', /expected true or false/],
    [
      'bad invalidation mode',
      () => ({ source: site, invalidation: 'everything' }),
      'invalidation',
      /changed, all, off/,
    ],
    [
      'bad distribution id',
      () => ({ source: site, 'distribution-id': 'd123.cloudfront.net' }),
      'distribution-id',
      /distribution id like/,
    ],
    ['bad concurrency', () => ({ source: site, concurrency: '0' }), 'concurrency', /between 1 and 128/],
    ['part size below the S3 minimum', () => ({ source: site, 'part-size': '4' }), 'part-size', /between 5 and 5120/],
    ['bad release id', () => ({ source: site, 'release-id': 'feature/x' }), 'release-id', /expected 1-100 letters/],
    [
      'prefix outside the origin path',
      () => ({ source: site, prefix: 'site', 'origin-path': '/other' }),
      'origin-path',
      /not under the origin path/,
    ],
    [
      'unknown rollback-to release',
      () => ({ 'rollback-to': 'v9' }),
      'rollback-to',
      /no release "v9" under s3:\/\/spa-site\/site\/ \(known: none\)/,
    ],
  ];

  test.each(cases)('%s', async (_name, inputs, input, message) => {
    const r = await runMain({ prefix: 'site', 'distribution-id': DIST_ID, ...inputs() });
    await expectRefused(r, e.control, input, message);
  });
});
