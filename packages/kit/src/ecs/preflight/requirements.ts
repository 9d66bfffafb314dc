import { parseEcrHost } from '../../ecr/digest';
import { parseImageRef } from '../../runtime/inputs/image';
import type { TaskDefJson } from '../taskdef/taskdef';
import type { Platform } from './model';

// What a task definition needs from the account before ECS can start it, read from its JSON alone (pure): the
// platform it runs on, each image and where it lives, each secret reference and how ECS will resolve it, each awslogs
// log group, and whether Fargate needs an execution role for it. The checks (checks.ts) then look each one up.

export type ImageLocation =
  /** An ECR private registry (or the configured ECR endpoint's host, e.g. the local emulator). */
  | { kind: 'ecr'; registryId?: string; region?: string; repository: string; tag?: string; digest?: string }
  /** Any other registry, reached through its OCI distribution API. */
  | { kind: 'registry'; host: string; repository: string; reference: string; insecure: boolean }
  | { kind: 'invalid' };

export type SecretRef =
  | {
      kind: 'secretsmanager';
      valueFrom: string;
      /** The secret's ARN without the json-key / version fields. */
      secretId: string;
      region: string;
      jsonKey?: string;
      versionStage?: string;
      versionId?: string;
    }
  | { kind: 'ssm'; valueFrom: string; name: string; region: string }
  | { kind: 'invalid'; valueFrom: string; problem: string };

export interface Requirements {
  fargate: boolean;
  /** Undefined for an EC2-only task without runtimePlatform: it runs on the instance's platform. */
  platform?: Platform;
  images: Array<{ container: string; image: string; location: ImageLocation }>;
  secrets: Array<{ container: string; name: string; ref: SecretRef }>;
  logGroups: Array<{ container: string; group: string; region: string; create: boolean }>;
  executionRoleArn?: string;
  taskRoleArn?: string;
  /** Why Fargate needs an execution role for this task (empty: it does not). */
  executionRoleNeededFor: string[];
}

interface Container {
  name?: string;
  image?: string;
  secrets?: Array<{ name?: string; valueFrom?: string }>;
  repositoryCredentials?: { credentialsParameter?: string };
  logConfiguration?: {
    logDriver?: string;
    options?: Record<string, string>;
    secretOptions?: Array<{ name?: string; valueFrom?: string }>;
  };
}

const DOCKER_HUB = 'registry-1.docker.io';

/** Where an image lives: ECR (by host, or the configured ECR endpoint's host), another registry, or invalid. */
export function imageLocation(image: string, ecrEndpointHost: string | undefined): ImageLocation {
  const ref = parseImageRef(image);
  if (!ref) return { kind: 'invalid' };
  const ecr = parseEcrHost(ref.registry);
  const tagOrDigest = {
    ...(ref.digest ? { digest: ref.digest } : { tag: ref.tag ?? 'latest' }),
  };
  if (ecr)
    return { kind: 'ecr', registryId: ecr.registryId, region: ecr.region, repository: ref.repository, ...tagOrDigest };
  if (ref.registry && ecrEndpointHost && sameHost(ref.registry, ecrEndpointHost)) {
    return { kind: 'ecr', repository: ref.repository, ...tagOrDigest };
  }
  const host = ref.registry ?? DOCKER_HUB;
  const repository = !ref.registry && !ref.repository.includes('/') ? `library/${ref.repository}` : ref.repository;
  return {
    kind: 'registry',
    host: host === 'docker.io' || host === 'index.docker.io' ? DOCKER_HUB : host,
    repository,
    reference: ref.digest ?? ref.tag ?? 'latest',
    insecure: /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(host),
  };
}

function sameHost(a: string, b: string): boolean {
  const canon = (h: string) => h.toLowerCase().replace(/^(localhost|\[::1\])(?=:|$)/, '127.0.0.1');
  return canon(a) === canon(b);
}

const ARN_RE = /^arn:(aws[\w-]*):([^:]+):([^:]*):([^:]*):(.+)$/;

/**
 * How ECS reads a `valueFrom` (the ECS agent's rules, amazon-ecs-agent asmsecret.go, and the developer guide's
 * "Pass sensitive data to an Amazon ECS container"): a Secrets Manager ARN, either the whole secret or
 * `…:secret:<name>:<json-key>:<version-stage>:<version-id>` with exactly those three fields (any may be empty);
 * anything else is an SSM parameter, by name (in the task's region) or ARN.
 */
export function parseSecretRef(valueFrom: string, taskRegion: string): SecretRef {
  const arn = ARN_RE.exec(valueFrom);
  if (arn?.[2] === 'secretsmanager') {
    const [, partition, service, region, account, resource] = arn as unknown as string[];
    const fields = (resource as string).split(':');
    if (fields[0] === 'secret' && fields.length === 2) {
      return { kind: 'secretsmanager', valueFrom, secretId: valueFrom, region: region || taskRegion };
    }
    if (fields[0] !== 'secret' || fields.length !== 5) {
      return {
        kind: 'invalid',
        valueFrom,
        problem:
          'not a Secrets Manager reference ECS can read: <secret-arn> or <secret-arn>:<json-key>:<version-stage>:<version-id>',
      };
    }
    const [, id, jsonKey, versionStage, versionId] = fields as [string, string, string, string, string];
    return {
      kind: 'secretsmanager',
      valueFrom,
      secretId: `arn:${partition}:${service}:${region}:${account}:secret:${id}`,
      region: region || taskRegion,
      ...(jsonKey ? { jsonKey } : {}),
      ...(versionStage ? { versionStage } : {}),
      ...(versionId ? { versionId } : {}),
    };
  }
  if (arn?.[2] === 'ssm') {
    const resource = arn[5] as string;
    if (!resource.startsWith('parameter/')) {
      return { kind: 'invalid', valueFrom, problem: 'an SSM ARN must name a parameter (…:parameter/<name>)' };
    }
    const path = resource.slice('parameter/'.length);
    // A hierarchical parameter `/a/b` has the ARN …:parameter/a/b; a plain one `db` has …:parameter/db.
    return { kind: 'ssm', valueFrom, name: path.includes('/') ? `/${path}` : path, region: arn[3] || taskRegion };
  }
  return { kind: 'ssm', valueFrom, name: valueFrom, region: taskRegion };
}

/** The platform a task runs on: runtimePlatform, else X86_64 / LINUX on Fargate; undefined for EC2-only. */
export function taskPlatform(td: TaskDefJson, fargate: boolean): Platform | undefined {
  const rp = (td.runtimePlatform ?? undefined) as
    | { cpuArchitecture?: string; operatingSystemFamily?: string }
    | undefined;
  if (!rp?.cpuArchitecture && !rp?.operatingSystemFamily && !fargate) return undefined;
  const cpu = rp?.cpuArchitecture ?? 'X86_64';
  const family = rp?.operatingSystemFamily ?? 'LINUX';
  return {
    architecture: cpu === 'ARM64' ? 'arm64' : 'amd64',
    os: family === 'LINUX' ? 'linux' : 'windows',
    label: `${cpu}/${family}${rp?.cpuArchitecture ? '' : ' (default)'}`,
  };
}

/** What the task definition needs (pure). */
export function taskRequirements(
  td: TaskDefJson,
  o: { fargate: boolean; taskRegion: string; ecrEndpointHost: string | undefined },
): Requirements {
  const containers = (Array.isArray(td.containerDefinitions) ? td.containerDefinitions : []) as Container[];
  const fargate =
    o.fargate ||
    (Array.isArray(td.requiresCompatibilities) && (td.requiresCompatibilities as string[]).includes('FARGATE'));
  const req: Requirements = {
    fargate,
    images: [],
    secrets: [],
    logGroups: [],
    executionRoleNeededFor: [],
  };
  const platform = taskPlatform(td, fargate);
  if (platform) req.platform = platform;
  if (typeof td.executionRoleArn === 'string' && td.executionRoleArn) req.executionRoleArn = td.executionRoleArn;
  if (typeof td.taskRoleArn === 'string' && td.taskRoleArn) req.taskRoleArn = td.taskRoleArn;
  const need = (why: string) => {
    if (fargate && !req.executionRoleNeededFor.includes(why)) req.executionRoleNeededFor.push(why);
  };
  for (const c of containers) {
    const container = c.name ?? '?';
    const image = String(c.image ?? '');
    const location = imageLocation(image, o.ecrEndpointHost);
    req.images.push({ container, image, location });
    if (location.kind === 'ecr') need(`pulling the private ECR image of ${container}`);
    if (c.repositoryCredentials?.credentialsParameter) need(`the registry credentials of ${container}`);
    for (const s of [...(c.secrets ?? []), ...(c.logConfiguration?.secretOptions ?? [])]) {
      if (!s.valueFrom) continue;
      req.secrets.push({ container, name: s.name ?? '?', ref: parseSecretRef(s.valueFrom, o.taskRegion) });
      need(`the secrets of ${container}`);
    }
    const log = c.logConfiguration;
    if (log?.logDriver === 'awslogs') {
      need(`the awslogs log driver of ${container}`);
      const group = log.options?.['awslogs-group'];
      if (group) {
        req.logGroups.push({
          container,
          group,
          region: log.options?.['awslogs-region'] || o.taskRegion,
          create: log.options?.['awslogs-create-group'] === 'true',
        });
      }
    }
  }
  return req;
}
