import { Summary } from '@deploy-actions/kit/runtime';
import { invalidationCostText } from './cloudfront-invalidation';
import { byCodeUnits } from './compare';
import type { Plan } from './release-plan';
import type { Invalidated } from './stages/invalidate';

export interface Report {
  plan: Plan;
  /** Plan mode (`plan` or `dry-run`): nothing was written. */
  dryRun: boolean;
  bucket: string;
  prefix: string;
  invalidation: Invalidated | undefined;
  /** Calls by operation, as counted by the clients. */
  requests: Record<string, number>;
  durationMs: number;
}

const MAX_ROWS = 100;

/** The job summary as markdown (pure, tested). */
export function renderSummary(r: Report): string {
  const p = r.plan;
  const s = new Summary();
  const where = `s3://${r.bucket}/${r.prefix ? `${r.prefix}/` : ''}`;
  const title =
    p.mode === 'rollback'
      ? `Rollback of ${where} to release \`${p.releaseId}\``
      : `Sync of ${where} (release \`${p.releaseId}\`)`;
  s.heading(`${r.dryRun ? 'Dry run: ' : ''}${title}`);
  if (r.dryRun) s.paragraph('**Dry run**: this is the plan; nothing was written, deleted or invalidated.');
  s.table(
    ['Uploaded', 'Headers fixed (CopyObject)', 'Unchanged', 'Deleted', 'Invalidation'],
    [
      [
        p.counts.uploaded,
        p.counts.metadataUpdated,
        p.counts.unchanged,
        p.counts.deleted,
        r.invalidation?.id ?? (p.invalidation?.paths.length ? 'planned' : 'none'),
      ],
    ],
  );
  const facts: string[] = [];
  if (p.mode === 'deploy') {
    facts.push(`${p.files} local files; hashed assets detected by ${p.detector}.`);
    if (p.excluded?.length)
      facts.push(
        `${p.excluded.length} name(s) not published (dotfiles and dot directories except \`.well-known/\`; \`exclude\`: ${(p.excludeGlobs ?? []).map((g) => `\`${g}\``).join(', ') || 'none'}; remote objects matching \`exclude\` left alone).`,
      );
    facts.push(`Previous release: ${p.previousReleaseId ? `\`${p.previousReleaseId}\`` : 'none recorded'}.`);
  } else if (p.previousReleaseId) {
    facts.push(`Rolled back from \`${p.previousReleaseId}\`.`);
  }
  const req = Object.entries(r.requests).sort(([a], [b]) => byCodeUnits(a, b));
  if (req.length) facts.push(`Requests: ${req.map(([k, v]) => `${k} ${v}`).join(', ')}.`);
  if (r.durationMs > 0) facts.push(`Took ${(r.durationMs / 1000).toFixed(1)} s.`);
  s.list(facts);

  if (p.excluded?.length) {
    const rows = p.excluded.slice(0, MAX_ROWS).map((x) => [`\`${x.name}\``, x.why]);
    const more = p.excluded.length > MAX_ROWS ? `\n_…and ${p.excluded.length - MAX_ROWS} more._\n` : '';
    s.details(`Not published (${p.excluded.length})`, `${markdownRows(['Name', 'Why'], rows)}${more}`);
  }
  if (p.sync) {
    const changed = p.sync.steps.filter((x) => x.kind !== 'unchanged');
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
  if (p.restored?.length)
    s.details(`Restored HTML (${p.restored.length})`, p.restored.map((k) => `- \`${k}\``).join('\n'));
  if (p.prune) {
    const prune = p.prune;
    const rows = [
      ...prune.deletes.slice(0, MAX_ROWS).map((d) => ['delete', `\`${d.key}\``, d.reason]),
      ...prune.retained.slice(0, MAX_ROWS).map((d) => ['keep', `\`${d.key}\``, d.reason]),
    ];
    const leftAlone = [
      ...(prune.excluded ? [`${prune.excluded} excluded left alone`] : []),
      ...(prune.notOwned.length ? [`${prune.notOwned.length} not created by this site left alone`] : []),
      ...prune.otherSites.map((o) => `site \`${o.prefix}\` (${o.objects} objects) left alone`),
    ];
    const notes = [
      ...(prune.notOwned.length
        ? [
            `Not created by this site's releases (another tool's or a person's), never pruned: ${prune.notOwned
              .slice(0, 10)
              .map((k) => `\`${k}\``)
              .join(', ')}${prune.notOwned.length > 10 ? ` and ${prune.notOwned.length - 10} more` : ''}.`,
          ]
        : []),
      ...(prune.otherSites.length
        ? [
            `Other sites in this prefix (their own release records), never pruned: ${prune.otherSites.map((o) => `\`${o.prefix}\``).join(', ')}.`,
          ]
        : []),
    ];
    s.details(
      `Prune: ${prune.deletes.length} deleted, ${prune.retained.length} retained, ${prune.metaDeletes.length} old records (${prune.percent.toFixed(1)}% of ${prune.liveTotal})${leftAlone.map((x) => `, ${x}`).join('')}`,
      `${rows.length ? markdownRows(['Action', 'Key', 'Why'], rows) : '_Nothing stale._'}${notes.length ? `\n\n${notes.join('\n\n')}` : ''}`,
    );
  }
  if (p.invalidation) {
    const inv = p.invalidation;
    if (inv.paths.length === 0) s.paragraph('CloudFront: nothing to invalidate (only immutable or unchanged files).');
    else {
      const done = r.invalidation;
      s.paragraph(
        `CloudFront invalidation${done ? ` \`${done.id}\` (${done.status})` : ''}: ${invalidationCostText(inv.paths)}${inv.note ? ` ${inv.note}.` : ''}`,
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

/**
 * Plan mode: what the step would change if it ran for real — uploads, header fixes, deletes, invalidation paths —
 * for the job summary and the pull-request comment (pure, tested).
 */
export function renderPlan(r: Report): string {
  const p = r.plan;
  const s = new Summary();
  const where = `s3://${r.bucket}/${r.prefix ? `${r.prefix}/` : ''}`;
  s.heading(
    p.mode === 'rollback'
      ? `Plan: rollback of ${where} to release \`${p.releaseId}\``
      : `Plan: sync of ${where} (release \`${p.releaseId}\`)`,
  );
  s.paragraph('**Dry run** (`plan`): nothing was written, deleted or invalidated. Run for real, this step would:');
  const steps = p.sync?.steps ?? [];
  const uploads = steps.filter((x) => x.kind === 'upload');
  const fixes = steps.filter((x) => x.kind === 'copy');
  const deletes = p.prune?.deletes ?? [];
  const paths = p.invalidation?.paths ?? [];
  const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  const items =
    p.mode === 'rollback'
      ? [`restore ${plural(p.restored?.length ?? 0, 'HTML file')} of release \`${p.releaseId}\``]
      : [
          `upload ${plural(uploads.length, 'file')}`,
          `fix the headers of ${plural(fixes.length, 'file')} (CopyObject, content unchanged)`,
          `leave ${plural(p.counts.unchanged, 'file')} as they are`,
          p.prune
            ? `delete ${plural(deletes.length, 'stale object')} (${p.prune.metaDeletes.length} old release records besides)`
            : 'delete nothing (`delete: off`)',
        ];
  items.push(
    p.invalidation === undefined
      ? 'invalidate nothing (no `distribution-id`, or `invalidation: off`)'
      : `invalidate ${plural(paths.length, 'path')}${paths.length ? ` (${invalidationCostText(paths)})` : ''}`,
  );
  if (!p.record) items.push(`write no release record: release \`${p.releaseId}\` is already recorded as live`);
  s.list(items);
  const section = (title: string, headers: string[], rows: Array<Array<string | number>>) => {
    if (rows.length === 0) return;
    const more = rows.length > MAX_ROWS ? `\n_…and ${rows.length - MAX_ROWS} more._\n` : '';
    s.details(`${title} (${rows.length})`, `${markdownRows(headers, rows.slice(0, MAX_ROWS))}${more}`);
  };
  section(
    'Uploads',
    ['Key', 'Cache-Control', 'Why'],
    uploads.map((x) => [`\`${x.key}\``, x.file.cacheControl, x.reason]),
  );
  section(
    'Header fixes',
    ['Key', 'Change'],
    fixes.map((x) => [`\`${x.key}\``, x.reason]),
  );
  section(
    'Restores',
    ['Key'],
    (p.restored ?? []).map((k) => [`\`${k}\``]),
  );
  section(
    'Deletes',
    ['Key', 'Why'],
    deletes.map((d) => [`\`${d.key}\``, d.reason]),
  );
  section(
    'Invalidation paths',
    ['Path'],
    paths.map((x) => [`\`${x}\``]),
  );
  const facts: string[] = [];
  if (p.mode === 'deploy') {
    facts.push(`${p.files} local files; hashed assets detected by ${p.detector}.`);
    facts.push(`Live now: ${p.previousReleaseId ? `release \`${p.previousReleaseId}\`` : 'no release recorded'}.`);
    if (p.excluded?.length) facts.push(`${p.excluded.length} name(s) under source not published (see the job log).`);
  }
  if (facts.length) s.list(facts);
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
  s.raw(r.dryRun ? renderPlan(r) : renderSummary(r));
  await s.write();
}
