// `run:` steps as the runner runs them (actions/runner ScriptHandler): the script is written to a file in
// RUNNER_TEMP and started with the shell's argument format. No `shell:` → `bash -e {0}` (the runner's "sh" default
// run by bash when bash exists); `shell: bash` → `bash --noprofile --norc -eo pipefail {0}`; `sh` → `sh -e {0}`;
// `python` → `python {0}`; anything else is a custom command line that must contain {0}.
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { type ExecResult, execProcessStep, newStepFiles } from './step-exec.ts';
import type { StepHost } from './step-host.ts';

export interface RunStepRequest {
  script: string;
  shell: string | undefined;
  workingDirectory: string | undefined;
  env: Record<string, string>;
  timeoutMinutes?: number;
}

const FORMATS: Record<string, { command: string; args: string; ext: string }> = {
  default: { command: 'bash', args: '-e {0}', ext: '.sh' },
  bash: { command: 'bash', args: '--noprofile --norc -e -o pipefail {0}', ext: '.sh' },
  sh: { command: 'sh', args: '-e {0}', ext: '.sh' },
  python: { command: 'python3', args: '{0}', ext: '.py' },
};

export function shellCommand(shell: string | undefined, scriptFile: string): { command: string; args: string[] } {
  const known = FORMATS[shell ?? 'default'];
  if (known) {
    return { command: known.command, args: known.args.split(' ').map((a) => (a === '{0}' ? scriptFile : a)) };
  }
  const parts = (shell as string).trim().split(/\s+/);
  const [command, ...rest] = parts as [string, ...string[]];
  if (!rest.some((a) => a.includes('{0}'))) rest.push('{0}');
  return { command, args: rest.map((a) => a.replace('{0}', scriptFile)) };
}

export async function runScriptStep(host: StepHost, req: RunStepRequest): Promise<ExecResult> {
  const files = newStepFiles(host);
  const ext = FORMATS[req.shell ?? 'default']?.ext ?? '';
  const scriptFile = join(host.tempDir, `${randomUUID()}${ext}`);
  // The runner writes the script with a trailing newline, LF only.
  writeFileSync(scriptFile, `${req.script.replace(/\r\n/g, '\n')}\n`);
  const cwd = req.workingDirectory
    ? isAbsolute(req.workingDirectory)
      ? req.workingDirectory
      : join(host.workspace, req.workingDirectory)
    : host.workspace;
  const { command, args } = shellCommand(req.shell, scriptFile);
  host.debug(`shell: ${command} ${args.join(' ')}`);
  if (!existsSync(cwd)) {
    return {
      outcome: 'failure',
      files: { outputs: {}, env: {}, state: {}, path: [], summary: '', errors: [] },
      error: `An error occurred trying to start process '${command}' with working directory '${cwd}'. No such file or directory`,
    };
  }
  return execProcessStep(host, { command, args, cwd, env: req.env, timeoutMinutes: req.timeoutMinutes }, files);
}
