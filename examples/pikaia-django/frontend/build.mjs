// A Vite-shaped production build with Node only (no dependencies, no network): what `vite build` writes for this
// app, so the deploy pipeline publishes a realistic dist/ — content-hashed assets under assets/, index.html last to
// change, public/ copied as is, .vite/manifest.json — without installing Vite in a sandbox that cannot download it.
// The real Pikaia frontend runs `vite build`; only this file stands in for it.
//   - ES modules from src/ are bundled into one chunk, following `import ... from './x.js'` (a missing module fails
//     the build the way Rollup does: `Could not resolve "./x.js" from "src/main.js"`).
//   - `import.meta.env.VITE_*` is replaced by the build-time value (Vite inlines only VITE_-prefixed variables).
//   - src/assets/* get `name-<hash>.ext` names; references to `/src/assets/<file>` are rewritten.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = import.meta.dirname;
const out = join(root, 'dist');
const hash = (data) => createHash('sha256').update(data).digest('base64url').replace(/[-_]/g, 'x').slice(0, 8);
const fail = (message) => {
  console.error(`error during build:\n[vite]: Rollup failed: ${message}`);
  process.exit(1);
};

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });
const written = [];
const emit = (path, data) => {
  mkdirSync(dirname(join(out, path)), { recursive: true });
  writeFileSync(join(out, path), data);
  written.push([path, Buffer.byteLength(data), gzipSync(data).length]);
};

// Static assets first: their hashed names are substituted into the code.
const renamed = {};
const assetsDir = join(root, 'src', 'assets');
for (const file of existsSync(assetsDir) ? readdirSync(assetsDir) : []) {
  const data = readFileSync(join(assetsDir, file));
  const name = `assets/${basename(file, extname(file))}-${hash(data)}${extname(file)}`;
  renamed[`/src/assets/${file}`] = `/${name}`;
  emit(name, data);
}
const withAssets = (code) => Object.entries(renamed).reduce((c, [from, to]) => c.replaceAll(from, to), code);

// JS: depth-first over relative imports, each module once, imports/exports stripped (one scope, one chunk).
const seen = new Set();
const modules = [];
function bundle(file, importer) {
  if (seen.has(file)) return;
  if (!existsSync(file))
    fail(`Could not resolve "./${relative(dirname(join(root, importer)), file)}" from "${importer}"`);
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  for (const m of code.matchAll(/^import\s+(?:[^'"]+\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"];?$/gm)) {
    bundle(join(dirname(file), m[1]), relative(root, file));
  }
  modules.push(
    `// ${relative(root, file)}\n${code.replace(/^import\s+[^;]+;?\n/gm, '').replace(/^export\s+(default\s+)?/gm, '')}`,
  );
}
const html = readFileSync(join(root, 'index.html'), 'utf8');
const entry = /<script type="module" src="\/(src\/[^"]+)"><\/script>/.exec(html)?.[1];
if (!entry) fail('index.html has no <script type="module" src="/src/...">');
bundle(join(root, entry), 'index.html');
const env = { MODE: 'production', PROD: true, DEV: false };
for (const [k, v] of Object.entries(process.env)) if (k.startsWith('VITE_')) env[k] = v;
const js = withAssets(modules.join('\n')).replace(/import\.meta\.env\.([A-Z0-9_]+)/g, (_, k) => JSON.stringify(env[k]));
const jsName = `assets/index-${hash(js)}.js`;
emit(jsName, js);

let page = html.replace(
  /<script type="module" src="\/src\/[^"]+"><\/script>/,
  `<script type="module" crossorigin src="/${jsName}"></script>`,
);
const css = [];
page = page.replace(/<link rel="stylesheet" href="\/(src\/[^"]+)"\s*\/?>/g, (_, href) => {
  css.push(withAssets(readFileSync(join(root, href), 'utf8')));
  return '';
});
let cssName;
if (css.length) {
  const text = css.join('\n');
  cssName = `assets/index-${hash(text)}.css`;
  emit(cssName, text);
  page = page.replace('</head>', `  <link rel="stylesheet" crossorigin href="/${cssName}">\n  </head>`);
}
if (existsSync(join(root, 'public'))) cpSync(join(root, 'public'), out, { recursive: true });
emit('index.html', withAssets(page));
emit(
  '.vite/manifest.json',
  JSON.stringify(
    {
      [entry]: {
        file: jsName,
        src: entry,
        isEntry: true,
        ...(cssName ? { css: [cssName] } : {}),
        assets: Object.values(renamed).map((n) => n.slice(1)),
      },
    },
    null,
    2,
  ),
);

console.log(`vite-shaped build: ${modules.length} modules transformed.`);
for (const [path, size, gz] of written.sort((a, b) => a[1] - b[1])) {
  console.log(
    `dist/${path.padEnd(32)} ${(size / 1000).toFixed(2).padStart(7)} kB │ gzip: ${(gz / 1000).toFixed(2)} kB`,
  );
}
