import { runEcsDeploy } from '@deploy-actions/kit/ecs/deploy';
import { getInputs } from './inputs';

export const ACTION = 'deploy-ecs-wait';

/** Inputs (validated, no AWS call) → prepare (read-only) → deploy + wait → outputs + summary. */
export async function main(): Promise<void> {
  const inputs = getInputs();
  await runEcsDeploy({ action: ACTION, request: inputs.request });
}
