import { type EcsDeployInputs, readEcsDeployInputs } from '@deploy-actions/kit/ecs/deploy';

// The only file of this action that reads inputs. The rules are the kit's (shared with deploy-ecs):
// cluster, services, task-definition, desired-count, force-new-deployment, wait, wait-timeout, health-check-url,
// health-check-status, health-check-body, health-check-timeout, auto-rollback, mark-known-good, rollback-to,
// failure-threshold, version, aws-region.
export type Inputs = EcsDeployInputs;

export function getInputs(): Inputs {
  return readEcsDeployInputs();
}
