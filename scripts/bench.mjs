#!/usr/bin/env node
// `pnpm bench [name…]`: run every bench/*.bench.{ts,mjs} (or the named ones) one after another, each in its own
// process (tsx, Node 24), so one benchmark's emulator and memory never skew the next.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const wanted = process.argv.slice(2);
const files = readdirSync(join(root, 'bench'))
  .filter((f) => /\.bench\.(ts|mjs)$/.test(f))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${wanted.join(' ') || 'bench/*.bench.{ts,mjs}'}`);
  process.exit(2);
}
let failed = 0;
for (const file of files) {
  console.log(`\n=== bench/${file}`);
  const r = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'bench', file)], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
