export { actionlint } from './actionlint';
export {
  type ActionSpec,
  checkActionManifest,
  checkReadmeInputs,
  loadActionSpec,
  parseActionSpec,
  readmeTableNames,
} from './actions';
export { runsCallerCode } from './build-commands';
export { checkRollbackConcurrency } from './concurrency';
export { checkCrossFile, workflowCallSpec } from './cross-file';
export { checkDeployCalls } from './deploy-calls';
export { findRepoRoot, listActionDirs, listActions, listWorkflowFiles, loadYaml } from './files';
export { checkLeastPrivilege, policyActions, readmeIamActions } from './iam';
export { identityFromPackageJson, parseRepository, type RepoIdentity, readRepoIdentity } from './identity';
export { dispatchChoices, interpolate, matrixRows } from './interpolate';
export { checkTrustPolicy, expectedSub, trustAllows } from './oidc';
export { checkCallerRoles, checkRoleIsolation, checkRoleTrust, trustEnvironments } from './roles';
export { checkSecurity, type SecurityOptions } from './security';
export {
  findSelfReferences,
  isOurRepository,
  referenceMode,
  type SelfReference,
  type StampChange,
  selfReferenceProblem,
  stampSelfReferences,
} from './self-references';
export { checkTaskDefinition } from './taskdef';
export { type Finding, formatFindings } from './types';
export { classifyUses, type Reference } from './workflow';
