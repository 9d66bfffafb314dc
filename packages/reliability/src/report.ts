// Figures of a mode's runs (equal outcomes, wall times) appended as JSON lines to RELIABILITY_REPORT when set, so
// `pnpm test:reliability --long` can print one table at the end.
import { appendFileSync } from 'node:fs';

export interface ScenarioFigures {
  scenario: string;
  runs: number;
  equal: number;
  baselineMs: number;
  wallMs: number[];
  faulted: number[];
  differences: Array<{ seed: number; lines: string[] }>;
}

export function recordFigures(figures: ScenarioFigures, env: NodeJS.ProcessEnv = process.env): void {
  if (env.RELIABILITY_REPORT) appendFileSync(env.RELIABILITY_REPORT, `${JSON.stringify(figures)}\n`);
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}
