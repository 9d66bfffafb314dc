// @deploy-actions/kit/runtime: what every action step runs on. It imports nothing from the rest of the kit.
/** The runner's commands and files, as @actions/core writes them (runtime/core.ts): `core.saveState`, `core.info` … */

export {
  type CreateClientOptions,
  configuredEndpoint,
  createClient,
  lazyClient,
  requestSent,
  resolveRegion,
  type S3ChecksumMode,
  type Sender,
} from './aws';
export * as core from './core';
export {
  ConfigurationError,
  DeployFailure,
  describeAwsError,
  errorMessage,
  isAwsError,
  isAwsServiceError,
  isErrorNamed,
} from './errors';
export { ECS_NAME_RE, isTaskDefinitionArn, parseArn, parseCluster, parseRegion } from './inputs/aws-ids';
export { formatCommand, parseCommand } from './inputs/command';
export { DURATION_RULES, parseDurationInput } from './inputs/durations';
export {
  ENV_NAME_RE,
  validateEnvironmentNames,
  validateSecurityGroups,
  validateStartedBy,
  validateSubnets,
} from './inputs/ecs-ids';
export { parseHealthCheckHeaders, parseHealthCheckUrl } from './inputs/health-check';
export { formatImageRef, type ImageRef, parseImage, parseImageRef } from './inputs/image';
export { parseOutputFile } from './inputs/output-file';
export {
  actionInputs,
  describeJsonError,
  getBoolean,
  getDuration,
  getEnum,
  getInteger,
  getJson,
  getKeyValue,
  getLines,
  getList,
  getOptionalString,
  getRawInput,
  getString,
  optionalInput,
  parseBoolean,
  parseDuration,
  parseEnum,
  parseInteger,
  parseJson,
  parseKeyValue,
  parseLines,
  parseList,
  parseString,
  quote,
  type RawInputs,
  rawInput,
  workspaceDir,
} from './inputs/readers';
export { looksLikeSecretValue, secretValueFromProblem } from './inputs/secret-ref';
export {
  parseTaskDefReference,
  SERVICE_CURRENT,
  type TaskDefReference,
  taskDefReferenceText,
} from './inputs/taskdef-ref';
export { coreLogger, group, infoLines, type Logger, prefixedLogger } from './log';
export { setOutputs } from './outputs';
export {
  type Clock,
  cancellationSignal,
  cancelReason,
  formatDuration,
  isCancellation,
  PollAbortedError,
  type PollOptions,
  type PollResult,
  PollTimeoutError,
  poll,
  realClock,
} from './poll';
export {
  containsSecret,
  displayCommand,
  isSecretLookingName,
  MIN_REGISTERED_LENGTH,
  maskForms,
  maskNamedValue,
  maskValue,
  REDACTED,
  redactArgv,
  redactDeep,
  redactEnvironment,
  redactText,
  redactUrlCredentials,
  redactValue,
  registeredSecrets,
} from './redact';
export { findSecretSpans, isHighEntropyToken, type SecretShape, type SecretSpan } from './redact-shapes';
export {
  type RetryErrorType,
  type RetryEvent,
  retryableFailure,
  retryDelay,
  ThroughputRetryStrategy,
} from './retry';
export { failureMessage, run } from './run';
export { codeBlock, details, markdownTable, Summary, unifiedDiff } from './summary';
