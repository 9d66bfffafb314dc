import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import { type Clock, cancellationSignal, createClient, realClock, setOutputs } from '@deploy-actions/kit/runtime';
import type { Context } from './context';
import { deploy } from './deploy';
import { limitYoungGeneration } from './gc';
import { getInputs } from './inputs';
import { invalidates } from './invalidate';
import { rollback } from './rollback';
import { writeSummary } from './summary';

// The shell: read the inputs, make the clients, run a deploy or a rollback, write outputs and the job summary.

export const ACTION = 'sync-spa-cloudfront';

/** Injected in tests; production uses the defaults. */
export interface Deps {
  s3?: S3Client;
  cloudfront?: CloudFrontClient;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export async function main(deps: Deps = {}): Promise<void> {
  limitYoungGeneration();
  const env = deps.env ?? process.env;
  const clock = deps.clock ?? realClock;
  const inputs = await getInputs(env, new Date(clock.now()));
  const s3 =
    deps.s3 ??
    createClient(S3Client, {
      action: ACTION,
      ...(inputs.region ? { region: inputs.region } : {}),
      s3ChecksumMode: inputs.checksumMode,
      env,
    });
  const cloudfront = invalidates(inputs)
    ? (deps.cloudfront ??
      createClient(CloudFrontClient, { action: ACTION, ...(inputs.region ? { region: inputs.region } : {}), env }))
    : undefined;
  const ctx: Context = {
    inputs,
    s3,
    cloudfront,
    clock,
    env,
    signal: deps.signal ?? cancellationSignal(),
    requests: {},
  };
  const report = inputs.rollbackTo !== undefined ? await rollback(ctx, inputs.rollbackTo) : await deploy(ctx);
  setOutputs({
    uploaded: report.uploaded,
    'metadata-updated': report.metadataUpdated,
    deleted: report.deleted,
    unchanged: report.unchanged,
    'invalidation-id': report.invalidationId ?? '',
    'release-id': report.releaseId,
  });
  await writeSummary(report);
}
