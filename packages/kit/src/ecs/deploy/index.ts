// @deploy-actions/kit/ecs/deploy: the ECS service deploy engine of deploy-ecs-wait and deploy-ecs: inputs, prepare
// (read-only), execute (register, update, wait, health checks, rollback, known-good), summary and outputs.
export {
  type DeployDeps,
  type DeployReport,
  type DeployRequest,
  type ExecuteHooks,
  executeDeploy,
  type OverallStatus,
  type PreparedDeploy,
  type PreparedService,
  prepareDeploy,
  type ServiceReport,
  type ServiceRequest,
  type TaskDefSpec,
} from './deploy';
export { collectDiagnostics, diagnosticsMarkdown, diagnosticsText, type ServiceDiagnostics } from './diagnostics';
export { type HealthCheckResult, type HealthCheckSpec, healthCheckLine } from './health-check';
export { type EcsDeployInputOptions, type EcsDeployInputs, parseServiceLines, readEcsDeployInputs } from './inputs';
export {
  chooseRevision,
  findRevision,
  type Provenance,
  provenanceFromEnv,
  type RollbackTo,
  TAG_COMMIT,
  TAG_KNOWN_GOOD,
  TAG_KNOWN_GOOD_COMMIT,
  TAG_KNOWN_GOOD_RUN,
  TAG_RUN,
  TAG_VERSION,
} from './known-good';
export { cleanupRevisions } from './revision-cleanup';
export { shortTaskDef } from './rollout';
export { createEcsClients, type EcsClients, type RunEcsDeployOptions, runEcsDeploy } from './run';
export { deployOutputs, deploySummaryMarkdown } from './summary';
