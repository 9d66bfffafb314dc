import { createHash } from 'node:crypto';
import type { RunTaskCommandInput } from '@aws-sdk/client-ecs';

// RunTask idempotency (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/ECS_Idempotency.html): a RunTask
// repeated with the same `clientToken` and the same parameters within 24 hours returns the tasks the first one
// started and starts none. The SDK fills in a random token per call (its retries reuse it); we derive ours from the
// step's identity instead, so the same request of the same step of the same run attempt is one task, however it is
// repeated. A re-run of the job is a new attempt: a new token, a new task (the user asked to run it again). Two
// matrix legs sending the very same migration in one attempt share one task, which is what a migration wants.

/**
 * The step's identity on GitHub Actions: `<run id>/<run attempt>/<job>/<step>` (GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT,
 * GITHUB_JOB, GITHUB_ACTION), or undefined outside a run (then the SDK's random token is used).
 */
export function stepRunKey(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const runId = env.GITHUB_RUN_ID?.trim();
  if (!runId) return undefined;
  return [runId, env.GITHUB_RUN_ATTEMPT?.trim() || '1', env.GITHUB_JOB ?? '', env.GITHUB_ACTION ?? ''].join('/');
}

/** JSON with object keys sorted, so the same request always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * RunTask's `clientToken` for `input` sent by the step `runKey`: `deploy-actions-` + 48 hex digits of a SHA-256 over
 * both (63 characters; ECS allows up to 64 ASCII characters). Pure.
 */
export function runTaskClientToken(runKey: string, input: RunTaskCommandInput): string {
  const { clientToken: _ignored, ...request } = input;
  const hash = createHash('sha256').update(runKey).update('\n').update(canonicalJson(request)).digest('hex');
  return `deploy-actions-${hash.slice(0, 48)}`;
}
