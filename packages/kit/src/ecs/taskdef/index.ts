// @deploy-actions/kit/ecs/taskdef: task definitions for render-task-def, deploy-ecs, deploy-ecs-wait and
// run-migration-task: the render inputs and pure renderer, where a template comes from, RegisterTaskDefinition
// input, normalised comparison and diffs, digest pinning.

export { type PinImageDigestsOptions, type PinImageDigestsResult, pinImageDigests } from './pin-digests';
export {
  findRecentEqualRevisions,
  LOST_REGISTRATION_WINDOW_MS,
  type RegisterOnceResult,
  registerTaskDefinitionOnce,
} from './register-once';
export {
  type ContainerValue,
  containerImages,
  type OverrideEntry,
  type OverrideMode,
  type OverrideSection,
  type RenderTaskDefOptions,
  type RenderTaskDefResult,
  renderTaskDefinition,
  type TaskDefOverrides,
  withImages,
} from './render';
export { parseTaskDefRenderInputs, type TaskDefRenderInputs, type TaskDefTemplateSource } from './render-inputs';
export {
  type RenderedFromTemplate,
  type RenderFromTemplateOptions,
  renderFromTemplate,
  templateInputName,
} from './render-template';
export {
  type DescribedTaskDefinition,
  describeTaskDefinition,
  isTaskDefinitionNotFound,
  type LoadedTaskDefTemplate,
  loadTaskDefSource,
  loadTaskDefTemplate,
  readTaskDefFile,
  registeredReference,
  type TaskDefSource,
} from './source';
export {
  canonicalJson,
  normalizeTaskDef,
  READ_ONLY_TASK_DEF_FIELDS,
  REGISTER_TASK_DEF_FIELDS,
  redactTaskDef,
  TaskDefinitionShapeError,
  type TaskDefJson,
  taskDefDiffText,
  taskDefsEqual,
  toRegisterInput,
  unwrapTaskDefinition,
} from './taskdef';
