import {
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { errorMessage } from '../../runtime/errors';
import type { Logger } from '../../runtime/log';

// What a post step does about a one-off task its main step may have left running: the main step saves the RunTask
// it is about to send (`PendingRunTask`) before sending it, and the task ARN once RunTask answered. A main step
// killed in between (the runner's SIGKILL, a step timeout) leaves only the pending request: the task is then found
// by what ECS lets us filter and compare (startedBy or family, task definition, container command, creation time).

/** The RunTask a main step was about to send, saved before sending it. */
export interface PendingRunTask {
  cluster: string;
  taskDefinitionArn: string;
  container: string;
  /** The container command override, when one was sent. */
  command?: string[] | undefined;
  startedBy?: string | undefined;
  clientToken?: string | undefined;
  /** Epoch ms just before RunTask was sent. */
  requestedAt: number;
}

/** Slack for the runner's clock against ECS's `createdAt` (and the time between saving and sending). */
const CLOCK_SLACK_MS = 5 * 60_000;

/** Whether `task` is the one `pending` describes (pure). */
export function matchesPendingRunTask(task: Task, pending: PendingRunTask): boolean {
  if (task.taskDefinitionArn !== pending.taskDefinitionArn) return false;
  if (pending.startedBy !== undefined && task.startedBy !== pending.startedBy) return false;
  const created = task.createdAt ? new Date(task.createdAt).getTime() : Number.NaN;
  if (!(created >= pending.requestedAt - CLOCK_SLACK_MS)) return false;
  const override = task.overrides?.containerOverrides?.find((o) => o.name === pending.container);
  const sent = pending.command?.length ? pending.command : undefined;
  const got = override?.command?.length ? override.command : undefined;
  return JSON.stringify(sent) === JSON.stringify(got);
}

/** Tasks still running (desired RUNNING) that match the pending RunTask, newest first. */
export async function findPendingRunTaskTasks(ecs: Pick<ECSClient, 'send'>, pending: PendingRunTask): Promise<Task[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  const family = /task-definition\/([^:]+):\d+$/.exec(pending.taskDefinitionArn)?.[1];
  do {
    const page = await ecs.send(
      // desiredStatus defaults to RUNNING; startedBy "must be the only filter" (ListTasks API reference).
      new ListTasksCommand({
        cluster: pending.cluster,
        ...(pending.startedBy ? { startedBy: pending.startedBy } : family ? { family } : {}),
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken && arns.length < 1000);
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const out = await ecs.send(new DescribeTasksCommand({ cluster: pending.cluster, tasks: arns.slice(i, i + 100) }));
    tasks.push(...(out.tasks ?? []));
  }
  return tasks
    .filter((t) => matchesPendingRunTask(t, pending))
    .sort((a, b) => new Date(b.createdAt ?? 0).getTime() - new Date(a.createdAt ?? 0).getTime());
}

/**
 * The post step's handling of a main step killed between saving a pending RunTask and saving the task ARN: stop
 * the one task that matches; several matches are listed, not guessed at (another step may own them). Never throws.
 */
export async function stopPendingRunTask(
  ecs: Pick<ECSClient, 'send'>,
  pending: PendingRunTask,
  reason: string,
  log: Logger,
): Promise<void> {
  let matches: Task[];
  try {
    matches = await findPendingRunTaskTasks(ecs, pending);
  } catch (err) {
    log.warning(
      `The main step ended between RunTask and saving the task ARN, and looking for that task failed: ${errorMessage(err)}. ` +
        `Check cluster ${pending.cluster} for a running task of ${pending.taskDefinitionArn} started by ${pending.startedBy ?? 'this run'}.`,
    );
    return;
  }
  if (matches.length === 0) {
    log.info(`No running task of ${pending.taskDefinitionArn} from this step; nothing to clean up.`);
    return;
  }
  if (matches.length > 1) {
    log.warning(
      `The main step ended between RunTask and saving the task ARN; ${matches.length} running tasks match its request and none was stopped (another step may own them): ${matches.map((t) => t.taskArn).join(', ')}`,
    );
    return;
  }
  const taskArn = matches[0]!.taskArn!;
  try {
    await ecs.send(new StopTaskCommand({ cluster: pending.cluster, task: taskArn, reason: reason.slice(0, 255) }));
    log.info(`Stopped task ${taskArn}: the main step ended right after starting it.`);
  } catch (err) {
    log.warning(`Could not stop task ${taskArn}: ${errorMessage(err)}`);
  }
}
