// actions/upload-artifact and actions/download-artifact (v4) stand-ins over a store shared by the jobs of one run
// (called workflows included), so a build job can hand dist/ to a deploy job. As v4: `path` lines are globs with
// `!` exclusions; files keep their paths relative to the least common ancestor of what matched; hidden files are
// excluded unless include-hidden-files; a name can be uploaded once per run unless overwrite; if-no-files-found
// warn|error|ignore; download by name (into `path`) or all (each into path/<name>, or merged with merge-multiple).
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { booleanInput, input, type Standin, StandinFailure, setOutput } from './types.ts';

export class ArtifactStore {
  private readonly ids = new Map<string, number>();
  private next = 1;
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }
  has(name: string): boolean {
    return this.ids.has(name);
  }
  names(): string[] {
    return [...this.ids.keys()];
  }
  pathOf(name: string): string {
    return join(this.dir, encodeURIComponent(name));
  }
  register(name: string): number {
    const id = this.next++;
    this.ids.set(name, id);
    return id;
  }
  remove(name: string): void {
    this.ids.delete(name);
    rmSync(this.pathOf(name), { recursive: true, force: true });
  }
}

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) walk(full, out);
    else if (e.isFile() || e.isSymbolicLink()) out.push(full);
  }
}

const hidden = (rel: string) => rel.split(sep).some((part) => part.startsWith('.'));

function matchFiles(workspace: string, lines: string[], includeHidden: boolean): { files: string[]; root: string } {
  const includes = lines.filter((l) => !l.startsWith('!'));
  const excludes = lines.filter((l) => l.startsWith('!')).map((l) => resolve(workspace, l.slice(1)));
  const files = new Set<string>();
  const roots: string[] = [];
  for (const pattern of includes) {
    const abs = resolve(workspace, pattern);
    if (existsSync(abs) && statSync(abs).isFile()) {
      files.add(abs);
      roots.push(dirname(abs));
      continue;
    }
    if (existsSync(abs) && statSync(abs).isDirectory()) {
      const all: string[] = [];
      walk(abs, all);
      for (const f of all) if (includeHidden || !hidden(relative(abs, f))) files.add(f);
      roots.push(abs);
      continue;
    }
    // A glob: search from the part before the first wildcard.
    const base =
      abs
        .split(sep)
        .slice(
          0,
          abs.split(sep).findIndex((s) => /[*?[{]/.test(s)),
        )
        .join(sep) || sep;
    if (!existsSync(base)) continue;
    const all: string[] = [];
    walk(base, all);
    const isMatch = picomatch(abs, { dot: true });
    let any = false;
    for (const f of all) {
      if (isMatch(f) && (includeHidden || !hidden(relative(base, f)))) {
        files.add(f);
        any = true;
      }
    }
    if (any) roots.push(base);
  }
  const kept = [...files].filter((f) => !excludes.some((ex) => picomatch(ex, { dot: true })(f) || f === ex)).sort();
  // Least common ancestor of what was searched (v4: the "root directory" of the artifact).
  let root = roots[0] ?? workspace;
  for (const r of roots.slice(1))
    while (!`${r}${sep}`.startsWith(`${root}${sep}`) && root !== sep) root = dirname(root);
  return { files: kept, root };
}

export const uploadArtifact: Standin = async (ctx) => {
  const { host } = ctx;
  const store = host.run.artifacts;
  const name = input(ctx, 'name', 'artifact') || 'artifact';
  const lines = input(ctx, 'path')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (!lines.length) throw new StandinFailure('Input required and not supplied: path');
  const ifNone = input(ctx, 'if-no-files-found', 'warn');
  const { files, root } = matchFiles(host.workspace, lines, booleanInput(ctx, 'include-hidden-files', false));
  if (files.length === 0) {
    const msg = `No files were found with the provided path: ${lines.join('\n')}. No artifacts will be uploaded.`;
    if (ifNone === 'error') throw new StandinFailure(msg);
    if (ifNone === 'warn') host.annotate('warning', msg);
    else host.print(msg);
    return;
  }
  if (store.has(name)) {
    if (!booleanInput(ctx, 'overwrite', false)) {
      throw new StandinFailure(
        `Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: an artifact with this name already exists on the workflow run`,
      );
    }
    store.remove(name);
  }
  const dest = store.pathOf(name);
  const hash = createHash('sha256');
  for (const f of files) {
    const rel = relative(root, f);
    mkdirSync(dirname(join(dest, rel)), { recursive: true });
    cpSync(f, join(dest, rel));
    hash.update(rel).update(readFileSync(f));
  }
  const id = store.register(name);
  setOutput(ctx, 'artifact-id', String(id));
  setOutput(
    ctx,
    'artifact-url',
    `${host.run.github.server_url}/${host.run.repository}/actions/runs/${host.run.github.run_id}/artifacts/${id}`,
  );
  setOutput(ctx, 'artifact-digest', hash.digest('hex'));
  host.print(`Artifact ${name} uploaded: ${files.length} file(s) from ${relative(host.workspace, root) || '.'}`);
};

export const downloadArtifact: Standin = async (ctx) => {
  const { host } = ctx;
  const store = host.run.artifacts;
  const name = input(ctx, 'name');
  const pattern = input(ctx, 'pattern');
  const target = resolve(host.workspace, input(ctx, 'path'));
  const merge = booleanInput(ctx, 'merge-multiple', false);
  if (name) {
    if (!store.has(name))
      throw new StandinFailure(`Unable to download artifact(s): Artifact not found for name: ${name}`);
    mkdirSync(target, { recursive: true });
    cpSync(store.pathOf(name), target, { recursive: true });
    host.print(`Artifact ${name} downloaded to ${target}`);
    setOutput(ctx, 'download-path', target);
    return;
  }
  const names = store.names().filter((n) => !pattern || picomatch.isMatch(n, pattern));
  for (const n of names) {
    const into = merge ? target : join(target, n);
    mkdirSync(into, { recursive: true });
    cpSync(store.pathOf(n), into, { recursive: true });
  }
  host.print(`${names.length} artifact(s) downloaded to ${target}`);
  setOutput(ctx, 'download-path', target);
};
