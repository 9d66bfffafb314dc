import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { core, createClient, errorMessage, run as runStep } from '@deploy-actions/kit/runtime';
import { ACTION } from './inputs';

/** Names saved with core.saveState by the main step (read back in the post step as STATE_<name>). */
export const STATE = {
  taskArn: 'taskArn',
  cluster: 'cluster',
  region: 'region',
  done: 'taskHandled',
} as const;

/**
 * The post step (dist/post/index.js, `post-if: always()`): when the main step started a task and was killed before it could handle it
 * (the runner's SIGKILL after a cancel, a step timeout), stop the task so a migration does not run on unattended.
 * Never fails the job: problems are warnings.
 */
export async function cleanup(): Promise<void> {
  const taskArn = core.getState(STATE.taskArn);
  if (!taskArn) {
    core.info('No task was started by the main step; nothing to clean up.');
    return;
  }
  if (core.getState(STATE.done) === 'true') {
    core.info(`Task ${taskArn} was handled by the main step; nothing to clean up.`);
    return;
  }
  const cluster = core.getState(STATE.cluster);
  const region = core.getState(STATE.region) || undefined;
  try {
    const ecs = createClient(ECSClient, { action: ACTION, region, maxAttempts: 3 });
    await ecs.send(
      new StopTaskCommand({
        cluster,
        task: taskArn,
        reason: 'Stopped by deploy-actions post step: the GitHub Actions step ended before the task finished',
      }),
    );
    core.info(`Stopped task ${taskArn}: the main step ended before the task finished.`);
  } catch (err) {
    core.warning(`Could not stop task ${taskArn}: ${errorMessage(err)}`);
  }
}

/** @github/local-action's entry for `--post src/cleanup.ts`: the post step as src/post.ts runs it. */
export const run = (): Promise<void> => runStep(cleanup);
