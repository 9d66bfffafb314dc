import { DeployFailure } from '@deploy-actions/kit/runtime';
import { describe, expect, test } from 'vitest';
import { encodeInlineHtml, type ManifestFile, type ReleaseManifest, sha256Hex } from '../src/release-record';
import { missingFiles, planRollback, type RollbackPlanInput } from '../src/rollback-plan';
import type { RemoteObject } from '../src/sync-plan';

// The rollback planner (pure): what to restore, from where, and the record that says what is live afterwards.

const md5 = (s: string) => `md5-${s}`;
const file = (content: string, extra: Partial<ManifestFile> = {}): ManifestFile => ({
  sha256: sha256Hex(Buffer.from(content)),
  md5: md5(content),
  size: content.length,
  etag: md5(content),
  cacheControl: 'no-cache',
  contentType: 'text/html; charset=utf-8',
  ...extra,
});
const object = (key: string, f: ManifestFile): RemoteObject => ({ key, etag: f.etag!, size: f.size, lastModified: 0 });

const OLD_INDEX = '<p>old</p>';
const NEW_INDEX = '<p>new!</p>';
const target: ReleaseManifest = {
  version: 1,
  id: 'r1',
  time: '2026-01-01T00:00:00.000Z',
  prefix: 'site',
  partSize: 8 * 1024 * 1024,
  files: {
    'index.html': file(OLD_INDEX),
    'assets/app-1.js': file('app1', { cacheControl: 'public, max-age=31536000, immutable' }),
    'robots.txt': file('robots v1', { cacheControl: 'no-cache', contentType: 'text/plain' }),
  },
  html: {},
  htmlInline: { 'index.html': encodeInlineHtml(Buffer.from(OLD_INDEX)) },
  ownedEarlier: [],
};
const current: ReleaseManifest = {
  ...target,
  id: 'r2',
  files: {
    'index.html': file(NEW_INDEX),
    'assets/app-2.js': file('app2', { cacheControl: 'public, max-age=31536000, immutable' }),
    'robots.txt': file('robots v2', { contentType: 'text/plain' }),
  },
  htmlInline: { 'index.html': encodeInlineHtml(Buffer.from(NEW_INDEX)) },
  ownedEarlier: ['assets/app-1.js'],
};
const liveAfterR2 = [
  object('site/index.html', current.files['index.html']!),
  object('site/assets/app-1.js', target.files['assets/app-1.js']!),
  object('site/assets/app-2.js', current.files['assets/app-2.js']!),
  object('site/robots.txt', current.files['robots.txt']!),
];
const input = (over: Partial<RollbackPlanInput> = {}): RollbackPlanInput => ({
  prefix: 'site',
  target,
  targetKey: 'site/.deploy-actions/releases/x_r1.json',
  current,
  targetIsNewest: false,
  liveReleaseId: 'r2',
  live: new Map(liveAfterR2.map((o) => [o.key, o])),
  now: new Date('2026-02-01T00:00:00.000Z'),
  ...over,
});

describe('planRollback (pure)', () => {
  test('restores the HTML from the copy in the record; assets stay; the record describes what is live', () => {
    const plan = planRollback(input());
    expect(plan.restore.map((r) => [r.path, r.key, 'bytes' in r.from ? r.from.bytes.toString() : r.from.blob])).toEqual(
      [['index.html', 'site/index.html', OLD_INDEX]],
    );
    expect(plan.unchanged).toBe(0);
    // robots.txt is not HTML: it keeps the newer content, so the record names the object that is there
    expect(plan.record.files['robots.txt']).toEqual(current.files['robots.txt']);
    expect(plan.record.files['index.html']).toEqual(target.files['index.html']);
    // the newer chunk is still there: recorded as extra (headers known), not as part of the release
    expect(Object.keys(plan.record.extra ?? {})).toEqual(['assets/app-2.js']);
    expect(plan.record).toMatchObject({ id: 'r1', time: '2026-02-01T00:00:00.000Z', rolledBackFrom: 'r2' });
    expect(plan.record.ownedEarlier).toEqual([]);
  });

  test('HTML already as in the target release (same bytes and headers) is not written again', () => {
    const live = new Map(liveAfterR2.map((o) => [o.key, o]));
    live.set('site/index.html', object('site/index.html', target.files['index.html']!));
    const plan = planRollback(
      input({ live, current: { ...current, files: { ...current.files, 'index.html': target.files['index.html']! } } }),
    );
    expect(plan.restore).toEqual([]);
    expect(plan.unchanged).toBe(1);
  });

  test('large HTML restored from its stored copy', () => {
    const withBlob: ReleaseManifest = {
      ...target,
      html: { 'index.html': 'site/.deploy-actions/html/abc.html' },
      htmlInline: {},
    };
    const live = new Map(liveAfterR2.map((o) => [o.key, o]));
    live.set('site/.deploy-actions/html/abc.html', {
      key: 'site/.deploy-actions/html/abc.html',
      etag: 'e',
      size: 1,
      lastModified: 0,
    });
    const plan = planRollback(input({ target: withBlob, live }));
    expect(plan.restore.map((r) => r.from)).toEqual([{ blob: 'site/.deploy-actions/html/abc.html' }]);
  });

  test.each<[string, Partial<RollbackPlanInput>, RegExp]>([
    [
      'a pruned asset',
      { live: new Map(liveAfterR2.filter((o) => !o.key.includes('app-1')).map((o) => [o.key, o])) },
      /Release r1 cannot be restored: 1 of its files were pruned\. Nothing was changed/,
    ],
    [
      'a copy in the record that does not match its sha256',
      { target: { ...target, htmlInline: { 'index.html': encodeInlineHtml(Buffer.from('<p>evil</p>')) } } },
      /is damaged: the copy of index\.html in it does not match its sha256/,
    ],
  ])('%s: refused before anything changes', (_name, over, message) => {
    expect(() => planRollback(input(over))).toThrow(DeployFailure);
    expect(() => planRollback(input(over))).toThrow(message);
  });

  test('missingFiles names stored copies and files that are gone', () => {
    const withBlob: ReleaseManifest = { ...target, html: { 'about.html': 'site/.deploy-actions/html/gone.html' } };
    expect(missingFiles('site', withBlob, new Map())).toEqual([
      'about.html (release copy site/.deploy-actions/html/gone.html)',
      'assets/app-1.js',
      'robots.txt',
    ]);
  });
});
