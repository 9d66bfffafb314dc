import {
  type BeforeChanges,
  cancelledBeforeUpdateReport,
  checkBeforeChanges,
  createEcsClients,
  deployFailure,
  type EcsClients,
  executeDeploy,
  isCancellation,
  type PreparedDeploy,
  prepareDeploy,
  type RegisteredRevisions,
  registerRevisions,
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
 * register, update, wait → outputs + summary. A cancel before the first UpdateService is reported as such (outputs
 * and summary too); later ones are in the report.
 */
export async function main(deps: Deps = {}): Promise<void> {
  const inputs = getInputs();
  const region = inputs.request.region;
  const clients = deps.clients ?? createEcsClients(ACTION, region);
  const engine = { ...clients, signal: deps.signal ?? cancellationSignal() };
  let prepared: PreparedDeploy | undefined;
  let checked: BeforeChanges;
  let registered: RegisteredRevisions;
  try {
    prepared = await prepareDeploy(inputs.request, engine);
    checked = await checkBeforeChanges(prepared, {
      action: ACTION,
      preflight: inputs.preflight,
      plan: inputs.plan,
      ...(deps.preflightClients ? { clients: deps.preflightClients } : {}),
      signal: engine.signal,
    });
    if (checked.planned) return;
    registered = await registerRevisions(prepared, engine);
  } catch (err) {
    if (!isCancellation(err, engine.signal)) throw err;
    const cancelled = cancelledBeforeUpdateReport(inputs.request, { prepared, signal: engine.signal });
    await writeDeployReport(cancelled);
    throw deployFailure(cancelled);
  }
  const report = await executeDeploy(prepared, engine, registered);
  await writeDeployReport(report, checked.preflight ? { preflight: checked.preflight } : {});
  const failure = deployFailure(report);
  if (failure) throw failure;
  coreLogger.info(report.message);
}

/** @github/local-action's entry (it calls an exported `run()`): the same step src/index.ts runs. */
export const run = (): Promise<void> => runStep(main);
