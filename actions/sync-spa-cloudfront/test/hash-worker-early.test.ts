import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { LARGE_SITE, WORKER_MIN_FILES } from '../src/hash-worker-client';
import { glance, startEarly } from '../src/hash-worker-early';
import { tempDir } from './helpers';

// Whether the bundle starts the hash worker as it loads: a pure choice on a glance at `source`.

describe('startEarly', () => {
  const base = { rollback: false, cores: 2, names: 2002, workerFile: '/dist/hash-worker/index.js' };
  test.each([
    { case: 'a 2,000-file Vite build on 2 cores', glance: base, want: true },
    { case: 'exactly the worker minimum', glance: { ...base, names: WORKER_MIN_FILES }, want: true },
    {
      case: 'below it: a small site never pays for a worker',
      glance: { ...base, names: WORKER_MIN_FILES - 1 },
      want: false,
    },
    { case: 'large-site mode keeps one heap', glance: { ...base, names: LARGE_SITE }, want: false },
    { case: 'one core', glance: { ...base, cores: 1 }, want: false },
    { case: 'a rollback scans nothing', glance: { ...base, rollback: true }, want: false },
    { case: 'running from src: no bundled worker', glance: { ...base, workerFile: undefined }, want: false },
    { case: 'source not listable', glance: { ...base, names: undefined }, want: false },
  ])('$case → $want', ({ glance: g, want }) => {
    expect(startEarly(g)).toBe(want);
  });
});

describe('glance', () => {
  async function site(top: number, assets: number): Promise<string> {
    const dir = await tempDir('glance');
    await mkdir(join(dir, 'assets'));
    for (let i = 0; i < top; i++) await writeFile(join(dir, `f${i}.html`), '');
    for (let i = 0; i < assets; i++) await writeFile(join(dir, 'assets', `a${i}.js`), '');
    return dir;
  }

  test('counts the names in source and in source/assets, as the runner passes the inputs', async () => {
    const dir = await site(3, 5);
    // 3 files and the assets directory, 5 in assets
    expect(glance({ INPUT_SOURCE: ` ${dir} ` }, 'w').names).toBe(9);
    const workspace = join(dir, '..');
    expect(glance({ INPUT_SOURCE: relative(workspace, dir), GITHUB_WORKSPACE: workspace }, 'w').names).toBe(9);
  });

  test('no count when there is nothing to glance at: no source, a missing one, or a rollback', async () => {
    const dir = await site(1, 300);
    expect(glance({}, 'w').names).toBeUndefined();
    expect(glance({ INPUT_SOURCE: join(dir, 'missing') }, 'w').names).toBeUndefined();
    const rollback = glance({ INPUT_SOURCE: dir, 'INPUT_ROLLBACK-TO': 'abcdef012345' }, 'w');
    expect(rollback).toMatchObject({ rollback: true, names: undefined });
    expect(startEarly(rollback)).toBe(false);
  });

  test('a build without assets/ is counted by its top level only (the walk still starts a worker for it)', async () => {
    const dir = await site(4, 0);
    expect(glance({ INPUT_SOURCE: dir }, 'w').names).toBe(5);
  });
});
