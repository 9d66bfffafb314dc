// What a Fargate task start finds wrong with the account, in the order ECS meets it, with the stoppedReason texts
// ECS writes (issue #13 and seed 000's troubleshooting list):
//  1. PENDING, execution resources: every secret / SSM parameter must resolve (ResourceInitializationError);
//  2. PENDING, image pull: the image must exist and, for an index, list the task's platform (CannotPullContainerError);
//  3. PENDING, container create: the awslogs group must exist unless `awslogs-create-group` is "true"
//     (ResourceInitializationError: failed to validate logger args …);
//  4. RUNNING: a single-platform image of another architecture starts and its entrypoint dies with
//     "exec format error", exit code 1 → "Essential container in task exited".
// Each step runs only when its Realism switch is on (see types.ts and the README).
import type { Realism } from '../types.ts';
import {
  INDEX_MEDIA_TYPES,
  imageConfig,
  imagePlatform,
  indexPlatforms,
  ociPlatformFor,
  type Platform,
} from './ecr-images.ts';
import type { EcrStore, ImageRecord } from './ecr-store.ts';
import type { ContainerDefinition, TaskDefinition } from './ecs-model.ts';
import { parseSecretRef } from './ecs-secret-refs.ts';
import type { LogsService } from './logs.ts';
import type { SecretsManagerService } from './secretsmanager.ts';
import type { SsmService } from './ssm.ts';

export interface TaskStartContext {
  realism: Realism;
  secrets?: SecretsManagerService;
  ssm?: SsmService;
  ecr?: EcrStore;
  logs?: LogsService;
}

export type TaskStartOutcome =
  | { kind: 'ok' }
  /** The task never runs: stoppedReason = reason, stopCode TaskFailedToStart; `container` gets reason too. */
  | { kind: 'failToStart'; reason: string; container?: string }
  /** The task runs and the named container exits at once with `exitCode`, writing `line` to its log. */
  | { kind: 'exitOnStart'; container: string; exitCode: number; line: string };

const SECRETS_PREFIX =
  'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed:';
// The Fargate texts: "unable to retrieve secret from asm: service call has been retried 1 time(s): …" (seed 000,
// the emulator's missingSecret behaviour), "unable to retrieve secrets from ssm: service call has been retried 1
// time(s): invalid ssm parameters: /api//new-relic-license-key" (HHS/simpler-grants-gov#4330).
const ASM = `${SECRETS_PREFIX} unable to retrieve secret from asm: service call has been retried 1 time(s):`;
const SSM = `${SECRETS_PREFIX} unable to retrieve secrets from ssm: service call has been retried 1 time(s):`;

function allSecretRefs(td: TaskDefinition): string[] {
  const out: string[] = [];
  for (const c of td.containerDefinitions) {
    for (const s of c.secrets ?? []) out.push(s.valueFrom);
    const options = (c.logConfiguration as { secretOptions?: Array<{ valueFrom: string }> } | undefined)?.secretOptions;
    for (const s of options ?? []) out.push(s.valueFrom);
  }
  return out;
}

/** Step 1. The agent's messages (agent/asm/asm.go): a missing secret, a missing JSON key, a value that is no JSON. */
function checkSecrets(td: TaskDefinition, c: TaskStartContext): string | undefined {
  const refs = allSecretRefs(td).map(parseSecretRef);
  for (const ref of refs) {
    if (ref.kind === 'invalid') return `${ASM} ${ref.error}`;
    if (ref.kind !== 'secretsmanager' || !c.secrets) continue;
    const got = c.secrets.resolveValue(ref.secretId, ref.versionStage, ref.versionId);
    if (!got.ok) {
      return `${ASM} ResourceNotFoundException: The task can't retrieve the secret with ARN '${ref.secretId}' from AWS Secrets Manager. Check whether the secret exists in the specified Region: ResourceNotFoundException: ${got.message}`;
    }
    if (ref.jsonKey === undefined) continue;
    let doc: unknown;
    try {
      doc = JSON.parse(got.value);
    } catch {
      // what Go's json.Unmarshal answers for a value that is not JSON
      return `${ASM} invalid character '${got.value.trimStart()[0] ?? ''}' looking for beginning of value`;
    }
    if (!doc || typeof doc !== 'object' || !(ref.jsonKey in (doc as Record<string, unknown>))) {
      return `${ASM} retrieved secret from Secrets Manager did not contain json key ${ref.jsonKey}`;
    }
  }
  const missing = refs.filter((r) => r.kind === 'ssm' && c.ssm?.parameterValue(r.valueFrom) === undefined);
  if (c.ssm && missing.length > 0) return `${SSM} invalid ssm parameters: ${missing.map((r) => r.valueFrom).join(',')}`;
  return undefined;
}

/** Whether an image lives on the emulator's registry: an ECR registry host or the emulator itself (127.0.0.1 / localhost). */
export function isEmulatorRegistryImage(image: string): boolean {
  const host = image.split('/')[0] ?? '';
  if (!image.includes('/')) return false;
  return (
    /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(host) ||
    /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host)
  );
}

const matchesPlatform = (p: Platform, want: Platform) =>
  p.os === want.os &&
  p.architecture === want.architecture &&
  (want.architecture !== 'arm64' || !p.variant || p.variant === 'v8');

/** The command the container would exec: the config's Entrypoint, else its Cmd, else the task's command. */
function entrypointOf(def: ContainerDefinition, config: Record<string, unknown> | undefined): string {
  const cfg = (config?.config ?? {}) as { Entrypoint?: string[] | null; Cmd?: string[] | null };
  const fromTask = (def.entryPoint as string[] | undefined)?.[0] ?? def.command?.[0];
  return fromTask ?? cfg.Entrypoint?.[0] ?? cfg.Cmd?.[0] ?? '/bin/sh';
}

/** Steps 2 and 4 for one container. */
function checkImage(def: ContainerDefinition, want: Platform, ecr: EcrStore): TaskStartOutcome | undefined {
  if (!isEmulatorRegistryImage(def.image)) return undefined; // docker.io, public.ecr.aws…: not ours to judge
  const found = ecr.findImage(def.image);
  if (!found) {
    return {
      kind: 'failToStart',
      container: def.name,
      reason: `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${def.image}: not found`,
    };
  }
  let image: ImageRecord = found.image;
  if (INDEX_MEDIA_TYPES.includes(image.mediaType)) {
    const entry = indexPlatforms(image).find((p) => matchesPlatform(p, want));
    const child = entry ? found.repository.images.get(entry.digest) : undefined;
    if (!child) {
      // containerd's words (Fargate pulls with containerd); Docker on EC2 says "no matching manifest for
      // linux/arm64/v8 in the manifest list entries". Fargate's exact text is not published.
      return {
        kind: 'failToStart',
        container: def.name,
        reason: `CannotPullContainerError: pull image manifest has been retried 5 time(s): no match for platform in manifest ${image.digest}: not found`,
      };
    }
    image = child;
  }
  const platform = imagePlatform(found.repository, image);
  if (platform && !matchesPlatform(platform, want)) {
    // The pull succeeds (nothing checks a single-platform image's architecture); the binary cannot run:
    // "exec /usr/local/bin/streamlit: exec format error" and exit 1 (aws-samples/amazon-bedrock-serverless-prompt-chaining#213).
    return {
      kind: 'exitOnStart',
      container: def.name,
      exitCode: 1,
      line: `exec ${entrypointOf(def, imageConfig(found.repository, image))}: exec format error`,
    };
  }
  return undefined;
}

/** Step 3: the awslogs driver validates its group when the container is created. */
function checkLogGroups(td: TaskDefinition, logs: LogsService): string | undefined {
  for (const c of td.containerDefinitions) {
    const lc = c.logConfiguration;
    if (lc?.logDriver !== 'awslogs') continue;
    const group = lc.options?.['awslogs-group'];
    if (!group || lc.options?.['awslogs-create-group'] === 'true' || logs.hasGroup(group)) continue;
    return 'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1';
  }
  return undefined;
}

/** The first thing ECS would trip over when starting a task of `td`, or ok. */
export function checkTaskStart(td: TaskDefinition, c: TaskStartContext): TaskStartOutcome {
  if (c.realism.secrets) {
    const reason = checkSecrets(td, c);
    if (reason) return { kind: 'failToStart', reason };
  }
  let exit: TaskStartOutcome | undefined;
  if (c.realism.images && c.ecr) {
    const want = ociPlatformFor(td.runtimePlatform as { cpuArchitecture?: string; operatingSystemFamily?: string });
    for (const def of td.containerDefinitions) {
      const outcome = checkImage(def, want, c.ecr);
      if (outcome?.kind === 'failToStart') return outcome;
      if (outcome && !exit && def.essential !== false) exit = outcome;
    }
  }
  if (c.realism.logGroups && c.logs) {
    const reason = checkLogGroups(td, c.logs);
    if (reason) return { kind: 'failToStart', reason };
  }
  return exit ?? { kind: 'ok' };
}
