import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  type Clock,
  cancellationSignal,
  cancelReason,
  core,
  DeployFailure,
  realClock,
  run as runStep,
  setOutputs,
} from '@deploy-actions/kit/runtime';
import { cancelledLine, type Stage, writeCancelledSummary } from './cancelled';
import { memory } from './gc';
import { getInputs } from './inputs';
import { commentPlan } from './plan-comment';
import { openSession } from './session';
import { invalidate } from './stages/invalidate';
import { planDeploy } from './stages/plan';
import { planRollbackTo } from './stages/plan-rollback';
import { prune } from './stages/prune';
import { publish } from './stages/publish';
import { record } from './stages/record';
import { scan } from './stages/scan';
import { type Report, renderPlan, writeSummary } from './summary';

// The shell: inputs, then the pipeline — scan → plan → publish → record → prune → invalidate for a deploy, plan →
// publish → record → invalidate for a rollback — each stage one module, called once; then outputs and the summary.
// Plan mode stops after the plan (everything before it is read-only) and writes the plan, on the pull request too.

export { ACTION } from './session';

/** The test hook: what in-process tests inject (the bundle uses none of it). */
export interface Deps {
  s3?: S3Client;
  cloudfront?: CloudFrontClient;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export async function main(deps: Deps = {}): Promise<void> {
  const env = deps.env ?? process.env;
  const clock = deps.clock ?? realClock;
  const started = clock.now();
  const inputs = getInputs(env, new Date(started));
  // where the run spends its time, stage by stage, in the debug log; and which stage a cancel comes in
  let last = started;
  let stage: Stage = 'scan';
  const stageDone = (done: Stage, next: Stage) => {
    const now = clock.now();
    core.debug(`stage ${done}: ${now - last} ms`);
    last = now;
    stage = next;
  };
  const signal = deps.signal ?? cancellationSignal();
  const session = openSession({ inputs, clock, env, signal, s3: deps.s3, cloudfront: deps.cloudfront });
  let plan: Awaited<ReturnType<typeof planDeploy>>;
  let invalidated: Awaited<ReturnType<typeof invalidate>>;
  try {
    const scanned = inputs.rollbackTo === undefined ? await scan(inputs, signal) : undefined;
    stageDone('scan', 'plan');
    plan = scanned ? await planDeploy(session, scanned) : await planRollbackTo(session, inputs.rollbackTo!);
    stageDone('plan', 'publish');
    if (inputs.dryRun) {
      core.info('Plan mode: nothing was written.');
    } else {
      const written = await publish(session, plan);
      stageDone('publish', 'record');
      await record(session, plan, written);
      stageDone('record', 'prune');
      await prune(session, plan);
      stageDone('prune', 'invalidate');
      invalidated = await invalidate(session, plan);
      stageDone('invalidate', 'invalidate');
      memory('deploy', plan.large);
    }
  } catch (err) {
    // A cancel surfaces as whatever the call in flight threw (an abort, a failed write): say what stands instead.
    if (!signal.aborted) throw err;
    const cancelled = { stage, requests: session.requests, reason: cancelReason(signal) };
    await writeCancelledSummary(cancelled);
    throw new DeployFailure(cancelledLine(cancelled));
  }
  const report: Report = {
    plan,
    dryRun: inputs.dryRun,
    bucket: inputs.bucket,
    prefix: inputs.prefix,
    invalidation: invalidated,
    requests: session.requests,
    durationMs: clock.now() - started,
  };
  if (inputs.dryRun) await commentPlan(session, renderPlan(report));

  setOutputs({
    uploaded: plan.counts.uploaded,
    'metadata-updated': plan.counts.metadataUpdated,
    deleted: plan.counts.deleted,
    unchanged: plan.counts.unchanged,
    'invalidation-id': invalidated?.id ?? '',
    'release-id': plan.releaseId,
  });
  await writeSummary(report);
}

/** @github/local-action's entry (it calls an exported `run()`): the same step src/index.ts runs. */
export const run = (): Promise<void> => runStep(main);
