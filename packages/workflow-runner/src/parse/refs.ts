// What a `uses:` names, resolved as GitHub would but against local files:
// - this repository (`<owner>/<name>/…@ref`, identity from package.json) → this checkout, whatever the ref;
//   short form `<owner>/<name>/<action>@ref` → `<action>/action.yml`, falling back to `actions/<action>/action.yml`
//   until the root folders exist; long form `<owner>/<name>/actions/<action>@ref`; reusable workflows
//   `<owner>/<name>/.github/workflows/<file>@ref`;
// - `./…` → the caller repository (a workflow: the app repo at the event's commit; an action: the workspace);
// - a third-party action we stand in for (actions/checkout, …) → its stand-in;
// - anything else → one clear error naming it. A reference to another owner's copy of one of OUR actions or
//   workflows is refused with a message naming both repositories.
import { existsSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { SelfRepository } from '../self-repo.ts';
import { STANDIN_NAMES, type StandinName } from '../standins/names.ts';

export type ActionTarget =
  | { kind: 'ours'; uses: string; dir: string; manifest: string }
  | { kind: 'local'; uses: string; path: string }
  | { kind: 'standin'; uses: string; name: StandinName }
  | { kind: 'docker'; uses: string };

export type WorkflowTarget =
  | { kind: 'ours'; uses: string; file: string }
  | { kind: 'local'; uses: string; path: string };

export class RefError extends Error {
  override name = 'RefError';
}

interface Remote {
  owner: string;
  repo: string;
  path: string;
  ref: string;
}

function parseRemote(uses: string): Remote | undefined {
  const at = uses.lastIndexOf('@');
  if (at <= 0) return undefined;
  const [owner, repo, ...rest] = uses.slice(0, at).split('/');
  if (!owner || !repo) return undefined;
  return { owner, repo, path: rest.join('/'), ref: uses.slice(at + 1) };
}

function safeJoin(root: string, path: string): string | undefined {
  const p = normalize(path);
  if (p.startsWith('..') || p.startsWith('/')) return undefined;
  return join(root, p);
}

function actionManifest(dir: string): string | undefined {
  for (const f of ['action.yml', 'action.yaml']) {
    const file = join(dir, f);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** The action folder in this checkout a path after `<owner>/<name>/` names (short form falls back to actions/). */
function ourActionDir(self: SelfRepository, path: string): { dir: string; manifest: string } | undefined {
  const candidates = [path, ...(path && !path.includes('/') ? [`actions/${path}`] : [])];
  for (const c of candidates) {
    const dir = safeJoin(self.root, c);
    if (!dir || !existsSync(dir) || !statSync(dir).isDirectory()) continue;
    const manifest = actionManifest(dir);
    if (manifest) return { dir, manifest };
  }
  return undefined;
}

function sameRepo(a: { owner: string; repo: string }, self: SelfRepository): boolean {
  return a.owner.toLowerCase() === self.owner.toLowerCase() && a.repo.toLowerCase() === self.name.toLowerCase();
}

function refuseOtherOwner(uses: string, r: Remote, self: SelfRepository): never {
  throw new RefError(
    `${uses} belongs to ${r.owner}/${r.repo}; this checkout is ${self.full} (set "repository" in package.json, or reference ${self.full}/${r.path}@${r.ref})`,
  );
}

export function resolveAction(uses: string, self: SelfRepository): ActionTarget {
  if (uses.startsWith('docker://')) return { kind: 'docker', uses };
  if (uses.startsWith('./') || uses.startsWith('.\\')) return { kind: 'local', uses, path: uses.slice(2) };
  const r = parseRemote(uses);
  if (!r) throw new RefError(`${uses}: expected {owner}/{repo}[/path]@{ref} or ./path`);
  if (sameRepo(r, self)) {
    const found = ourActionDir(self, r.path);
    if (!found) {
      throw new RefError(
        `${uses}: no action.yml at ${r.path || '.'}${r.path && !r.path.includes('/') ? ` or actions/${r.path}` : ''} in this checkout (${self.root})`,
      );
    }
    return { kind: 'ours', uses, ...found };
  }
  // Another repository that names one of our actions: somebody else's copy, refused (it would run their code
  // with this job's credentials).
  if (r.repo.toLowerCase() === self.name.toLowerCase() && ourActionDir(self, r.path)) refuseOtherOwner(uses, r, self);
  const name = `${r.owner}/${r.repo}`.toLowerCase();
  if (!r.path && (STANDIN_NAMES as readonly string[]).includes(name)) {
    return { kind: 'standin', uses, name: name as StandinName };
  }
  throw new RefError(
    `${uses}: the local runner has no stand-in for ${r.owner}/${r.repo}${r.path ? `/${r.path}` : ''} (it runs this repository's actions and stand-ins for ${STANDIN_NAMES.join(', ')})`,
  );
}

export function resolveWorkflow(uses: string, self: SelfRepository): WorkflowTarget {
  if (uses.startsWith('./')) return { kind: 'local', uses, path: uses.slice(2) };
  const r = parseRemote(uses);
  if (!r || !/^\.github\/workflows\/[^/]+\.ya?ml$/.test(r.path)) {
    throw new RefError(
      `${uses}: expected {owner}/{repo}/.github/workflows/<file>.yml@{ref} or ./.github/workflows/<file>.yml`,
    );
  }
  const file = safeJoin(self.root, r.path);
  if (sameRepo(r, self)) {
    if (!file || !existsSync(file))
      throw new RefError(`${uses}: ${r.path} does not exist in this checkout (${self.root})`);
    return { kind: 'ours', uses, file };
  }
  if (r.repo.toLowerCase() === self.name.toLowerCase() && file && existsSync(file)) refuseOtherOwner(uses, r, self);
  throw new RefError(`${uses}: the local runner only runs reusable workflows of ${self.full} and ./ (the caller's)`);
}
