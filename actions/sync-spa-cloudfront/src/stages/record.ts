import { core } from '@deploy-actions/kit/runtime';
import type { Plan } from '../release-plan';
import { putJsonObject } from '../s3-writes';
import type { Session } from '../session';
import type { Written } from './publish';

// Stage 4: the release record, after the HTML (so a record never names a release that is not live), with the
// ETags S3 gave the objects just written. Skipped when the newest record already describes this release.

export async function record(session: Session, plan: Plan, written: Written): Promise<void> {
  if (!plan.record) {
    core.info(`Nothing changed: release ${plan.releaseId} is already recorded as live.`);
    return;
  }
  const { key, value } = plan.record;
  for (const [path, { etag, md5 }] of written) {
    const entry = value.files[path];
    if (!entry) continue;
    entry.etag = etag;
    if (md5 !== undefined) entry.md5 = md5;
  }
  await putJsonObject(session.s3, session.inputs.bucket, key, value, { gzip: true, signal: session.signal });
  core.info(plan.mode === 'rollback' ? `Release ${value.id} recorded as live again.` : `Release ${value.id} recorded.`);
}
