import { isAbsolute, resolve } from 'node:path';

// Where `source` points, before any check (source.ts checks it): relative to GITHUB_WORKSPACE, else the working
// directory, as on the runner. No imports beyond node:path: the hash worker's early start (hash-worker-early.ts)
// glances there before the rest of the bundle is evaluated.

/** The workspace and the absolute path `raw` names in it. */
export function sourcePathOf(raw: string, env: NodeJS.ProcessEnv): { workspace: string; path: string } {
  const workspace = resolve(env.GITHUB_WORKSPACE || process.cwd());
  return { workspace, path: isAbsolute(raw) ? resolve(raw) : resolve(workspace, raw) };
}
