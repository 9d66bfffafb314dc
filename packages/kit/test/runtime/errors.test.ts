import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  ConfigurationError,
  DeployFailure,
  describeAwsError,
  errorMessage,
  isAwsError,
  tagAwsError,
} from '../../src/runtime/errors';
import { PollAbortedError, PollTimeoutError } from '../../src/runtime/poll';
import { failureMessage, isDebugEnabled, run } from '../../src/runtime/run';

/** A stand-in with the shape of an SDK v3 ServiceException. */
function serviceException(name: string, message: string, meta: Record<string, unknown> = {}, fault = 'client') {
  const err = new Error(message) as Error & Record<string, unknown>;
  err.name = name;
  err.$fault = fault;
  err.$metadata = { httpStatusCode: 400, requestId: 'abc-123', attempts: 1, ...meta };
  return err;
}

describe('describeAwsError', () => {
  test.each<[string, unknown, string]>([
    [
      'tagged service exception',
      (() => {
        const e = serviceException('ClusterNotFoundException', 'Cluster not found.');
        tagAwsError(e, { service: 'ECS', operation: 'DescribeServices' });
        return e;
      })(),
      'AWS ECS DescribeServices failed: ClusterNotFoundException: Cluster not found. (HTTP 400, request id abc-123)',
    ],
    [
      'retried attempts are counted',
      (() => {
        const e = serviceException('ThrottlingException', 'Rate exceeded', { attempts: 5 });
        tagAwsError(e, { service: 'ECR', operation: 'DescribeImages' });
        return e;
      })(),
      'AWS ECR DescribeImages failed: ThrottlingException: Rate exceeded (HTTP 400, request id abc-123, 5 attempts)',
    ],
    [
      'untagged: operation unknown',
      serviceException('AccessDeniedException', 'not authorized'),
      'AWS call failed: AccessDeniedException: not authorized (HTTP 400, request id abc-123)',
    ],
    [
      'S3 extended request id when no request id',
      (() => {
        const e = serviceException('NoSuchBucket', 'UnknownError', {
          requestId: undefined,
          extendedRequestId: 'ext-9',
          httpStatusCode: 404,
        });
        tagAwsError(e, { service: 'S3', operation: 'ListObjectsV2' });
        return e;
      })(),
      'AWS S3 ListObjectsV2 failed: NoSuchBucket (HTTP 404, request id ext-9)',
    ],
    [
      'no request id at all',
      serviceException('InternalFailure', 'boom', { requestId: undefined, httpStatusCode: 500 }, 'server'),
      'AWS call failed: InternalFailure: boom (HTTP 500, request id unknown)',
    ],
    [
      'network error inside a tagged call',
      (() => {
        const e = new Error('connect ECONNREFUSED 127.0.0.1:4566');
        tagAwsError(e, { service: 'CloudFront', operation: 'CreateInvalidation' });
        return e;
      })(),
      'AWS CloudFront CreateInvalidation failed: connect ECONNREFUSED 127.0.0.1:4566',
    ],
  ])('%s', (_name, err, expected) => {
    expect(describeAwsError(err)).toBe(expected);
    expect(isAwsError(err)).toBe(true);
  });

  test('the innermost tag wins', () => {
    const e = new Error('x');
    tagAwsError(e, { service: 'STS', operation: 'GetCallerIdentity' });
    tagAwsError(e, { service: 'ECS', operation: 'Other' });
    expect(describeAwsError(e)).toBe('AWS STS GetCallerIdentity failed: x');
  });

  test('a plain error is not an AWS error', () => {
    expect(isAwsError(new Error('x'))).toBe(false);
  });
});

describe('failureMessage', () => {
  test.each<[string, unknown, string]>([
    [
      'configuration',
      new ConfigurationError('containers', 'line 2: expected key=value'),
      "Input 'containers': line 2: expected key=value",
    ],
    [
      'deploy failure',
      new DeployFailure('Deployment ecs-svc/123 failed: tasks failed to start'),
      'Deployment ecs-svc/123 failed: tasks failed to start',
    ],
    ['poll timeout', new PollTimeoutError('Timed out after 10m', 'x', 3, 1), 'Timed out after 10m'],
    ['poll aborted', new PollAbortedError('Cancelled while waiting', 'x', 3), 'Cancelled while waiting'],
    ['abort error', Object.assign(new Error('received SIGINT'), { name: 'AbortError' }), 'Cancelled: received SIGINT'],
    ['unexpected TypeError', new TypeError('x is undefined'), 'Unexpected error: TypeError: x is undefined'],
    ['thrown string', 'plain string', 'Unexpected error: plain string'],
    ['thrown object', { code: 42 }, 'Unexpected error: {"code":42}'],
  ])('%s', (_name, err, expected) => {
    expect(failureMessage(err)).toBe(expected);
  });

  test('errorMessage of undefined', () => {
    expect(errorMessage(undefined)).toBe('undefined');
  });
});

describe('isDebugEnabled', () => {
  test.each<[NodeJS.ProcessEnv, boolean]>([
    [{}, false],
    [{ ACTIONS_STEP_DEBUG: 'true' }, true],
    [{ ACTIONS_STEP_DEBUG: 'TRUE' }, true],
    [{ RUNNER_DEBUG: '1' }, true],
    [{ ACTIONS_STEP_DEBUG: 'false' }, false],
    [{ RUNNER_DEBUG: '0' }, false],
  ])('%o → %s', (env, expected) => {
    expect(isDebugEnabled(env)).toBe(expected);
  });
});

describe('run(main)', () => {
  let out: string[];
  const saved = { exitCode: process.exitCode, debug: process.env.ACTIONS_STEP_DEBUG, runner: process.env.RUNNER_DEBUG };
  beforeEach(() => {
    out = [];
    delete process.env.ACTIONS_STEP_DEBUG;
    delete process.env.RUNNER_DEBUG;
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = saved.exitCode;
    if (saved.debug === undefined) delete process.env.ACTIONS_STEP_DEBUG;
    else process.env.ACTIONS_STEP_DEBUG = saved.debug;
    if (saved.runner === undefined) delete process.env.RUNNER_DEBUG;
    else process.env.RUNNER_DEBUG = saved.runner;
  });
  const text = () => out.join('');
  const errorLines = () =>
    text()
      .split('\n')
      .filter((l) => l.startsWith('::error'));

  test('success leaves exitCode alone and prints nothing', async () => {
    process.exitCode = undefined;
    await run(async () => {});
    expect(process.exitCode).toBeUndefined();
    expect(errorLines()).toEqual([]);
  });

  test('ConfigurationError → exactly one ::error:: line naming the input, no stack, exit code 1', async () => {
    await run(async () => {
      throw new ConfigurationError('pin-digest', 'expected true or false, got "yes"');
    });
    expect(errorLines()).toEqual(['::error::Input \'pin-digest\': expected true or false, got "yes"']);
    expect(text()).not.toMatch(/at .*\.ts:\d+/);
    expect(process.exitCode).toBe(1);
  });

  test('DeployFailure details are printed as plain lines before the error', async () => {
    await run(async () => {
      throw new DeployFailure('Rollout failed', { details: 'task 1: exit 1\ntask 2: OOM' });
    });
    const lines = text().split('\n');
    expect(lines.indexOf('task 1: exit 1')).toBeGreaterThanOrEqual(0);
    expect(lines.indexOf('task 2: OOM')).toBeLessThan(lines.indexOf('::error::Rollout failed'));
    expect(errorLines()).toHaveLength(1);
  });

  test('multi-line messages still produce one ::error:: line (newlines escaped)', async () => {
    await run(async () => {
      throw new DeployFailure('first\nsecond');
    });
    expect(errorLines()).toEqual(['::error::first%0Asecond']);
  });

  test.each([
    ['ACTIONS_STEP_DEBUG', 'true'],
    ['RUNNER_DEBUG', '1'],
  ])('stack trace printed only when %s=%s', async (name, value) => {
    await run(async () => {
      throw new Error('kaboom');
    });
    expect(text()).not.toContain('errors.test.ts');
    out.length = 0;
    process.env[name] = value;
    await run(async () => {
      throw new Error('kaboom');
    });
    expect(text()).toContain('errors.test.ts');
    expect(errorLines()).toEqual(['::error::Unexpected error: kaboom']);
  });
});
