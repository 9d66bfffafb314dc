import type { S3Client } from '@aws-sdk/client-s3';
import {
  type Clock,
  cancellationSignal,
  cancelReason,
  core,
  DeployFailure,
  realClock,
  requestSent,
  run as runStep,
  setOutputs,
} from '@deploy-actions/kit/runtime';
import { cancelledLine, type Stage, writeCancelledSummary } from './cancelled';
import type { CloudFrontClient } from './cloudfront-sdk';
import { memory } from './gc';
import { getInputs } from './inputs';
import { type RemoteReads, readRemote } from './records';
import type { Plan } from './release-plan';
import { openCloudFront, openSession } from './session';
import type { Invalidated } from './stages/invalidate';
import { scan } from './stages/scan';
import type { Report } from './summary';

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
  let plan: Plan;
  let invalidated: Invalidated | undefined;
  let later: typeof import('./stages/after-plan');
  // Once the source is accepted, the bucket is read while the files are hashed. What else the run needs is compiled
  // once the listing's request is on the wire (the CloudFront SDK, the planners, the write stages: lazy
  // chunks), so that request goes out as early as the floor's (issue #15, cold start).
  let remote: RemoteReads | undefined;
  let cloudFrontReady: Promise<void> | undefined;
  let planning: Promise<typeof import('./stages/plan')> | undefined;
  const readAhead = (localPaths: readonly string[]): Promise<void> => {
    const sent = requestSent(session.s3);
    remote = readRemote(session, localPaths, sent); // its page reader is compiled once that request is out
    // (a listing that fails before any request, e.g. without credentials, settles `remote`, never `sent`)
    const onTheWire = Promise.race([sent, remote.listing.then(noop, noop)]);
    cloudFrontReady = onTheWire.then(() => openCloudFront(session));
    cloudFrontReady.catch(noop); // awaited below; a scan error is the one to report
    planning = onTheWire.then(() => import('./stages/plan'));
    planning.catch(noop);
    return onTheWire;
  };
  try {
    const scanned = inputs.rollbackTo === undefined ? await scan(inputs, signal, readAhead) : undefined;
    await (cloudFrontReady ?? openCloudFront(session));
    stageDone('scan', 'plan');
    // the write stages' chunk loads while the plan waits on S3 and CloudFront, not after it (#15)
    const afterPlan = import('./stages/after-plan');
    afterPlan.catch(noop); // awaited below, unless the plan fails first (that error is the one to report)
    if (scanned) {
      const { planDeploy } = await (planning ?? import('./stages/plan'));
      plan = await planDeploy(session, scanned, remote ?? readRemote(session));
    } else {
      const { planRollbackTo } = await import('./stages/plan-rollback');
      plan = await planRollbackTo(session, inputs.rollbackTo!);
    }
    stageDone('plan', 'publish');
    later = await afterPlan;
    const { publish, record, prune, invalidate } = later;
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
  if (inputs.dryRun) await later.commentPlan(session, later.renderPlan(report));

  setOutputs({
    uploaded: plan.counts.uploaded,
    'metadata-updated': plan.counts.metadataUpdated,
    deleted: plan.counts.deleted,
    unchanged: plan.counts.unchanged,
    'invalidation-id': invalidated?.id ?? '',
    'release-id': plan.releaseId,
  });
  await later.writeSummary(report);
}

const noop = (): void => undefined;

/** @github/local-action's entry (it calls an exported `run()`): the same step src/index.ts runs. */
export const run = (): Promise<void> => runStep(main);
