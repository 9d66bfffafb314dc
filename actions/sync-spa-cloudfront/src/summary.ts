import { Summary } from '@deploy-actions/kit/runtime';
import { type InvalidationPlan, invalidationCostText } from './cloudfront-invalidation';
import type { PrunePlan, SyncPlan } from './plan';

export interface Report {
  mode: 'deploy' | 'rollback';
  dryRun: boolean;
  bucket: string;
  prefix: string;
  releaseId: string;
  previousReleaseId: string | undefined;
  files: number;
  /** Local files left out by `exclude` (deploy only). */
  excluded?: number;
  excludeGlobs?: readonly string[];
  detector: string | undefined;
  plan: SyncPlan | undefined;
  prune: PrunePlan | undefined;
  restored?: string[];
  uploaded: number;
  metadataUpdated: number;
  unchanged: number;
  deleted: number;
  invalidation: InvalidationPlan | undefined;
  invalidationId?: string;
  invalidationStatus?: string;
  callerReference?: string;
  /** Requests by operation, as counted by the action. */
  requests: Record<string, number>;
  durationMs: number;
}

const MAX_ROWS = 100;

/** The job summary as markdown (pure, tested). */
export function renderSummary(r: Report): string {
  const s = new Summary();
  const where = `s3://${r.bucket}/${r.prefix ? `${r.prefix}/` : ''}`;
  const title =
    r.mode === 'rollback'
      ? `Rollback of ${where} to release \`${r.releaseId}\``
      : `Sync of ${where} (release \`${r.releaseId}\`)`;
  s.heading(`${r.dryRun ? 'Dry run: ' : ''}${title}`);
  if (r.dryRun) s.paragraph('**Dry run**: this is the plan; nothing was written, deleted or invalidated.');
  s.table(
    ['Uploaded', 'Headers fixed (CopyObject)', 'Unchanged', 'Deleted', 'Invalidation'],
    [
      [
        r.uploaded,
        r.metadataUpdated,
        r.unchanged,
        r.deleted,
        r.invalidationId ?? (r.invalidation?.paths.length ? 'planned' : 'none'),
      ],
    ],
  );
  const facts: string[] = [];
  if (r.mode === 'deploy') {
    facts.push(`${r.files} local files; hashed assets detected by ${r.detector}.`);
    if (r.excluded)
      facts.push(
        `${r.excluded} file(s) excluded from publishing (${(r.excludeGlobs ?? []).map((g) => `\`${g}\``).join(', ')}); matching remote objects left alone.`,
      );
    facts.push(`Previous release: ${r.previousReleaseId ? `\`${r.previousReleaseId}\`` : 'none recorded'}.`);
  } else if (r.previousReleaseId) {
    facts.push(`Rolled back from \`${r.previousReleaseId}\`.`);
  }
  const req = Object.entries(r.requests).sort(([a], [b]) => a.localeCompare(b));
  if (req.length) facts.push(`Requests: ${req.map(([k, v]) => `${k} ${v}`).join(', ')}.`);
  if (r.durationMs > 0) facts.push(`Took ${(r.durationMs / 1000).toFixed(1)} s.`);
  s.list(facts);

  if (r.plan) {
    const changed = r.plan.steps.filter((x) => x.kind !== 'unchanged');
    if (changed.length) {
      const rows = changed
        .slice(0, MAX_ROWS)
        .map((x) => [x.kind, x.phase, `\`${x.key}\``, x.file.cacheControl, x.reason]);
      const more = changed.length > MAX_ROWS ? `\n_…and ${changed.length - MAX_ROWS} more._\n` : '';
      s.details(
        `Changed files (${changed.length})`,
        `${markdownRows(['Action', 'Phase', 'Key', 'Cache-Control', 'Why'], rows)}${more}`,
      );
    }
  }
  if (r.restored?.length)
    s.details(`Restored HTML (${r.restored.length})`, r.restored.map((k) => `- \`${k}\``).join('\n'));
  if (r.prune) {
    const p = r.prune;
    const rows = [
      ...p.deletes.slice(0, MAX_ROWS).map((d) => ['delete', `\`${d.key}\``, d.reason]),
      ...p.retained.slice(0, MAX_ROWS).map((d) => ['keep', `\`${d.key}\``, d.reason]),
    ];
    s.details(
      `Prune: ${p.deletes.length} deleted, ${p.retained.length} retained, ${p.metaDeletes.length} old records (${p.percent.toFixed(1)}% of ${p.liveTotal})${p.excluded ? `, ${p.excluded} excluded left alone` : ''}`,
      rows.length ? markdownRows(['Action', 'Key', 'Why'], rows) : '_Nothing stale._',
    );
  }
  if (r.invalidation) {
    const inv = r.invalidation;
    if (inv.paths.length === 0) s.paragraph('CloudFront: nothing to invalidate (only immutable or unchanged files).');
    else {
      s.paragraph(
        `CloudFront invalidation${r.invalidationId ? ` \`${r.invalidationId}\` (${r.invalidationStatus ?? 'submitted'})` : ''}: ${invalidationCostText(inv.paths)}${inv.note ? ` ${inv.note}.` : ''}`,
      );
      s.details(
        `Invalidation paths (${inv.paths.length})`,
        inv.paths
          .slice(0, MAX_ROWS)
          .map((p) => `- \`${p}\``)
          .join('\n'),
      );
    }
  }
  return s.toString();
}

function markdownRows(headers: string[], rows: Array<Array<string | number>>): string {
  const esc = (v: string | number) => String(v).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

export async function writeSummary(r: Report): Promise<void> {
  const s = new Summary();
  s.raw(renderSummary(r));
  await s.write();
}
