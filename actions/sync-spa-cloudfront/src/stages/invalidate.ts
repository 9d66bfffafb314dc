import { core, PollTimeoutError } from '@deploy-actions/kit/runtime';
import { invalidationCallerReference, submitInvalidation, waitForInvalidation } from '../cloudfront-invalidation';
import type { Plan } from '../release-plan';
import type { Session } from '../session';

// Stage 6: the CloudFront invalidation of what changed (invalidation-paths.ts decided the paths), submitted with a
// CallerReference of this publish (run, attempt, deploy or rollback, release, record: cloudfront-invalidation.ts) and,
// with wait-for-invalidation, awaited.

export interface Invalidated {
  id: string;
  status: string;
  callerReference: string;
}

export async function invalidate(session: Session, plan: Plan): Promise<Invalidated | undefined> {
  const { inputs, cloudfront, env, clock, signal } = session;
  const paths = plan.invalidation?.paths ?? [];
  if (!cloudfront || !inputs.distributionId || paths.length === 0) return undefined;
  const runId = env.GITHUB_RUN_ID?.trim() || `local-${plan.releaseId}-${clock.now()}`;
  const attempt = env.GITHUB_RUN_ATTEMPT?.trim() || '1';
  const callerReference = invalidationCallerReference({
    runId,
    attempt,
    mode: plan.mode,
    releaseId: plan.releaseId,
    record: plan.liveRecord,
    paths,
  });
  const submitted = await submitInvalidation(cloudfront, {
    distributionId: inputs.distributionId,
    paths,
    callerReference,
    timeoutMs: Math.max(inputs.invalidationTimeoutMs, 60_000),
    clock,
    signal,
    onProgress: (m) => core.info(m),
  });
  const result: Invalidated = { id: submitted.id, status: submitted.status, callerReference };
  core.info(`Invalidation ${submitted.id} (${submitted.status}) for ${paths.length} path(s).`);
  if (!inputs.waitForInvalidation || submitted.status === 'Completed') return result;
  try {
    await waitForInvalidation(cloudfront, {
      distributionId: inputs.distributionId,
      id: submitted.id,
      timeoutMs: inputs.invalidationTimeoutMs,
      clock,
      signal,
      onProgress: (m) => core.info(m),
    });
    result.status = 'Completed';
  } catch (err) {
    if (!(err instanceof PollTimeoutError)) throw err;
    result.status = 'InProgress (not confirmed before the timeout)';
    core.warning(
      `Invalidation ${submitted.id} was submitted but not confirmed within ${Math.round(inputs.invalidationTimeoutMs / 1000)}s; the new files are live in S3 and caches will catch up.`,
    );
  }
  return result;
}
