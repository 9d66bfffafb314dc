import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigurationError } from '@deploy-actions/kit/runtime';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_EXCLUDE, parseExclude } from '../src/exclude';
import { IMMUTABLE, NO_CACHE } from '../src/policy';
import { MIB } from '../src/s3-etag';
import { scanSource } from '../src/stages/scan';
import { tempDir, writeSpa } from './helpers';

describe('parseExclude', () => {
  test.each([
    ['', DEFAULT_EXCLUDE],
    ['  \n ', DEFAULT_EXCLUDE],
    ['none', []],
    [' None ', []],
    ['*.map', ['*.map']],
    ['*.map, .vite/**', ['*.map', '.vite/**']],
    ['./.vite/\n/private/*.json\n', ['.vite/**', 'private/*.json']],
    ['*.{map,txt}, .vite/', ['*.{map,txt}', '.vite/**']], // commas inside braces belong to the glob
    ['[a,b]*.js,x', ['[a,b]*.js', 'x']],
    ['/robots.txt', ['/robots.txt']],
  ])('%j → globs %j', (raw, globs) => {
    expect(parseExclude('exclude', raw).globs).toEqual(globs);
  });

  const paths = [
    '.vite/manifest.json',
    '.DS_Store',
    'assets/.DS_Store',
    'index.html',
    'assets/index-Ab12Cd34.js',
    'assets/index-Ab12Cd34.js.map',
    'report/stats.html',
    'manifest.json',
  ];
  test.each([
    ['', ['.vite/manifest.json', '.DS_Store', 'assets/.DS_Store']],
    ['none', []],
    ['*.map', ['assets/index-Ab12Cd34.js.map']], // no `/`: file names anywhere
    ['assets/*.map', ['assets/index-Ab12Cd34.js.map']],
    ['*.MAP', []], // case-sensitive, as S3 keys are
    ['report/', ['report/stats.html']], // trailing `/`: the whole directory
    ['.vite/**,**/*.map,report/**', ['.vite/manifest.json', 'assets/index-Ab12Cd34.js.map', 'report/stats.html']],
    ['.DS_Store', ['.DS_Store', 'assets/.DS_Store']],
    ['/manifest.json', ['manifest.json']], // leading `/`: the root of source only
    ['manifest.json', ['.vite/manifest.json', 'manifest.json']], // no `/`: any depth
    ['*.{map,json}', ['.vite/manifest.json', 'assets/index-Ab12Cd34.js.map', 'manifest.json']],
  ])('exclude %j matches %j', (raw, expected) => {
    const filter = parseExclude('exclude', raw);
    expect(paths.filter((p) => filter.matches(p))).toEqual(expected);
  });

  test.each([
    ['assets/[x', /invalid glob "assets\/\[x"/],
    ['*.{js,css', /invalid glob/],
    ['ok/**\n(foo', /invalid glob "\(foo"/],
    ['../secrets/**', /may not contain '\.\.' segments/],
    ['none, *.map', /'none' \(publish every file\) cannot be combined with globs/],
    ['/', /"\/" is not a glob/],
  ])('%j is rejected naming the input', (raw, message) => {
    let error: unknown;
    try {
      parseExclude('exclude', raw);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).input).toBe('exclude');
    expect((error as Error).message).toMatch(message);
  });
});

describe('scanSource with exclude', () => {
  let dir: string;
  let files: Record<string, string>;
  beforeAll(async () => {
    dir = await tempDir('exclude-scan');
    files = await writeSpa(dir);
    for (const p of ['.DS_Store', 'assets/.DS_Store', 'assets/index-Ab12Cd34.js.map']) {
      await mkdir(dirname(join(dir, p)), { recursive: true });
      await writeFile(join(dir, p), 'x');
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // Dot names are never published, whatever `exclude` says; `.vite/` is not even entered.
  const dots = [
    { name: '.DS_Store', why: 'dotfile' },
    { name: '.vite/', why: 'dot directory (not read)' },
    { name: 'assets/.DS_Store', why: 'dotfile' },
  ];
  test.each([
    ['default', '', dots],
    ['none', 'none', dots],
    [
      'maps only (replaces the default)',
      '*.map',
      [...dots, { name: 'assets/index-Ab12Cd34.js.map', why: 'exclude' }].sort((a, b) => (a.name < b.name ? -1 : 1)),
    ],
  ])('%s: excluded files are not hashed; the Vite manifest is read anyway', async (_name, raw, excluded) => {
    const scan = await scanSource(dir, [], 8 * MIB, 2, parseExclude('exclude', raw));
    expect(scan.excluded).toEqual(excluded);
    const published = scan.files.map((f) => f.path);
    for (const p of excluded) expect(published).not.toContain(p.name.replace(/\/$/, ''));
    expect(published.some((p) => p.split('/').some((s) => s.startsWith('.')))).toBe(false);
    // every file is published or under an excluded name (.vite/ holds one file)
    expect(published.length + excluded.length).toBe(Object.keys(files).length + 3);
    // hashed detection still comes from .vite/manifest.json even when it is not published
    expect(scan.viteManifest).toBe('.vite/manifest.json');
    expect(scan.detector.source).toBe('vite-manifest');
    const chunk = Object.keys(files).find((p) => p.startsWith('assets/index-') && p.endsWith('.js'))!;
    expect(scan.files.find((f) => f.path === chunk)?.cacheControl).toBe(IMMUTABLE);
    expect(scan.files.find((f) => f.path === 'robots.txt')?.cacheControl).toBe(NO_CACHE);
  });

  test('excluding every file is a ConfigurationError naming exclude', async () => {
    await expect(scanSource(dir, [], 8 * MIB, 2, parseExclude('exclude', '**/*'))).rejects.toMatchObject({
      input: 'exclude',
      message: expect.stringMatching(/excludes all 8 files .*nothing would be published/),
    });
  });

  test('a .deploy-actions/ directory in the build is a dot directory: never read, never published', async () => {
    await mkdir(join(dir, '.deploy-actions'), { recursive: true });
    await writeFile(join(dir, '.deploy-actions', 'x.json'), '{}');
    try {
      const scan = await scanSource(dir, [], 8 * MIB, 2, parseExclude('exclude', ''));
      expect(scan.excluded).toContainEqual({ name: '.deploy-actions/', why: 'dot directory (not read)' });
      expect(scan.files.map((f) => f.path)).not.toContain('.deploy-actions/x.json');
    } finally {
      await rm(join(dir, '.deploy-actions'), { recursive: true, force: true });
    }
  });
});

test('a cancel ends the scan: the hashing stops with the signal’s reason', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'scan-cancel-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html>\n');
  writeFileSync(join(dir, 'big.js'), 'x'.repeat(4096)); // over the small-file limit below: hashed as a stream
  const controller = new AbortController();
  controller.abort(new Error('received SIGINT'));
  await expect(scanSource(dir, [], 1024, 2, undefined, 'inside', controller.signal)).rejects.toThrow('received SIGINT');
  await expect(scanSource(dir, [], 1024, 2)).resolves.toMatchObject({ files: expect.any(Array) });
});
