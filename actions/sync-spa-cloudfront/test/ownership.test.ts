import { describe, expect, test } from 'vitest';
import { nextInventory, otherSiteOf, otherSitePrefixes, ownedByRecord } from '../src/ownership';
import { planPrune } from '../src/prune-plan';
import type { ReleaseManifest } from '../src/release-record';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 1);
const obj = (key: string, ageDays = 30) => ({ key, etag: 'x', size: 1, lastModified: NOW - ageDays * DAY });
const record = (id: string, files: string[], extra: Partial<ReleaseManifest> = {}): ReleaseManifest => ({
  version: 1,
  id,
  time: new Date(NOW).toISOString(),
  prefix: '',
  partSize: 8 * 1024 * 1024,
  files: Object.fromEntries(
    files.map((f) => [f, { sha256: 's', md5: 'm', size: 1, cacheControl: 'no-cache', contentType: 'text/plain' }]),
  ),
  html: {},
  ...extra,
});

describe('otherSitePrefixes: sites nested under a prefix, from the keys of their release records', () => {
  const keys = [
    'index.html',
    '.deploy-actions/releases/20250101T000000000Z_r1.json', // ours (root)
    'admin/index.html',
    'admin/.deploy-actions/releases/20250101T000000000Z_a1.json',
    'preview/pr-12/.deploy-actions/html/abc.html', // any record of theirs marks the site
    'preview/pr-12/index.html',
    'preview/pr-12/deep/.deploy-actions/releases/x.json', // nested in a nested site: the outer one covers it
    'docs/.deploy-actions', // a file named like the directory: not a record
    'assets/.deploy-actionsx/y',
  ].map((key) => ({ key }));
  test.each([
    ['', ['admin/', 'preview/pr-12/']],
    ['preview', ['preview/pr-12/']],
    ['preview/pr-12', ['preview/pr-12/deep/']],
    ['admin', []],
    ['adm', []], // not a path prefix of admin/
  ])('prefix %j → %j', (prefix, expected) => {
    expect(otherSitePrefixes(prefix, keys)).toEqual(expected);
  });
  test.each([
    ['admin/index.html', 'admin/'],
    ['admin2/index.html', undefined],
    ['preview/pr-12/a.js', 'preview/pr-12/'],
    ['preview/pr-1/a.js', undefined],
  ])('otherSiteOf(%j) → %j', (key, expected) => {
    expect(otherSiteOf(key, ['admin/', 'preview/pr-12/'])).toBe(expected);
  });
});

describe('inventory', () => {
  test('a record owns its files, its rollback extras and its inventory', () => {
    const r = record('r3', ['index.html'], {
      extra: { 'assets/new.js': record('x', ['a']).files.a! },
      ownedEarlier: ['assets/old.js'],
    });
    expect(ownedByRecord(r).sort()).toEqual(['assets/new.js', 'assets/old.js', 'index.html']);
  });
  test('the next inventory drops what the record lists and what is gone; sorted and unique', () => {
    const present = new Set(['index.html', 'a.js', 'b.js', 'd.js']);
    expect(
      nextInventory(
        ['d.js', 'a.js', 'index.html', 'c.js', 'a.js'],
        (p) => p === 'index.html',
        (p) => present.has(p),
      ),
    ).toEqual(['a.js', 'd.js']);
  });
});

describe('planPrune: ownership and other sites (table)', () => {
  const listing = [
    obj('index.html'),
    obj('assets/old.js'), // ours, stale
    obj('assets/kept.js'), // ours, in the kept release
    obj('uploads/photo.png'), // another tool's
    obj('admin/index.html'), // another site
    obj('admin/assets/old.js'),
    obj('admin/.deploy-actions/releases/20250101T000000000Z_a1.json'),
    obj('preview/pr-12/index.html'),
    obj('preview/pr-12/.deploy-actions/releases/20250101T000000000Z_p1.json'),
  ];
  const base = {
    prefix: '',
    liveKeys: new Set(['index.html']),
    remote: listing,
    keptReleases: [record('r2', ['index.html']), record('r1', ['index.html', 'assets/kept.js'])],
    releaseRefs: [],
    keepReleases: 2,
    retentionMs: DAY,
    now: NOW,
    maxDeletePercent: 100,
    force: false,
    otherSites: ['admin/', 'preview/pr-12/'],
  };
  test.each([
    // owned, expected deletes, not owned, objects the guard counts (live + owned + referenced by kept releases)
    [['assets/old.js'], ['assets/old.js'], ['uploads/photo.png'], 3],
    [['assets/old.js', 'uploads/photo.png'], ['assets/old.js', 'uploads/photo.png'], [], 4],
    [[], [], ['assets/old.js', 'uploads/photo.png'], 2],
    // an old release of the root site once published admin/index.html: still never deleted (another site's now)
    [['assets/old.js', 'admin/index.html', 'admin/assets/old.js'], ['assets/old.js'], ['uploads/photo.png'], 3],
  ])('owned %j → deletes %j, left alone as not ours %j', (owned, deletes, notOwned, counted) => {
    const p = planPrune({ ...base, owned: new Set(owned) });
    expect(p.deletes.map((d) => d.key).sort()).toEqual(deletes);
    expect(p.notOwned.sort()).toEqual(notOwned);
    expect(p.otherSites).toEqual([
      { prefix: 'admin/', objects: 3 },
      { prefix: 'preview/pr-12/', objects: 2 },
    ]);
    expect(p.metaDeletes).toEqual([]); // their records are not ours either
    for (const d of p.deletes) expect(d.key.startsWith('admin/') || d.key.startsWith('preview/')).toBe(false);
    expect(p.liveTotal).toBe(counted);
  });
  test('without the other-site list, a root site would delete them (what the guard used to see)', () => {
    const p = planPrune({ ...base, otherSites: [], owned: new Set(listing.map((o) => o.key)) });
    expect(p.deletes.map((d) => d.key)).toContain('admin/index.html');
  });
});
