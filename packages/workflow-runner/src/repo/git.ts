// git through its CLI (the runner's own checkout uses git too). Fixed identity and dates for the commits the runner
// makes, so the same content always gives the same commit SHA.
import { execFile, execFileSync } from 'node:child_process';

export const FIXED_IDENTITY = {
  GIT_AUTHOR_NAME: 'deploy-actions runner',
  GIT_AUTHOR_EMAIL: 'runner@deploy-actions.invalid',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_NAME: 'deploy-actions runner',
  GIT_COMMITTER_EMAIL: 'runner@deploy-actions.invalid',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

const gitEnv = (env: Record<string, string>) => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/tmp',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
  ...env,
});

export function git(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: gitEnv(env),
    maxBuffer: 64 * 1024 * 1024,
  }).trim();
}

/**
 * git without blocking the event loop: for what steps do (a checkout fetches a whole history), while other jobs of
 * the run, the GitHub API stand-in and an in-process emulator must keep answering.
 */
export function gitAsync(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, encoding: 'utf8', env: gitEnv(env), maxBuffer: 64 * 1024 * 1024 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout.trim()),
    );
  });
}

export function tryGit(cwd: string, args: string[]): string | undefined {
  try {
    return git(cwd, args);
  } catch {
    return undefined;
  }
}
