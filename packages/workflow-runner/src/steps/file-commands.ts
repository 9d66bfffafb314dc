// The runner's file commands (actions/runner FileCommandManager): GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE use
// `NAME=VALUE` lines or the heredoc form `NAME<<DELIM` … `DELIM`; GITHUB_PATH one directory per line (prepended,
// last line first); GITHUB_STEP_SUMMARY markdown, at most 1 MiB. A fresh set of files per step, and the previous
// step's set deleted when the next one is made, as InitializeFiles does: a credential that
// configure-aws-credentials exported through GITHUB_ENV does not stay on disk for the rest of the job.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SUMMARY_LIMIT = 1024 * 1024;

export interface StepFiles {
  GITHUB_OUTPUT: string;
  GITHUB_ENV: string;
  GITHUB_PATH: string;
  GITHUB_STATE: string;
  GITHUB_STEP_SUMMARY: string;
}

let counter = 0;

const PREFIXES = ['set_output_', 'set_env_', 'add_path_', 'save_state_', 'step_summary_'];

export function createStepFiles(dir: string): StepFiles {
  mkdirSync(dir, { recursive: true });
  // Steps of one job run one after another in its own temp directory: whatever is here is the previous step's.
  for (const name of readdirSync(dir)) {
    if (PREFIXES.some((p) => name.startsWith(p))) rmSync(join(dir, name), { force: true });
  }
  const suffix = `${process.pid}-${++counter}`;
  const files: StepFiles = {
    GITHUB_OUTPUT: join(dir, `set_output_${suffix}`),
    GITHUB_ENV: join(dir, `set_env_${suffix}`),
    GITHUB_PATH: join(dir, `add_path_${suffix}`),
    GITHUB_STATE: join(dir, `save_state_${suffix}`),
    GITHUB_STEP_SUMMARY: join(dir, `step_summary_${suffix}`),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  return files;
}

/** Parse `NAME=VALUE` / heredoc pairs exactly as EnvFileKeyValuePairs does; throws on a malformed file. */
export function parseKeyValueFile(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let index = 0;
  const readLine = (): { line: string; newline: boolean } | undefined => {
    if (index >= text.length) return undefined;
    const lf = text.indexOf('\n', index);
    if (lf < 0) {
      const line = text.slice(index);
      index = text.length;
      return { line, newline: false };
    }
    const line = text.slice(index, lf);
    index = lf + 1;
    return { line, newline: true };
  };
  for (let l = readLine(); l !== undefined; l = readLine()) {
    const line = l.line;
    if (line === '') continue;
    const eq = line.indexOf('=');
    const hd = line.indexOf('<<');
    if (eq >= 0 && (hd < 0 || eq < hd)) {
      out.push([line.slice(0, eq), line.slice(eq + 1)]);
    } else if (hd >= 0 && (eq < 0 || hd < eq)) {
      const key = line.slice(0, hd);
      const delimiter = line.slice(hd + 2);
      if (!key || !delimiter)
        throw new Error(`Invalid format '${line}'. Name must not be empty and delimiter must not be empty`);
      const start = index;
      let end = index;
      for (;;) {
        const t = readLine();
        if (t === undefined) throw new Error(`Invalid value. Matching delimiter not found '${delimiter}'`);
        if (t.line === delimiter) break;
        if (!t.newline) throw new Error('Invalid value. EOF marker missing new line.');
        end = index - 1;
      }
      out.push([key, end > start ? text.slice(start, end) : '']);
    } else {
      throw new Error(`Invalid format '${line}'`);
    }
  }
  return out;
}

export interface FileCommandResults {
  outputs: Record<string, string>;
  env: Record<string, string>;
  state: Record<string, string>;
  path: string[];
  summary: string;
  errors: string[];
}

/** Read what the step wrote. Errors are collected (the runner fails the step on a malformed file). */
export function readStepFiles(files: StepFiles): FileCommandResults {
  const r: FileCommandResults = { outputs: {}, env: {}, state: {}, path: [], summary: '', errors: [] };
  const kv = (file: string, into: Record<string, string>, what: string) => {
    try {
      for (const [k, v] of parseKeyValueFile(readFileSync(file, 'utf8'))) {
        if (what === 'GITHUB_ENV' && k.toUpperCase() === 'NODE_OPTIONS') {
          r.errors.push("Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.");
          continue;
        }
        into[k] = v;
      }
    } catch (err) {
      r.errors.push(`${what}: ${(err as Error).message}`);
    }
  };
  kv(files.GITHUB_OUTPUT, r.outputs, 'GITHUB_OUTPUT');
  kv(files.GITHUB_ENV, r.env, 'GITHUB_ENV');
  kv(files.GITHUB_STATE, r.state, 'GITHUB_STATE');
  r.path = readFileSync(files.GITHUB_PATH, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const size = statSync(files.GITHUB_STEP_SUMMARY).size;
  if (size > SUMMARY_LIMIT) {
    r.errors.push(
      `$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of ${SUMMARY_LIMIT / 1024}k, got ${Math.ceil(size / 1024)}k.`,
    );
  } else {
    r.summary = readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8');
  }
  return r;
}
