// Shared test helpers: temp dirs, an app repository folder with workflow files, a silent run, and running the CLI
// exactly as a user would (node bin/workflow-runner.mjs).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { type RunOptions, runWorkflow } from '../src/index.ts';
import { REPO_ROOT, readSelfRepository } from '../src/self-repo.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function tempDir(prefix = 'wr-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** A plain app folder with these files (path → content). */
export function appRepo(files: Record<string, string>): string {
  const dir = tempDir('wr-app-');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** Run `.github/workflows/<name>` of an app folder with a log collector. */
export async function run(
  dir: string,
  workflow: string,
  opts: Partial<RunOptions> = {},
): Promise<Awaited<ReturnType<typeof runWorkflow>> & { log: string[] }> {
  const log: string[] = [];
  const result = await runWorkflow({
    workflow: join(dir, '.github', 'workflows', workflow),
    repo: dir,
    event: 'push',
    ref: 'main',
    repository: 'acme/app',
    emulatorUrl: 'http://127.0.0.1:9', // most tests make no AWS call
    log: { line: (job, text) => log.push(`[${job}] ${text}`) },
    ...opts,
  });
  return { ...result, log };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const bin = join(REPO_ROOT, 'packages/workflow-runner/bin/workflow-runner.mjs');
  const options = { cwd: REPO_ROOT, env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 };
  return new Promise((resolve) => {
    // execFile's error carries the exit code (null when a signal ended the run); the output comes either way
    execFile(process.execPath, [bin, ...args], options, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A checkout to run against: this one, or, while the reusable workflows still name another owner for our actions
 * (the `org/` placeholder being replaced in another branch), a copy of package.json and .github/workflows with that
 * owner replaced by ours and the rest linked to this checkout.
 */
export function selfCheckout(): string {
  const self = readSelfRepository();
  const wfDir = join(REPO_ROOT, '.github', 'workflows');
  const files = readdirSync(wfDir).filter((f) => /\.ya?ml$/.test(f));
  const pattern = new RegExp(`uses: (?!${self.owner}/)[\\w.-]+/${self.name}/`, 'g');
  if (!files.some((f) => readFileSync(join(wfDir, f), 'utf8').match(pattern))) return REPO_ROOT;
  const dir = tempDir('wr-self-');
  mkdirSync(join(dir, '.github', 'workflows'), { recursive: true });
  for (const f of files) {
    const text = readFileSync(join(wfDir, f), 'utf8').replace(pattern, `uses: ${self.full}/`);
    writeFileSync(join(dir, '.github', 'workflows', f), text);
  }
  writeFileSync(join(dir, 'package.json'), readFileSync(join(REPO_ROOT, 'package.json')));
  for (const entry of readdirSync(REPO_ROOT)) {
    if (['.github', 'package.json', '.git', 'node_modules'].includes(entry)) continue;
    symlinkSync(join(REPO_ROOT, entry), join(dir, entry));
  }
  return dir;
}

export { REPO_ROOT };
