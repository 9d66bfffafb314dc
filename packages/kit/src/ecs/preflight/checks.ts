import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  BatchGetImageCommand,
  type BatchGetImageCommandOutput,
  GetDownloadUrlForLayerCommand,
} from '@aws-sdk/client-ecr';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand } from '@aws-sdk/client-ssm';
import { errorMessage } from '../../runtime/errors';
import type { PreflightClients } from './clients';
import type { Check, CheckKind, ImageFacts, Platform } from './model';
import {
  ACCEPTED_MANIFEST_TYPES,
  imagePlatformProblem,
  indexPlatformProblem,
  indexPlatforms,
  isIndex,
  type ManifestJson,
  type PlatformSpec,
  platformName,
} from './platform';
import { fetchRegistryConfig, fetchRegistryManifest, RegistryUnavailable } from './registry';
import type { ImageLocation, SecretRef } from './requirements';

// The read-only lookups of the preflight, one function per kind. Each returns Checks and never throws for what it
// finds: a missing resource is `failed` with the fix, a call the role may not make is `skipped` (one notice), any other
// error is a `warning` (the preflight must not block a deploy on a flaky read). Only cancellation propagates.

export interface CheckContext {
  clients: PreflightClients;
  signal?: AbortSignal;
  /** The task's region (SSM names, log groups without awslogs-region). */
  region: string;
  /** The account the services live in (a role of another account cannot be read with GetRole). */
  accountId?: string;
}

const ACCESS_DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'NotAuthorized',
]);

export function isAccessDenied(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return ACCESS_DENIED.has(e?.name ?? '') || ACCESS_DENIED.has(e?.Code ?? '') || e?.$metadata?.httpStatusCode === 403;
}

function rethrowAbort(err: unknown, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw err;
}

/** A Check for an error of a lookup: skipped when not allowed, otherwise a warning. */
function errorCheck(
  err: unknown,
  base: Pick<Check, 'check' | 'subject'> & { container?: string | undefined },
  action: string,
  ctx: CheckContext,
): Check {
  rethrowAbort(err, ctx.signal);
  const { container, ...rest } = base;
  const where = container ? { container } : {};
  if (isAccessDenied(err)) {
    return { ...rest, ...where, outcome: 'skipped', message: `not checked: the role may not call ${action}` };
  }
  return { ...rest, ...where, outcome: 'warning', message: `could not check (${action}): ${errorMessage(err)}` };
}

const ok = (check: CheckKind, subject: string, message: string, container?: string): Check => ({
  check,
  subject,
  outcome: 'ok',
  message,
  ...(container ? { container } : {}),
});
const failed = (check: CheckKind, subject: string, message: string, fix: string, container?: string): Check => ({
  check,
  subject,
  outcome: 'failed',
  message,
  fix,
  ...(container ? { container } : {}),
});

// ── images ──────────────────────────────────────────────────────────────────────────────────────────────────────

export interface ImageCheckResult {
  checks: Check[];
  facts: Omit<ImageFacts, 'container'>;
}

/** An image: it exists, and its platform fits the task (ECR through the API, other registries through /v2/). */
export async function checkImage(
  image: string,
  location: ImageLocation,
  want: Platform | undefined,
  ctx: CheckContext,
): Promise<ImageCheckResult> {
  if (location.kind === 'invalid') {
    return {
      checks: [failed('image', image, `${JSON.stringify(image)} is not an image reference`, 'fix the image URI')],
      facts: { image },
    };
  }
  if (location.kind === 'ecr') return checkEcrImage(image, location, want, ctx);
  return checkRegistryImage(image, location, want, ctx);
}

async function checkEcrImage(
  image: string,
  loc: Extract<ImageLocation, { kind: 'ecr' }>,
  want: Platform | undefined,
  ctx: CheckContext,
): Promise<ImageCheckResult> {
  const ecr = ctx.clients.ecr(loc.region ?? ctx.region);
  const registry = loc.registryId ? { registryId: loc.registryId } : {};
  const imageId = loc.digest ? { imageDigest: loc.digest } : { imageTag: loc.tag ?? 'latest' };
  const ref = loc.digest ?? `tag ${loc.tag ?? 'latest'}`;
  let out: BatchGetImageCommandOutput;
  try {
    out = await ecr.send(
      new BatchGetImageCommand({
        ...registry,
        repositoryName: loc.repository,
        imageIds: [imageId],
        acceptedMediaTypes: ACCEPTED_MANIFEST_TYPES,
      }),
      { abortSignal: ctx.signal },
    );
  } catch (err) {
    if ((err as { name?: string }).name === 'RepositoryNotFoundException') {
      return {
        checks: [
          failed(
            'image',
            image,
            `ECR repository ${loc.repository} does not exist${loc.registryId ? ` in registry ${loc.registryId}` : ''}${loc.region ? ` (${loc.region})` : ''}: ECS would fail to pull ${image} (CannotPullContainerError)`,
            'create the repository and push the image (build-push-ecr), or fix the image URI',
          ),
        ],
        facts: { image },
      };
    }
    return {
      checks: [errorCheck(err, { check: 'image', subject: image }, 'ecr:BatchGetImage', ctx)],
      facts: { image },
    };
  }
  const found = out.images?.[0];
  if (!found?.imageManifest) {
    return {
      checks: [
        failed(
          'image',
          image,
          `${ref} not found in ECR repository ${loc.repository}: ECS would fail to pull ${image} (CannotPullContainerError … not found)`,
          'push the image (build-push-ecr) before deploying, or fix the tag / digest',
        ),
      ],
      facts: { image },
    };
  }
  const digest = found.imageId?.imageDigest;
  const manifest = parseJson<ManifestJson>(found.imageManifest) ?? {};
  const mediaType = found.imageManifestMediaType ?? manifest.mediaType;
  const facts: Omit<ImageFacts, 'container'> = { image, ...(digest ? { digest } : {}) };
  const exists = ok('image', image, `found${digest ? ` (${digest})` : ''}`);
  if (isIndex(mediaType, manifest)) {
    const offered = indexPlatforms(manifest);
    facts.platforms = offered.map(platformName);
    facts.multiPlatform = true;
    return { checks: [exists, platformCheck(image, want, offered, 'index')], facts };
  }
  if (!manifest.config?.digest) return { checks: [exists], facts };
  try {
    const url = await ecr.send(
      new GetDownloadUrlForLayerCommand({
        ...registry,
        repositoryName: loc.repository,
        layerDigest: manifest.config.digest,
      }),
      { abortSignal: ctx.signal },
    );
    const config = await fetchConfig(ctx, url.downloadUrl ?? '');
    facts.platforms = [platformName(config)];
    return { checks: [exists, platformCheck(image, want, [config], 'single')], facts };
  } catch (err) {
    return {
      checks: [exists, errorCheck(err, { check: 'platform', subject: image }, 'ecr:GetDownloadUrlForLayer', ctx)],
      facts,
    };
  }
}

async function fetchConfig(ctx: CheckContext, url: string): Promise<PlatformSpec> {
  const res = await ctx.clients.fetch(url, { signal: withTimeout(ctx.signal, 15_000) });
  if (!res.ok) throw new Error(`config blob download answered HTTP ${res.status}`);
  const text = await res.text();
  const config = parseJson<PlatformSpec>(text);
  if (!config) throw new Error('the config blob is not JSON');
  return {
    ...(config.os ? { os: config.os } : {}),
    ...(config.architecture ? { architecture: config.architecture } : {}),
    ...(config.variant ? { variant: config.variant } : {}),
  };
}

function platformCheck(
  image: string,
  want: Platform | undefined,
  offered: PlatformSpec[],
  kind: 'index' | 'single',
): Check {
  const names = offered.map(platformName).join(', ');
  if (!want) return ok('platform', image, `${names} (EC2 task without runtimePlatform: not checked)`);
  const problem =
    kind === 'index' ? indexPlatformProblem(image, offered, want) : imagePlatformProblem(image, offered[0] ?? {}, want);
  if (problem) return failed('platform', image, problem.message, problem.fix);
  return ok(
    'platform',
    image,
    `${kind === 'index' ? `index of ${names}` : names}: runs on ${want.os}/${want.architecture}`,
  );
}

async function checkRegistryImage(
  image: string,
  loc: Extract<ImageLocation, { kind: 'registry' }>,
  want: Platform | undefined,
  ctx: CheckContext,
): Promise<ImageCheckResult> {
  const signal = withTimeout(ctx.signal, 10_000);
  try {
    const got = await fetchRegistryManifest(loc, ctx.clients.fetch, signal);
    if (!got) {
      return {
        checks: [
          failed(
            'image',
            image,
            `${image} not found on ${loc.host}: ECS would fail to pull it (CannotPullContainerError)`,
            'push the image, or fix the image reference',
          ),
        ],
        facts: { image },
      };
    }
    const facts: Omit<ImageFacts, 'container'> = { image, ...(got.digest ? { digest: got.digest } : {}) };
    const exists = ok('image', image, `found on ${loc.host}${got.digest ? ` (${got.digest})` : ''}`);
    if (isIndex(got.mediaType, got.manifest)) {
      const offered = indexPlatforms(got.manifest);
      facts.platforms = offered.map(platformName);
      facts.multiPlatform = true;
      return { checks: [exists, platformCheck(image, want, offered, 'index')], facts };
    }
    if (!got.manifest.config?.digest) return { checks: [exists], facts };
    const config = await fetchRegistryConfig(loc, got.manifest.config.digest, got.token, ctx.clients.fetch, signal);
    facts.platforms = [platformName(config)];
    return { checks: [exists, platformCheck(image, want, [config], 'single')], facts };
  } catch (err) {
    rethrowAbort(err, ctx.signal);
    const why = err instanceof RegistryUnavailable ? err.message : errorMessage(err);
    return {
      checks: [{ check: 'image', subject: image, outcome: 'warning', message: `not checked: ${loc.host} ${why}` }],
      facts: { image },
    };
  }
}

// ── secrets ─────────────────────────────────────────────────────────────────────────────────────────────────────

/** A secret reference exists (metadata only: DescribeSecret / DescribeParameters, never a value). */
export async function checkSecret(container: string, name: string, ref: SecretRef, ctx: CheckContext): Promise<Check> {
  const subject = `${name} ← ${ref.valueFrom}`;
  if (ref.kind === 'invalid') {
    return failed('secret', subject, `${ref.valueFrom}: ${ref.problem}`, 'fix the valueFrom of the secret', container);
  }
  const resourceInit = 'ECS would stop every task (ResourceInitializationError: unable to pull secrets)';
  const account = ref.valueFrom.startsWith('arn:') ? ref.valueFrom.split(':')[4] : undefined;
  if (account && ctx.accountId && account !== ctx.accountId) {
    // Another account's secret is read by the execution role through that account's resource policy, which seldom
    // grants the deploy role anything: not ours to judge.
    return {
      check: 'secret',
      container,
      subject,
      outcome: 'skipped',
      message: `not checked: a secret of account ${account} (the services are in ${ctx.accountId})`,
    };
  }
  if (ref.kind === 'secretsmanager') {
    try {
      const d = await ctx.clients
        .secretsManager(ref.region)
        .send(new DescribeSecretCommand({ SecretId: ref.secretId }), { abortSignal: ctx.signal });
      if (d.DeletedDate) {
        return failed(
          'secret',
          subject,
          `secret ${d.Name ?? ref.secretId} is scheduled for deletion: ${resourceInit}`,
          'restore it (aws secretsmanager restore-secret) or point valueFrom at another secret',
          container,
        );
      }
      const stages = Object.entries(d.VersionIdsToStages ?? {});
      if (ref.versionId && !stages.some(([id]) => id === ref.versionId)) {
        return failed(
          'secret',
          subject,
          `secret ${d.Name} has no version ${ref.versionId}: ${resourceInit}`,
          'fix the version id in valueFrom (or leave it empty for AWSCURRENT)',
          container,
        );
      }
      if (ref.versionStage && !stages.some(([, s]) => (s ?? []).includes(ref.versionStage!))) {
        return failed(
          'secret',
          subject,
          `secret ${d.Name} has no version labelled ${ref.versionStage}: ${resourceInit}`,
          'fix the version stage in valueFrom (or leave it empty for AWSCURRENT)',
          container,
        );
      }
      return ok('secret', subject, `Secrets Manager secret ${d.Name ?? ref.secretId} exists`, container);
    } catch (err) {
      if ((err as { name?: string }).name === 'ResourceNotFoundException') {
        return failed(
          'secret',
          subject,
          `Secrets Manager secret ${ref.secretId} does not exist in ${ref.region}: ${resourceInit}`,
          `create the secret in ${ref.region}, or fix the ARN in valueFrom`,
          container,
        );
      }
      return errorCheck(err, { check: 'secret', subject, container }, 'secretsmanager:DescribeSecret', ctx);
    }
  }
  try {
    const out = await ctx.clients
      .ssm(ref.region)
      .send(
        new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [ref.name] }] }),
        { abortSignal: ctx.signal },
      );
    if (!(out.Parameters ?? []).some((p) => p.Name === ref.name)) {
      return failed(
        'secret',
        subject,
        `SSM parameter ${ref.name} does not exist in ${ref.region}: ${resourceInit}`,
        `create it (aws ssm put-parameter --name ${ref.name} --type SecureString …) in ${ref.region}, or fix valueFrom`,
        container,
      );
    }
    return ok('secret', subject, `SSM parameter ${ref.name} exists`, container);
  } catch (err) {
    return errorCheck(err, { check: 'secret', subject, container }, 'ssm:DescribeParameters', ctx);
  }
}

/**
 * `verify-secret-keys`: the JSON key a reference names is in the secret's value. The value is read (GetSecretValue),
 * parsed and dropped inside this function; it is never logged, returned or kept, and a parse error's text (which may
 * quote the value) is never used.
 */
export async function checkSecretKey(
  container: string,
  name: string,
  ref: Extract<SecretRef, { kind: 'secretsmanager' }> & { jsonKey: string },
  ctx: CheckContext,
): Promise<Check> {
  const subject = `${name} ← ${ref.valueFrom}`;
  try {
    const out = await ctx.clients.secretsManager(ref.region).send(
      new GetSecretValueCommand({
        SecretId: ref.secretId,
        ...(ref.versionStage ? { VersionStage: ref.versionStage } : {}),
        ...(ref.versionId ? { VersionId: ref.versionId } : {}),
      }),
      { abortSignal: ctx.signal },
    );
    const has = jsonHasKey(out.SecretString, ref.jsonKey);
    if (has === 'not-json') {
      return failed(
        'secret-key',
        subject,
        `secret ${ref.secretId} is not a JSON object, so it has no key ${ref.jsonKey}: ECS would stop every task (ResourceInitializationError)`,
        `store the secret as JSON with the key ${ref.jsonKey}, or drop ":${ref.jsonKey}::" from valueFrom`,
        container,
      );
    }
    if (!has) {
      return failed(
        'secret-key',
        subject,
        `secret ${ref.secretId} has no JSON key ${ref.jsonKey}: ECS would stop every task (ResourceInitializationError: retrieved secret from Secrets Manager did not contain json key ${ref.jsonKey})`,
        `add the key ${ref.jsonKey} to the secret's JSON value, or fix the key in valueFrom`,
        container,
      );
    }
    return ok('secret-key', subject, `key ${ref.jsonKey} present`, container);
  } catch (err) {
    if ((err as { name?: string }).name === 'ResourceNotFoundException') {
      return failed(
        'secret-key',
        subject,
        `secret ${ref.secretId} has no such version: ECS would stop every task (ResourceInitializationError)`,
        'fix the version in valueFrom',
        container,
      );
    }
    return errorCheck(err, { check: 'secret-key', subject, container }, 'secretsmanager:GetSecretValue', ctx);
  }
}

/** Whether a secret string is a JSON object with `key`; never lets the value or a parse message out. */
export function jsonHasKey(secret: string | undefined, key: string): boolean | 'not-json' {
  if (secret === undefined) return 'not-json';
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret);
  } catch {
    return 'not-json';
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return 'not-json';
  return Object.hasOwn(parsed, key);
}

// ── log groups ──────────────────────────────────────────────────────────────────────────────────────────────────

export async function checkLogGroup(
  container: string,
  group: { group: string; region: string; create: boolean },
  ctx: CheckContext,
): Promise<Check> {
  const subject = `${group.group} (${group.region})`;
  if (group.create) {
    return ok(
      'log-group',
      subject,
      'awslogs-create-group: "true": ECS creates it (the execution role needs logs:CreateLogGroup)',
      container,
    );
  }
  try {
    const logs = ctx.clients.logs(group.region);
    let nextToken: string | undefined;
    for (let page = 0; page < 5; page++) {
      const out = await logs.send(
        new DescribeLogGroupsCommand({ logGroupNamePrefix: group.group, ...(nextToken ? { nextToken } : {}) }),
        { abortSignal: ctx.signal },
      );
      if ((out.logGroups ?? []).some((g) => g.logGroupName === group.group)) {
        return ok('log-group', subject, 'exists', container);
      }
      nextToken = out.nextToken;
      if (!nextToken) break;
    }
    return failed(
      'log-group',
      subject,
      `log group ${group.group} does not exist in ${group.region}: ECS would stop every task (ResourceInitializationError: failed to validate logger args … The specified log group does not exist)`,
      `create it (aws logs create-log-group --log-group-name ${group.group} --region ${group.region}), or set the awslogs option awslogs-create-group: "true" (the execution role then needs logs:CreateLogGroup)`,
      container,
    );
  } catch (err) {
    return errorCheck(err, { check: 'log-group', subject, container }, 'logs:DescribeLogGroups', ctx);
  }
}

// ── roles ───────────────────────────────────────────────────────────────────────────────────────────────────────

const ROLE_ARN_RE = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

/** The execution role Fargate needs is set; a role that is set exists and trusts ecs-tasks.amazonaws.com. */
export async function checkRole(
  kind: 'execution-role' | 'task-role',
  arn: string | undefined,
  neededFor: readonly string[],
  ctx: CheckContext,
): Promise<Check | undefined> {
  const field = kind === 'execution-role' ? 'executionRoleArn' : 'taskRoleArn';
  if (!arn) {
    if (kind === 'task-role' || neededFor.length === 0) return undefined;
    return failed(
      'execution-role',
      field,
      `Fargate needs an execution role for ${neededFor.join(', ')}, and the task definition has no "executionRoleArn" (ECS refuses to register it, or its tasks fail to start)`,
      'set "executionRoleArn" to a role ecs-tasks.amazonaws.com can assume, with the AmazonECSTaskExecutionRolePolicy permissions (and secretsmanager:GetSecretValue / ssm:GetParameters for its secrets)',
    );
  }
  const m = ROLE_ARN_RE.exec(arn);
  if (!m)
    return failed(
      kind,
      arn,
      `${field} ${arn} is not an IAM role ARN`,
      `set ${field} to arn:aws:iam::<account>:role/<name>`,
    );
  if (ctx.accountId && m[1] !== ctx.accountId) {
    return {
      check: kind,
      subject: arn,
      outcome: 'skipped',
      message: `not checked: a role of account ${m[1]} (the services are in ${ctx.accountId})`,
    };
  }
  try {
    const out = await ctx.clients.iam().send(new GetRoleCommand({ RoleName: m[2] }), { abortSignal: ctx.signal });
    const trust = trustsEcsTasks(out.Role?.AssumeRolePolicyDocument);
    if (trust === false) {
      return failed(
        kind,
        arn,
        `role ${m[2]} exists but ecs-tasks.amazonaws.com may not assume it: ECS cannot use it`,
        "add ecs-tasks.amazonaws.com as a trusted service (sts:AssumeRole) in the role's trust policy",
      );
    }
    return ok(kind, arn, trust ? 'exists, trusts ecs-tasks.amazonaws.com' : 'exists');
  } catch (err) {
    if (
      (err as { name?: string }).name === 'NoSuchEntityException' ||
      (err as { name?: string }).name === 'NoSuchEntity'
    ) {
      return failed(kind, arn, `role ${m[2]} does not exist`, `create the role, or fix ${field}`);
    }
    return errorCheck(err, { check: kind, subject: arn }, 'iam:GetRole', ctx);
  }
}

/** true / false from a trust policy (URL-encoded JSON, as GetRole returns it); undefined when it cannot be read. */
export function trustsEcsTasks(document: string | undefined): boolean | undefined {
  if (!document) return undefined;
  let policy: { Statement?: unknown } | undefined;
  try {
    policy = JSON.parse(decodeURIComponent(document));
  } catch {
    policy = parseJson(document);
  }
  if (!policy) return undefined;
  const statements = (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]) as Array<
    Record<string, unknown>
  >;
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);
  return statements.some(
    (s) =>
      s?.Effect === 'Allow' &&
      list(s.Action).some((a) => /^sts:(AssumeRole|\*)$/i.test(a) || a === '*') &&
      list((s.Principal as { Service?: unknown } | undefined)?.Service).includes('ecs-tasks.amazonaws.com'),
  );
}

// ── helpers ─────────────────────────────────────────────────────────────────────────────────────────────────────

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** The caller's signal combined with a timeout for one network read. */
export function withTimeout(signal: AbortSignal | undefined, ms: number): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}
