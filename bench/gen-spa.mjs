// Generator of a Vite-like SPA build for benchmarks: hashed chunks/CSS/images/fonts under assets/ listed in
// .vite/manifest.json, HTML pages, unhashed public files. Deterministic (seeded), sizes like a real app.
//   node bench/gen-spa.mjs <dir> [files=2000]
import { createHash } from 'node:crypto';
import { mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hash8 = (buf) => createHash('sha256').update(buf).digest('base64url').slice(0, 8).replace(/[-_]/g, 'x');

function body(random, size, text) {
  if (text) {
    const words = [
      'const',
      'export',
      'function',
      'return',
      'import',
      'from',
      'let',
      'await',
      'async',
      '=>',
      '{',
      '}',
      ';',
    ];
    let s = '';
    while (s.length < size) s += `${words[Math.floor(random() * words.length)]} v${Math.floor(random() * 1e6)} `;
    return Buffer.from(s.slice(0, size));
  }
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4)
    b.writeUInt32LE(Math.floor(random() * 0xffffffff), Math.min(i, Math.max(size - 4, 0)));
  return b;
}

/**
 * Write a SPA with `files` files into `dir` (emptied first). `scale` multiplies sizes (use < 1 for the 50k run).
 * Returns the list of relative paths.
 */
export async function generateSpa(dir, { files = 2000, seed = 1, scale = 1 } = {}) {
  await rm(dir, { recursive: true, force: true });
  const random = prng(seed);
  const size = (min, max) => Math.max(16, Math.floor((min + random() * (max - min)) * scale));
  const out = new Map();
  const manifest = {};
  const n = (share) => Math.floor(files * share);
  const html = Math.max(2, n(0.015));
  const js = n(0.6);
  const css = n(0.15);
  const img = n(0.15);
  const fonts = n(0.025);
  for (let i = 0; i < js; i++) {
    const b = body(random, size(500, 30_000), true);
    const file = `assets/chunk${i}-${hash8(b)}.js`;
    out.set(file, b);
    manifest[`src/chunk${i}.ts`] = { file, ...(i === 0 ? { isEntry: true, src: 'index.html' } : {}) };
  }
  for (let i = 0; i < css; i++) {
    const b = body(random, size(500, 10_000), true);
    const file = `assets/style${i}-${hash8(b)}.css`;
    out.set(file, b);
    manifest[`src/style${i}.css`] = { file };
  }
  for (let i = 0; i < img; i++) {
    const b = body(random, size(2_000, 60_000), false);
    const file = `assets/img${i}-${hash8(b)}.png`;
    out.set(file, b);
    manifest[`src/img${i}.png`] = { file };
  }
  for (let i = 0; i < fonts; i++) {
    const b = body(random, size(10_000, 40_000), false);
    const file = `assets/font${i}-${hash8(b)}.woff2`;
    out.set(file, b);
    manifest[`src/font${i}.woff2`] = { file };
  }
  const entry = manifest['src/chunk0.ts']?.file ?? 'assets/none.js';
  out.set(
    'index.html',
    Buffer.from(
      `<!doctype html><html><head><script type="module" src="/${entry}"></script></head><body><div id="app"></div></body></html>\n`,
    ),
  );
  for (let i = 1; i < html; i++)
    out.set(
      `pages/page${i}/index.html`,
      Buffer.from(
        `<!doctype html><html><body>page ${i} <script type="module" src="/${entry}"></script></body></html>\n`,
      ),
    );
  out.set('.vite/manifest.json', Buffer.from(JSON.stringify(manifest)));
  let p = 0;
  while (out.size < files)
    out.set(`public/file${p++}.${['svg', 'txt', 'json', 'ico'][p % 4]}`, body(random, size(100, 4_000), true));
  for (const [path, b] of out) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), b);
  }
  return [...out.keys()];
}

/** Change `count` files in place (index.html first, then public files and chunks) keeping names. */
export async function changeFiles(dir, paths, count, tag = 'changed') {
  const chosen = [
    'index.html',
    ...paths.filter((p) => p.startsWith('public/')).slice(0, Math.ceil((count - 1) / 2)),
    ...paths.filter((p) => p.endsWith('.js')),
  ].slice(0, count);
  for (const path of chosen) await writeFile(join(dir, path), `/* ${tag} */ ${path}\n`);
  return chosen;
}

/** Refresh every mtime, as a fresh checkout + build does. */
export async function touchAll(dir, paths, when = new Date()) {
  for (const path of paths) await utimes(join(dir, path), when, when);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, files] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: node bench/gen-spa.mjs <dir> [files]');
    process.exit(2);
  }
  const paths = await generateSpa(dir, { files: Number(files ?? 2000) });
  console.log(`wrote ${paths.length} files to ${dir}`);
}
