import {
  appendOneOffTaskSummary,
  createOneOffTaskClients,
  executeOneOffTask,
  type OneOffTaskResult,
  type OneOffTaskTuning,
  oneOffTaskFailure,
  oneOffTaskOutputs,
  prepareOneOffTask,
  stepRunKey,
  TaskStatusUnknownError,
} from '@deploy-actions/kit/ecs/one-off-task';
import {
  cancellationSignal,
  cancelReason,
  core,
  coreLogger,
  DeployFailure,
  displayCommand,
  failureMessage,
  infoLines,
  isCancellation,
  isErrorNamed,
  run as runStep,
  Summary,
  setOutputs,
} from '@deploy-actions/kit/runtime';
import { STATE } from './cleanup';
import { ACTION, getInputs } from './inputs';

/** The test hook: what in-process tests inject (the bundle uses none of it). */
export interface Deps {
  signal?: AbortSignal;
  /** Poll / log intervals, page size, drain times (in-process tests make them short). */
  tuning?: OneOffTaskTuning;
}

export async function main(deps: Deps = {}): Promise<void> {
  const signal = deps.signal ?? cancellationSignal();
  const inputs = getInputs();

  const clients = createOneOffTaskClients(ACTION, inputs.region);
  const plan = await untilCancelled(signal, () =>
    prepareOneOffTask(
      clients,
      {
        cluster: inputs.cluster,
        taskDefinition: inputs.taskDefinition,
        container: inputs.container,
        command: inputs.command,
        environment: inputs.environment,
        service: inputs.service,
        networkService: inputs.networkFromService,
        subnets: inputs.subnets,
        securityGroups: inputs.securityGroups,
        assignPublicIp: inputs.assignPublicIp,
        launchType: inputs.launchType,
        startedBy: inputs.startedBy,
      },
      signal,
    ),
  );
  infoLines(plan.notes.join('\n'));

  const commandText = plan.command
    ? displayCommand(plan.command)
    : plan.container.command?.length
      ? displayCommand(plan.container.command)
      : '(image default)';
  // Whether the post step must look after the task: set until main knows the task ended or was stopped.
  let runTaskSent = false;
  let taskArnSaved = false;
  let leftRunning = false;
  let result: OneOffTaskResult;
  try {
    result = await core.group(`Run ${plan.containerName}: ${commandText}`, () =>
      executeOneOffTask(clients, plan, {
        timeoutMs: inputs.timeoutMs,
        stopOnCancel: inputs.stopOnCancel,
        signal,
        ...deps.tuning,
        log: coreLogger,
        statusPrefix: '[ecs] ',
        runKey: stepRunKey(),
        onRunTask: (pending) => {
          // Saved before RunTask: a step killed before the ARN is saved still lets the post step find the task.
          core.saveState(STATE.cluster, plan.cluster);
          if (inputs.region) core.saveState(STATE.region, inputs.region);
          core.saveState(STATE.pending, JSON.stringify(pending));
          runTaskSent = true;
        },
        onTaskStarted: (taskArn) => {
          core.saveState(STATE.taskArn, taskArn);
          taskArnSaved = true;
        },
      }),
    );
    leftRunning = result.stopFailed;
  } catch (err) {
    if (!runTaskSent && isCancellation(err, signal)) throw await cancelledBeforeStart(signal);
    throw leftRunningFailure(err, { runTaskSent, taskArnSaved, stopOnCancel: inputs.stopOnCancel }, () => {
      leftRunning = true;
    });
  } finally {
    // Main handled the task (it stopped, we stopped it, or none started): the post step has nothing to do.
    if (leftRunning) core.saveState(STATE.mayBeRunning, 'true');
    else core.saveState(STATE.done, 'true');
  }

  setOutputs(oneOffTaskOutputs(result));
  await appendOneOffTaskSummary(new Summary(), result, { command: commandText, cluster: plan.cluster }).write();
  infoLines(result.message);
  if (result.cancelled) {
    throw new DeployFailure(`${result.message}${inputs.stopOnCancel ? '' : ' (stop-on-cancel is false)'}`);
  }
  const failure = oneOffTaskFailure(result);
  if (failure) throw failure;
}

/** Run `fn` (read-only preparation); a cancel there is said plainly, with a summary: nothing was started. */
async function untilCancelled<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isCancellation(err, signal)) throw await cancelledBeforeStart(signal);
    throw err;
  }
}

async function cancelledBeforeStart(signal: AbortSignal): Promise<DeployFailure> {
  const message = `Cancelled (${cancelReason(signal)}) before the task was started: nothing ran.`;
  await new Summary().heading('One-off task: ⏹️ cancelled before it started', 3).paragraph(message).write();
  return new DeployFailure(message);
}

/**
 * The error main throws when executeOneOffTask failed, and whether a task may be left running (`leftRunning()`):
 * the task's status could not be read and StopTask failed too, or RunTask's own answer was lost (a network error or
 * 5xx after the SDK's retries: ECS may have started the task). The post step then stops it.
 */
function leftRunningFailure(
  err: unknown,
  o: { runTaskSent: boolean; taskArnSaved: boolean; stopOnCancel: boolean },
  leftRunning: () => void,
): unknown {
  const { runTaskSent, taskArnSaved, stopOnCancel } = o;
  if (err instanceof TaskStatusUnknownError && !err.stopped) {
    leftRunning();
    return new DeployFailure(`${err.message} The post step of this action tries to stop it again.`, { cause: err });
  }
  if (!runTaskSent || taskArnSaved || err instanceof DeployFailure) return err;
  if (isErrorNamed(err, 'AbortError')) {
    if (!stopOnCancel) return err;
    leftRunning();
    return new DeployFailure(
      'Cancelled while RunTask was being sent: no task ARN came back, so the post step of this action looks for the task ECS may have started and stops it.',
      { cause: err },
    );
  }
  leftRunning();
  return new DeployFailure(
    `RunTask did not answer (${failureMessage(err)}); ECS may have started the task anyway. The post step of this action looks for it and stops it.`,
    { cause: err },
  );
}

/** @github/local-action's entry (it calls an exported `run()`): the same step src/index.ts runs. */
export const run = (): Promise<void> => runStep(main);
