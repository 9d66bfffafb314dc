/**
 * A user mistake in the action's inputs. `run()` prints it as one `::error::` line
 * `Input '<input>': <message>` with no stack trace.
 */
export class ConfigurationError extends Error {
  readonly input: string;
  constructor(input: string, message: string) {
    super(message);
    this.name = 'ConfigurationError';
    this.input = input;
  }
}

/**
 * An expected failure of the deploy itself (rollout failed, task exited non-zero, timeout...).
 * `run()` prints the message as one error line (no stack) and the optional details as plain log lines.
 */
export class DeployFailure extends Error {
  readonly details: string | undefined;
  constructor(message: string, options: { details?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeployFailure';
    this.details = options.details;
  }
}

/** Where an AWS SDK call failed; attached to thrown errors by the middleware `createClient` installs. */
export interface AwsCallContext {
  /** SDK service id, e.g. `ECS`, `S3`, `CloudWatch Logs`. */
  service: string;
  /** Operation name without the `Command` suffix, e.g. `DescribeServices`. */
  operation: string;
}

/** Symbol under which `createClient`'s middleware stores the {@link AwsCallContext} on thrown errors. */
export const AWS_CALL_CONTEXT = Symbol.for('deploy-actions.aws-call-context');

/** Attach service/operation to an error thrown by an SDK call (idempotent: the innermost tag wins). */
export function tagAwsError(err: unknown, context: AwsCallContext): void {
  if (err !== null && typeof err === 'object' && !(AWS_CALL_CONTEXT in err)) {
    try {
      Object.defineProperty(err, AWS_CALL_CONTEXT, { value: context, enumerable: false, configurable: true });
    } catch {
      // frozen error objects: nothing to do
    }
  }
}

export function getAwsCallContext(err: unknown): AwsCallContext | undefined {
  if (err !== null && typeof err === 'object' && AWS_CALL_CONTEXT in err) {
    return (err as { [AWS_CALL_CONTEXT]: AwsCallContext })[AWS_CALL_CONTEXT];
  }
  return undefined;
}

interface ServiceExceptionLike {
  name: string;
  message: string;
  $fault?: 'client' | 'server';
  $metadata: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string; attempts?: number };
  Code?: string;
  code?: string;
}

/** True for errors thrown by an AWS SDK v3 client (a ServiceException, or anything carrying `$metadata`). */
export function isAwsServiceError(err: unknown): err is Error & ServiceExceptionLike {
  return (
    err instanceof Error &&
    typeof (err as Partial<ServiceExceptionLike>).$metadata === 'object' &&
    (err as Partial<ServiceExceptionLike>).$metadata !== null
  );
}

/** True for anything `describeAwsError` can say something specific about. */
export function isAwsError(err: unknown): boolean {
  return isAwsServiceError(err) || getAwsCallContext(err) !== undefined;
}

/**
 * One line naming service, operation, error code, HTTP status and request id, e.g.
 * `AWS ECS DescribeServices failed: ClusterNotFoundException: Cluster not found. (HTTP 400, request id 1a2b, 3 attempts)`.
 * Works for non-service errors thrown inside an SDK call too (network errors), and degrades gracefully when the
 * error was not thrown through a client built by `createClient` (service/operation then unknown).
 */
export function describeAwsError(err: unknown): string {
  const context = getAwsCallContext(err);
  const where = context ? `${context.service} ${context.operation}` : 'call';
  const message = errorMessage(err);
  if (!isAwsServiceError(err)) {
    const name = err instanceof Error && err.name && err.name !== 'Error' ? `${err.name}: ` : '';
    return `AWS ${where} failed: ${name}${message}`;
  }
  const code = err.name && err.name !== 'Error' ? err.name : (err.Code ?? err.code ?? 'UnknownError');
  const facts: string[] = [];
  if (err.$metadata.httpStatusCode !== undefined) facts.push(`HTTP ${err.$metadata.httpStatusCode}`);
  facts.push(`request id ${err.$metadata.requestId ?? err.$metadata.extendedRequestId ?? 'unknown'}`);
  if (err.$metadata.attempts !== undefined && err.$metadata.attempts > 1)
    facts.push(`${err.$metadata.attempts} attempts`);
  const text = message && message !== code && message !== 'UnknownError' ? `${code}: ${message}` : code;
  return `AWS ${where} failed: ${text} (${facts.join(', ')})`;
}

/** The message of anything thrown, never `[object Object]`. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}

/** True when `err` is an Error with one of these names (an SDK service exception's name is its error code). */
export function isErrorNamed(err: unknown, ...names: string[]): boolean {
  return err instanceof Error && names.includes(err.name);
}
