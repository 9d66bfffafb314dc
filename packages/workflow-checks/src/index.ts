export { actionlint } from './actionlint';
export {
  type ActionSpec,
  checkActionManifest,
  checkReadmeInputs,
  loadActionSpec,
  parseActionSpec,
  readmeTableNames,
} from './actions';
export { checkCrossFile, workflowCallSpec } from './cross-file';
export { findRepoRoot, listActionDirs, listActions, listWorkflowFiles, loadYaml } from './files';
export { checkLeastPrivilege, policyActions, readmeIamActions } from './iam';
export { checkTrustPolicy, expectedSub, trustAllows } from './oidc';
export { checkSecurity } from './security';
export { checkTaskDefinition } from './taskdef';
export { type Finding, formatFindings } from './types';
export { classifyUses, OUR_REPO } from './workflow';
