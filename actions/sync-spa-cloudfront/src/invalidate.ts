import { core, PollTimeoutError } from '@deploy-actions/kit/runtime';
import {
  type InvalidationPlan,
  invalidationCallerReference,
  planInvalidationPaths,
  submitInvalidation,
  waitForInvalidation,
} from './cloudfront-invalidation';
import { type Context, count } from './context';
import type { Inputs } from './inputs';
import type { Report } from './summary';

// CloudFront: which paths a deploy or rollback invalidates, and submitting (and optionally awaiting) it.

/** True when this run invalidates CloudFront at all (a distribution is given and invalidation is not off). */
export function invalidates(inputs: Inputs): boolean {
  return inputs.distributionId !== undefined && inputs.invalidation !== 'off';
}

/** The invalidation of a deploy or rollback: none, `/*`, or planned from the URL paths that changed. */
export function planPaths(inputs: Inputs, changedPaths: () => string[]): InvalidationPlan | undefined {
  if (!invalidates(inputs)) return undefined;
  if (inputs.invalidation === 'all') return { paths: ['/*'], wildcards: 1, requested: 1 };
  return planInvalidationPaths(changedPaths());
}

export async function invalidate(ctx: Context, report: Report): Promise<void> {
  const { inputs } = ctx;
  const plan = report.invalidation;
  if (!ctx.cloudfront || !inputs.distributionId || !plan || plan.paths.length === 0) return;
  const runId = ctx.env.GITHUB_RUN_ID?.trim() || `local-${report.releaseId}-${ctx.clock.now()}`;
  const attempt = ctx.env.GITHUB_RUN_ATTEMPT?.trim() || '1';
  const callerReference = invalidationCallerReference(runId, attempt, plan.paths);
  const submitted = await submitInvalidation(ctx.cloudfront, {
    distributionId: inputs.distributionId,
    paths: plan.paths,
    callerReference,
    timeoutMs: Math.max(inputs.invalidationTimeoutMs, 60_000),
    clock: ctx.clock,
    signal: ctx.signal,
    onProgress: (m) => core.info(m),
  });
  count(ctx, 'CreateInvalidation', 1 + submitted.backoffs);
  report.invalidationId = submitted.id;
  report.invalidationStatus = submitted.status;
  report.callerReference = callerReference;
  core.info(`Invalidation ${submitted.id} (${submitted.status}) for ${plan.paths.length} path(s).`);
  if (!inputs.waitForInvalidation || submitted.status === 'Completed') return;
  try {
    await waitForInvalidation(ctx.cloudfront, {
      distributionId: inputs.distributionId,
      id: submitted.id,
      timeoutMs: inputs.invalidationTimeoutMs,
      clock: ctx.clock,
      signal: ctx.signal,
      onProgress: (m) => core.info(m),
    });
    report.invalidationStatus = 'Completed';
  } catch (err) {
    if (!(err instanceof PollTimeoutError)) throw err;
    report.invalidationStatus = 'InProgress (not confirmed before the timeout)';
    core.warning(
      `Invalidation ${submitted.id} was submitted but not confirmed within ${Math.round(inputs.invalidationTimeoutMs / 1000)}s; the new files are live in S3 and caches will catch up.`,
    );
  }
}
