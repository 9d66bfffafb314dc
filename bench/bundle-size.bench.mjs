#!/usr/bin/env node
// Size of every action's committed bundle: dist/index.js (what the runner compiles at start; budget 1 MB, #15), the
// post step's dist/post/index.js, and the lazy chunks (<id>.index.js, loaded only by the code path that imports them:
// the SDK's credential providers, Octokit for a plan's pull request comment). The official
// amazon-ecs-deploy-task-definition bundle is listed for scale when its snapshot is on this machine.
//
//   pnpm bench bundle-size
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const BUDGET = 1024 * 1024;
const OFFICIAL_MIRROR = '/work/.mirror/aws-actions+amazon-ecs-deploy-task-definition/repo';

const kib = (bytes) => (bytes === undefined ? '' : `${(bytes / 1024).toFixed(0)} KiB`);
const size = (path) => (existsSync(path) ? statSync(path).size : undefined);

const rows = [];
let over = 0;
for (const action of readdirSync(join(root, 'actions')).sort()) {
  const dist = join(root, 'actions', action, 'dist');
  if (!existsSync(join(dist, 'index.js'))) continue;
  const main = size(join(dist, 'index.js'));
  const post = size(join(dist, 'post', 'index.js'));
  const chunkSizes = (dir) =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => /^\d+\.index\.js$/.test(f))
          .map((f) => size(join(dir, f)))
      : [];
  const chunks = [...chunkSizes(dist), ...chunkSizes(join(dist, 'post'))];
  const largest = Math.max(main, post ?? 0);
  if (largest > BUDGET) over++;
  rows.push([
    action,
    kib(main),
    `${((main / BUDGET) * 100).toFixed(0)}%`,
    kib(post),
    chunks.length ? `${chunks.length}, ${kib(chunks.reduce((a, b) => a + b, 0))}` : '',
    largest <= BUDGET ? 'ok' : 'OVER',
  ]);
}
if (existsSync(OFFICIAL_MIRROR)) {
  const r = spawnSync('git', ['-C', OFFICIAL_MIRROR, 'cat-file', '-s', 'HEAD:dist/index.js'], { encoding: 'utf8' });
  if (r.status === 0) rows.push(['(official deploy-task-definition)', kib(Number(r.stdout)), '', '', '', '']);
}
const header = ['action', 'dist/index.js', 'of 1 MB', 'post/index.js', 'lazy chunks (n, total)', 'budget'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(line(header));
for (const r of rows) console.log(line(r));
if (over > 0) {
  console.log(`${over} action(s) over the 1 MB budget`);
  process.exit(1);
}
