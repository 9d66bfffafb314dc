// The app repository of one seed system, as a real git repository: the first commit is the example folder
// (examples/<app>/) as committed here; scenarios then push commits (a frontend change, a broken migration), create
// branches (a hotfix) and tags (v1.0.0), so each run sees the commit, parent and ref GitHub would give it. Fixed
// identity and dates: the same history always has the same SHAs.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface GitCommit {
  /** Name the scenarios use for this commit (`c1`, `hotfix`). */
  label: string;
  message: string;
  /** path → new content; null deletes the file. */
  files: Record<string, string | null>;
  /** Branch to commit on (created from `from` when missing). Default main. */
  branch?: string;
  /** Commit label or branch a new branch starts from. Default main. */
  from?: string;
}

export interface GitTag {
  tag: string;
  /** Commit label or branch. */
  at: string;
}

export type GitChange = { commit: GitCommit } | GitTag;

export class AppRepo {
  private readonly labels = new Map<string, string>();
  private clock = Date.parse('2026-01-05T09:00:00Z');

  constructor(
    readonly dir: string,
    private readonly source: string,
  ) {}

  private git(args: string[]): string {
    const date = new Date(this.clock).toISOString();
    return execFileSync('git', args, {
      cwd: this.dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: this.dir,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_TERMINAL_PROMPT: '0',
        GIT_AUTHOR_NAME: 'Acme Developer',
        GIT_AUTHOR_EMAIL: 'dev@acme.invalid',
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_NAME: 'Acme Developer',
        GIT_COMMITTER_EMAIL: 'dev@acme.invalid',
        GIT_COMMITTER_DATE: date,
      },
    }).trim();
  }

  /** A fresh repository whose first commit (label `c1`) is the example folder. */
  init(): void {
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
    for (const entry of readdirSync(this.source)) {
      if (entry === 'node_modules' || entry === '.git') continue;
      cpSync(join(this.source, entry), join(this.dir, entry), {
        recursive: true,
        filter: (p) => !/\/(node_modules|dist)(\/|$)/.test(p.slice(this.source.length)),
      });
    }
    this.git(['init', '-q', '-b', 'main']);
    this.git(['config', 'core.autocrlf', 'false']);
    this.git(['add', '-A']);
    this.git(['commit', '-q', '--no-verify', '-m', 'Adopt deploy-actions workflows']);
    this.labels.set('c1', this.git(['rev-parse', 'HEAD']));
  }

  apply(change: GitChange): void {
    this.clock += 3_600_000;
    if ('commit' in change) {
      const c = change.commit;
      const branch = c.branch ?? 'main';
      const exists = this.git(['branch', '--list', branch]) !== '';
      if (exists) this.git(['checkout', '-q', branch]);
      else this.git(['checkout', '-q', '-b', branch, this.resolve(c.from ?? 'main')]);
      for (const [path, content] of Object.entries(c.files)) {
        if (content === null) rmSync(join(this.dir, path), { force: true });
        else {
          mkdirSync(dirname(join(this.dir, path)), { recursive: true });
          writeFileSync(join(this.dir, path), content);
        }
      }
      this.git(['add', '-A']);
      this.git(['commit', '-q', '--no-verify', '--allow-empty', '-m', c.message]);
      this.labels.set(c.label, this.git(['rev-parse', 'HEAD']));
      this.git(['checkout', '-q', 'main']);
    } else {
      this.git(['tag', '-a', change.tag, '-m', `Release ${change.tag}`, this.resolve(change.at)]);
    }
  }

  /** A commit label, branch or tag → its commit SHA. */
  resolve(ref: string): string {
    return this.labels.get(ref) ?? this.git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  }

  /** The commit SHA a label names (throws when unknown). */
  sha(label: string): string {
    const sha = this.labels.get(label);
    if (!sha) throw new Error(`no commit labelled ${label} in ${this.dir}`);
    return sha;
  }
}
