import {
  appendOneOffTaskSummary,
  createOneOffTaskClients,
  executeOneOffTask,
  type OneOffTaskResult,
  type OneOffTaskTuning,
  oneOffTaskFailure,
  oneOffTaskOutputs,
  prepareOneOffTask,
} from '@deploy-actions/kit/ecs/one-off-task';
import {
  cancellationSignal,
  core,
  coreLogger,
  DeployFailure,
  displayCommand,
  infoLines,
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
  const plan = await prepareOneOffTask(
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
  );
  infoLines(plan.notes.join('\n'));

  const commandText = plan.command
    ? displayCommand(plan.command)
    : plan.container.command?.length
      ? displayCommand(plan.container.command)
      : '(image default)';
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
        onTaskStarted: (taskArn) => {
          core.saveState(STATE.taskArn, taskArn);
          core.saveState(STATE.cluster, plan.cluster);
          if (inputs.region) core.saveState(STATE.region, inputs.region);
        },
      }),
    );
  } finally {
    // Reaching here (result or thrown error) means main handled the task itself: the post step has nothing to do.
    core.saveState(STATE.done, 'true');
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

/** @github/local-action's entry (it calls an exported `run()`): the same step src/index.ts runs. */
export const run = (): Promise<void> => runStep(main);
