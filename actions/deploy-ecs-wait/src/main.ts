import {
  createEcsClients,
  deployFailure,
  type EcsClients,
  executeDeploy,
  prepareDeploy,
  writeDeployReport,
} from '@deploy-actions/kit/ecs/deploy';
import { cancellationSignal, coreLogger, run as runStep } from '@deploy-actions/kit/runtime';
import { getInputs } from './inputs';

export const ACTION = 'deploy-ecs-wait';

/** The test hook: what in-process tests inject (the bundle uses none of it). */
export interface Deps {
  signal?: AbortSignal;
  clients?: EcsClients;
}

/** Inputs (validated, no AWS call) → prepare (read-only) → register, update, wait → outputs + summary. */
export async function main(deps: Deps = {}): Promise<void> {
  const inputs = getInputs();
  const clients = deps.clients ?? createEcsClients(ACTION, inputs.request.region);
  const engine = { ...clients, signal: deps.signal ?? cancellationSignal() };
  const prepared = await prepareDeploy(inputs.request, engine);
  const report = await executeDeploy(prepared, engine);
  await writeDeployReport(report);
  const failure = deployFailure(report);
  if (failure) throw failure;
  coreLogger.info(report.message);
}

/** @github/local-action's entry (it calls an exported `run()`): the same step src/index.ts runs. */
export const run = (): Promise<void> => runStep(main);
