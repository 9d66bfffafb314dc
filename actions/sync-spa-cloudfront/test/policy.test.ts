import { describe, expect, test } from 'vitest';
import {
  contentTypeFor,
  decideHeaders,
  hashedDetector,
  hashedFromViteManifest,
  IMMUTABLE,
  isImmutable,
  looksHashed,
  NO_CACHE,
  parseCacheRules,
} from '../src/policy';

// the scan loads the mime-types database (a lazy chunk of the bundle) before deciding headers; so do these tests

describe('looksHashed', () => {
  test.each([
    ['assets/index-BdX3kq9a.js', true],
    ['assets/index-DiwrgTda.css', true],
    ['assets/vendor-a1b2c3d4.js', true],
    ['static/js/main.3f2a9c1e7b.js', true],
    ['static/js/main.3f2a9c1e.chunk.js', false],
    ['assets/logo-Ab12Cd34.svg', true],
    ['assets/font-Zx9_Qw8e.woff2', true],
    ['assets/index-BdX3kq9a.js.map', true],
    ['index.html', false],
    ['about-BdX3kq9a.html', false],
    ['favicon.ico', false],
    ['favicon-32x32.png', false],
    ['js/jquery-datepicker.js', false],
    ['robots.txt', false],
    ['assets/bootstrap-bundle.min.js', false],
    ['assets/something-abcdefgh.js', false],
    ['data/report-2024.json', false],
  ])('%s → %s', (path, expected) => {
    expect(looksHashed(path)).toBe(expected);
  });
});

describe('vite manifest', () => {
  const manifest = {
    'index.html': {
      file: 'assets/index-BdX3kq9a.js',
      src: 'index.html',
      isEntry: true,
      css: ['assets/index-CkQ1zz9a.css'],
      assets: ['assets/logo-plain.svg'],
    },
    'src/lazy.ts': { file: 'assets/lazy-0a1b2c3d.js', isDynamicEntry: true },
    _shared: { file: 'assets/shared.js' },
  };
  test('lists file, css and assets, never html', () => {
    expect([...hashedFromViteManifest(manifest)].sort()).toEqual([
      'assets/index-BdX3kq9a.js',
      'assets/index-CkQ1zz9a.css',
      'assets/lazy-0a1b2c3d.js',
      'assets/logo-plain.svg',
      'assets/shared.js',
    ]);
  });
  test.each([
    ['assets/shared.js', true], // listed although its name has no hash
    ['assets/logo-plain.svg', true],
    ['assets/font-Zx9Qw8e1.woff2', true], // hash-looking in a manifest directory (CSS-only asset)
    ['img/photo-Zx9Qw8e1.png', false], // hash-looking outside the manifest directories
    ['index.html', false],
    ['favicon.ico', false],
  ])('detector(%s) = %s', (path, expected) => {
    expect(hashedDetector(manifest).isHashed(path)).toBe(expected);
  });
  test.each([null, [], 'x', 3, { a: null }])('malformed manifest %j gives nothing', (m) => {
    expect(hashedFromViteManifest(m).size).toBe(0);
  });
});

describe('contentTypeFor (mime-types database, charset for text)', () => {
  test.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['a/b.js', 'text/javascript; charset=utf-8'],
    ['a.mjs', 'text/javascript; charset=utf-8'],
    ['a.css', 'text/css; charset=utf-8'],
    ['a.json', 'application/json; charset=utf-8'],
    ['a.js.map', 'application/json; charset=utf-8'],
    ['a.svg', 'image/svg+xml'],
    ['a.woff2', 'font/woff2'],
    ['a.woff', 'font/woff'],
    ['a.wasm', 'application/wasm'],
    ['site.webmanifest', 'application/manifest+json; charset=utf-8'],
    ['README', 'application/octet-stream'],
    ['.well-known/apple-app-site-association', 'application/octet-stream'],
    ['.htaccess', 'application/octet-stream'],
    ['a.PNG', 'image/png'],
  ])('%s → %s', (path, type) => {
    expect(contentTypeFor(path)).toBe(type);
  });
});

describe('parseCacheRules', () => {
  test('ordered rules, header values may contain =', () => {
    const rules = parseCacheRules('cache-control', '# comment\n\nassets/**=public, max-age=600\n*.html = no-store\n');
    expect(rules.map((r) => [r.glob, r.value, r.line])).toEqual([
      ['assets/**', 'public, max-age=600', 3],
      ['*.html', 'no-store', 4],
    ]);
    expect(rules[1]!.match('docs/a.html')).toBe(true); // no slash in glob: matches basenames anywhere
    expect(rules[0]!.match('assets/x/y.js')).toBe(true);
    expect(rules[0]!.match('other/assets/y.js')).toBe(false);
  });
  test.each([
    [
      'no equals sign',
      'assets/**',
      /^line 1: expected GLOB=VALUE, got "assets\/\*\*"; write e\.g\. \*\.html=no-cache or assets\/\*\*=public, max-age=31536000, immutable$/,
    ],
    // the `aws s3 sync --cache-control` habit: a header value without a glob (issue #14, finding 6)
    [
      'a value without a glob',
      'public, max-age=31536000',
      /^line 1: expected GLOB=VALUE, got "public, max-age=31536000" \(a Cache-Control value without a glob\); write e\.g\. "\*\*=public, max-age=31536000" for every file, or \*\.html=no-cache$/,
    ],
    [
      'max-age alone',
      'sw.js=no-store\nmax-age=60',
      /^line 2: expected GLOB=VALUE, got "max-age=60" \(a Cache-Control value/,
    ],
    ['the header pasted whole', 'Cache-Control: public,max-age=600', /"\*\*=public,max-age=600" for every file/],
    ['s-maxage', 'public, s-maxage=600, stale-while-revalidate=30', /a Cache-Control value without a glob/],
    [
      'a directive alone',
      'no-cache',
      /^line 1: expected GLOB=VALUE, got "no-cache" \(a Cache-Control value without a glob\); write e\.g\. "\*\*=no-cache"/,
    ],
    ['directives alone', 'public, immutable', /a Cache-Control value without a glob/],
    ['empty glob', '=no-cache', /line 1: expected/],
    ['empty value', 'a/**=', /missing Cache-Control value/],
    ['unbalanced bracket', 'assets/[a=no-cache', /line 1: invalid glob "assets\/\[a"/],
    ['unbalanced brace', '*.css=no-cache\n**/*.{js=no-cache', /line 2: invalid glob/],
    ['non-ascii value', 'a=max-age=1 ✓', /printable ASCII/],
  ])('%s is rejected', (_name, raw, message) => {
    expect(() => parseCacheRules('cache-control', raw)).toThrow(message);
  });
  test.each([
    ['public=no-cache', 'public'], // a file named public: a glob, since no directive with a value precedes the =
    ['**=public, max-age=3600', '**'],
    ['max-age.txt=no-store', 'max-age.txt'],
  ])('%j is a rule for glob %j', (raw, glob) => {
    expect(parseCacheRules('cache-control', raw).map((r) => r.glob)).toEqual([glob]);
  });
  test('** matches every file, at any depth, dot directories included', () => {
    const [rule] = parseCacheRules('cache-control', '**=public, max-age=3600');
    for (const p of ['index.html', 'a/b/c.js', '.well-known/assetlinks.json']) expect(rule!.match(p)).toBe(true);
  });
});

describe('decideHeaders', () => {
  const detector = hashedDetector(undefined);
  const rules = parseCacheRules('cache-control', 'sw.js=no-store\nassets/**/*.png=public, max-age=86400');
  test.each([
    ['assets/index-BdX3kq9a.js', IMMUTABLE, true],
    ['index.html', NO_CACHE, false],
    ['docs/index.html', NO_CACHE, false],
    ['favicon.ico', NO_CACHE, false],
    ['sw.js', 'no-store', false],
    ['assets/img/logo-Ab12Cd34.png', 'public, max-age=86400', true], // first match wins over the default
  ])('%s → %s', (path, cacheControl, hashed) => {
    const d = decideHeaders(path, rules, detector);
    expect(d.cacheControl).toBe(cacheControl);
    expect(d.hashed).toBe(hashed);
  });
  test('isImmutable', () => {
    expect(isImmutable(IMMUTABLE)).toBe(true);
    expect(isImmutable('public,immutable')).toBe(true);
    expect(isImmutable('no-cache')).toBe(false);
    expect(isImmutable('x-immutable-ish')).toBe(false);
  });
});
