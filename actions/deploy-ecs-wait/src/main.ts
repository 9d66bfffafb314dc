import {
  checkBeforeChanges,
  createEcsClients,
  deployFailure,
  type EcsClients,
  executeDeploy,
  prepareDeploy,
  writeDeployReport,
} from '@deploy-actions/kit/ecs/deploy';
import type { PreflightClients } from '@deploy-actions/kit/ecs/preflight';
import { cancellationSignal, coreLogger, run as runStep } from '@deploy-actions/kit/runtime';
import { ACTION, getInputs } from './inputs';

/** The test hook: what in-process tests inject (the bundle uses none of it). */
export interface Deps {
  signal?: AbortSignal;
  clients?: EcsClients;
  preflightClients?: PreflightClients;
}

/**
 * Inputs (validated, no AWS call) → prepare (read-only) → preflight / plan (read-only; plan mode ends here) →
 * register, update, wait → outputs + summary.
 */
export async function main(deps: Deps = {}): Promise<void> {
  const inputs = getInputs();
  const region = inputs.request.region;
  const clients = deps.clients ?? createEcsClients(ACTION, region);
  const engine = { ...clients, signal: deps.signal ?? cancellationSignal() };
  const prepared = await prepareDeploy(inputs.request, engine);
  const checked = await checkBeforeChanges(prepared, {
    action: ACTION,
    preflight: inputs.preflight,
    plan: inputs.plan,
    ...(deps.preflightClients ? { clients: deps.preflightClients } : {}),
    signal: engine.signal,
  });
  if (checked.planned) return;
  const report = await executeDeploy(prepared, engine);
  await writeDeployReport(report, checked.preflight ? { preflight: checked.preflight } : {});
  const failure = deployFailure(report);
  if (failure) throw failure;
  coreLogger.info(report.message);
}

/** @github/local-action's entry (it calls an exported `run()`): the same step src/index.ts runs. */
export const run = (): Promise<void> => runStep(main);
