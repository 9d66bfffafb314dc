// @deploy-actions/kit/ecs/one-off-task: one-off ECS tasks (migrations) for run-migration-task and deploy-ecs: plan
// (read-only: container, command, network copied from a service), run (RunTask, live logs, exit code, stop on
// cancel), summary and outputs.
export {
  appendOneOffTaskSummary,
  DEFAULT_ONE_OFF_INPUT_NAMES,
  evaluateStoppedTask,
  formatCommand,
  type OneOffTaskClients,
  type OneOffTaskInputNames,
  type OneOffTaskOptions,
  type OneOffTaskPlan,
  type OneOffTaskResult,
  type OneOffTaskSink,
  oneOffTaskFailure,
  oneOffTaskOutputs,
  parseCommand,
  prepareOneOffTask,
  type RunOneOffTaskOptions,
  runOneOffTask,
  type TaskDefinitionSource,
  validateEnvironmentNames,
  validateSecurityGroups,
  validateStartedBy,
  validateSubnets,
} from './run-task';
