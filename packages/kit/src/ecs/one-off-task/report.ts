import { DeployFailure } from '../../runtime/errors';
import { formatDuration } from '../../runtime/poll';
import { codeBlock, type Summary } from '../../runtime/summary';
import type { OneOffTaskResult } from './execute';

// What a one-off task run reports: the step's failure (with the last log lines), the job-summary section and the
// outputs. Shared by run-migration-task and deploy-ecs's migration step.

/**
 * The DeployFailure for a failed result, or undefined when it succeeded. The message carries the outcome line and
 * the last log lines (they reach the `::error::` annotation; the full output is in the log group above).
 */
export function oneOffTaskFailure(result: OneOffTaskResult): DeployFailure | undefined {
  if (result.ok) return undefined;
  const lines = result.lastLines;
  const tail = lines.length
    ? `\nLast ${lines.length} line${lines.length === 1 ? '' : 's'} of ${result.containerName}:\n${lines.join('\n')}`
    : result.logNotice
      ? `\nNo log lines: ${result.logNotice}`
      : '';
  return new DeployFailure(`${result.message}${tail}`);
}

function oneOffStatusText(result: OneOffTaskResult): string {
  if (result.ok) return '✅ succeeded (exit code 0)';
  if (result.cancelled) return `⏹️ cancelled${result.stopRequested ? ' (task stopped)' : ''}`;
  if (result.timedOut) return '⌛ timed out (task stopped)';
  if (result.outcome?.neverStarted) return '❌ failed to start';
  return result.exitCode === undefined ? '❌ no exit code' : `❌ exit code ${result.exitCode}`;
}

/**
 * Append a one-off task's job-summary section to `summary`: status heading, a table (command, container, task with
 * console link, task definition, cluster, duration, exit code, stopped reason, logs) and the last log lines
 * (expanded when it failed). Shared by run-migration-task and deploy-ecs's migration step.
 */
export function appendOneOffTaskSummary(
  summary: Summary,
  result: OneOffTaskResult,
  context: { command: string; cluster: string; title?: string },
): Summary {
  summary.heading(`${context.title ?? 'One-off task'}: ${oneOffStatusText(result)}`, 3);
  const task = result.consoleUrl ? `[${result.taskId}](${result.consoleUrl})` : result.taskId;
  const rows: Array<[string, string]> = [
    ['Command', `\`${context.command.replace(/`/g, "'")}\``],
    ['Container', result.containerName],
    ['Task', task],
    ['Task ARN', `\`${result.taskArn}\``],
    ['Task definition', `\`${result.taskDefinitionArn}\``],
    ['Cluster', context.cluster],
    ['Duration', formatDuration(result.durationMs)],
    ['Exit code', result.exitCode === undefined ? '—' : String(result.exitCode)],
  ];
  if (result.outcome?.stoppedReason) rows.push(['Stopped reason', result.outcome.stoppedReason]);
  if (result.outcome?.containerReason) rows.push(['Container reason', result.outcome.containerReason]);
  rows.push([
    'Logs',
    result.logLocation
      ? `\`${result.logLocation.group}\` / \`${result.logLocation.stream}\``
      : (result.logNotice ?? '—'),
  ]);
  summary.table(['', ''], rows);
  if (!result.ok) summary.paragraph(result.message);
  if (result.lastLines.length) {
    const title = `Last ${result.lastLines.length} of ${result.lineCount} log lines`;
    summary.details(title, codeBlock(result.lastLines.join('\n')), { open: !result.ok });
  }
  return summary;
}

/** Action outputs of a one-off task run (`duration` in whole seconds; unset values are skipped by setOutputs). */
export function oneOffTaskOutputs(result: OneOffTaskResult): Record<string, string | number | undefined> {
  return {
    'task-arn': result.taskArn,
    'exit-code': result.exitCode,
    'log-stream': result.logLocation?.stream,
    'log-group': result.logLocation?.group,
    duration: Math.round(result.durationMs / 1000),
  };
}
