import { spawnSync } from 'node:child_process';

/** Run git in `cwd`; stdout (trailing newline dropped) on success, an Error with git's message otherwise. */
export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout.trimEnd();
}

/** Like git(), but undefined instead of an error (for lookups that may find nothing). */
export function gitMaybe(cwd: string, ...args: string[]): string | undefined {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trimEnd() : undefined;
}

export const lines = (text: string) => text.split('\n').filter((l) => l.length > 0);

/** The commit a ref points to (tags peeled), or undefined. */
export const commitOf = (cwd: string, ref: string) =>
  gitMaybe(cwd, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
