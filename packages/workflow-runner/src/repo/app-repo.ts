// The app repository a run is for (`--repo`): a git repository is used as it is (event commit = --sha, else the
// ref's commit); a plain folder (our examples/<app>/) becomes a git repository in the run's state directory with one
// commit made with a fixed identity and dates, so the same content always has the same SHA (staging builds
// `image:<sha>`; a later tag run of the same content must find it).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { FIXED_IDENTITY, git, tryGit } from './git.ts';

export type RefType = 'branch' | 'tag';

export interface AppRepo {
  /** The git directory's work tree (or the generated repository). */
  dir: string;
  /** Where it came from (the --repo argument). */
  source: string;
  sha: string;
  /** Full ref: refs/heads/main, refs/tags/v1.0.0 */
  ref: string;
  refName: string;
  refType: RefType;
  /** Parent of the event commit ('' for a root commit). */
  parent: string;
  /** Files changed by the event commit against its parent (all files of a root commit). */
  changedFiles(): string[];
  /** A file of the repository at the event commit (undefined when absent). */
  readFile(path: string): string | undefined;
  /** Tags: name → commit SHA. */
  tags(): Array<{ name: string; sha: string }>;
  commitMessage(sha: string): string;
}

export function fullRef(ref: string, type: RefType): string {
  if (ref.startsWith('refs/')) return ref;
  return type === 'tag' ? `refs/tags/${ref}` : `refs/heads/${ref}`;
}

function isGitRepo(dir: string): boolean {
  const top = tryGit(dir, ['rev-parse', '--show-toplevel']);
  return top !== undefined && resolve(top) === resolve(dir);
}

/** Commit the folder's files (no .git, no node_modules) into a fresh repository at `into`. */
function materialise(source: string, into: string, ref: string, refType: RefType): void {
  rmSync(into, { recursive: true, force: true });
  mkdirSync(into, { recursive: true });
  for (const entry of readdirSync(source)) {
    if (entry === '.git' || entry === 'node_modules') continue;
    cpSync(join(source, entry), join(into, entry), { recursive: true, filter: (p) => !p.includes('/node_modules') });
  }
  git(into, ['init', '-q', '-b', 'main']);
  git(into, ['config', 'core.autocrlf', 'false']);
  git(into, ['add', '-A']);
  git(into, ['commit', '-q', '--no-verify', '--allow-empty', '-m', 'app content'], FIXED_IDENTITY);
  const name = ref.replace(/^refs\/(heads|tags)\//, '');
  if (refType === 'tag') git(into, ['tag', name], FIXED_IDENTITY);
  else if (name !== 'main') git(into, ['branch', '-f', name]);
}

export function prepareAppRepo(opts: {
  dir: string;
  stateDir: string;
  ref: string;
  refType: RefType;
  sha?: string;
}): AppRepo {
  const source = resolve(opts.dir);
  if (!existsSync(source)) throw new UsageError(`--repo ${opts.dir}: no such directory`);
  const ref = fullRef(opts.ref, opts.refType);
  let dir = source;
  if (!isGitRepo(source)) {
    dir = join(opts.stateDir, 'app-repo');
    materialise(source, dir, ref, opts.refType);
  }
  const sha = opts.sha
    ? tryGit(dir, ['rev-parse', '--verify', '--quiet', `${opts.sha}^{commit}`])
    : tryGit(dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (!sha) {
    throw new UsageError(
      opts.sha
        ? `--sha ${opts.sha}: no such commit in ${dir}`
        : `--ref ${opts.ref}: ${ref} does not exist in ${dir} (push it there first, or pass --sha)`,
    );
  }
  const parent = tryGit(dir, ['rev-parse', '--verify', '--quiet', `${sha}^`]) ?? '';
  return {
    dir,
    source,
    sha,
    ref,
    refName: ref.replace(/^refs\/(heads|tags)\//, ''),
    refType: opts.refType,
    parent,
    changedFiles: () =>
      (parent
        ? git(dir, ['diff', '--name-only', '--no-renames', parent, sha])
        : git(dir, ['ls-tree', '-r', '--name-only', sha])
      )
        .split('\n')
        .filter(Boolean),
    readFile: (path) => {
      try {
        return git(dir, ['show', `${sha}:${path.replace(/^\.\//, '')}`]);
      } catch {
        return undefined;
      }
    },
    tags: () =>
      (tryGit(dir, ['for-each-ref', '--format=%(refname:short) %(objectname) %(*objectname)', 'refs/tags']) ?? '')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [name, obj, peeled] = line.split(' ');
          return { name: name as string, sha: (peeled || obj) as string };
        }),
    commitMessage: (s) => tryGit(dir, ['log', '-1', '--format=%B', s]) ?? '',
  };
}

/** Read `<repo>/.github/deploy-actions-runner.json` → {repository} if present. */
export function readRunnerConfig(dir: string): { repository?: string } {
  const file = join(dir, '.github', 'deploy-actions-runner.json');
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')) as { repository?: string };
}
