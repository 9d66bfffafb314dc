import { ConfigurationError, core } from '@deploy-actions/kit/runtime';
import { planPaths, urlPathForKey } from '../invalidation-paths';
import { checkDistribution } from '../preflight';
import { listSite, readRecord } from '../records';
import type { Plan, Write } from '../release-plan';
import { releaseKey } from '../release-record';
import { planRollback } from '../rollback-plan';
import type { Session } from '../session';

// Stage 2 of a rollback (`rollback-to`), read-only: the listing, the target's record and the newest one → the HTML
// to put back (rollback-plan.ts, pure), the record to write, the paths to invalidate; then the distribution is read.
// The same publish → record → invalidate stages as a deploy carry it out.

export async function planRollbackTo(session: Session, targetId: string): Promise<Plan> {
  const { inputs } = session;
  const listing = await listSite(session);
  const refs = listing.releases;
  const ref = refs.find((r) => r.id === targetId);
  if (!ref) {
    const known = [...new Set(refs.map((r) => r.id))].slice(0, 10);
    throw new ConfigurationError(
      'rollback-to',
      `no release ${JSON.stringify(targetId)} under s3://${inputs.bucket}/${listing.listPrefix} (known: ${known.length ? known.join(', ') : 'none'})`,
    );
  }
  const target = await readRecord(session, ref);
  const current = refs[0] && refs[0] !== ref ? await readRecord(session, refs[0]) : undefined;
  const now = new Date(session.clock.now());
  const rollback = planRollback({
    prefix: inputs.prefix,
    target,
    targetKey: ref.key,
    current,
    targetIsNewest: refs[0] === ref,
    liveReleaseId: current?.id ?? refs[0]?.id,
    live: new Map(listing.objects.map((o) => [o.key, o])),
    now,
  });
  const html: Write[] = rollback.restore.map((r) => {
    const headers = {
      cacheControl: r.rec.cacheControl,
      contentType: r.rec.contentType,
      metadata: { sha256: r.rec.sha256 },
    };
    return 'blob' in r.from
      ? { kind: 'copy', key: r.key, sourceKey: r.from.blob, headers, recordPath: r.path }
      : { kind: 'put', key: r.key, body: r.from.bytes, headers, recordPath: r.path };
  });
  const invalidation = planPaths(inputs.distributionId, inputs.invalidation, () =>
    rollback.restore.map((r) => urlPathForKey(r.key, inputs.originPath)).filter((p): p is string => p !== undefined),
  );
  core.info(
    `Rollback to ${targetId}: ${rollback.restore.length} HTML file(s) to restore, ${rollback.unchanged} already as in that release.`,
  );
  for (const r of rollback.restore)
    core.info(`  restore ${r.key} from ${'blob' in r.from ? r.from.blob : 'the copy in its release record'}`);
  // A re-run of a rollback that finished: the target is already the newest record and its HTML is in place.
  const done = refs[0] === ref && rollback.restore.length === 0;
  if (done) core.info(`Release ${targetId} is already live and recorded: nothing to restore.`);
  else await checkDistribution(session); // before the first write, plan mode too
  const recordKey = done ? ref.key : releaseKey(inputs.prefix, targetId, now);
  return {
    mode: 'rollback',
    releaseId: targetId,
    previousReleaseId: current?.id ?? refs[0]?.id,
    source: undefined,
    large: false,
    assets: [],
    html,
    record: done ? undefined : { key: recordKey, value: rollback.record },
    liveRecord: recordKey,
    prune: undefined,
    invalidation,
    counts: {
      uploaded: html.filter((w) => w.kind === 'put').length,
      metadataUpdated: html.filter((w) => w.kind === 'copy').length,
      unchanged: rollback.unchanged,
      deleted: 0,
    },
    files: Object.keys(target.files).length,
    restored: rollback.restore.map((r) => r.key),
  };
}
