import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  clientConfig,
  configuredEndpoint,
  createClient,
  endpointEnvSuffix,
  lazyClient,
  requestSent,
  resolveRegion,
} from '../../src/runtime/aws';
import { ConfigurationError, describeAwsError } from '../../src/runtime/errors';
import { type RetryEvent, retryableFailure, ThroughputRetryStrategy } from '../../src/runtime/retry';
import { failureMessage } from '../../src/runtime/run';
import { Sha256 } from '../../src/runtime/sha256';

interface Seen {
  url: string;
  host: string;
  userAgent: string;
  target: string;
}

// A fake AWS endpoint: a queue of canned responses, every request recorded.
function fakeAws() {
  const seen: Seen[] = [];
  let responses: Array<{ status: number; body: unknown; headers?: Record<string, string> }> = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({
        url: req.url ?? '',
        host: req.headers.host ?? '',
        userAgent: String(req.headers['user-agent'] ?? ''),
        target: String(req.headers['x-amz-target'] ?? ''),
      });
      const next = responses.length > 1 ? responses.shift()! : responses[0]!;
      res.writeHead(next.status, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': `req-${seen.length}`,
        ...next.headers,
      });
      res.end(typeof next.body === 'string' ? next.body : JSON.stringify(next.body));
    });
  });
  return {
    seen,
    server,
    respond(list: typeof responses) {
      responses = list;
    },
    async start(): Promise<string> {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const AWS_ENV = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_ECS',
  'AWS_ENDPOINT_URL_S3',
  'AWS_MAX_ATTEMPTS',
  'AWS_RETRY_MODE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
  'AWS_REQUEST_CHECKSUM_CALCULATION',
  'AWS_RESPONSE_CHECKSUM_VALIDATION',
];
let savedEnv: Record<string, string | undefined>;
beforeEach(() => {
  savedEnv = Object.fromEntries(AWS_ENV.map((k) => [k, process.env[k]]));
  for (const k of AWS_ENV) delete process.env[k];
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';
});
afterEach(() => {
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('resolveRegion', () => {
  test.each([
    ['input wins', 'eu-west-1', { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-west-2' }, 'eu-west-1'],
    ['AWS_REGION next', undefined, { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-west-2' }, 'us-east-1'],
    ['AWS_DEFAULT_REGION last', undefined, { AWS_DEFAULT_REGION: 'us-west-2' }, 'us-west-2'],
    ['blank input falls through', '  ', { AWS_REGION: 'ap-south-1' }, 'ap-south-1'],
    ['trimmed', ' eu-central-1 ', {}, 'eu-central-1'],
  ])('%s', (_name, input, env, expected) => {
    expect(resolveRegion(input, env)).toBe(expected);
  });

  test.each([
    ['nothing set', undefined, {}, /no AWS region/],
    ['garbage', 'US East 1', {}, /expected an AWS region like us-east-1/],
  ])('%s → ConfigurationError on aws-region', (_name, input, env, message) => {
    const err = (() => {
      try {
        resolveRegion(input, env);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as ConfigurationError).input).toBe('aws-region');
    expect((err as Error).message).toMatch(message);
  });

  test('custom region input name', () => {
    expect(() => resolveRegion(undefined, {}, 'region')).toThrow(
      expect.objectContaining({ input: 'region' }) as unknown as Error,
    );
  });
});

describe('clientConfig (pure)', () => {
  const base = { action: 'deploy-ecs', env: { AWS_REGION: 'us-east-1' } as NodeJS.ProcessEnv };
  test.each<[string, string, Record<string, unknown>, Record<string, unknown>]>([
    [
      'defaults',
      'ECS',
      {},
      {
        region: 'us-east-1',
        customUserAgent: 'deploy-actions/deploy-ecs',
        maxAttempts: 8,
        retryMode: undefined,
        sha256: Sha256,
      },
    ],
    [
      'explicit retry settings',
      'ECS',
      { maxAttempts: 2, retryMode: 'standard' },
      { maxAttempts: 2, retryMode: 'standard' },
    ],
    [
      'AWS_MAX_ATTEMPTS left to the SDK',
      'ECS',
      { env: { AWS_REGION: 'eu-west-1', AWS_MAX_ATTEMPTS: '9' } },
      { maxAttempts: undefined },
    ],
    [
      'AWS_RETRY_MODE left to the SDK',
      'ECS',
      { env: { AWS_REGION: 'eu-west-1', AWS_RETRY_MODE: 'legacy' } },
      { retryMode: undefined },
    ],
    [
      'explicit maxAttempts beats AWS_MAX_ATTEMPTS',
      'ECS',
      { maxAttempts: 3, env: { AWS_REGION: 'eu-west-1', AWS_MAX_ATTEMPTS: '9' } },
      { maxAttempts: 3 },
    ],
    [
      'no S3 settings on ECS',
      'ECS',
      { env: { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://h' } },
      { forcePathStyle: undefined, requestChecksumCalculation: undefined },
    ],
    [
      'S3 default checksums',
      'S3',
      {},
      {
        forcePathStyle: undefined,
        requestChecksumCalculation: 'WHEN_SUPPORTED',
        responseChecksumValidation: 'WHEN_SUPPORTED',
      },
    ],
    [
      'S3 when_required',
      'S3',
      { s3ChecksumMode: 'when_required' },
      { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' },
    ],
    [
      'S3 path style with AWS_ENDPOINT_URL',
      'S3',
      { env: { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://minio:9000' } },
      { forcePathStyle: true },
    ],
    [
      'S3 path style with AWS_ENDPOINT_URL_S3',
      'S3',
      { env: { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_S3: 'http://minio:9000' } },
      { forcePathStyle: true },
    ],
    [
      'S3 not path style when endpoints ignored',
      'S3',
      { env: { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://m', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' } },
      { forcePathStyle: undefined },
    ],
    [
      'S3 checksum env left to the SDK',
      'S3',
      { env: { AWS_REGION: 'eu-west-1', AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED' } },
      { requestChecksumCalculation: undefined },
    ],
  ])('%s', (_name, serviceId, options, expected) => {
    const config = clientConfig(serviceId, { ...base, ...options });
    for (const [key, value] of Object.entries(expected)) expect(config[key], key).toEqual(value);
  });

  test.each<[string, Record<string, unknown>, 'ours' | undefined]>([
    ['default: standard mode with our backoff', {}, 'ours'],
    ['AWS_MAX_ATTEMPTS is kept by our strategy', { env: { AWS_REGION: 'eu-west-1', AWS_MAX_ATTEMPTS: '9' } }, 'ours'],
    [
      'AWS_RETRY_MODE hands the choice to the SDK',
      { env: { AWS_REGION: 'eu-west-1', AWS_RETRY_MODE: 'adaptive' } },
      undefined,
    ],
    ['an explicit retryMode hands the choice to the SDK', { retryMode: 'adaptive' }, undefined],
  ])('retry strategy: %s', (_name, options, expected) => {
    const config = clientConfig('ECS', { ...base, ...options });
    if (expected === undefined) expect(config.retryStrategy).toBeUndefined();
    else {
      expect(config.retryStrategy).toBeInstanceOf(ThroughputRetryStrategy);
      expect((config.retryStrategy as ThroughputRetryStrategy).mode).toBe('standard');
    }
  });

  test.each([
    [{ maxAttempts: 0 }, 'max-attempts'],
    [{ retryMode: 'fast' as never }, 'retry-mode'],
    [{ s3ChecksumMode: 'always' as never }, 'checksum-mode'],
  ])('invalid %o → ConfigurationError(%s)', (options, input) => {
    expect(() => clientConfig('S3', { ...base, ...options })).toThrow(
      expect.objectContaining({ input }) as unknown as Error,
    );
  });

  test.each([
    ['ECS', 'ECS'],
    ['CloudWatch Logs', 'CLOUDWATCH_LOGS'],
    ['Elastic Load Balancing v2', 'ELASTIC_LOAD_BALANCING_V2'],
  ])('endpoint env suffix of %s is %s', (id, suffix) => {
    expect(endpointEnvSuffix(id)).toBe(suffix);
  });

  test('configuredEndpoint prefers the service-specific variable', () => {
    expect(configuredEndpoint('ECS', { AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_ECS: 'http://b' })).toBe(
      'http://b',
    );
    expect(configuredEndpoint('ECS', { AWS_ENDPOINT_URL: 'http://a' })).toBe('http://a');
    expect(configuredEndpoint('ECS', {})).toBeUndefined();
  });
});

describe('createClient against a local HTTP server (real SDK stack)', () => {
  const fake = fakeAws();
  let url = '';
  beforeAll(async () => {
    url = await fake.start();
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.seen.length = 0;
  });

  test('uses AWS_ENDPOINT_URL_ECS over AWS_ENDPOINT_URL, sends our user agent, region from env', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9'; // nothing listens there: would fail if used
    process.env.AWS_ENDPOINT_URL_ECS = url;
    process.env.AWS_REGION = 'eu-west-1';
    fake.respond([{ status: 200, body: { services: [], failures: [] } }]);
    const ecs = createClient(ECSClient, { action: 'deploy-ecs' });
    const out = await ecs.send(new DescribeServicesCommand({ cluster: 'c', services: ['api'] }));
    expect(out.services).toEqual([]);
    expect(fake.seen).toHaveLength(1);
    expect(fake.seen[0]!.target).toBe('AmazonEC2ContainerServiceV20141113.DescribeServices');
    expect(fake.seen[0]!.userAgent).toContain('deploy-actions/deploy-ecs');
    expect(await ecs.config.region()).toBe('eu-west-1');
  });

  test('retries a 400 ThrottlingException through the real retry layer', async () => {
    process.env.AWS_ENDPOINT_URL = url;
    fake.respond([
      { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } },
      { status: 200, body: { services: [{ serviceName: 'api' }], failures: [] } },
    ]);
    const ecs = createClient(ECSClient, { action: 'deploy-ecs', region: 'us-east-1' });
    const out = await ecs.send(new DescribeServicesCommand({ cluster: 'c', services: ['api'] }));
    expect(out.services?.[0]?.serviceName).toBe('api');
    expect(fake.seen).toHaveLength(2);
    expect(out.$metadata.attempts).toBe(2);
  });

  test('gives up after maxAttempts and the error names service, operation, code and request id', async () => {
    process.env.AWS_ENDPOINT_URL = url;
    fake.respond([{ status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } }]);
    // Real retry strategy, only the delay shortened so the test does not wait ~seconds.
    const { ConfiguredRetryStrategy } = await import('@smithy/core/retry');
    const ecs = createClient(ECSClient, {
      action: 'deploy-ecs',
      region: 'us-east-1',
      maxAttempts: 3,
      overrides: { retryStrategy: new ConfiguredRetryStrategy(3, () => 1) },
    });
    const err = await ecs.send(new DescribeServicesCommand({ cluster: 'c', services: ['api'] })).catch((e) => e);
    expect(fake.seen).toHaveLength(3);
    expect(describeAwsError(err)).toBe(
      'AWS ECS DescribeServices failed: ThrottlingException: Rate exceeded (HTTP 400, request id req-3, 3 attempts)',
    );
    expect(failureMessage(err)).toBe(describeAwsError(err));
  });

  test('our strategy by default: a throttled call is retried after a short jittered delay, each attempt reported', async () => {
    process.env.AWS_ENDPOINT_URL = url;
    fake.respond([
      { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } },
      { status: 500, body: { __type: 'ServerException', message: 'oops' } },
      { status: 200, body: { services: [{ serviceName: 'api' }], failures: [] } },
    ]);
    const events: RetryEvent[] = [];
    const ecs = createClient(ECSClient, { action: 'deploy-ecs', region: 'us-east-1', onRetry: (e) => events.push(e) });
    const out = await ecs.send(new DescribeServicesCommand({ cluster: 'c', services: ['api'] }));
    expect(out.$metadata.attempts).toBe(3);
    expect(events.map((e) => [e.errorType, e.attempts])).toEqual([
      ['THROTTLING', 1],
      ['TRANSIENT', 2],
    ]);
    // full jitter below the bases: ≤100 ms after the first throttle, ≤100 ms (50 × 2) after the second failure
    expect(events[0]!.delayMs).toBeLessThan(100);
    expect(events[1]!.delayMs).toBeLessThan(100);
    // the SDK's adaptive mode would have sent a retry-mode user agent and rate-limited the client; standard mode sends
    // the attempt header
    expect(fake.seen).toHaveLength(3);
  });

  test('S3 SlowDown (503) is throttling: retried, and classified for callers that slow down themselves', async () => {
    process.env.AWS_ENDPOINT_URL = url;
    const slowDown = {
      status: 503,
      headers: { 'content-type': 'application/xml' },
      body: '<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
    };
    fake.respond([slowDown]);
    const events: RetryEvent[] = [];
    const s3 = createClient(S3Client, {
      action: 'sync-spa-cloudfront',
      region: 'us-east-1',
      maxAttempts: 3,
      onRetry: (e) => events.push(e),
    });
    const err = await s3.send(new ListObjectsV2Command({ Bucket: 'site' })).catch((e) => e);
    expect(fake.seen).toHaveLength(3);
    expect(events.map((e) => [e.errorType, e.delayMs === undefined])).toEqual([
      ['THROTTLING', false],
      ['THROTTLING', false],
      ['THROTTLING', true],
    ]);
    expect(retryableFailure(err)).toBe('throttling');
  });

  test('a non-retryable error is not retried and is described', async () => {
    process.env.AWS_ENDPOINT_URL = url;
    fake.respond([{ status: 400, body: { __type: 'ClusterNotFoundException', message: 'Cluster not found.' } }]);
    const ecs = createClient(ECSClient, { action: 'deploy-ecs', region: 'us-east-1' });
    const err = await ecs.send(new DescribeServicesCommand({ cluster: 'c', services: ['api'] })).catch((e) => e);
    expect(fake.seen).toHaveLength(1);
    expect(describeAwsError(err)).toBe(
      'AWS ECS DescribeServices failed: ClusterNotFoundException: Cluster not found. (HTTP 400, request id req-1)',
    );
  });

  test('S3 with an endpoint is path-style and tagged with service S3', async () => {
    process.env.AWS_ENDPOINT_URL = url;
    fake.respond([
      {
        status: 404,
        headers: { 'content-type': 'application/xml', 'x-amzn-requestid': 's3req' },
        body: '<?xml version="1.0"?><Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>',
      },
    ]);
    const s3 = createClient(S3Client, { action: 'sync-spa-cloudfront', region: 'us-east-1' });
    const err = await s3.send(new ListObjectsV2Command({ Bucket: 'site' })).catch((e) => e);
    expect(fake.seen[0]!.url.startsWith('/site')).toBe(true);
    expect(fake.seen[0]!.host).toMatch(/^127\.0\.0\.1:/);
    expect(describeAwsError(err)).toMatch(/^AWS S3 ListObjectsV2 failed: NoSuchBucket: .*HTTP 404, request id s3req/);
  });

  test("the SDK's logger has no info method: the SDK never builds a log entry it would throw away", async () => {
    process.env.AWS_ENDPOINT_URL = url;
    fake.respond([{ status: 200, body: { services: [], failures: [] } }]);
    const ecs = createClient(ECSClient, { action: 'deploy-ecs', region: 'us-east-1' });
    const logger = ecs.config.logger as unknown as Record<string, unknown>;
    expect(logger.info).toBeUndefined();
    expect(typeof logger.warn).toBe('function');
    await ecs.send(new DescribeServicesCommand({ cluster: 'c', services: ['api'] }));
  });

  test('service id with spaces: CloudWatch Logs', () => {
    const logs = createClient(CloudWatchLogsClient, { action: 'x', region: 'us-east-1' });
    expect(logs.config.serviceId).toBe('CloudWatch Logs');
  });

  test('a network error is tagged with service and operation', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
    const { ConfiguredRetryStrategy } = await import('@smithy/core/retry');
    const ecs = createClient(ECSClient, {
      action: 'deploy-ecs',
      region: 'us-east-1',
      overrides: { retryStrategy: new ConfiguredRetryStrategy(1, () => 1) },
    });
    const err = await ecs.send(new DescribeServicesCommand({ cluster: 'c', services: ['s'] })).catch((e) => e);
    expect(describeAwsError(err)).toMatch(/^AWS ECS DescribeServices failed: /);
  });
});

describe('requestSent', () => {
  test('resolves once the request is handed to the HTTP handler, before any response; not before a request', async () => {
    const held: Array<() => void> = [];
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () =>
        held.push(() => {
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
          res.end('{"services":[],"failures":[]}');
        }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const ecs = createClient(ECSClient, { action: 'deploy-ecs', region: 'us-east-1' });
      let sent = false;
      const waiting = requestSent(ecs).then(() => {
        sent = true;
      });
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      expect(sent).toBe(false); // no request yet
      let answered = false;
      const call = ecs.send(new DescribeServicesCommand({ cluster: 'c', services: ['s'] })).then(() => {
        answered = true;
      });
      await waiting;
      expect(answered).toBe(false); // the server holds every response until told
      while (held.length === 0) await new Promise((r) => setTimeout(r, 5));
      held.shift()!();
      await call;
      expect(answered).toBe(true);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('lazyClient', () => {
  const fakeClient = (name: string) => ({ send: async (command: string) => `${name}: ${command}` });

  test('loads on the first call only; calls made while it loads share the load', async () => {
    let loads = 0;
    const client = lazyClient(async () => {
      loads += 1;
      return fakeClient('logs');
    });
    expect(loads).toBe(0);
    expect(await Promise.all([client.send('a'), client.send('b')])).toEqual(['logs: a', 'logs: b']);
    expect(await client.send('c')).toBe('logs: c');
    expect(loads).toBe(1);
  });

  test('a load that failed is tried again on the next call, the failure reaching the call that saw it', async () => {
    let loads = 0;
    const client = lazyClient(async () => {
      loads += 1;
      if (loads === 1) throw new Error('chunk missing');
      return fakeClient('elbv2');
    });
    await expect(client.send('a')).rejects.toThrow('chunk missing');
    expect(await client.send('b')).toBe('elbv2: b');
    expect(loads).toBe(2);
  });
});
