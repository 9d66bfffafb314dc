// The builder processes (docker, buildah): each in its own process group, so a cancelled step stops the whole tree it
// started (buildah forks the RUN steps of a build), and so the post step can find what a killed main step left
// running. The command line is echoed as @actions/exec would (`[command]…`), but from a display argv in which
// build-arg values and other secrets are already masked.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { DeployFailure } from '@deploy-actions/kit/runtime';

/** A process group we started: its leader's pid (= the group id) and the leader's start time (/proc, clock ticks). */
export interface ToolProcess {
  pid: number;
  startTime: string | undefined;
}

export interface RunToolOptions {
  /** What the command does, for the failure message (`buildah bud`). */
  what: string;
  /** The argv as printed (secrets masked); default `args`. */
  display?: readonly string[];
  /** Written to the process's stdin (the registry password for login). */
  input?: Buffer;
  env?: NodeJS.ProcessEnv;
  /** Don't echo the command nor stream its output (probes). */
  silent?: boolean;
  /** Aborting stops the process group: SIGTERM, then SIGKILL after `killAfterMs`. */
  signal?: AbortSignal;
  killAfterMs?: number;
  /** Called once the process runs (the main step saves it for the post step). */
  onStart?: (p: ToolProcess) => void;
  /** Called once it has exited. */
  onExit?: () => void;
  /** Resolve with the exit code instead of throwing on a non-zero exit. */
  ignoreReturnCode?: boolean;
}

export interface ToolResult {
  code: number;
  stdout: string;
}

/** Start time of `pid` from /proc/<pid>/stat (field 22), undefined where there is no /proc or no such process. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) is in parentheses and may contain spaces: fields start after the last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function quoteWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,*-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `[command]docker buildx build …` as @actions/exec prints it. */
export function commandLine(command: string, display: readonly string[]): string {
  return `[command]${[command, ...display].map(quoteWord).join(' ')}`;
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error(String(reason ?? 'cancelled'));
  err.name = 'AbortError';
  return err;
}

/**
 * Run `command args` in a new process group, its output streamed to the log (unless silent). A non-zero exit is a
 * DeployFailure naming `what`; an abort stops the group and rejects with the abort reason once it has exited.
 */
export function runTool(command: string, args: readonly string[], options: RunToolOptions): Promise<ToolResult> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  if (!options.silent) process.stdout.write(`${commandLine(command, options.display ?? args)}\n`);
  return new Promise<ToolResult>((resolve, reject) => {
    const child = spawn(command, [...args], {
      env: options.env ?? process.env,
      stdio: [options.input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    // stdout and stderr as printed: the cause of a failure, for callers that look at why (a cache push that failed)
    let output = '';
    let killer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      if (child.pid === undefined) return;
      signalGroup(child.pid, 'SIGTERM');
      killer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), options.killAfterMs ?? 2000);
    };
    child.once('spawn', () => {
      if (child.pid !== undefined) options.onStart?.({ pid: child.pid, startTime: processStartTime(child.pid) });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
      output += d.toString('utf8');
      if (!options.silent) process.stdout.write(d);
    });
    child.stderr!.on('data', (d: Buffer) => {
      output += d.toString('utf8');
      if (!options.silent) process.stdout.write(d);
    });
    if (options.input) child.stdin!.end(options.input);
    child.once('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(new DeployFailure(`${options.what} could not start: ${err.message}`, { cause: err }));
    });
    child.once('close', (code, sig) => {
      signal?.removeEventListener('abort', onAbort);
      if (killer) clearTimeout(killer);
      // A cancelled build may leave grandchildren behind in the group: stop them too.
      if (signal?.aborted && child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
      options.onExit?.();
      if (signal?.aborted) return reject(abortError(signal));
      const exit = code ?? (sig ? 128 : 1);
      if (exit !== 0 && !options.ignoreReturnCode) {
        return reject(
          new DeployFailure(
            `${options.what} failed (${code === null ? `killed by ${sig}` : `exit ${code}`}): see the log above`,
            { cause: output },
          ),
        );
      }
      resolve({ code: exit, stdout });
    });
  });
}

/** Send `sig` to every process of the group `pgid`; false when there is none. */
export function signalGroup(pgid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Pids of the processes in group `pgid` (Linux /proc; empty elsewhere). */
export function groupMembers(pgid: number): number[] {
  if (!existsSync('/proc')) return [];
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] is the state (field 3), fields[2] the process group (field 5)
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
    } catch {
      // the process exited while we looked
    }
  }
  return members;
}

/**
 * Whether the group `p` started is still ours: its leader runs with the start time we saved, or the leader is gone
 * (no process has its pid, so no other group can have taken the id) and members are left. A reused pid is never
 * signalled.
 */
export function isOurGroup(p: ToolProcess): boolean {
  const leaderStart = processStartTime(p.pid);
  if (leaderStart !== undefined) return p.startTime === undefined || leaderStart === p.startTime;
  return groupMembers(p.pid).length > 0 || (!existsSync('/proc') && signalGroup(p.pid, 0));
}

/**
 * Stop what is left of the group `p` (SIGTERM, then SIGKILL after `graceMs`). Returns what was found: 'none' (nothing
 * running), 'stopped', or 'not ours' (the pid was reused: left alone).
 */
export async function stopGroup(p: ToolProcess, graceMs = 2000): Promise<'none' | 'stopped' | 'not ours'> {
  const running = () => groupMembers(p.pid).length > 0 || (!existsSync('/proc') && signalGroup(p.pid, 0));
  if (!running()) return 'none';
  if (!isOurGroup(p)) return 'not ours';
  signalGroup(p.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (running() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (running()) signalGroup(p.pid, 'SIGKILL');
  return 'stopped';
}
