// Run a step's process as the runner does (actions/runner ProcessInvoker): its own process group, stdout and
// stderr read line by line (both carry workflow commands), and on cancellation or timeout SIGINT, then SIGTERM after
// 7.5 s, then SIGKILL after 2.5 s more, to the whole process group.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export const SIGINT_GRACE_MS = 7500;
export const SIGTERM_GRACE_MS = 2500;

export interface ProcessOptions {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  onLine: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Aborting starts the SIGINT → SIGTERM → SIGKILL sequence. */
  signal: AbortSignal;
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when the abort signal fired while the process ran. */
  aborted: boolean;
  spawnError?: string;
}

export function runProcess(opts: ProcessOptions): Promise<ProcessResult> {
  return new Promise((resolve) => {
    let aborted = false;
    const child = spawn(opts.command, opts.args, {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timers: NodeJS.Timeout[] = [];
    const kill = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    const onAbort = () => {
      aborted = true;
      kill('SIGINT');
      timers.push(setTimeout(() => kill('SIGTERM'), SIGINT_GRACE_MS));
      timers.push(setTimeout(() => kill('SIGKILL'), SIGINT_GRACE_MS + SIGTERM_GRACE_MS));
    };
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
    const readers = (['stdout', 'stderr'] as const).map(
      (name) =>
        new Promise<void>((done) => {
          const stream = child[name];
          if (!stream) return done();
          const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
          rl.on('line', (line) => opts.onLine(line, name));
          rl.on('close', () => done());
        }),
    );
    child.on('error', (err) => {
      opts.signal.removeEventListener('abort', onAbort);
      for (const t of timers) clearTimeout(t);
      resolve({ code: null, signal: null, aborted, spawnError: err.message });
    });
    child.on('close', async (code, signal) => {
      await Promise.all(readers);
      opts.signal.removeEventListener('abort', onAbort);
      for (const t of timers) clearTimeout(t);
      // The group may still hold children that ignored the signal; end them with the step.
      if (aborted) kill('SIGKILL');
      resolve({ code, signal, aborted });
    });
  });
}
