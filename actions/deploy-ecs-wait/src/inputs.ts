import { type EcsDeployInputs, maskDeployInputSecrets, parseDeployInputs } from '@deploy-actions/kit/ecs/deploy';
import { actionInputs, type RawInputs } from '@deploy-actions/kit/runtime';

export const ACTION = 'deploy-ecs-wait';

// The only file of this action that reads inputs. The rules are the kit's (shared with deploy-ecs):
// cluster, services, task-definition, desired-count, force-new-deployment, wait, wait-timeout, health-check-url,
// health-check-status, health-check-body, health-check-headers, health-check-timeout, auto-rollback,
// mark-known-good, keep-revisions, rollback-to, failure-threshold, version, verify, verify-secret-keys, plan, comment,
// github-token, aws-region.
export type Inputs = EcsDeployInputs;

/** Every input parsed and validated (pure apart from reading task definition files). */
export function parseInputs(raw: RawInputs, env: NodeJS.ProcessEnv = process.env): Inputs {
  return parseDeployInputs(raw, env);
}

export function getInputs(): Inputs {
  const inputs = parseInputs(actionInputs(), process.env);
  maskDeployInputSecrets(inputs.request, inputs.plan);
  return inputs;
}
