import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { isRecord, type Yaml } from './types';

/** The monorepo root (the folder with pnpm-workspace.yaml above this package). */
export function findRepoRoot(start = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no pnpm-workspace.yaml above ${start}`);
    dir = up;
  }
}

function yamlFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isFile())
    .sort();
}

/** Every workflow file: this repository's `.github/workflows/*.yml` and each example's. Paths relative to root. */
export function listWorkflowFiles(root: string): string[] {
  const files = yamlFilesIn(join(root, '.github', 'workflows'));
  const examples = join(root, 'examples');
  if (existsSync(examples)) {
    for (const name of readdirSync(examples).sort()) {
      files.push(...yamlFilesIn(join(examples, name, '.github', 'workflows')));
    }
  }
  return files.map((f) => relative(root, f));
}

/** Names of the actions under actions/ that have an action.yml (or action.yaml). */
export function listActions(root: string): string[] {
  const dir = join(root, 'actions');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => existsSync(join(dir, n, 'action.yml')) || existsSync(join(dir, n, 'action.yaml')))
    .sort();
}

/** Action folders under actions/ (with or without action.yml yet). */
export function listActionDirs(root: string): string[] {
  const dir = join(root, 'actions');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => statSync(join(dir, n)).isDirectory() && existsSync(join(dir, n, 'package.json')))
    .sort();
}

export interface LoadedYaml {
  path: string;
  text: string;
  doc: Yaml;
}

const cache = new Map<string, { mtimeMs: number; loaded: LoadedYaml }>();

/** Parse a YAML file (memoised by absolute path and mtime: callees and action.yml files are read many times). */
export function loadYaml(path: string, root = ''): LoadedYaml {
  const abs = resolve(root ? join(root, path) : path);
  const mtimeMs = statSync(abs).mtimeMs;
  const hit = cache.get(abs);
  if (hit && hit.mtimeMs === mtimeMs && hit.loaded.path === path) return hit.loaded;
  const text = readFileSync(abs, 'utf8');
  const doc = parse(text) as unknown;
  if (!isRecord(doc)) throw new Error(`${path}: not a YAML mapping`);
  const loaded = { path, text, doc };
  cache.set(abs, { mtimeMs, loaded });
  return loaded;
}
