// The result of a run: what the CLI prints as a tree and writes with --json, and what runWorkflow() returns.
export type Result = 'success' | 'failure' | 'cancelled' | 'skipped';

export interface StepResult {
  /** `id:` of the step (absent when the workflow gave none). */
  id?: string;
  name: string;
  /** Before continue-on-error. */
  outcome: Result;
  /** After continue-on-error (what success()/failure() and the job see). */
  conclusion: Result;
  durationMs: number;
  outputs: Record<string, string>;
  /** Post step of an action (runs at job end, in reverse order). */
  post?: boolean;
  error?: string;
  annotations: Array<{ level: string; message: string }>;
  /** What the step wrote to GITHUB_STEP_SUMMARY (masked); the job's `summary` is these joined in step order. */
  summary?: string;
}

export interface JobResult {
  /** Job id; for a matrix leg `id (a, b)`. */
  id: string;
  name: string;
  /** Path from the caller: `deploy/build`. */
  path: string;
  result: Result;
  /** `needs.<id>.result` for dependants (success when continue-on-error saved a failure). */
  conclusion: Result;
  durationMs: number;
  outputs: Record<string, string>;
  matrix?: Record<string, unknown>;
  environment?: { name: string; url?: string };
  /** Why the job did not run or what failed it. */
  message?: string;
  steps: StepResult[];
  /** Jobs of the called workflow (a `uses:` job). */
  jobs?: JobResult[];
  summary?: string;
}

/**
 * A job that ended without running a step (skipped, cancelled, or failed before its first step: an expression, a
 * permission or a called workflow it could not resolve), with why.
 */
export function jobWithoutSteps(
  job: Pick<JobResult, 'id' | 'name' | 'path'> & { matrix?: Record<string, unknown> },
  result: Result,
  message: string,
  durationMs = 0,
): JobResult {
  const { id, name, path } = job;
  const matrix = 'matrix' in job ? { matrix: job.matrix } : {};
  return { id, name, path, result, conclusion: result, durationMs, outputs: {}, ...matrix, message, steps: [] };
}

export interface RunResult {
  workflow: string;
  file: string;
  event: string;
  ref: string;
  sha: string;
  repository: string;
  conclusion: Result;
  /** Set when the on: filters did not select this event. */
  skipped?: string;
  jobs: JobResult[];
  durationMs: number;
  /** Requests or responses of the stand-in GitHub API that did not match GitHub's OpenAPI description. */
  violations?: string[];
}
