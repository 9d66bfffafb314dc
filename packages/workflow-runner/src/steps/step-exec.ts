// The part every process step shares (run: scripts, JavaScript actions and their post steps): fresh command files,
// the step's environment, workflow commands and masking on both output streams, the timeout, and reading back
// outputs / env / path / state / summary afterwards.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { createStepFiles, type FileCommandResults, readStepFiles, type StepFiles } from './file-commands.ts';
import { runProcess } from './process.ts';
import type { StepHost } from './step-host.ts';
import { CommandProcessor } from './workflow-commands.ts';

export interface ExecRequest {
  command: string;
  args: string[];
  cwd: string;
  /** The step's environment on top of the machine's and GITHUB_*; the command-file paths are added here. */
  env: Record<string, string>;
  timeoutMinutes?: number;
}

export interface ExecResult {
  outcome: 'success' | 'failure' | 'cancelled';
  files: FileCommandResults;
  error?: string;
}

export function newStepFiles(host: StepHost): StepFiles {
  return createStepFiles(join(host.tempDir, '_runner_file_commands'));
}

export async function execProcessStep(host: StepHost, req: ExecRequest, files: StepFiles): Promise<ExecResult> {
  let refused: string | undefined;
  const processor = new CommandProcessor({
    mask: (v) => host.mask(v),
    annotate: (a) => host.annotate(a.level, a.message),
    setOutput: (k, v) => appendFileSync(files.GITHUB_OUTPUT, `${k}<<__RUNNER_EOF__\n${v}\n__RUNNER_EOF__\n`),
    saveState: (k, v) => appendFileSync(files.GITHUB_STATE, `${k}<<__RUNNER_EOF__\n${v}\n__RUNNER_EOF__\n`),
    refuse: (m) => {
      refused = m;
      host.annotate('error', m);
    },
    debug: (m) => host.debug(m),
  });
  const controller = new AbortController();
  const onCancel = () => controller.abort();
  host.signal.addEventListener('abort', onCancel, { once: true });
  if (host.signal.aborted) controller.abort();
  let timedOut = false;
  const timer =
    req.timeoutMinutes !== undefined && req.timeoutMinutes > 0
      ? setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, req.timeoutMinutes * 60_000)
      : undefined;
  const result = await runProcess({
    command: req.command,
    args: req.args,
    cwd: req.cwd,
    env: { ...req.env, ...files },
    signal: controller.signal,
    onLine: (line) => {
      const text = processor.line(line);
      if (text !== undefined) host.print(text);
    },
  });
  if (timer) clearTimeout(timer);
  host.signal.removeEventListener('abort', onCancel);
  const read = readStepFiles(files);
  for (const e of read.errors) host.annotate('error', e);
  if (result.spawnError) {
    return {
      outcome: 'failure',
      files: read,
      error: `An error occurred trying to start process '${req.command}' with working directory '${req.cwd}'. ${result.spawnError}`,
    };
  }
  if (timedOut) {
    return { outcome: 'failure', files: read, error: `The action has timed out after ${req.timeoutMinutes} minutes.` };
  }
  if (result.aborted) return { outcome: 'cancelled', files: read, error: 'The operation was canceled.' };
  if (refused) return { outcome: 'failure', files: read, error: refused };
  if (read.errors.length) return { outcome: 'failure', files: read, error: read.errors.join('; ') };
  if (result.code !== 0) {
    return {
      outcome: 'failure',
      files: read,
      error:
        result.code === null
          ? `Process was killed by ${result.signal}`
          : `Process completed with exit code ${result.code}.`,
    };
  }
  return { outcome: 'success', files: read };
}
