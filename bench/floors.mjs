// Floors: scripts that make only the SDK calls an action cannot avoid (bench/floors/*.js), bundled as the actions
// are (scripts/bundle-one.mjs: ncc API + terser) and cached by what the build reads, so a bench run builds each once
// per lockfile. Used by cold-start.bench.mjs (a client and one call) and spa-sync.bench.mjs (a redeploy's requests).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** `{ name: path of its bundled index.js }` for bench/floors/<name>.js, building what is not cached yet. */
export function buildFloors(names) {
  const floors = {};
  for (const name of names) {
    const hash = createHash('sha256');
    for (const f of ['scripts/bundle-one.mjs', 'pnpm-lock.yaml', `bench/floors/${name}.js`]) {
      hash.update(readFileSync(join(root, f)));
    }
    const out = join(root, 'node_modules', '.cache', 'bench-floors', `${name}-${hash.digest('hex').slice(0, 16)}`);
    if (!existsSync(join(out, 'index.js'))) {
      console.log(`building the ${name} floor (once per lockfile)…`);
      const r = spawnSync(
        process.execPath,
        [join(root, 'scripts/bundle-one.mjs'), join(root, 'bench/floors', `${name}.js`), out],
        {
          stdio: 'inherit',
        },
      );
      if (r.status !== 0) throw new Error(`floor ${name} failed to build`);
    }
    floors[name] = join(out, 'index.js');
  }
  return floors;
}
