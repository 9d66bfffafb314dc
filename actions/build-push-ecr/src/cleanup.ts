// What the build leaves on the runner, and how it is removed: the registry login (an auth file of this run under
// RUNNER_TEMP: buildah's --authfile, docker's DOCKER_CONFIG), the builder processes (each in its own process group),
// and a throwaway buildx builder. The main step removes them in its `finally`, also when cancelled (SIGINT/SIGTERM
// stop the running builder first); what a main step killed outright (SIGKILL, a runner crash) leaves behind, the post
// step (`post-if: always()`, dist/post/index.js) removes from what the main step saved with core.saveState.
import { rm } from 'node:fs/promises';
import * as core from '@actions/core';
import { errorMessage, run as runStep } from '@deploy-actions/kit/runtime';
import { runTool, stopGroup, type ToolProcess } from './tool-process';

/** Names saved with core.saveState by the main step (read back in the post step as STATE_<name>). */
export const STATE = {
  workDir: 'workDir',
  credentialFiles: 'credentialFiles',
  process: 'builderProcess',
  logout: 'logout',
  buildxBuilder: 'buildxBuilder',
  dockerEnv: 'dockerEnv',
  cleaned: 'cleaned',
} as const;

/** A command to run at cleanup (logout, buildx rm), with the environment it needs (DOCKER_CONFIG). */
export interface CleanupCommand {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/** What a build leaves to clean up. Kept in memory by the main step and mirrored to the step state. */
export interface Leftovers {
  workDir?: string;
  /** The files a login writes the credential to (deleted first, before anything slower runs). */
  credentialFiles?: string[];
  process?: ToolProcess;
  logout?: CleanupCommand;
  buildxBuilder?: CleanupCommand;
}

/** Records leftovers as they appear; `save` is core.saveState in a step (tests may pass their own). */
export class LeftoverTracker {
  readonly leftovers: Leftovers = {};
  constructor(private readonly save: (name: string, value: string) => void = core.saveState) {}

  workDir(dir: string): void {
    this.leftovers.workDir = dir;
    this.save(STATE.workDir, dir);
  }
  credentialFiles(files: string[]): void {
    this.leftovers.credentialFiles = files;
    this.save(STATE.credentialFiles, JSON.stringify(files));
  }
  process(p: ToolProcess | undefined): void {
    this.leftovers.process = p;
    this.save(STATE.process, p ? JSON.stringify(p) : '');
  }
  logout(command: CleanupCommand | undefined): void {
    this.leftovers.logout = command;
    this.save(STATE.logout, command ? JSON.stringify(command) : '');
  }
  buildxBuilder(command: CleanupCommand | undefined): void {
    this.leftovers.buildxBuilder = command;
    this.save(STATE.buildxBuilder, command ? JSON.stringify(command) : '');
  }
  cleaned(): void {
    this.save(STATE.cleaned, 'true');
  }
}

/** The leftovers a main step saved, read back in the post step. */
export function leftoversFromState(get: (name: string) => string = core.getState): Leftovers | 'cleaned' {
  if (get(STATE.cleaned) === 'true') return 'cleaned';
  const json = <T>(name: string): T | undefined => {
    const raw = get(name);
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as T;
    } catch {
      return undefined;
    }
  };
  const leftovers: Leftovers = {};
  const workDir = get(STATE.workDir);
  if (workDir) leftovers.workDir = workDir;
  const files = json<unknown>(STATE.credentialFiles);
  if (Array.isArray(files) && files.every((f) => typeof f === 'string')) leftovers.credentialFiles = files;
  const p = json<ToolProcess>(STATE.process);
  if (p && Number.isInteger(p.pid) && p.pid > 1) leftovers.process = p;
  const logout = json<CleanupCommand>(STATE.logout);
  if (logout) leftovers.logout = logout;
  const builder = json<CleanupCommand>(STATE.buildxBuilder);
  if (builder) leftovers.buildxBuilder = builder;
  return leftovers;
}

export interface CleanUpOptions {
  log?: { info(message: string): void; warning(message: string): void };
  /** Time allowed to each cleanup command (the main step has 5 s after a cancel before it is force-exited). */
  commandTimeoutMs?: number;
  /** Time a builder gets between SIGTERM and SIGKILL. */
  graceMs?: number;
}

async function runCleanupCommand(what: string, c: CleanupCommand, timeoutMs: number): Promise<boolean> {
  try {
    const r = await runTool(c.command, c.args, {
      what,
      env: { ...process.env, ...(c.env ?? {}) },
      signal: AbortSignal.timeout(timeoutMs),
      killAfterMs: 500,
      ignoreReturnCode: true,
    });
    return r.code === 0;
  } catch {
    return false;
  }
}

/**
 * Remove what the build left: stop the builder's process group (if it still runs and is ours), log out, delete the
 * credential files, remove the throwaway buildx builder, delete the work directory. The credential goes before
 * anything slow (the kit force-exits a cancelled step 5 s after the signal). Never throws: a problem is a warning.
 * Returns what was done, for the log.
 */
export async function cleanUp(l: Leftovers, options: CleanUpOptions = {}): Promise<string[]> {
  const log = options.log ?? { info: core.info, warning: core.warning };
  const timeoutMs = options.commandTimeoutMs ?? 10_000;
  const done: string[] = [];
  if (l.process) {
    const stopped = await stopGroup(l.process, options.graceMs ?? 2000);
    if (stopped === 'stopped') done.push(`stopped builder process group ${l.process.pid}`);
    if (stopped === 'not ours') log.warning(`process ${l.process.pid} is not the builder any more: left alone`);
  }
  if (l.logout) {
    if (await runCleanupCommand('logout', l.logout, timeoutMs)) done.push('logged out of the registry');
    else log.warning(`${l.logout.command} logout failed: the auth file is deleted below`);
  }
  for (const file of l.credentialFiles ?? []) {
    try {
      await rm(file, { force: true });
    } catch (err) {
      log.warning(`could not delete ${file}: ${errorMessage(err)}`);
    }
  }
  if (l.buildxBuilder) {
    if (await runCleanupCommand('docker buildx rm', l.buildxBuilder, timeoutMs)) {
      done.push(`removed buildx builder ${l.buildxBuilder.args.at(-1)}`);
    } else log.warning(`could not remove buildx builder ${l.buildxBuilder.args.at(-1)}`);
  }
  if (l.workDir) {
    try {
      await rm(l.workDir, { recursive: true, force: true });
      done.push(`deleted ${l.workDir} (auth file, docker config)`);
    } catch (err) {
      log.warning(`could not delete ${l.workDir}: ${errorMessage(err)}`);
    }
  }
  return done;
}

/**
 * The post step: when the main step was killed before it cleaned up, remove what it left (registry credential,
 * builder processes, throwaway builder). Never fails the job: problems are warnings.
 */
export async function postCleanup(): Promise<void> {
  const leftovers = leftoversFromState();
  if (leftovers === 'cleaned' || Object.keys(leftovers).length === 0) {
    core.info('The main step cleaned up after itself; nothing to do.');
    return;
  }
  const done = await cleanUp(leftovers);
  core.info(
    done.length > 0
      ? `The main step ended before cleaning up: ${done.join('; ')}.`
      : 'The main step ended before cleaning up, but nothing was left.',
  );
}

/** @github/local-action's entry for `--post src/cleanup.ts`: the post step as src/post.ts runs it. */
export const run = (): Promise<void> => runStep(postCleanup);
