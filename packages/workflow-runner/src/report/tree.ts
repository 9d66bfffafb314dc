// The job/step tree the CLI prints at the end of a run: outcome marks, durations, outputs, failure messages.
import type { JobResult, Result, RunResult, StepResult } from './result.ts';

const MARK: Record<Result, string> = { success: '✓', failure: '✗', cancelled: '⊘', skipped: '-' };
const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

function stepLine(s: StepResult, indent: string): string[] {
  const coe = s.outcome !== s.conclusion ? ` (outcome ${s.outcome}, continue-on-error)` : '';
  const lines = [`${indent}${MARK[s.conclusion]} ${s.name}  ${s.conclusion}${coe}  ${secs(s.durationMs)}`];
  if (s.error && s.conclusion !== 'skipped') lines.push(`${indent}    ${s.error}`);
  return lines;
}

function jobLines(j: JobResult, indent: string): string[] {
  const env = j.environment
    ? `  [environment ${j.environment.name}${j.environment.url ? ` ${j.environment.url}` : ''}]`
    : '';
  const lines = [
    `${indent}${MARK[j.conclusion]} ${j.path}  ${j.result}${j.result !== j.conclusion ? ` (continue-on-error → ${j.conclusion})` : ''}  ${secs(j.durationMs)}${env}`,
  ];
  if (j.message) lines.push(`${indent}    ${j.message}`);
  for (const s of j.steps) lines.push(...stepLine(s, `${indent}    `));
  for (const sub of j.jobs ?? []) lines.push(...jobLines(sub, `${indent}    `));
  const outputs = Object.entries(j.outputs);
  if (outputs.length) {
    lines.push(`${indent}    outputs:`);
    for (const [k, v] of outputs)
      lines.push(`${indent}      ${k}: ${v.length > 120 ? `${v.slice(0, 117)}...` : v.replace(/\n/g, '\\n')}`);
  }
  return lines;
}

export function formatTree(r: RunResult): string {
  const head = `${r.workflow} (${r.file}) — ${r.event} ${r.ref} @ ${r.sha.slice(0, 12)} in ${r.repository}`;
  if (r.skipped) return `${head}\nskipped: ${r.skipped}`;
  const lines = [head];
  for (const j of r.jobs) lines.push(...jobLines(j, ''));
  for (const v of r.violations ?? []) lines.push(`✗ ${v}`);
  lines.push(`conclusion: ${r.conclusion} in ${secs(r.durationMs)}`);
  return lines.join('\n');
}
