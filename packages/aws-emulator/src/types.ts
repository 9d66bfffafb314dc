// The contract between the emulator's HTTP front (server.ts) and each service module (services/*.ts).
// The emulator runs under Node 24's native type stripping: erasable TypeScript only (no enums, no parameter
// properties), relative imports with their `.ts` extension.
import type { Readable } from 'node:stream';
import type { Clock } from './clock.ts';

/** One parsed HTTP request as a service sees it. The body is fully buffered (bounded by the tests' sizes). */
export interface EmuRequest {
  method: string;
  /** Decoded path without the query string, e.g. `/bucket/key with space`. For virtual-hosted S3 the bucket is
   * moved from the Host header into the path, so S3 always sees path-style. */
  path: string;
  /** Raw (still percent-encoded) path, as sent. */
  rawPath: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: Buffer;
  /** The service name from the SigV4 credential scope (`s3`, `ecs`, ...), if signed. */
  signingService?: string;
  region: string;
  /** The emulator's own base URL (`http://127.0.0.1:4566`), e.g. for ECR proxyEndpoint or S3 Location. */
  baseUrl: string;
  requestId: string;
}

export interface EmuResponse {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string | Readable;
}

/** What a service module gets besides the request: time, the shared store and the other services. */
export interface EmuContext {
  clock: Clock;
  state: EmulatorState;
  accountId: string;
}

/** A service module. `operation` names the AWS operation for the request log (e.g. `PutObject`). */
export interface ServiceModule {
  /** Log name: `ecs`, `ecr`, `s3`, `cloudfront`, `logs`, `sts`, `elasticloadbalancing`, `secretsmanager`, `ssm`,
   * `registry`. */
  name: string;
  /** Operation name and whether it mutates state, decided before handling (used by the request log and faults). */
  classify(req: EmuRequest): { operation: string; mutating: boolean };
  handle(req: EmuRequest, ctx: EmuContext): Promise<EmuResponse> | EmuResponse;
  /** Drop all state (POST /_emulator/reset). */
  reset(): void;
  /** Apply the part of a seed fixture this service owns (POST /_emulator/seed). */
  seed?(fixture: SeedFixture, ctx: EmuContext): void | Promise<void>;
  /** The error a throttled request gets for this service (fault injection). */
  throttleError(req: EmuRequest): EmuResponse;
}

/** Cross-service state the services share (ECS writes task logs into Logs, ELBv2 reads ECS task health, ...). */
export interface EmulatorState {
  /** Services by name, so one module can call into another (e.g. ecs -> logs.putEvents). */
  services: Map<string, ServiceModule>;
  behaviors: BehaviorRule[];
  /** Which task-start checks ECS makes are on (POST /_emulator/realism). */
  realism: Realism;
  /**
   * Every credential this emulator handed out (ECR registry passwords, STS secret keys and session tokens), kept
   * across resets for the life of the process: a leak scan searches a run's output for them
   * (GET /_emulator/issued-credentials).
   */
  issuedCredentials: Set<string>;
}

/**
 * Task-start checks ECS makes against the account, each switchable because older fixtures reference resources they
 * never created. On: the task fails as ECS fails it (stoppedReason texts in ecs-task-start.ts).
 */
export interface Realism {
  /** secrets[].valueFrom must name an existing secret (version, JSON key) or SSM parameter. */
  secrets: boolean;
  /** Images on the emulator's registry (ECR hosts, 127.0.0.1/localhost) must exist and match runtimePlatform. */
  images: boolean;
  /** awslogs groups must exist unless `awslogs-create-group` is "true" (off: they are created, as before). */
  logGroups: boolean;
}

export type ServiceBehavior = 'healthy' | 'crashloop' | 'pullError' | 'missingSecret' | 'unhealthy' | 'slowStart';

export interface RunBehavior {
  logs: string[];
  exitCode: number;
  durationSeconds: number;
  /** When set, RunTask starts no task and answers `failures: [{arn, reason: failure}]` (e.g. "RESOURCE:MEMORY"). */
  failure?: string;
}

/** POST /_emulator/behaviors body: `{image: glob, service: name}` or `{image: glob, run: {...}}`. */
export interface BehaviorRule {
  image: string;
  service?: ServiceBehavior;
  run?: Partial<RunBehavior>;
}

export interface SeedFixture {
  clusters?: unknown[];
  services?: unknown[];
  taskDefinitions?: unknown[];
  repositories?: unknown[];
  buckets?: unknown[];
  distributions?: unknown[];
  /** Secrets Manager secrets: `{name, value | secretString, region?, description?, tags?, arnSuffix?}`. */
  secrets?: unknown[];
  /** SSM Parameter Store parameters: `{name, value, type?, description?, tier?, region?}`. */
  parameters?: unknown[];
  /** IAM roles (GetRole): a name, or `{name | arn, path?, assumeRolePolicy?, description?}`. */
  roles?: unknown[];
  logGroups?: unknown[];
  targetGroups?: unknown[];
  [key: string]: unknown;
}
