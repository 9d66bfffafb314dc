// @deploy-actions/kit/ecs/one-off-task: one-off ECS tasks (migrations) for run-migration-task and deploy-ecs:
// prepare (read-only: container, command, network copied from a service) → execute (RunTask, live logs, exit code,
// stop on cancel) → report (failure, summary section, outputs).
export { createOneOffTaskClients } from './clients';
export {
  type ExecuteOneOffTaskOptions,
  executeOneOffTask,
  type OneOffTaskResult,
  type OneOffTaskTuning,
  TaskStatusUnknownError,
} from './execute';
export { runTaskClientToken, stepRunKey } from './idempotency';
export { findPendingRunTaskTasks, matchesPendingRunTask, type PendingRunTask, stopPendingRunTask } from './leftover';
export {
  DEFAULT_ONE_OFF_INPUT_NAMES,
  evaluateStoppedTask,
  type OneOffTaskInputNames,
  type OneOffTaskPlan,
  type TaskDefinitionSource,
} from './plan';
export { type OneOffTaskClients, type OneOffTaskOptions, prepareOneOffTask } from './prepare';
export { appendOneOffTaskSummary, oneOffTaskFailure, oneOffTaskOutputs } from './report';
