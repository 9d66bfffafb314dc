// @deploy-actions/kit/ecs/preflight: read-only checks of task definitions before a deploy changes anything (images
// and their platform, secrets, log groups, roles, register-time limits), their report, failure and summary.
export { checkImage, isAccessDenied, jsonHasKey, trustsEcsTasks } from './checks';
export { createPreflightClients, type PreflightClients } from './clients';
export { fargateMemoryOptions, registerLimitProblems, TASK_DEFINITION_MAX_BYTES } from './limits';
export type {
  Check,
  CheckKind,
  ImageFacts,
  Outcome,
  Platform,
  PreflightOptions,
  PreflightReport,
  Problem,
  TaskDefPreflight,
} from './model';
export { imagePlatformProblem, indexPlatformProblem } from './platform';
export { parseBearerChallenge } from './registry';
export {
  failedChecks,
  logPreflight,
  type PreflightInputOf,
  preflightFailure,
  preflightInputOf,
  preflightMarkdown,
  problemLine,
} from './report';
export { imageLocation, parseSecretRef, taskPlatform, taskRequirements } from './requirements';
export { type PreflightDeps, type PreflightTarget, runPreflight } from './run';
