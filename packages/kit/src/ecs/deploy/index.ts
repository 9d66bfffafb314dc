// @deploy-actions/kit/ecs/deploy: the ECS service deploy engine of deploy-ecs-wait and deploy-ecs: inputs, prepare
// (read-only), register, execute (update, wait, health checks, root causes, rollback, known-good), verdict, summary.
export {
  type BeforeChanges,
  type BeforeChangesOptions,
  checkBeforeChanges,
  preflightTargetsOf,
  runsOnFargate,
} from './before-changes';
export {
  cancelledBeforeUpdateReport,
  cancelledUpdateVerdict,
  cancelReason,
  isCancellation,
} from './cancel';
export { createEcsClients, type EcsClients } from './clients';
export { collectDiagnostics, diagnosticsMarkdown, diagnosticsText, type ServiceDiagnostics } from './diagnostics';
export { executeDeploy } from './execute';
export { type HealthCheckResult, type HealthCheckSpec, healthCheckLine } from './health-check';
export {
  type EcsDeployInputOptions,
  type EcsDeployInputs,
  maskDeployInputSecrets,
  type PlanInputs,
  type PreflightInputs,
  parseDeployInputs,
  parseServiceLines,
} from './inputs';
export {
  type Provenance,
  provenanceFromEnv,
  TAG_COMMIT,
  TAG_KNOWN_GOOD,
  TAG_KNOWN_GOOD_COMMIT,
  TAG_KNOWN_GOOD_RUN,
  TAG_RUN,
  TAG_VERSION,
} from './known-good';
export type {
  DeployDeps,
  DeployReport,
  DeployRequest,
  OverallStatus,
  PreparedDeploy,
  PreparedService,
  ServiceReport,
  ServiceRequest,
  TaskDefSpec,
} from './model';
export { deployPlanMarkdown, type PlanView, planOutputs, serviceChange } from './plan';
export { prepareDeploy } from './prepare';
export { type RegisteredRevisions, registerRevisions } from './register';
export { cleanupRevisions } from './revision-cleanup';
export {
  chooseRollbackTarget,
  isKnownGood,
  parseRollbackTo,
  type RevisionFacts,
  type RollbackChoice,
  type RollbackTo,
  ranTagKey,
  TAG_ROLLED_BACK_FROM,
} from './rollback-target';
export { shortTaskDef } from './rollout-verdict';
export {
  type DeploySummaryExtras,
  deployFailure,
  deployOutputs,
  deploySummaryMarkdown,
  writeDeployReport,
} from './summary';
export { deployVerdict } from './verdict';
export { whatRunsProblem } from './what-runs';
