import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { parseExclude } from '../src/exclude';
import { changedUrlPaths, urlPathForKey } from '../src/invalidation-paths';
import { IMMUTABLE, NO_CACHE } from '../src/policy';
import { planPrune } from '../src/prune-plan';
import { htmlBlobKey, listReleases, type ManifestFile, type ReleaseManifest, releaseKey } from '../src/release-record';
import { hashBuffer, MIB, multipartEtag } from '../src/s3-etag';
import {
  type HeadInfo,
  INLINE_HTML_TOTAL_BYTES,
  type LocalFile,
  planSync,
  type RemoteObject,
  uploadsCertain,
} from '../src/sync-plan';

const PART = 5 * MIB;
const DAY = 86_400_000;
const NOW = Date.parse('2025-06-01T00:00:00Z');

type Hashed = LocalFile & { md5: string };
/** A local file hashed with its MD5 (the scan's small files come without: see 'files hashed without their MD5'). */
function local(
  path: string,
  content: string | Buffer,
  cacheControl = path.endsWith('.html') ? NO_CACHE : IMMUTABLE,
): LocalFile & { md5: string } {
  const h = hashBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), PART);
  const f: LocalFile & { md5: string } = {
    path,
    size: h.size,
    md5: h.md5!,
    sha256: h.sha256,
    cacheControl,
    contentType: path.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8',
    html: path.endsWith('.html'),
  };
  if (h.partMd5s) f.partMd5s = h.partMd5s;
  return f;
}
const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');
const kms = (s: string) => createHash('sha1').update(`kms:${s}`).digest('hex').slice(0, 32); // 32 hex, not an MD5
const remote = (key: string, etag: string, size: number, lastModified = NOW - DAY): RemoteObject => ({
  key,
  etag: `"${etag}"`,
  size,
  lastModified,
});
function rec(
  f: LocalFile & { md5: string },
  etag: string | undefined,
  headers: Partial<Pick<ManifestFile, 'cacheControl' | 'contentType'>> = {},
): ManifestFile {
  const m: ManifestFile = {
    sha256: f.sha256,
    md5: f.md5,
    size: f.size,
    cacheControl: f.cacheControl,
    contentType: f.contentType,
    ...headers,
  };
  if (etag !== undefined) m.etag = etag;
  return m;
}
function manifest(id: string, files: Record<string, ManifestFile>, html: Record<string, string> = {}): ReleaseManifest {
  return { version: 1, id, time: new Date(NOW).toISOString(), prefix: 'site', partSize: PART, files, html };
}

const APP = local('assets/app-Ab12Cd34.js', 'console.log(1)');
const APP_OLD = local('assets/app-Ab12Cd34.js', 'console.log(0)'); // same size, other content
const INDEX = local('index.html', '<script src="/assets/app-Ab12Cd34.js"></script>');
const INDEX_SAME_SIZE = local('index.html', '<script src="/assets/app-Zz98Yx76.js"></script>');
const BIG = Buffer.alloc(12 * MIB, 7);
BIG.write('tail', 12 * MIB - 4);
const BIG_FILE = local('assets/big-Ab12Cd34.wasm', BIG);

interface Case {
  name: string;
  file: LocalFile;
  remote?: RemoteObject;
  previous?: Record<string, ManifestFile>;
  heads?: Record<string, HeadInfo>;
  /** Other objects listed (evidence about the bucket's ETags). */
  others?: Array<[LocalFile, RemoteObject]>;
  kind: 'upload' | 'copy' | 'unchanged' | 'verify';
  reason?: RegExp;
}

const K = (f: LocalFile) => `site/${f.path}`;
const cases: Case[] = [
  { name: 'new file', file: APP, kind: 'upload', reason: /new file/ },
  { name: 'size differs', file: APP, remote: remote(K(APP), md5('x'), 3), kind: 'upload', reason: /size 3 → 14/ },
  {
    name: 'same MD5 ETag, headers known and equal',
    file: APP,
    remote: remote(K(APP), APP.md5, APP.size),
    previous: { [APP.path]: rec(APP, APP.md5) },
    kind: 'unchanged',
  },
  {
    name: 'same MD5 ETag, no release record → copy to set headers',
    file: APP,
    remote: remote(K(APP), APP.md5, APP.size),
    kind: 'copy',
    reason: /headers unknown/,
  },
  {
    name: 'same content, Cache-Control changed → copy',
    file: APP,
    remote: remote(K(APP), APP.md5, APP.size),
    previous: { [APP.path]: rec(APP, APP.md5, { cacheControl: NO_CACHE }) },
    kind: 'copy',
    reason: /Cache-Control "no-cache" → "public, max-age=31536000, immutable"/,
  },
  {
    name: 'same content, Content-Type changed → copy',
    file: APP,
    remote: remote(K(APP), APP.md5, APP.size),
    previous: { [APP.path]: rec(APP, APP.md5, { contentType: 'text/plain' }) },
    kind: 'copy',
    reason: /Content-Type "text\/plain"/,
  },
  {
    name: 'same-size index.html edit (MD5 bucket by manifest evidence) → upload without HEAD',
    file: INDEX_SAME_SIZE,
    remote: remote(K(INDEX), INDEX.md5, INDEX.size),
    previous: { [INDEX.path]: rec(INDEX, INDEX.md5) },
    kind: 'upload',
    reason: /content changed \(manifest\)/,
  },
  {
    name: 'same-size edit, bucket MD5 evidence from another object → upload',
    file: APP,
    remote: remote(K(APP), APP_OLD.md5, APP.size),
    others: [[INDEX, remote(K(INDEX), INDEX.md5, INDEX.size)]],
    kind: 'upload',
    reason: /content changed \(etag\)/,
  },
  {
    name: 'same-size edit, no evidence at all → verify with HEAD',
    file: APP,
    remote: remote(K(APP), APP_OLD.md5, APP.size),
    kind: 'verify',
  },
  {
    name: 'SSE-KMS ETag recorded in manifest, same content → unchanged',
    file: APP,
    remote: remote(K(APP), kms('app'), APP.size),
    previous: { [APP.path]: rec(APP, kms('app')) },
    kind: 'unchanged',
    reason: /manifest/,
  },
  {
    name: 'SSE-KMS ETag recorded in manifest, content changed → upload',
    file: APP,
    remote: remote(K(APP), kms('app0'), APP.size),
    previous: { [APP.path]: rec(APP_OLD, kms('app0')) },
    kind: 'upload',
  },
  {
    name: 'SSE-KMS, no record, HEAD sha256 equal → unchanged with HEAD headers',
    file: APP,
    remote: remote(K(APP), kms('a'), APP.size),
    heads: { [K(APP)]: { etag: kms('a'), sha256: APP.sha256, cacheControl: IMMUTABLE, contentType: APP.contentType } },
    kind: 'unchanged',
    reason: /sha256 metadata/,
  },
  {
    name: 'SSE-KMS, HEAD sha256 equal, wrong header → copy',
    file: APP,
    remote: remote(K(APP), kms('a'), APP.size),
    heads: {
      [K(APP)]: { etag: kms('a'), sha256: APP.sha256, cacheControl: 'max-age=60', contentType: APP.contentType },
    },
    kind: 'copy',
  },
  {
    name: 'SSE-KMS, HEAD sha256 differs → upload',
    file: APP,
    remote: remote(K(APP), kms('a'), APP.size),
    heads: { [K(APP)]: { etag: kms('a'), sha256: APP_OLD.sha256 } },
    kind: 'upload',
  },
  {
    name: 'HEAD without sha256 metadata → upload',
    file: APP,
    remote: remote(K(APP), kms('a'), APP.size),
    heads: { [K(APP)]: { etag: kms('a') } },
    kind: 'upload',
    reason: /no sha256 metadata/,
  },
  {
    name: 'multipart ETag with our part size → same content',
    file: BIG_FILE,
    remote: remote(K(BIG_FILE), multipartEtag(BIG_FILE.partMd5s!), BIG_FILE.size),
    previous: { [BIG_FILE.path]: rec(BIG_FILE, multipartEtag(BIG_FILE.partMd5s!)) },
    kind: 'unchanged',
    reason: /etag/,
  },
  {
    name: 'multipart ETag from another part size (8 MiB) → verify',
    file: BIG_FILE,
    remote: remote(K(BIG_FILE), multipartEtag(hashBuffer(BIG, 8 * MIB).partMd5s!), BIG_FILE.size),
    kind: 'verify',
  },
  {
    name: 'multipart ETag recorded in manifest (written by us with another part size) → unchanged',
    file: BIG_FILE,
    remote: remote(K(BIG_FILE), multipartEtag(hashBuffer(BIG, 8 * MIB).partMd5s!), BIG_FILE.size),
    previous: { [BIG_FILE.path]: rec(BIG_FILE, multipartEtag(hashBuffer(BIG, 8 * MIB).partMd5s!)) },
    kind: 'unchanged',
  },
  {
    name: 'single-part ETag of a 12 MB file (uploaded in one PUT) → same via MD5',
    file: BIG_FILE,
    remote: remote(K(BIG_FILE), md5(BIG), BIG_FILE.size),
    previous: { [BIG_FILE.path]: rec(BIG_FILE, md5(BIG)) },
    kind: 'unchanged',
  },
  {
    name: 'manifest record is stale (object rewritten by someone else, MD5 matches) → copy',
    file: APP,
    remote: remote(K(APP), APP.md5, APP.size),
    previous: { [APP.path]: rec(APP, kms('old')) },
    kind: 'copy',
  },
  {
    name: 'HEAD of an object that changed since the listing is ignored → upload',
    file: APP,
    remote: remote(K(APP), kms('a'), APP.size),
    heads: { [K(APP)]: { etag: kms('b'), sha256: APP.sha256 } },
    kind: 'upload',
  },
];

describe('planSync: one file', () => {
  test.each(cases)('$name', (c) => {
    const others = c.others ?? [];
    const plan = planSync({
      prefix: 'site',
      partSize: PART,
      local: [c.file, ...others.map(([f]) => f)],
      remote: [...(c.remote ? [c.remote] : []), ...others.map(([, r]) => r)],
      previous: c.previous ? manifest('prev', c.previous) : undefined,
      heads: new Map(Object.entries(c.heads ?? {})),
    });
    const step = plan.steps.find((s) => s.path === c.file.path)!;
    expect(step.kind).toBe(c.kind);
    if (c.reason) expect(step.reason).toMatch(c.reason);
    expect(step.key).toBe(`site/${c.file.path}`);
    expect(plan.verify.includes(step.key)).toBe(c.kind === 'verify');
  });
});

describe('planSync: whole site', () => {
  test('phases and counts; small HTML goes into the release record, not into copies', () => {
    const files = [APP, INDEX, local('docs/index.html', '<p>docs</p>')];
    const first = planSync({ prefix: '', partSize: PART, local: files, remote: [] });
    expect(first.counts).toEqual({ upload: 3, copy: 0, unchanged: 0, verify: 0 });
    expect(first.steps.map((s) => [s.path, s.phase])).toEqual([
      ['assets/app-Ab12Cd34.js', 'assets'],
      ['index.html', 'html'],
      ['docs/index.html', 'html'],
    ]);
    expect(first.inline.map((f) => f.path)).toEqual(['index.html', 'docs/index.html']);
    expect(first.blobs).toEqual([]);
    expect(first.htmlCopies).toEqual({});
    // second run: everything listed with MD5 ETags and recorded → no work
    const prev = manifest('r1', Object.fromEntries(files.map((f) => [f.path, rec(f, f.md5)])));
    const remoteNow = files.map((f) => remote(f.path, f.md5, f.size));
    const second = planSync({ prefix: '', partSize: PART, local: files, remote: remoteNow, previous: prev });
    expect(second.counts).toEqual({ upload: 0, copy: 0, unchanged: 3, verify: 0 });
  });

  const big = (path: string, kib: number, fill = 'x') => local(path, `<p>${fill.repeat(kib * 1024 - 8)}</p>\n`);
  test.each([
    // [HTML sizes in KiB, paths kept inline]
    { name: 'at the per-file limit: inline', sizes: [64], inline: ['p0.html'] },
    { name: 'over the per-file limit: a copy', sizes: [65], inline: [] },
    { name: 'the total budget fills in path order', sizes: [60, 60, 60, 60, 60, 60, 60, 60, 60], inline: 8 },
    { name: 'a large file does not use up the budget of later small ones', sizes: [100, 1], inline: ['p1.html'] },
  ])('inline HTML budget: $name', ({ sizes, inline }) => {
    const files = sizes.map((k, i) => big(`p${i}.html`, k, String(i)));
    const plan = planSync({ prefix: 'site', partSize: PART, local: files, remote: [] });
    const paths = plan.inline.map((f) => f.path);
    if (typeof inline === 'number') expect(paths).toEqual(files.slice(0, inline).map((f) => f.path));
    else expect(paths).toEqual(inline);
    const copied = files.filter((f) => !paths.includes(f.path));
    expect(plan.htmlCopies).toEqual(Object.fromEntries(copied.map((f) => [f.path, htmlBlobKey('site', f.sha256)])));
    expect(plan.blobs.map((b) => b.path)).toEqual(copied.map((f) => f.path));
    expect(plan.inline.reduce((n, f) => n + f.size, 0)).toBeLessThanOrEqual(INLINE_HTML_TOTAL_BYTES);
  });

  test('large HTML copies are content-addressed: identical files share one, stored ones are not rewritten', () => {
    const a = big('a/index.html', 70, 'same');
    const b = big('b/index.html', 70, 'same');
    const first = planSync({ prefix: 'p', partSize: PART, local: [a, b], remote: [] });
    expect(first.blobs).toHaveLength(1);
    expect(first.htmlCopies).toEqual({
      'a/index.html': htmlBlobKey('p', a.sha256),
      'b/index.html': htmlBlobKey('p', a.sha256),
    });
    const stored = remote(htmlBlobKey('p', a.sha256), a.md5, a.size);
    expect(planSync({ prefix: 'p', partSize: PART, local: [a, b], remote: [stored] }).blobs).toEqual([]);
  });
});

describe('releases', () => {
  test('keys sort by time; listReleases is newest first', () => {
    const k1 = releaseKey('site', 'abc', new Date('2025-01-01T00:00:00.000Z'));
    const k2 = releaseKey('site', 'def', new Date('2025-01-02T00:00:00.123Z'));
    expect(k1).toBe('site/.deploy-actions/releases/20250101T000000000Z_abc.json');
    const refs = listReleases('site', [
      remote(k1, 'a', 1),
      remote(k2, 'b', 1),
      remote('site/.deploy-actions/releases/junk.txt', 'c', 1),
      remote('other/.deploy-actions/releases/20990101T000000000Z_x.json', 'd', 1),
    ]);
    expect(refs.map((r) => r.id)).toEqual(['def', 'abc']);
  });
});

describe('planPrune', () => {
  const old = NOW - 30 * DAY;
  const young = NOW - 2 * 3_600_000;
  const current = manifest('r3', { 'index.html': rec(INDEX, INDEX.md5), 'assets/new.js': rec(APP, APP.md5) });
  const r2 = manifest('r2', { 'index.html': rec(INDEX, INDEX.md5), 'assets/r2.js': rec(APP, APP.md5) });
  const listing = [
    remote('site/index.html', 'x', 1, old),
    remote('site/assets/new.js', 'x', 1, young),
    remote('site/assets/r2.js', 'x', 1, old), // referenced by a kept release
    remote('site/assets/r1.js', 'x', 1, old), // only in an older release: stale
    remote('site/assets/fresh.js', 'x', 1, young), // unreferenced but younger than retention
    remote('site/robots.txt', 'x', 1, old), // stale
    remote('sitemap.xml', 'x', 1, old), // outside the prefix (same first letters)
    remote('site2/assets/x.js', 'x', 1, old), // another prefix
    remote('site/.deploy-actions/releases/20250101T000000000Z_r1.json', 'x', 1, old),
    remote('site/.deploy-actions/releases/20250401T000000000Z_r2.json', 'x', 1, old),
    remote(htmlBlobKey('site', 'deadbeef'), 'x', 1, old),
    remote(htmlBlobKey('site', 'cafe'), 'x', 1, old),
  ];
  const base = {
    prefix: 'site',
    liveKeys: new Set(['site/index.html', 'site/assets/new.js']),
    remote: listing,
    keptReleases: [{ ...current, html: { 'index.html': htmlBlobKey('site', 'cafe') } }, r2],
    releaseRefs: listReleases('site', listing),
    keepReleases: 2,
    retentionMs: 7 * DAY,
    now: NOW,
    maxDeletePercent: 50,
    force: false,
    // every object under site/ was created by a release of this site
    owned: new Set(listing.filter((o) => o.key.startsWith('site/')).map((o) => o.key.slice('site/'.length))),
    otherSites: [] as string[],
  };
  test('deletes only stale, unreferenced objects inside the prefix', () => {
    const p = planPrune(base);
    expect(p.deletes.map((d) => d.key).sort()).toEqual(['site/assets/r1.js', 'site/robots.txt']);
    expect(p.retained.map((d) => [d.key, d.reason])).toEqual([
      ['site/assets/r2.js', 'referenced by release r2'],
      ['site/assets/fresh.js', 'younger than retention (2.0h)'],
    ]);
    expect(p.liveTotal).toBe(6);
    expect(p.guardTripped).toBe(false);
    // records: r1's manifest (beyond keep-releases - 1 previous) and the unreferenced HTML copy
    expect(p.metaDeletes.map((d) => d.key)).toEqual([
      'site/.deploy-actions/releases/20250101T000000000Z_r1.json',
      htmlBlobKey('site', 'deadbeef'),
    ]);
    for (const d of [...p.deletes, ...p.metaDeletes]) expect(d.key.startsWith('site/')).toBe(true);
  });
  test.each([
    [20, false, true],
    [20, true, false],
    [34, false, false],
    [0, false, true],
  ])('guard max %i%% force=%s → tripped=%s (2 of 6 = 33%%)', (maxDeletePercent, force, tripped) => {
    const p = planPrune({ ...base, maxDeletePercent, force });
    expect(p.percent).toBeCloseTo(33.33, 1);
    expect(p.guardTripped).toBe(tripped);
  });
  test('keep-releases=1 and zero retention: only the current release protects files', () => {
    const p = planPrune({
      ...base,
      keptReleases: [base.keptReleases[0]!],
      keepReleases: 1,
      retentionMs: 0,
      maxDeletePercent: 100,
    });
    expect(p.deletes.map((d) => d.key).sort()).toEqual([
      'site/assets/fresh.js',
      'site/assets/r1.js',
      'site/assets/r2.js',
      'site/robots.txt',
    ]);
  });
  test.each([
    ['default', '', 'site', ['site/assets/r1.js', 'site/robots.txt'], 3, 6],
    ['none: the old manifest and junk are pruned', 'none', 'site', null, 0, 9],
    ['*.txt (replaces the default)', '*.txt', 'site', null, 1, 8],
    ['default, bucket root', '', '', ['assets/r1.js', 'robots.txt'], 3, 6],
  ] as const)(
    'exclude %s: matching remote objects are neither deleted nor counted by the guard',
    (_n, raw, prefix, expected, excluded, total) => {
      const k = (p: string) => (prefix === '' ? p : `${prefix}/${p}`);
      const stale = ['assets/r1.js', 'robots.txt', '.vite/manifest.json', '.DS_Store', 'assets/.DS_Store'];
      const listing = [
        remote(k('index.html'), 'x', 1, old),
        remote(k('assets/new.js'), 'x', 1, young),
        remote(k('assets/r2.js'), 'x', 1, old),
        remote(k('assets/fresh.js'), 'x', 1, young),
        ...stale.map((p) => remote(k(p), 'x', 1, old)),
      ];
      const filter = parseExclude('exclude', raw);
      const p = planPrune({
        ...base,
        prefix,
        remote: listing,
        liveKeys: new Set([k('index.html'), k('assets/new.js')]),
        keptReleases: [manifest('r3', {}), r2],
        releaseRefs: [],
        maxDeletePercent: 100,
        isExcluded: filter.matches,
        owned: new Set(listing.map((o) => (prefix === '' ? o.key : o.key.slice(prefix.length + 1)))),
      });
      const deleted = p.deletes.map((d) => d.key).sort();
      expect(deleted).toEqual(
        expected === null
          ? stale
              .filter((s) => !filter.matches(s))
              .map(k)
              .sort()
          : [...expected].sort(),
      );
      expect(p.excluded).toBe(excluded);
      expect(p.liveTotal).toBe(total);
      for (const d of deleted) expect(filter.matches(prefix === '' ? d : d.slice(prefix.length + 1))).toBe(false);
    },
  );
  test('empty prefix never touches our records', () => {
    const p = planPrune({
      ...base,
      prefix: '',
      liveKeys: new Set(),
      remote: [
        remote('.deploy-actions/releases/20250101T000000000Z_r1.json', 'x', 1, young),
        remote('a.js', 'x', 1, old),
      ],
      keptReleases: [],
      releaseRefs: [],
      maxDeletePercent: 100,
      owned: new Set(['a.js']),
    });
    expect(p.deletes.map((d) => d.key)).toEqual(['a.js']);
    expect(p.metaDeletes).toEqual([]);
  });
});

describe('invalidation inputs', () => {
  test.each([
    ['index.html', '', '/index.html'],
    ['site/index.html', '', '/site/index.html'],
    ['site/index.html', '/site', '/index.html'],
    ['other/index.html', '/site', undefined],
  ])('urlPathForKey(%s, %s) = %s', (key, origin, expected) => {
    expect(urlPathForKey(key, origin)).toBe(expected);
  });
  test('changed non-immutable files and deleted mutable files only', () => {
    const files = [APP, INDEX, local('about.html', 'x')];
    const plan = planSync({
      prefix: 'site',
      partSize: PART,
      local: files,
      remote: [remote('site/about.html', md5('x'), 1)],
      previous: manifest('p', {
        'about.html': rec(files[2]!, md5('x')),
        'old.html': rec(INDEX, 'e'),
        'assets/old-Ab12Cd34.js': rec(APP, 'e'),
      }),
    });
    expect(
      changedUrlPaths(
        plan,
        ['site/old.html', 'site/assets/old-Ab12Cd34.js', 'site/unknown.txt'],
        plan && manifest('p', { 'old.html': rec(INDEX, 'e'), 'assets/old-Ab12Cd34.js': rec(APP, 'e') }),
        'site',
        '/site',
      ),
    ).toEqual(['/index.html', '/old.html', '/unknown.txt']);
  });
});

describe('uploadsCertain: an upload the listing tells of (planDeploy reads the distribution then)', () => {
  const a = local('assets/a.js', 'aaaa');
  const b = local('index.html', '<html>b</html>');
  test.each([
    {
      name: 'every file listed at its size',
      remote: [remote('site/assets/a.js', a.md5, 4), remote('site/index.html', b.md5, b.size)],
      want: false,
    },
    {
      name: 'same size, another MD5 beside one of ours',
      remote: [remote('site/assets/a.js', md5('bbbb'), 4), remote('site/index.html', b.md5, b.size)],
      want: true,
    },
    {
      name: 'same sizes, no ETag of ours: maybe SSE-KMS, only the record can tell',
      remote: [remote('site/assets/a.js', kms('a'), 4), remote('site/index.html', kms('b'), b.size)],
      want: false,
    },
    {
      name: 'same sizes, our ETag and a multipart one',
      remote: [remote('site/assets/a.js', `${md5('x')}-2`, 4), remote('site/index.html', b.md5, b.size)],
      want: false,
    },
    { name: 'a file the listing lacks', remote: [remote('site/assets/a.js', a.md5, 4)], want: true },
    {
      name: 'a file at another size',
      remote: [remote('site/assets/a.js', a.md5, 5), remote('site/index.html', b.md5, b.size)],
      want: true,
    },
    {
      name: 'listed without the prefix',
      remote: [remote('assets/a.js', a.md5, 4), remote('index.html', b.md5, b.size)],
      want: true,
    },
    { name: 'an empty prefix', remote: [], want: true },
  ])('$name → $want', ({ remote: listed, want }) => {
    expect(uploadsCertain('site', [a, b], listed)).toBe(want);
  });

  test('the one case it is wrong: SSE-KMS objects the record vouches for, beside SSE-S3 ones', () => {
    const listed = [remote('site/assets/a.js', kms('a'), a.size), remote('site/index.html', b.md5, b.size)];
    const previous = manifest('r0', { 'assets/a.js': rec(a, kms('a')), 'index.html': rec(b, b.md5) });
    expect(uploadsCertain('site', [a, b], listed)).toBe(true);
    expect(planSync({ prefix: 'site', partSize: PART, local: [a, b], remote: listed, previous }).counts.upload).toBe(0);
  });

  describe('with the previous release record (a file edited in place at the same size)', () => {
    const bare = (f: Hashed): LocalFile => {
      const { md5: _md5, ...rest } = f;
      return rest; // as the scan hashes small files: without their MD5
    };
    const a0 = local('assets/a.js', 'zzzz'); // what the record and the bucket hold: same size as a, other bytes
    const listed = [remote('site/assets/a.js', a0.md5, a0.size), remote('site/index.html', b.md5, b.size)];
    test.each<{ name: string; files: Record<string, ManifestFile>; want: boolean; path?: string }>([
      {
        name: 'the record vouches for the listed ETag, another sha256',
        files: { 'assets/a.js': rec(a0, a0.md5) },
        want: true,
      },
      { name: 'the record vouches for it, the same sha256', files: { 'assets/a.js': rec(a, a0.md5) }, want: false },
      {
        name: 'the record names another ETag (replaced since)',
        files: { 'assets/a.js': rec(a0, md5('other')) },
        want: false,
      },
      { name: 'the record has no ETag for it', files: { 'assets/a.js': rec(a0, undefined) }, want: false },
      { name: 'the record does not name it', files: {}, want: false },
      { name: 'a path only an inherited property answers', files: {}, want: false, path: 'constructor' },
    ])('$name → $want', ({ files, want, path }) => {
      const file = path ? { ...bare(a), path } : bare(a);
      const key = `site/${file.path}`;
      const objects = [remote(key, a0.md5, a0.size), listed[1]!];
      const previous = manifest('r0', files);
      expect(uploadsCertain('site', [file, bare(b)], objects)).toBe(false); // the listing alone cannot tell
      expect(uploadsCertain('site', [file, bare(b)], objects, previous)).toBe(want);
      const plan = planSync({ prefix: 'site', partSize: PART, local: [file, bare(b)], remote: objects, previous });
      if (want) expect(plan.counts.upload).toBeGreaterThan(0);
    });

    test("the record's extra (a rollback's newer objects) vouches as its files do; its files first", () => {
      const previous = { ...manifest('r0', {}), extra: { 'assets/a.js': rec(a0, a0.md5) } };
      expect(uploadsCertain('site', [bare(a), bare(b)], listed, previous)).toBe(true);
      previous.files = { 'assets/a.js': rec(a, a0.md5) };
      expect(uploadsCertain('site', [bare(a), bare(b)], listed, previous)).toBe(false);
    });
  });

  test('whenever it says so, planSync uploads (with or without a record, KMS ETags, HEADs)', () => {
    const files = [a, b, local('assets/c.js', 'cc')];
    const shapes = [
      (f: Hashed) => remote(`site/${f.path}`, f.md5, f.size),
      (f: Hashed) => remote(`site/${f.path}`, kms(f.path), f.size),
      (f: Hashed) => remote(`site/${f.path}`, f.md5, f.size + 1),
      (f: Hashed) => remote(`site/${f.path}`, md5(`other ${f.path}`), f.size),
      () => undefined,
    ];
    for (let n = 0; n < shapes.length ** files.length; n++) {
      const listed = files
        .map((f, i) => shapes[Math.floor(n / shapes.length ** i) % shapes.length]!(f))
        .filter((o): o is RemoteObject => o !== undefined);
      const previous = manifest('r0', Object.fromEntries(files.map((f) => [f.path, rec(f, f.md5)])));
      // a record of other bytes at the same sizes, vouching for what is listed (ETags as listed)
      const edited = manifest(
        'r0',
        Object.fromEntries(
          listed.map((o) => {
            const f = files.find((x) => `site/${x.path}` === o.key)!;
            return [f.path, { ...rec(f, o.etag.slice(1, -1)), sha256: md5(`other ${f.path}`).repeat(2) }];
          }),
        ),
      );
      for (const record of [undefined, previous, edited]) {
        if (!uploadsCertain('site', files, listed, record)) continue;
        for (const input of record ? [{ previous: record }] : [{}, { previous }]) {
          const plan = planSync({ prefix: 'site', partSize: PART, local: files, remote: listed, ...input });
          expect(plan.counts.upload).toBeGreaterThan(0);
        }
      }
    }
  });
});

describe('files hashed without their MD5 (the scan: issue #15)', () => {
  const a = local('assets/a.js', 'aaaa');
  const b = local('robots.txt', 'bbb');
  const bare = (f: Hashed): LocalFile => {
    const { md5: _md5, ...rest } = f;
    return rest;
  };
  const plan = (local: LocalFile[], listed: RemoteObject[], previous?: ReleaseManifest) =>
    planSync({ prefix: 'site', partSize: PART, local, remote: listed, previous });

  test.each([
    {
      name: 'the record vouches for the listed ETag: decided by its sha256, no MD5 needed',
      listed: [remote('site/assets/a.js', a.md5, a.size)],
      previous: manifest('r0', { 'assets/a.js': rec(a, a.md5) }),
      want: { kind: 'unchanged', md5s: [] },
    },
    {
      name: 'the record vouches, other bytes at the same size: an upload, no MD5 needed',
      listed: [remote('site/assets/a.js', md5('zzzz'), a.size)],
      previous: manifest('r0', { 'assets/a.js': rec(local('assets/a.js', 'zzzz'), md5('zzzz')) }),
      want: { kind: 'upload', md5s: [] },
    },
    {
      name: 'no record: the MD5 decides',
      listed: [remote('site/assets/a.js', a.md5, a.size)],
      previous: undefined,
      want: { kind: 'verify', md5s: ['assets/a.js'] },
    },
    {
      name: 'the object was replaced since the record (another ETag): the MD5 decides',
      listed: [remote('site/assets/a.js', md5('zzzz'), a.size)],
      previous: manifest('r0', { 'assets/a.js': rec(a, a.md5) }),
      want: { kind: 'verify', md5s: ['assets/a.js'] },
    },
    {
      name: 'not listed: an upload, no MD5 needed',
      listed: [],
      previous: undefined,
      want: { kind: 'upload', md5s: [] },
    },
    {
      name: 'a multipart ETag of another part size: a HEAD, as with the MD5',
      listed: [remote('site/assets/a.js', `${md5('x')}-3`, a.size)],
      previous: undefined,
      want: { kind: 'verify', md5s: [] },
    },
  ])('$name', ({ listed, previous, want }) => {
    const p = plan([bare(a)], listed, previous);
    expect({ kind: p.steps[0]!.kind, md5s: p.md5s }).toEqual(want);
  });

  test('planned again with the MD5s it asked for: the same plan as with them from the start', () => {
    const listed = [remote('site/assets/a.js', a.md5, a.size), remote('site/robots.txt', md5('ccc'), b.size)];
    const files = [bare(a), bare(b)];
    const first = plan(files, listed);
    expect(first.md5s).toEqual(['assets/a.js', 'robots.txt']);
    files[0]!.md5 = a.md5;
    files[1]!.md5 = b.md5;
    const again = plan(files, listed);
    expect(again.md5s).toEqual([]);
    expect(again.steps.map((s) => [s.kind, s.reason])).toEqual(
      plan([a, b], listed).steps.map((s) => [s.kind, s.reason]),
    );
    expect(again.counts).toMatchObject({ upload: 1, copy: 1, verify: 0 });
  });
});
