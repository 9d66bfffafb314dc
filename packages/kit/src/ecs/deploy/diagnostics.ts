import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  type ContainerDefinition,
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  type Service,
  type ServiceEvent,
  type Task,
} from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Sender } from '../../runtime/aws';
import { errorMessage } from '../../runtime/errors';
import { codeBlock, markdownTable } from '../../runtime/summary';
import { awslogsLocation, type LogsClientLike, tailLogEvents, taskIdFromArn } from '../logs';

// Root causes of a failed ECS deployment, gathered best-effort (a diagnostics call failing never hides the
// deployment's own failure): stopped tasks of the deployment with stoppedReason and container exit codes, the last
// log lines of the failing container (awslogs), service events since the update, unhealthy load-balancer targets.

export interface StoppedContainer {
  name: string;
  exitCode?: number;
  reason?: string;
  lastStatus?: string;
  image?: string;
}

export interface StoppedTaskInfo {
  taskArn: string;
  taskId: string;
  taskDefinitionArn?: string;
  startedBy?: string;
  lastStatus?: string;
  stopCode?: string;
  stoppedReason?: string;
  stoppedAt?: Date;
  containers: StoppedContainer[];
}

export interface UnhealthyTarget {
  targetGroupArn: string;
  targetId: string;
  port?: number;
  state: string;
  reason?: string;
  description?: string;
}

export interface ContainerLogTail {
  taskId: string;
  container: string;
  group?: string;
  stream?: string;
  lines: string[];
  /** Why no lines (no awslogs, stream missing, call failed). */
  note?: string;
}

export interface ServiceDiagnostics {
  service: string;
  stoppedTasks: StoppedTaskInfo[];
  logs: ContainerLogTail[];
  events: ServiceEvent[];
  unhealthyTargets: UnhealthyTarget[];
  /** Diagnostics calls that failed (permissions, throttling): reported, never fatal. */
  errors: string[];
}

/** Pure: the facts of one stopped task. */
export function summarizeStoppedTask(task: Task): StoppedTaskInfo {
  const arn = task.taskArn ?? '';
  return {
    taskArn: arn,
    taskId: taskIdFromArn(arn),
    ...(task.taskDefinitionArn ? { taskDefinitionArn: task.taskDefinitionArn } : {}),
    ...(task.startedBy ? { startedBy: task.startedBy } : {}),
    ...(task.lastStatus ? { lastStatus: task.lastStatus } : {}),
    ...(task.stopCode ? { stopCode: task.stopCode } : {}),
    ...(task.stoppedReason ? { stoppedReason: task.stoppedReason } : {}),
    ...(task.stoppedAt ? { stoppedAt: new Date(task.stoppedAt) } : {}),
    containers: (task.containers ?? []).map((c) => ({
      name: c.name ?? '?',
      ...(c.exitCode !== undefined && c.exitCode !== null ? { exitCode: c.exitCode } : {}),
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.lastStatus ? { lastStatus: c.lastStatus } : {}),
      ...(c.image ? { image: c.image } : {}),
    })),
  };
}

/** Pure: the container most likely at fault: non-zero exit first, then one with a reason, then the first. */
export function failingContainer(task: StoppedTaskInfo): StoppedContainer | undefined {
  return (
    task.containers.find((c) => c.exitCode !== undefined && c.exitCode !== 0) ??
    task.containers.find((c) => c.reason) ??
    task.containers[0]
  );
}

/**
 * Pure: a task the scheduler stopped on purpose (scale-in, replaced by a newer deployment, a rollback), as opposed to
 * one that failed (container exited, failed to start, failed health checks). Failures are reported first.
 */
export function stoppedByScaling(t: StoppedTaskInfo): boolean {
  return /^Scaling activity initiated/i.test(t.stoppedReason ?? '') || t.stopCode === 'UserInitiated';
}

/** Pure: whether a task belongs to the deployment (tasks started by a service deployment carry its id). */
export function taskBelongsTo(task: Task, deploymentId?: string, taskDefinitionArn?: string): boolean {
  if (deploymentId && task.startedBy) return task.startedBy === deploymentId;
  if (taskDefinitionArn) return task.taskDefinitionArn === taskDefinitionArn;
  return true;
}

/** One line per stopped task: `task 1a2b (web:8) stopped: Essential container in task exited; app exit 1 (…)`. */
export function stoppedTaskLine(t: StoppedTaskInfo): string {
  const containers = t.containers
    .filter((c) => c.exitCode !== undefined || c.reason)
    .map(
      (c) =>
        `${c.name} ${c.exitCode !== undefined ? `exit ${c.exitCode}` : 'no exit code'}${c.reason ? ` (${c.reason})` : ''}`,
    );
  const td = t.taskDefinitionArn ? ` (${t.taskDefinitionArn.split('/').pop()})` : '';
  return (
    `task ${t.taskId}${td} stopped: ${t.stoppedReason ?? t.stopCode ?? 'no reason given'}` +
    (containers.length ? `; ${containers.join(', ')}` : '')
  );
}

/** Pure: plain-text lines for the step log. */
export function diagnosticsText(d: ServiceDiagnostics): string[] {
  const lines: string[] = [];
  if (d.stoppedTasks.length) {
    lines.push(`Stopped tasks of the new deployment (${d.stoppedTasks.length}):`);
    for (const t of d.stoppedTasks) lines.push(`  ${stoppedTaskLine(t)}`);
  } else {
    lines.push('No stopped tasks found for the new deployment.');
  }
  for (const l of d.logs) {
    if (l.lines.length) {
      lines.push(`Last ${l.lines.length} log lines of ${l.container} in task ${l.taskId} (${l.group} ${l.stream}):`);
      for (const line of l.lines) lines.push(`  | ${line}`);
    } else if (l.note) {
      lines.push(`Logs of ${l.container} in task ${l.taskId}: ${l.note}`);
    }
  }
  if (d.unhealthyTargets.length) {
    lines.push('Unhealthy load balancer targets:');
    for (const t of d.unhealthyTargets) {
      lines.push(
        `  ${t.targetId}${t.port ? `:${t.port}` : ''} ${t.state}${t.reason ? ` ${t.reason}` : ''}${t.description ? `: ${t.description}` : ''} (${t.targetGroupArn.split(':').pop()})`,
      );
    }
  }
  if (d.events.length) {
    lines.push(`Service events since the update (${d.events.length}):`);
    for (const e of d.events)
      lines.push(`  ${e.createdAt ? new Date(e.createdAt).toISOString() : ''} ${e.message ?? ''}`);
  }
  for (const e of d.errors) lines.push(`(diagnostics incomplete: ${e})`);
  return lines;
}

/** Pure: markdown for the job summary. */
export function diagnosticsMarkdown(d: ServiceDiagnostics): string {
  const parts: string[] = [];
  if (d.stoppedTasks.length) {
    parts.push(
      markdownTable(
        ['task', 'stopped reason', 'containers (exit code, reason)'],
        d.stoppedTasks.map((t) => [
          t.taskId,
          t.stoppedReason ?? t.stopCode ?? '',
          t.containers.map((c) => `${c.name}: ${c.exitCode ?? '–'}${c.reason ? ` (${c.reason})` : ''}`).join('\n'),
        ]),
      ),
    );
  }
  for (const l of d.logs) {
    if (l.lines.length)
      parts.push(
        `Last ${l.lines.length} log lines of \`${l.container}\` (task ${l.taskId}):\n\n${codeBlock(l.lines.join('\n'))}`,
      );
    else if (l.note) parts.push(`Logs of \`${l.container}\`: ${l.note}\n`);
  }
  if (d.unhealthyTargets.length) {
    parts.push(
      markdownTable(
        ['target', 'state', 'reason', 'description'],
        d.unhealthyTargets.map((t) => [`${t.targetId}${t.port ? `:${t.port}` : ''}`, t.state, t.reason, t.description]),
      ),
    );
  }
  if (d.errors.length) parts.push(d.errors.map((e) => `- diagnostics incomplete: ${e}`).join('\n') + '\n');
  return parts.join('\n');
}

export interface CollectDiagnosticsOptions {
  ecs: ECSClient;
  logs?: Sender<CloudWatchLogsClient> | LogsClientLike;
  elbv2?: Sender<ElasticLoadBalancingV2Client>;
  cluster: string;
  service: Service | undefined;
  serviceName: string;
  deploymentId?: string;
  taskDefinitionArn?: string;
  /** Container definitions of the new revision (for awslogs locations). */
  containerDefinitions?: ContainerDefinition[];
  events?: ServiceEvent[];
  /** Stopped tasks to report (default 5). */
  maxTasks?: number;
  /** Log lines per failing container (default 20). */
  logLines?: number;
  signal?: AbortSignal;
}

/** Stopped tasks of a deployment, newest first: ListTasks (desiredStatus STOPPED) + DescribeTasks. */
export async function findStoppedTasks(
  ecs: ECSClient,
  opts: {
    cluster: string;
    serviceName: string;
    deploymentId?: string;
    taskDefinitionArn?: string;
    max?: number;
    signal?: AbortSignal;
  },
): Promise<StoppedTaskInfo[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const out = await ecs.send(
      new ListTasksCommand({
        cluster: opts.cluster,
        serviceName: opts.serviceName,
        desiredStatus: 'STOPPED',
        nextToken,
      }),
      { abortSignal: opts.signal },
    );
    arns.push(...(out.taskArns ?? []));
    nextToken = out.nextToken;
  } while (nextToken && arns.length < 300);
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const out = await ecs.send(new DescribeTasksCommand({ cluster: opts.cluster, tasks: arns.slice(i, i + 100) }), {
      abortSignal: opts.signal,
    });
    tasks.push(...(out.tasks ?? []));
  }
  return tasks
    .filter((t) => taskBelongsTo(t, opts.deploymentId, opts.taskDefinitionArn))
    .map(summarizeStoppedTask)
    .sort(
      (a, b) =>
        Number(stoppedByScaling(a)) - Number(stoppedByScaling(b)) ||
        (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0),
    )
    .slice(0, opts.max ?? 5);
}

/** Targets that are not healthy in the service's target groups, with ELB's reason codes. */
export async function findUnhealthyTargets(
  elbv2: Sender<ElasticLoadBalancingV2Client>,
  targetGroupArns: string[],
  signal?: AbortSignal,
): Promise<UnhealthyTarget[]> {
  const out: UnhealthyTarget[] = [];
  // the ELBv2 SDK is a lazy chunk: only a failed deploy of a service behind a load balancer loads it (#15 cold start)
  const { DescribeTargetHealthCommand } = await import('@aws-sdk/client-elastic-load-balancing-v2');
  for (const arn of targetGroupArns) {
    const res = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }), { abortSignal: signal });
    for (const d of res.TargetHealthDescriptions ?? []) {
      const state = d.TargetHealth?.State ?? 'unknown';
      if (state === 'healthy') continue;
      out.push({
        targetGroupArn: arn,
        targetId: d.Target?.Id ?? '?',
        ...(d.Target?.Port ? { port: d.Target.Port } : {}),
        state,
        ...(d.TargetHealth?.Reason ? { reason: d.TargetHealth.Reason } : {}),
        ...(d.TargetHealth?.Description ? { description: d.TargetHealth.Description } : {}),
      });
    }
  }
  return out;
}

/** Gather everything, best effort. */
export async function collectDiagnostics(opts: CollectDiagnosticsOptions): Promise<ServiceDiagnostics> {
  const d: ServiceDiagnostics = {
    service: opts.serviceName,
    stoppedTasks: [],
    logs: [],
    events: opts.events ?? [],
    unhealthyTargets: [],
    errors: [],
  };
  try {
    d.stoppedTasks = await findStoppedTasks(opts.ecs, {
      cluster: opts.cluster,
      serviceName: opts.serviceName,
      ...(opts.deploymentId ? { deploymentId: opts.deploymentId } : {}),
      ...(opts.taskDefinitionArn ? { taskDefinitionArn: opts.taskDefinitionArn } : {}),
      max: opts.maxTasks ?? 5,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    d.errors.push(`stopped tasks: ${errorMessage(err)}`);
  }
  // Logs of the failing container of the most recent task that failed (scale-in stops come last in the list).
  const newest = d.stoppedTasks[0];
  if (newest && opts.logs) {
    const container = failingContainer(newest);
    const def = opts.containerDefinitions?.find((c) => c.name === container?.name);
    if (container && def) {
      const where = awslogsLocation(def, newest.taskArn);
      if (!where.ok) {
        d.logs.push({ taskId: newest.taskId, container: container.name, lines: [], note: where.reason });
      } else {
        try {
          const lines = await tailLogEvents({
            client: opts.logs as LogsClientLike,
            group: where.location.group,
            stream: where.location.stream,
            lines: opts.logLines ?? 20,
            ...(opts.signal ? { signal: opts.signal } : {}),
          });
          d.logs.push({
            taskId: newest.taskId,
            container: container.name,
            group: where.location.group,
            stream: where.location.stream,
            lines,
            ...(lines.length ? {} : { note: `no log events in ${where.location.group} ${where.location.stream}` }),
          });
        } catch (err) {
          d.errors.push(`logs: ${errorMessage(err)}`);
        }
      }
    }
  }
  const targetGroups = (opts.service?.loadBalancers ?? [])
    .map((lb) => lb.targetGroupArn)
    .filter((a): a is string => !!a);
  if (opts.elbv2 && targetGroups.length) {
    try {
      d.unhealthyTargets = await findUnhealthyTargets(opts.elbv2, targetGroups, opts.signal);
    } catch (err) {
      d.errors.push(`target health: ${errorMessage(err)}`);
    }
  }
  return d;
}
