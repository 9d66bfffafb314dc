// @deploy-actions/kit/runtime: what every action step runs on. It imports nothing from the rest of the kit.
export { type CreateClientOptions, configuredEndpoint, createClient, resolveRegion, type S3ChecksumMode } from './aws';
export {
  ConfigurationError,
  DeployFailure,
  describeAwsError,
  errorMessage,
  isAwsError,
  isAwsServiceError,
  isErrorNamed,
} from './errors';
export { formatImageRef, type ImageRef, parseImageRef } from './image-ref';
export { formatCommand, parseCommand } from './inputs/command';
export { validateEnvironmentNames, validateSecurityGroups, validateStartedBy, validateSubnets } from './inputs/ecs-ids';
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
} from './inputs/readers';
export { coreLogger, group, infoLines, type Logger, prefixedLogger } from './log';
export { setOutputs } from './outputs';
export {
  type Clock,
  cancellationSignal,
  formatDuration,
  PollAbortedError,
  type PollOptions,
  type PollResult,
  PollTimeoutError,
  poll,
  realClock,
} from './poll';
export {
  isSecretLookingName,
  maskValue,
  REDACTED,
  redactDeep,
  redactEnvironment,
  redactUrlCredentials,
  redactValue,
} from './redact';
export { failureMessage, run } from './run';
export { codeBlock, details, markdownTable, Summary, unifiedDiff } from './summary';
