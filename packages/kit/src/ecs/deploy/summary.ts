import type { ServiceEvent } from '@aws-sdk/client-ecs';
import { DeployFailure } from '../../runtime/errors';
import { setOutputs } from '../../runtime/outputs';
import { formatDuration } from '../../runtime/poll';
import { codeBlock, details, markdownTable, Summary } from '../../runtime/summary';
import type { PreflightReport } from '../preflight/model';
import { preflightMarkdown } from '../preflight/report';
import { diagnosticsMarkdown } from './diagnostics';
import { healthCheckLine } from './health-check';
import { knownGoodFailure, knownGoodFailureMarkdown } from './known-good-failure';
import type { DeployReport, ServiceReport } from './model';
import { shortTaskDef } from './rollout-verdict';

// Job summary and outputs of an ECS deploy report (pure), and writing them (`writeDeployReport`).

export function serviceConsoleUrl(region: string, cluster: string, service: string): string {
  return `https://${region}.console.aws.amazon.com/ecs/v2/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(service)}/deployments?region=${region}`;
}

export function taskDefConsoleUrl(region: string, arn: string): string {
  const short = shortTaskDef(arn);
  const [family, revision] = short.split(':');
  return `https://${region}.console.aws.amazon.com/ecs/v2/task-definitions/${encodeURIComponent(family ?? short)}/${revision ?? ''}?region=${region}`;
}

const STATUS_ICON: Record<string, string> = {
  completed: '✅ completed',
  unchanged: '✅ already running',
  started: '▶️ started (not waited)',
  failed: '❌ failed',
  timeout: '⏱️ timed out',
  cancelled: '⏹️ cancelled',
  'not-started': '– not started',
};

function serviceStatusCell(r: ServiceReport): string {
  if (r.status === 'reverted') {
    const to = shortTaskDef(r.rollback?.taskDefinitionArn);
    const outcome = r.rollback?.outcome;
    return outcome === 'completed'
      ? `↩️ reverted to ${to} (another service failed)`
      : `↩️ revert to ${to} ${outcome === 'skipped' ? 'started, not waited for' : outcome}`;
  }
  let text = STATUS_ICON[r.status] ?? r.status;
  if (r.rollback) {
    const rb = r.rollback;
    text +=
      rb.outcome === 'ecs'
        ? `, ECS rolled back to ${shortTaskDef(rb.taskDefinitionArn)}`
        : rb.outcome === 'completed'
          ? `, rolled back to ${shortTaskDef(rb.taskDefinitionArn)}`
          : rb.outcome === 'skipped'
            ? ', not rolled back'
            : `, rollback ${rb.outcome}`;
  }
  return text;
}

export function overallHeadline(report: DeployReport): string {
  const what = report.rollbackMode ? 'Rollback' : 'Deploy';
  switch (report.status) {
    case 'success':
      return `✅ ${what} succeeded`;
    case 'unchanged':
      return '✅ Already running the requested revision';
    case 'started':
      return `▶️ ${what} started (not waited for)`;
    case 'rolled-back':
      return `❌ ${what} failed — rolled back`;
    case 'timeout':
      return `⏱️ ${what} timed out`;
    case 'cancelled':
      return `⏹️ ${what} cancelled`;
    default:
      return `❌ ${what} failed`;
  }
}

/** Events of all services, oldest first, for the timeline. */
export function timeline(report: DeployReport): Array<{ service: string; event: ServiceEvent }> {
  return report.services
    .flatMap((r) => r.events.map((event) => ({ service: r.service, event })))
    .sort((a, b) => new Date(a.event.createdAt ?? 0).getTime() - new Date(b.event.createdAt ?? 0).getTime());
}

/** What else the summary shows besides the deploy report. */
export interface DeploySummaryExtras {
  preflight?: PreflightReport;
}

/** The preflight section: open when it found something, folded when every check passed. */
function preflightSection(preflight: PreflightReport): string {
  const notOk = preflight.taskDefinitions.some((td) => td.checks.some((c) => c.outcome !== 'ok'));
  const total = preflight.taskDefinitions.reduce((n, td) => n + td.checks.length, 0);
  const body = preflightMarkdown(preflight).replace(/^### Preflight\n/, '');
  return details(notOk ? 'Preflight' : `Preflight: all ${total} checks passed`, body, { open: notOk });
}

/** The whole job summary as markdown. */
export function deploySummaryMarkdown(report: DeployReport, extras: DeploySummaryExtras = {}): string {
  const out: string[] = [];
  out.push(`## ${overallHeadline(report)}: ${report.cluster}\n`);
  if (report.message) out.push(`${report.message}\n`);
  out.push(
    markdownTable(
      ['service', 'status', 'revision', 'duration', 'tasks', 'console'],
      report.services.map((r) => [
        r.service,
        serviceStatusCell(r),
        `${shortTaskDef(r.previousTaskDefinitionArn)} → ${shortTaskDef(r.taskDefinitionArn)}${r.registered ? ' (new)' : r.reused && r.previousTaskDefinitionArn !== r.taskDefinitionArn ? ' (reused)' : ''}`,
        r.finishedAt !== undefined ? formatDuration(r.finishedAt - r.startedAt) : '',
        r.running !== undefined ? `${r.running}/${r.desired}` : '',
        `[deployments](${serviceConsoleUrl(report.region, report.cluster, r.service)})`,
      ]),
    ),
  );
  for (const r of report.services) {
    if (r.reason && (r.status === 'failed' || r.status === 'timeout' || r.status === 'cancelled' || r.rollback)) {
      out.push(`### ${r.service}: ${r.reason}\n`);
      if (r.rollback && r.rollback.outcome !== 'ecs')
        out.push(`Rollback: ${r.rollback.outcome} — ${r.rollback.reason}\n`);
      if (r.diagnostics) out.push(diagnosticsMarkdown(r.diagnostics));
    }
  }
  if (extras.preflight) out.push(preflightSection(extras.preflight));
  if (report.healthChecks.length) {
    out.push(`### Health checks\n\n${report.healthChecks.map((h) => `- ${healthCheckLine(h)}`).join('\n')}\n`);
  }
  const knownGoodMissing = knownGoodFailureMarkdown(report);
  if (knownGoodMissing) out.push(knownGoodMissing);
  if (report.knownGood.length) {
    out.push(
      `Marked known-good: ${report.knownGood.map((a) => `[${shortTaskDef(a)}](${taskDefConsoleUrl(report.region, a)})`).join(', ')}\n`,
    );
  }
  if (report.revisionCleanup?.length) {
    out.push(`Old revisions (keep-revisions):\n\n${report.revisionCleanup.map((l) => `- ${l}`).join('\n')}\n`);
  }
  const diffs = new Map<string, string>();
  for (const r of report.services)
    if (r.diffText) diffs.set(r.diffText, diffs.has(r.diffText) ? `${diffs.get(r.diffText)}, ${r.service}` : r.service);
  for (const [diff, services] of diffs) {
    out.push(details(`Task definition diff (${services})`, codeBlock(diff, 'diff')));
  }
  const events = timeline(report);
  if (events.length) {
    out.push(
      details(
        `Event timeline (${events.length})`,
        markdownTable(
          ['time', 'service', 'event'],
          events.map(({ service, event }) => [
            event.createdAt ? new Date(event.createdAt).toISOString() : '',
            service,
            event.message,
          ]),
        ),
      ),
    );
  }
  return out.join('\n');
}

/** Action outputs: task-definition-arn, previous-task-definition-arn, deployments (JSON per service), status. */
export function deployOutputs(report: DeployReport): Record<string, string> {
  const first = report.services[0];
  const deployments: Record<string, unknown> = {};
  for (const r of report.services) {
    deployments[r.service] = {
      deploymentId: r.deploymentId ?? null,
      taskDefinitionArn: r.taskDefinitionArn ?? null,
      previousTaskDefinitionArn: r.previousTaskDefinitionArn ?? null,
      status: r.status,
      ...(r.rollback
        ? { rollback: { taskDefinitionArn: r.rollback.taskDefinitionArn ?? null, outcome: r.rollback.outcome } }
        : {}),
    };
  }
  return {
    'task-definition-arn': first?.taskDefinitionArn ?? '',
    'previous-task-definition-arn': first?.previousTaskDefinitionArn ?? '',
    deployments: JSON.stringify(deployments),
    status: report.status,
  };
}

/** Outputs and the job summary of a deploy, each written once. */
export async function writeDeployReport(report: DeployReport, extras: DeploySummaryExtras = {}): Promise<void> {
  setOutputs(deployOutputs(report));
  await new Summary().raw(deploySummaryMarkdown(report, extras)).write();
}

/** The step's failure when the deploy did not succeed (undefined for success, unchanged and started). */
export function deployFailure(report: DeployReport): DeployFailure | undefined {
  if (report.status === 'success' || report.status === 'unchanged' || report.status === 'started') {
    return knownGoodFailure(report);
  }
  return new DeployFailure(report.message || `Deploy ${report.status}`);
}
