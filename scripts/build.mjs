#!/usr/bin/env node
// Bundle every action with @vercel/ncc (through scripts/bundle-one.mjs) into its committed dist/.
//   node scripts/build.mjs                 build all actions into actions/*/dist
//   node scripts/build.mjs deploy-ecs      build only the named action(s)
//   node scripts/build.mjs --check         rebuild from clean into a temp dir and fail if any committed dist differs
// Each action bundles src/index.ts → dist/index.js, src/post.ts → dist/post/index.js when it has one, and each
// src/<name>-worker.ts (a worker thread's entry) → dist/<name>-worker/index.js.
// Both modes also write / check the short-path folders (<name>/action.yml → actions/<name>/dist), see short-paths.mjs.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { checkShortPaths, writeShortPaths } from './short-paths.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const check = args.includes('--check');
const only = args.filter((a) => !a.startsWith('--'));

const actions = readdirSync(join(root, 'actions'))
  .filter((name) => existsSync(join(root, 'actions', name, 'src', 'index.ts')))
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();
for (const name of only) {
  if (!actions.includes(name)) {
    console.error(`unknown action '${name}'`);
    process.exit(2);
  }
}

// One process per entry (scripts/bundle-one.mjs: ncc's Node API + terser), two at a time.
function bundle(entry, outDir) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'bundle-one.mjs'), entry, outDir], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ncc failed for ${entry} (exit ${code})`))));
  });
}

function listFiles(dir, base = dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? listFiles(p, base) : [relative(base, p)];
  });
}

/** Build one action into `out` (its dist/, or a temp dir for --check); `out` is emptied first. */
async function buildAction(name, out) {
  const dir = join(root, 'actions', name);
  if (!out.endsWith('dist') && !out.startsWith(tmpdir())) throw new Error(`refusing to clear ${out}`);
  rmSync(out, { recursive: true, force: true });
  await bundle(join(dir, 'src', 'index.ts'), out);
  if (existsSync(join(dir, 'src', 'post.ts'))) await bundle(join(dir, 'src', 'post.ts'), join(out, 'post'));
  // worker threads: src/<name>-worker.ts → dist/<name>-worker/index.js (found beside the running chunk at run time)
  for (const f of readdirSync(join(dir, 'src'))
    .filter((f) => f.endsWith('-worker.ts'))
    .sort()) {
    await bundle(join(dir, 'src', f), join(out, f.slice(0, -'.ts'.length)));
  }
  return out;
}

// #15: what the runner compiles at start stays under 1 MB (lazy chunks load only on the path that imports them).
const ENTRY_BUDGET = 1024 * 1024;
function overBudget(name, out) {
  return ['index.js', join('post', 'index.js')]
    .filter((f) => existsSync(join(out, f)) && statSync(join(out, f)).size > ENTRY_BUDGET)
    .map((f) => `actions/${name}/dist/${f} is ${statSync(join(out, f)).size} bytes, over the 1 MB budget`);
}

async function runPool(items, worker, width) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(width, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await worker(item);
    }),
  );
}

const width = Math.max(1, Math.min(2, cpus().length));
const started = Date.now();
if (!check) {
  const problems = [];
  await runPool(
    actions,
    async (name) => problems.push(...overBudget(name, await buildAction(name, join(root, 'actions', name, 'dist')))),
    width,
  );
  writeShortPaths(root);
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  console.log(`build: ${actions.length} action bundles in ${Date.now() - started} ms`);
} else {
  const tmp = mkdtempSync(join(tmpdir(), 'check-dist-'));
  const problems = checkShortPaths(root);
  await runPool(
    actions,
    async (name) => {
      const fresh = join(tmp, name);
      await buildAction(name, fresh);
      problems.push(...overBudget(name, fresh));
      const committed = join(root, 'actions', name, 'dist');
      const a = new Set(listFiles(fresh));
      const b = new Set(listFiles(committed));
      for (const f of a) {
        if (!b.has(f)) problems.push(`actions/${name}/dist/${f} is missing (run pnpm build)`);
        else if (!readFileSync(join(fresh, f)).equals(readFileSync(join(committed, f)))) {
          problems.push(`actions/${name}/dist/${f} differs from a clean build of src (run pnpm build)`);
        }
      }
      for (const f of b)
        if (!a.has(f)) problems.push(`actions/${name}/dist/${f} is stale: a clean build has no such file`);
    },
    width,
  );
  rmSync(tmp, { recursive: true, force: true });
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  console.log(`check-dist: ${actions.length} action bundles match a clean build (${Date.now() - started} ms)`);
}
