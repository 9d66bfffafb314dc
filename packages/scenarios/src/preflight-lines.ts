// The preflight of each deploy step, in one line per task definition, for the demo's console: what deploy-ecs (and
// the rollback's deploy-ecs-wait) checked before changing anything, read from the step's job summary (the
// `<details><summary>Preflight…</summary>` block the kit writes).
import type { RunResult } from '@deploy-actions/workflow-runner';
import { allJobs } from './harness.ts';

const BLOCK = /<details(?: open)?><summary>(Preflight[^<]*)<\/summary>([\s\S]*?)<\/details>/g;
/** `**api (new revision)** for api, runs on linux/amd64 (X86_64/LINUX): 27 ok` */
const REVISION = /^\*\*(.+?)\*\*(.*)$/;

export function preflightLines(result: RunResult | undefined): string[] {
  const out: string[] = [];
  for (const job of allJobs(result?.jobs ?? [])) {
    for (const step of job.steps) {
      for (const m of step.summary?.matchAll(BLOCK) ?? []) {
        const head = (m[1] ?? '').trim();
        const revisions = (m[2] ?? '')
          .split('\n')
          .map((l) => REVISION.exec(l.trim()))
          .filter((r): r is RegExpExecArray => r !== null)
          .map((r) => `${r[1]}${r[2]}`);
        const detail = head === 'Preflight' ? revisions.join('; ') : head.replace(/^Preflight:\s*/, '');
        out.push(`preflight (${job.path}): ${detail || head}`);
      }
    }
  }
  return out;
}
