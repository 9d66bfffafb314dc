import picomatch from 'picomatch';
import { describe, expect, test } from 'vitest';
import { compileGlob } from '../src/glob';

// compileGlob tests picomatch's regular expression directly (src/glob.ts says why): it must give picomatch's own
// matcher's answer, with the same options, for every glob and path below.

const GLOBS = [
  '.vite/**',
  '**/.DS_Store',
  '.DS_Store',
  '*.map',
  '*.{map,txt}',
  'assets/*.js',
  'assets/**',
  '**/*.html',
  'index.html',
  '[a,b]*.js',
  'private/*.json',
  '!(*.js)',
  '@(a|b).txt',
  '**',
  '*',
  'a?c',
  'sub/dir/',
  '[abc]',
  'file[0-9].txt',
  '**/assets/**/*.woff2',
];

const PATHS = [
  '.vite/manifest.json',
  '.vite',
  '.DS_Store',
  'assets/.DS_Store',
  'a/b/c/.DS_Store',
  'x.DS_Store',
  'app.js.map',
  'assets/app.js.map',
  'notes.txt',
  'assets/index-BdX3kq9a.js',
  'assets/deep/index.js',
  'assets/',
  'index.html',
  'sub/index.html',
  'a.js',
  'b-x.js',
  'c.js',
  'private/key.json',
  'private/deep/key.json',
  'a.txt',
  'abc',
  'a/c',
  'sub/dir/',
  'sub/dir/file',
  '[abc]',
  'a',
  'file7.txt',
  'fileX.txt',
  'fonts/assets/x/y.woff2',
  'assets/y.woff2',
  'dir/',
  'dir//',
  '/',
  '',
  'ünïcode/ファイル.txt',
];

describe('compileGlob answers as picomatch', () => {
  for (const basename of [false, true]) {
    test.each(GLOBS)(`%s (basename: ${basename})`, (glob) => {
      const ours = compileGlob(glob, { basename });
      const theirs = picomatch(glob, { dot: true, strictBrackets: true, basename });
      for (const path of PATHS) expect([path, ours(path)]).toEqual([path, theirs(path)]);
    });
  }

  test('an invalid glob throws, as picomatch does', () => {
    expect(() => compileGlob('a[b', { basename: false })).toThrow();
    expect(() => picomatch('a[b', { dot: true, strictBrackets: true })).toThrow();
  });

  test('a glob matches the default excludes as the action documents', () => {
    const vite = compileGlob('.vite/**', { basename: false });
    const dsStore = compileGlob('**/.DS_Store', { basename: false });
    expect(['.vite/manifest.json', '.vite/deep/x'].map(vite)).toEqual([true, true]);
    expect(['vite/manifest.json', 'assets/.vite/x'].map(vite)).toEqual([false, false]);
    expect(['.DS_Store', 'a/b/.DS_Store', 'x.DS_Store'].map(dsStore)).toEqual([true, true, false]);
  });
});
