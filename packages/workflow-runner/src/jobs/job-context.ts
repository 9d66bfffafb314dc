// The expression contexts of a job (GitHub "Contexts" reference, and which keys allow which contexts is already
// checked by the parser): github, env, vars, secrets, inputs, needs, matrix, strategy, job, runner, steps.
import type { Json } from '../expressions/data.ts';
import type { Result } from '../report/result.ts';

export interface NeedsEntry {
  result: Result;
  outputs: Record<string, string>;
}

export interface StepsEntry {
  outputs: Record<string, string>;
  outcome: Result;
  conclusion: Result;
}

export interface JobContexts {
  github: Record<string, unknown>;
  env: Record<string, string>;
  vars: Record<string, string>;
  secrets: Record<string, string>;
  inputs: Record<string, Json>;
  needs: Record<string, NeedsEntry>;
  matrix: Record<string, Json>;
  strategy: Record<string, Json>;
  job: Record<string, unknown>;
  runner: Record<string, string>;
  steps: Record<string, StepsEntry>;
}

export function contextsFor(c: JobContexts, keep: Array<keyof JobContexts>): Record<string, unknown> {
  return Object.fromEntries(keep.map((k) => [k, c[k]]));
}
