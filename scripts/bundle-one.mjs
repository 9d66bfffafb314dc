#!/usr/bin/env node
// Bundle one entry with @vercel/ncc's Node API, then minify with terser: `node scripts/bundle-one.mjs <entry> <outDir>`.
// scripts/build.mjs runs one of these per entry. The API, not the CLI, because the CLI cannot:
// - mainFields ['module', 'main']: the AWS SDK clients declare no `exports`, so the CLI's ['main'] takes their
//   CommonJS build, which requires @smithy/core & co. as CommonJS too; their ES builds let webpack drop what is unused.
// - terser with compress: ncc's own minify (-m) runs terser with compress off (it renames, removes no dead code).
//   keep_fnames / keep_classnames keep stack traces readable (`at registerRevisions (…/dist/index.js:1:…)`) and
//   error class names (ConfigurationError, the SDK's exceptions) as they are. ascii_only writes non-ASCII
//   characters (our messages' `…` and `→`, a few in the SDK) as \u escapes: Node reads an ES module's source as
//   UTF-8, and one character above 0x7F makes the whole ~600 KB script a two-byte string, which its decoding shows:
//   deploy-ecs started 7 ms sooner without (30 interleaved runs to its first request, #15).
// - licenses.txt from the source map: ncc's license plugin misses the ES modules webpack concatenates (most of the
//   SDK once it is bundled from its ES build), so the packages are read from the map's sources instead (every
//   module of the entry and of its chunks), in the plugin's format: name, license, license text; with the packages
//   whose data a generated source of ours holds (its `@data-license` line).
// - cache: false: ncc's default webpack filesystem cache (~/.cache/ncc, keyed by the entry's path, not by what is
//   built) survives between checkouts at the same path. CI machines keep it, and a cache left by an older commit
//   made check-dist's clean build differ from the committed licenses.txt once, then pass on the next run (seen at
//   /check/work/main). A clean build must not read state from a previous one; without the cache it takes as long.
// Every emitted file is written: index.js, lazy chunks (`<id>.index.js`, from a dynamic import()), licenses.txt,
// package.json. scripts/build.mjs --check compares all of them. The maps themselves are not kept.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const ncc = require('@vercel/ncc');
const { minify } = require('terser');

const [entry, outDir] = process.argv.slice(2);
if (!entry || !outDir) {
  console.error('usage: bundle-one.mjs <entry> <outDir>');
  process.exit(2);
}

const TERSER_OPTIONS = {
  module: true,
  ecma: 2020,
  compress: { passes: 1 },
  mangle: { keep_fnames: true, keep_classnames: true },
  format: { comments: false, ascii_only: true },
};

const { code, map, assets } = await ncc(entry, {
  target: 'es2023',
  quiet: true,
  cache: false,
  mainFields: ['module', 'main'],
  minify: false,
  sourceMap: true,
  sourceMapRegister: false,
});

/**
 * The directory of the third-party package a bundled source file belongs to (nearest package.json with a name,
 * never above the repository root), or undefined for our own sources, webpack's runtime and Node built-ins. Only
 * paths under node_modules/ count: the others are relative to webpack's context, and walking up from them left the
 * repository and picked up whatever package.json the machine has above it (a CI checkout's parent folder did).
 */
function packageDirOf(source) {
  const path = source.replace(/^webpack:\/\/[^/]*\//, '');
  const nm = path.indexOf('node_modules/');
  if (nm < 0) return undefined;
  const root = process.cwd();
  let dir = dirname(resolve(root, path.slice(nm)));
  while (dir.startsWith(`${root}/`)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name) return dir;
    dir = dirname(dir);
  }
  return undefined;
}

/**
 * Packages whose data a source of ours holds, generated at build time (src/content-types.generated.ts holds mime-db's
 * types through mime-types): the file names them on a `@data-license a b …` line, each resolved from the one before
 * it, the first from the file itself. Their licenses go to licenses.txt as a bundled package's do.
 */
function dataPackageDirs(source, content) {
  const names = /@data-license ((?:[@\w./-]+ ?)+)/
    .exec(content ?? '')?.[1]
    .trim()
    .split(' ');
  if (!names) return [];
  const dirs = [];
  // (the map names our sources relative to a directory below the root: `.././actions/…`)
  let from = resolve(process.cwd(), source.replace(/^webpack:\/\/[^/]*\//, '').replace(/^(\.\.?\/)+/, ''));
  for (const name of names) {
    const pkg = createRequire(from).resolve(`${name}/package.json`);
    dirs.push(dirname(pkg));
    from = pkg;
  }
  return dirs;
}

function licensesText(maps) {
  const packages = new Map();
  for (const m of maps) {
    const { sources = [], sourcesContent = [] } = JSON.parse(m);
    const dirs = sources.flatMap((source, i) => {
      const dir = packageDirOf(source);
      return dir ? [dir] : dataPackageDirs(source, sourcesContent[i]);
    });
    for (const dir of dirs) {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (packages.has(pkg.name)) continue;
      const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
      const license = typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? 'UNKNOWN');
      packages.set(pkg.name, [pkg.name, license, ...(file ? [readFileSync(join(dir, file), 'utf8').trim()] : [])]);
    }
  }
  return [...packages.keys()]
    .sort()
    .map((name) => `${packages.get(name).join('\n')}\n`)
    .join('\n');
}

async function minified(name, text) {
  const result = await minify({ [name]: text }, TERSER_OPTIONS);
  if (result.code === undefined) throw new Error(`terser produced nothing for ${name}`);
  return `${result.code}\n`;
}

const maps = [
  map,
  ...Object.entries(assets)
    .filter(([k]) => k.endsWith('.map'))
    .map(([, v]) => String(v.source)),
];
const files = {
  'index.js': code,
  ...Object.fromEntries(
    Object.entries(assets)
      .filter(([k]) => !k.endsWith('.map'))
      .map(([k, v]) => [k, v.source]),
  ),
  'licenses.txt': licensesText(maps),
};
for (const [name, content] of Object.entries(files)) {
  const path = join(outDir, name);
  mkdirSync(dirname(path), { recursive: true });
  const isScript = name.endsWith('.js') || name.endsWith('.mjs');
  writeFileSync(path, isScript ? await minified(name, String(content)) : content);
}
