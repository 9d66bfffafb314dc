// JavaScript actions from this checkout (or `./` in the workspace), run as the runner runs them
// (actions/runner NodeScriptActionHandler): `node <runs.main>` with Node 24, cwd GITHUB_WORKSPACE, every input as
// INPUT_<NAME> (upper-cased, spaces → `_`, hyphens kept) with action.yml defaults (which may use `${{ github.token }}`
// and other expressions), unexpected inputs warned about, and `runs.post` registered to run at job end with the
// state the main step saved (STATE_<name>) when `post-if` (default `always()`) holds.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { type ExpressionScope, interpolate } from '../expressions/index.ts';
import { type ExecResult, execProcessStep, newStepFiles } from './step-exec.ts';
import type { StepHost } from './step-host.ts';

export interface ActionManifest {
  name?: string;
  inputs?: Record<string, { default?: unknown; required?: boolean; deprecationMessage?: string }>;
  runs: { using: string; main?: string; post?: string; 'post-if'?: string; pre?: string };
}

export function readManifest(file: string): ActionManifest {
  const m = parse(readFileSync(file, 'utf8')) as ActionManifest;
  if (!m?.runs?.using) throw new Error(`${file}: runs.using is missing`);
  return m;
}

export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** INPUT_* for a step: given `with:` values plus action.yml defaults; warns about inputs the action does not declare. */
export function actionInputs(
  manifest: ActionManifest,
  given: Record<string, string>,
  defaultScope: ExpressionScope,
  warn: (m: string) => void,
): Record<string, string> {
  const declared = Object.keys(manifest.inputs ?? {});
  const lower = new Set(declared.map((d) => d.toLowerCase()));
  const unexpected = Object.keys(given).filter((k) => !lower.has(k.toLowerCase()));
  if (unexpected.length) {
    warn(`Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${declared.join("', '")}']`);
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(given)) env[inputEnvName(k)] = v;
  for (const [name, def] of Object.entries(manifest.inputs ?? {})) {
    const key = inputEnvName(name);
    if (key in env) {
      if (def.deprecationMessage) warn(`Input '${name}' has been deprecated with message: ${def.deprecationMessage}`);
      continue;
    }
    if (def.default !== undefined && def.default !== null) env[key] = interpolate(String(def.default), defaultScope);
  }
  return env;
}

export interface PostStep {
  name: string;
  condition: string;
  /** `env`: the job's environment at job end (GITHUB_ENV additions included). */
  run(host: StepHost, env: Record<string, string>): Promise<ExecResult>;
}

export interface ActionRunRequest {
  dir: string;
  manifest: ActionManifest;
  manifestFile: string;
  inputsEnv: Record<string, string>;
  env: Record<string, string>;
  actionRepository: string;
  actionRef: string;
  timeoutMinutes?: number;
  stepName: string;
}

function checkRuntime(manifest: ActionManifest, file: string): string | undefined {
  const using = manifest.runs.using;
  if (using === 'composite') return `${file}: composite actions are not supported by the local runner`;
  if (using === 'docker') return `${file}: docker actions need a container engine (none here)`;
  if (!/^node(20|24)$/.test(using)) return `${file}: runs.using ${using} is not supported (node20, node24)`;
  if (manifest.runs.pre) return `${file}: runs.pre is not supported by the local runner`;
  if (!manifest.runs.main) return `${file}: runs.main is missing`;
  return undefined;
}

/** Run the action's main; returns the result and, when it has one, its post step. */
export async function runActionStep(
  host: StepHost,
  req: ActionRunRequest,
): Promise<{ result: ExecResult; post?: PostStep }> {
  const problem = checkRuntime(req.manifest, req.manifestFile);
  if (problem) {
    return {
      result: {
        outcome: 'failure',
        files: { outputs: {}, env: {}, state: {}, path: [], summary: '', errors: [] },
        error: problem,
      },
    };
  }
  const actionDir = dirname(req.manifestFile);
  const baseEnv = {
    ...req.env,
    ...req.inputsEnv,
    GITHUB_ACTION_PATH: actionDir,
    GITHUB_ACTION_REPOSITORY: req.actionRepository,
    GITHUB_ACTION_REF: req.actionRef,
  };
  const files = newStepFiles(host);
  const result = await execProcessStep(
    host,
    {
      command: host.run.nodePath,
      args: [join(actionDir, req.manifest.runs.main as string)],
      cwd: host.workspace,
      env: baseEnv,
      ...(req.timeoutMinutes !== undefined ? { timeoutMinutes: req.timeoutMinutes } : {}),
    },
    files,
  );
  const postFile = req.manifest.runs.post;
  if (!postFile) return { result };
  const state = result.files.state;
  const post: PostStep = {
    name: `Post ${req.stepName}`,
    condition: req.manifest.runs['post-if'] ?? 'always()',
    run: (postHost, env) => {
      const stateEnv = Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v]));
      return execProcessStep(
        postHost,
        {
          command: host.run.nodePath,
          args: [join(actionDir, postFile)],
          cwd: postHost.workspace,
          env: {
            ...env,
            ...req.inputsEnv,
            GITHUB_ACTION_PATH: actionDir,
            GITHUB_ACTION_REPOSITORY: req.actionRepository,
            GITHUB_ACTION_REF: req.actionRef,
            ...stateEnv,
          },
        },
        newStepFiles(postHost),
      );
    },
  };
  return { result, post };
}
