import { ConfigurationError, DeployFailure } from '../../runtime/errors';
import type { Logger } from '../../runtime/log';
import { markdownTable } from '../../runtime/summary';
import type { TaskDefOverrides } from '../taskdef/render';
import type { Check, PreflightReport, TaskDefPreflight } from './model';

// What the preflight says (pure): the step's failure (every problem named with its container and fix), the log lines,
// the job summary section, and one notice per kind of check the role may not run.

const ICON: Record<Check['outcome'], string> = { ok: '✅', failed: '❌', skipped: '⏭️', warning: '⚠️' };

/** `container app: <message>. Fix: <fix>` (task-level problems name the task definition). */
export function problemLine(td: TaskDefPreflight, c: Check): string {
  const where = c.container ? `container ${c.container}` : `task definition ${td.taskDefinition}`;
  return `${where}: ${c.message}${c.fix ? `. Fix: ${c.fix}` : ''}`;
}

export function failedChecks(report: PreflightReport): Array<{ td: TaskDefPreflight; check: Check }> {
  return report.taskDefinitions.flatMap((td) =>
    td.checks.filter((c) => c.outcome === 'failed').map((check) => ({ td, check })),
  );
}

/** Which action input a failed check traces back to, when the user wrote the thing it is about in one. */
export type PreflightInputOf = (check: Check) => string | undefined;

/**
 * The step's error when the preflight found problems: the first in the message, all of them in the details. When
 * that first problem came from an input (a secret added by `secrets:`, an image set by `containers:`), it is a user
 * mistake: a ConfigurationError naming that input, so the one error line says where to fix it.
 */
export function preflightFailure(
  report: PreflightReport,
  inputOf?: PreflightInputOf,
): DeployFailure | ConfigurationError | undefined {
  const failed = failedChecks(report);
  const problems = [...new Set(failed.map(({ td, check }) => problemLine(td, check)))];
  if (problems.length === 0) return undefined;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s), listed above)` : '';
  const message = `Preflight, nothing changed: ${problems[0]}${more}`;
  const input = failed[0] ? inputOf?.(failed[0].check) : undefined;
  if (input) return new ConfigurationError(input, message);
  return new DeployFailure(message, {
    details: ['Preflight found, before any change:', ...problems.map((p) => `  - ${p}`)].join('\n'),
  });
}

/**
 * deploy-ecs's mapping from a failed check to the input it came from (pure): secrets whose variable name the
 * `secrets` input sets, and images of containers the `containers` input sets. Anything else came from the template.
 */
export function preflightInputOf(overrides: Pick<TaskDefOverrides, 'secrets' | 'images'>): PreflightInputOf {
  const secretNames = new Set(overrides.secrets.flatMap((s) => s.entries.map((e) => e.key)));
  const imageContainers = new Set(overrides.images.map((i) => i.container));
  return (c) => {
    if ((c.check === 'secret' || c.check === 'secret-key') && secretNames.has(c.subject.split(' ← ')[0] ?? '')) {
      return 'secrets';
    }
    if ((c.check === 'image' || c.check === 'platform') && c.container && imageContainers.has(c.container)) {
      return 'containers';
    }
    return undefined;
  };
}

/** One line per distinct reason a check was skipped (the role may not run it). */
export function skippedNotices(tds: readonly TaskDefPreflight[]): string[] {
  const seen = new Map<string, Set<string>>();
  for (const td of tds) {
    for (const c of td.checks) {
      if (c.outcome !== 'skipped') continue;
      const kinds = seen.get(c.message) ?? new Set<string>();
      kinds.add(c.check);
      seen.set(c.message, kinds);
    }
  }
  return [...seen].map(([message, kinds]) => `Preflight: ${[...kinds].join(', ')} ${message}`);
}

function counts(td: TaskDefPreflight): string {
  const n = (o: Check['outcome']) => td.checks.filter((c) => c.outcome === o).length;
  const parts = [`${n('ok')} ok`];
  for (const o of ['failed', 'warning', 'skipped'] as const) if (n(o)) parts.push(`${n(o)} ${o}`);
  return parts.join(', ');
}

/** Log lines: a count per task definition, every problem and warning, the notices. */
export function logPreflight(report: PreflightReport, log: Logger): void {
  for (const td of report.taskDefinitions) {
    const platform = td.platform ? ` on ${td.platform.os}/${td.platform.architecture}` : '';
    log.info(`Preflight ${td.taskDefinition}${platform} (${td.services.join(', ')}): ${counts(td)}`);
    const printed = new Set<string>();
    for (const c of td.checks) {
      const line = problemLine(td, c);
      if (printed.has(line)) continue;
      printed.add(line);
      if (c.outcome === 'failed') log.info(`  ❌ ${line}`);
      else if (c.outcome === 'warning') log.warning(`Preflight ${td.taskDefinition}: ${c.subject}: ${c.message}`);
    }
  }
  for (const n of report.notices) log.info(n);
}

/** The job summary section: one table of checks per task definition, and the images with digest and platforms. */
export function preflightMarkdown(report: PreflightReport): string {
  const out: string[] = ['### Preflight\n'];
  for (const td of report.taskDefinitions) {
    const platform = td.platform
      ? `, runs on ${td.platform.os}/${td.platform.architecture} (${td.platform.label})`
      : '';
    out.push(`**${td.taskDefinition}** for ${td.services.join(', ')}${platform}: ${counts(td)}\n`);
    out.push(
      markdownTable(
        ['', 'check', 'container', 'subject', 'result'],
        td.checks.map((c) => [
          ICON[c.outcome],
          c.check,
          c.container ?? '',
          c.subject,
          `${c.message}${c.fix ? ` — fix: ${c.fix}` : ''}`,
        ]),
      ),
    );
    if (td.images.length) {
      out.push(
        markdownTable(
          ['container', 'image', 'digest', 'platforms'],
          td.images.map((i) => [
            i.container,
            i.image,
            i.digest ?? '',
            `${(i.platforms ?? []).join(', ')}${i.multiPlatform ? ' (index)' : ''}`,
          ]),
        ),
      );
    }
  }
  if (report.notices.length) out.push(report.notices.map((n) => `- ${n}`).join('\n'));
  return `${out.join('\n')}\n`;
}
