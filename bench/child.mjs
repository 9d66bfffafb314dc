// A measured tool run by the benches: a child process to its end, stdin closed, stdout and stderr captured, wall
// time from spawn to close. Rejects only when it cannot start; a non-zero exit is the caller's to judge.
import { spawn } from 'node:child_process';

/** @returns {Promise<{ code: number | null; ms: number; stdout: string; stderr: string }>} */
export function runChild(file, args, { env, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(file, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ms: Number(process.hrtime.bigint() - started) / 1e6, stdout, stderr }));
  });
}
