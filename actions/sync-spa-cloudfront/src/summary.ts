import { Summary } from '@deploy-actions/kit/runtime';
import { type InvalidationPlan, invalidationCostText } from './cloudfront-invalidation';
import type { PrunePlan, SyncPlan } from './plan';
import type { ExcludedEntry } from './walk';

export interface Report {
  mode: 'deploy' | 'rollback';
  dryRun: boolean;
  bucket: string;
  prefix: string;
  releaseId: string;
  previousReleaseId: string | undefined;
  files: number;
  /** Local names left out: dotfiles, `exclude`, special files (deploy only). */
  excluded?: readonly ExcludedEntry[];
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
    if (r.excluded?.length)
      facts.push(
        `${r.excluded.length} name(s) not published (dotfiles and dot directories except \`.well-known/\`; \`exclude\`: ${(r.excludeGlobs ?? []).map((g) => `\`${g}\``).join(', ') || 'none'}; remote objects matching \`exclude\` left alone).`,
      );
    facts.push(`Previous release: ${r.previousReleaseId ? `\`${r.previousReleaseId}\`` : 'none recorded'}.`);
  } else if (r.previousReleaseId) {
    facts.push(`Rolled back from \`${r.previousReleaseId}\`.`);
  }
  const req = Object.entries(r.requests).sort(([a], [b]) => a.localeCompare(b));
  if (req.length) facts.push(`Requests: ${req.map(([k, v]) => `${k} ${v}`).join(', ')}.`);
  if (r.durationMs > 0) facts.push(`Took ${(r.durationMs / 1000).toFixed(1)} s.`);
  s.list(facts);

  if (r.excluded?.length) {
    const rows = r.excluded.slice(0, MAX_ROWS).map((x) => [`\`${x.name}\``, x.why]);
    const more = r.excluded.length > MAX_ROWS ? `\n_…and ${r.excluded.length - MAX_ROWS} more._\n` : '';
    s.details(`Not published (${r.excluded.length})`, `${markdownRows(['Name', 'Why'], rows)}${more}`);
  }
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
    const leftAlone = [
      ...(p.excluded ? [`${p.excluded} excluded left alone`] : []),
      ...(p.notOwned.length ? [`${p.notOwned.length} not created by this site left alone`] : []),
      ...p.otherSites.map((o) => `site \`${o.prefix}\` (${o.objects} objects) left alone`),
    ];
    const notes = [
      ...(p.notOwned.length
        ? [
            `Not created by this site's releases (another tool's or a person's), never pruned: ${p.notOwned
              .slice(0, 10)
              .map((k) => `\`${k}\``)
              .join(', ')}${p.notOwned.length > 10 ? ` and ${p.notOwned.length - 10} more` : ''}.`,
          ]
        : []),
      ...(p.otherSites.length
        ? [
            `Other sites in this prefix (their own release records), never pruned: ${p.otherSites.map((o) => `\`${o.prefix}\``).join(', ')}.`,
          ]
        : []),
    ];
    s.details(
      `Prune: ${p.deletes.length} deleted, ${p.retained.length} retained, ${p.metaDeletes.length} old records (${p.percent.toFixed(1)}% of ${p.liveTotal})${leftAlone.map((x) => `, ${x}`).join('')}`,
      `${rows.length ? markdownRows(['Action', 'Key', 'Why'], rows) : '_Nothing stale._'}${notes.length ? `\n\n${notes.join('\n\n')}` : ''}`,
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
