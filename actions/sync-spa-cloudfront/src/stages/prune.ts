import { core } from '@deploy-actions/kit/runtime';
import { deletedKeys, type Plan } from '../release-plan';
import { isInsidePrefix } from '../s3-names';
import { deleteKeys } from '../s3-writes';
import type { Session } from '../session';

// Stage 5: prune, last, once the new release is live and recorded: the stale objects this site's releases created
// (prune-plan.ts) and our own old records, only inside the prefix.

export async function prune(session: Session, plan: Plan): Promise<void> {
  const keys = deletedKeys(plan);
  if (!plan.prune || keys.length === 0) return;
  const { prefix, bucket } = session.inputs;
  const outside = keys.find((k) => !isInsidePrefix(prefix, k));
  if (outside) throw new Error(`internal error: refusing to delete ${outside}, outside the prefix`);
  await deleteKeys(session.s3, bucket, keys, session.signal);
  core.info(
    `Pruned ${plan.prune.deletes.length} stale objects and ${plan.prune.metaDeletes.length} old release records.`,
  );
}
