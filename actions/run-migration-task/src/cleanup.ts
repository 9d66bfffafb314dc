import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { type PendingRunTask, stopPendingRunTask } from '@deploy-actions/kit/ecs/one-off-task';
import { core, coreLogger, createClient, errorMessage, run as runStep } from '@deploy-actions/kit/runtime';
import { ACTION } from './inputs';

/** Names saved with core.saveState by the main step (read back in the post step as STATE_<name>). */
export const STATE = {
  taskArn: 'taskArn',
  cluster: 'cluster',
  region: 'region',
  done: 'taskHandled',
  /** The RunTask about to be sent (JSON PendingRunTask), saved before sending it. */
  pending: 'runTask',
  /** The main step could not read the task's status nor stop it: it may still be running. */
  mayBeRunning: 'taskMayBeRunning',
} as const;

/**
 * The post step (dist/post/index.js, `post-if: always()`): when the main step started a task and did not see it to
 * the end (the runner's SIGKILL after a cancel, a step timeout, a status it could no longer read and a StopTask
 * that failed), stop the task so a migration does not run on unattended. When the step was killed between RunTask
 * and saving the task ARN, find the task from the saved request. Never fails the job: problems are warnings.
 */
export async function cleanup(): Promise<void> {
  const taskArn = core.getState(STATE.taskArn);
  const pending = core.getState(STATE.pending);
  if (core.getState(STATE.done) === 'true') {
    core.info(`${taskArn ? `Task ${taskArn} was` : 'The task was'} handled by the main step; nothing to clean up.`);
    return;
  }
  if (!taskArn && !pending) {
    core.info('No task was started by the main step; nothing to clean up.');
    return;
  }
  const cluster = core.getState(STATE.cluster);
  const region = core.getState(STATE.region) || undefined;
  let ecs: ECSClient;
  try {
    ecs = createClient(ECSClient, { action: ACTION, region, maxAttempts: 3 });
  } catch (err) {
    core.warning(`Could not stop ${taskArn || 'the task'}: ${errorMessage(err)}`);
    return;
  }
  const reason =
    core.getState(STATE.mayBeRunning) === 'true'
      ? 'Stopped by deploy-actions post step: the main step could not read the task status nor stop it'
      : 'Stopped by deploy-actions post step: the GitHub Actions step ended before the task finished';
  if (!taskArn) {
    let request: PendingRunTask;
    try {
      request = JSON.parse(pending) as PendingRunTask;
    } catch {
      core.warning(`The main step's saved RunTask request is not readable; check cluster ${cluster} for its task.`);
      return;
    }
    await stopPendingRunTask(ecs, request, reason, coreLogger);
    return;
  }
  try {
    await ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason }));
    core.info(`Stopped task ${taskArn}: the main step ended before the task finished.`);
  } catch (err) {
    core.warning(`Could not stop task ${taskArn}: ${errorMessage(err)}`);
  }
}

/** @github/local-action's entry for `--post src/cleanup.ts`: the post step as src/post.ts runs it. */
export const run = (): Promise<void> => runStep(cleanup);
