import {
  createEcsClients,
  deployFailure,
  type EcsClients,
  executeDeploy,
  prepareDeploy,
  writeDeployReport,
} from '@deploy-actions/kit/ecs/deploy';
import { cancellationSignal, coreLogger } from '@deploy-actions/kit/runtime';
import { getInputs } from './inputs';

export const ACTION = 'deploy-ecs-wait';

/** What in-process tests may inject (the bundle uses none of it). */
export interface MainOptions {
  signal?: AbortSignal;
  clients?: EcsClients;
}

/** Inputs (validated, no AWS call) → prepare (read-only) → register, update, wait → outputs + summary. */
export async function main(options: MainOptions = {}): Promise<void> {
  const inputs = getInputs();
  const clients = options.clients ?? createEcsClients(ACTION, inputs.request.region);
  const engine = { ...clients, signal: options.signal ?? cancellationSignal() };
  const prepared = await prepareDeploy(inputs.request, engine);
  const report = await executeDeploy(prepared, engine);
  await writeDeployReport(report);
  const failure = deployFailure(report);
  if (failure) throw failure;
  coreLogger.info(report.message);
}
