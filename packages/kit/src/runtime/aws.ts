import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import { ConfigurationError, tagAwsError } from './errors';
import { parseRegion } from './inputs/aws-ids';
import { type RetryEvent, ThroughputRetryStrategy } from './retry';
import { Sha256 } from './sha256';

// The only place AWS SDK v3 clients are built.
//
// Endpoint: NOT handled here on purpose. The SDK itself (@smithy/core endpoints `getEndpointFromConfig`, used by
// every client's endpoint resolution) reads AWS_ENDPOINT_URL_<SERVICE_ID> (service id upper-cased, spaces → '_',
// e.g. AWS_ENDPOINT_URL_CLOUDWATCH_LOGS), then AWS_ENDPOINT_URL, then `endpoint_url` / `services` in the shared
// config file, and honours AWS_IGNORE_CONFIGURED_ENDPOINT_URLS. We only *look* at those variables to decide on S3
// path-style addressing (see `configuredEndpoint`).
//
// Retries (retry.ts says why): the SDK's standard mode with our backoff, `ThroughputRetryStrategy`, 8 attempts. A
// user's AWS_RETRY_MODE (or an explicit `retryMode`) hands the choice back to the SDK; AWS_MAX_ATTEMPTS is honoured
// either way (read here for our strategy, by the SDK otherwise).

export type RetryMode = 'standard' | 'adaptive' | 'legacy';
export type S3ChecksumMode = 'when_supported' | 'when_required';

export interface CreateClientOptions<Config = unknown> {
  /** Action name, used in the user agent `deploy-actions/<action>`. */
  action: string;
  /** Region from the action's `aws-region` input (wins over AWS_REGION / AWS_DEFAULT_REGION). */
  region?: string;
  /** Name of the input that carries the region, for the error message (default 'aws-region'). */
  regionInput?: string;
  /** Total attempts per call including the first (default DEFAULT_MAX_ATTEMPTS = 8, or AWS_MAX_ATTEMPTS when set). */
  maxAttempts?: number;
  /**
   * The SDK's own retry mode instead of ours (default: standard mode with our backoff, `ThroughputRetryStrategy`;
   * AWS_RETRY_MODE, when set, also hands the choice to the SDK).
   */
  retryMode?: RetryMode;
  /** Told about every failed attempt when our retry strategy is in use (retry counts in a summary, tests). */
  onRetry?: (event: RetryEvent) => void;
  /** S3 only: 'when_supported' (default) or 'when_required' for S3-compatible stores without CRC support. */
  s3ChecksumMode?: S3ChecksumMode;
  /** Extra client configuration merged last (tests: requestHandler, retryStrategy, credentials...). */
  overrides?: Partial<Config>;
  /** Environment to read (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Attempts per call. 8, not the SDK's 3 nor our earlier 5: a step fails (and a deploy is reverted) when any one
 * mutating call runs out of attempts, and at the reliability soak's rates (about 30% of attempts throttled, failed or
 * their answer lost) 5 attempts lost 1 call in 400 — the long mode's deploy-ecs-wait seed 30 lost an UpdateService that
 * way, 8 lose 1 in 15,000. A retryable failure that never clears gives up after at most ~13 s of backoff (retry.ts,
 * full jitter); a cancel ends the backoff at once (the SDK races it with the abort signal); non-retryable errors are
 * not retried.
 */
export const DEFAULT_MAX_ATTEMPTS = 8;

const RETRY_MODES: readonly RetryMode[] = ['standard', 'adaptive', 'legacy'];

/** Region: explicit value (input) → AWS_REGION → AWS_DEFAULT_REGION, else ConfigurationError on `regionInput`. */
export function resolveRegion(
  region: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  regionInput = 'aws-region',
): string {
  const value = region?.trim() || env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim();
  if (!value) {
    throw new ConfigurationError(
      regionInput,
      'no AWS region: set the input, or AWS_REGION / AWS_DEFAULT_REGION (configure-aws-credentials sets AWS_REGION)',
    );
  }
  return parseRegion(regionInput, value);
}

/** The service-id suffix the SDK uses for AWS_ENDPOINT_URL_<SUFFIX>: 'CloudWatch Logs' → 'CLOUDWATCH_LOGS'. */
export function endpointEnvSuffix(serviceId: string): string {
  return serviceId
    .split(' ')
    .map((w) => w.toUpperCase())
    .join('_');
}

/**
 * The endpoint URL the SDK will pick up from the environment for `serviceId`, if any (mirrors the SDK's own
 * selector; does not read the shared config file). Used only to decide things such as S3 path-style.
 */
export function configuredEndpoint(serviceId: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (/^(1|true)$/i.test(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.trim() ?? '')) return undefined;
  return env[`AWS_ENDPOINT_URL_${endpointEnvSuffix(serviceId)}`] || env.AWS_ENDPOINT_URL || undefined;
}

/**
 * The SDK's logger. Its default (a NoOpLogger) has an `info` method, and the SDK's logger middleware builds its log
 * entry whenever `logger.info` exists: it walks every field of every input and output through the sensitive-data
 * filter, 1,000 entries per ListObjectsV2 page, to throw the result away (~90 ms of CPU per 2,000 uploads, measured
 * with --cpu-prof). This one has no `info`, so that entry is never built; warnings and errors still go nowhere, as
 * with the default.
 */
const QUIET_SDK_LOGGER = { trace() {}, debug() {}, warn() {}, error() {} };

/** AWS_MAX_ATTEMPTS as the SDK reads it (an integer), else our default. */
function envMaxAttempts(raw: string | undefined): number {
  const n = Number.parseInt(raw ?? '', 10);
  return Number.isInteger(n) && n >= 1 ? n : DEFAULT_MAX_ATTEMPTS;
}

/** Options resolved to plain client configuration (pure apart from the retry strategy object, exported for tests). */
export function clientConfig(
  serviceId: string,
  options: Omit<CreateClientOptions, 'overrides'>,
): Record<string, unknown> {
  const env = options.env ?? process.env;
  const config: Record<string, unknown> = {
    region: resolveRegion(options.region, env, options.regionInput),
    customUserAgent: `deploy-actions/${options.action}`,
    logger: QUIET_SDK_LOGGER,
    sha256: Sha256, // SigV4's HMAC keys made once, not per request (sha256.ts)
  };
  if (options.maxAttempts !== undefined) {
    if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
      throw new ConfigurationError('max-attempts', `expected an integer >= 1, got ${options.maxAttempts}`);
    }
    config.maxAttempts = options.maxAttempts;
  } else if (!env.AWS_MAX_ATTEMPTS) {
    config.maxAttempts = DEFAULT_MAX_ATTEMPTS;
  }
  if (options.retryMode !== undefined) {
    if (!RETRY_MODES.includes(options.retryMode)) {
      throw new ConfigurationError('retry-mode', `expected one of ${RETRY_MODES.join(', ')}, got ${options.retryMode}`);
    }
    config.retryMode = options.retryMode;
  } else if (!env.AWS_RETRY_MODE) {
    const attempts = (config.maxAttempts as number | undefined) ?? envMaxAttempts(env.AWS_MAX_ATTEMPTS);
    config.retryStrategy = new ThroughputRetryStrategy(attempts, options.onRetry ? { onRetry: options.onRetry } : {});
  }
  if (serviceId === 'S3') {
    if (configuredEndpoint(serviceId, env)) config.forcePathStyle = true;
    const mode = options.s3ChecksumMode;
    if (mode !== undefined && mode !== 'when_supported' && mode !== 'when_required') {
      throw new ConfigurationError('checksum-mode', `expected when_supported or when_required, got ${mode}`);
    }
    // Explicit option wins; otherwise leave AWS_REQUEST_CHECKSUM_CALCULATION etc. to the SDK, defaulting to ours.
    if (mode !== undefined || (!env.AWS_REQUEST_CHECKSUM_CALCULATION && !env.AWS_RESPONSE_CHECKSUM_VALIDATION)) {
      const value = (mode ?? 'when_supported').toUpperCase();
      config.requestChecksumCalculation = value;
      config.responseChecksumValidation = value;
    }
  }
  return config;
}

type ClientCtor = new (config: any) => any;

/** The SDK service id of a client class (`ECS`, `S3`, `CloudWatch Logs`, ...), as set in its runtime config. */
function serviceIdOf(ClientClass: ClientCtor, client?: { config?: { serviceId?: string } }): string {
  return client?.config?.serviceId ?? ClientClass.name.replace(/Client$/, '');
}

/**
 * Build an SDK v3 client: `createClient(ECSClient, { action: 'deploy-ecs', region: inputs.region })`.
 * Adds a middleware that tags every thrown error with service id and operation, so `describeAwsError` / `run`
 * can print `AWS ECS DescribeServices failed: ...`.
 */
export function createClient<C extends ClientCtor>(
  ClientClass: C,
  options: CreateClientOptions<ConstructorParameters<C>[0]>,
): InstanceType<C> {
  const guessedId = ClientClass.name.replace(/Client$/, ''); // S3Client → S3 (ncc keeps class names)
  const { overrides, ...rest } = options;
  const config = { ...clientConfig(guessedId, rest), ...(overrides ?? {}) };
  const client = new ClientClass(config) as InstanceType<C>;
  const serviceId = serviceIdOf(ClientClass, client);
  client.middlewareStack.add(
    (next: (args: any) => Promise<any>, context: { commandName?: string; clientName?: string }) =>
      async (args: any) => {
        try {
          return await next(args);
        } catch (err) {
          tagAwsError(err, {
            service: serviceId,
            operation: (context.commandName ?? 'unknown').replace(/Command$/, ''),
          });
          throw err;
        }
      },
    { step: 'initialize', priority: 'high', name: 'deployActionsErrorContext', override: true },
  );
  return client;
}

/** The one method of an SDK client the kit calls. */
export type Sender<C extends { send: unknown }> = Pick<C, 'send'>;

/**
 * A client whose SDK is loaded on its first call, from a lazy chunk (`load` does the `import()` and `createClient`):
 * the clients a deploy needs only for root causes or a log tail (CloudWatch Logs, ELBv2) are a sixth of an ECS
 * action's bundle, and compiling them at start delayed every run's first request (#15 cold start). A failed load is
 * not kept: the next call tries again.
 */
export function lazyClient<C extends { send: (...args: any[]) => any }>(load: () => Promise<C>): Sender<C> {
  let loading: Promise<C> | undefined;
  const send = (...args: unknown[]) => {
    loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
    return loading.then((client) => client.send(...args));
  };
  return { send } as Sender<C>;
}

/**
 * Resolves once `client`'s next request has been written to its socket (handed to the HTTP handler after signing,
 * then the socket connected: node:http writes the request on connect), one turn of the event loop later. For start-up
 * work that can wait for that request without delaying it: a lazy chunk, a child process (#15 cold start). Never
 * resolves if no request is made: race it with the call's own promise. The socket is found through node:http's
 * `http.client.request.start` diagnostics channel: the first request started after the handler was called, which is
 * this client's as long as nothing else starts one in between (the callers make it the only one at that point).
 */
export function requestSent(client: { middlewareStack: { add: (...args: any[]) => void } }): Promise<void> {
  return new Promise((resolve) => {
    let armed = false;
    const written = () => setImmediate(resolve);
    const onRequest = (message: unknown) => {
      if (!armed) return;
      diagnostics.unsubscribe('http.client.request.start', onRequest);
      const request = (message as { request: ClientRequest }).request;
      const onSocket = (socket: Socket) => (socket.connecting ? socket.once('connect', written) : written());
      request.once('error', written);
      if (request.socket)
        onSocket(request.socket); // the channel may be published once the socket is assigned
      else request.once('socket', onSocket);
    };
    diagnostics.subscribe('http.client.request.start', onRequest);
    client.middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>) => (args: unknown) => {
        armed = true;
        return next(args);
      },
      { step: 'deserialize', priority: 'low', name: 'deployActionsRequestSent', override: true },
    );
  });
}
