import { type EcrRepositorySettings, ecrTagIsImmutable } from '@deploy-actions/kit/ecr';
import { ConfigurationError, DeployFailure, REDACTED, redactArgv } from '@deploy-actions/kit/runtime';
import type { BuilderChoice, Inputs } from './inputs';

// Pure decisions: which builder, skip or build, and the exact argv of every builder command. No AWS, no processes.

export type Builder = 'buildx' | 'buildah';

/** What the runner has (probed by main: `docker buildx version` exit code, buildah on PATH). */
export interface BuilderProbe {
  buildx: boolean;
  buildah: boolean;
}

/** `auto` = docker buildx when `docker buildx version` works, else buildah. */
export function resolveBuilder(choice: BuilderChoice, probe: BuilderProbe, platforms: readonly string[]): Builder {
  let builder: Builder;
  if (choice === 'auto') {
    if (probe.buildx) builder = 'buildx';
    else if (probe.buildah) builder = 'buildah';
    else {
      throw new ConfigurationError(
        'builder',
        'neither docker buildx (`docker buildx version` failed) nor buildah is available on this runner',
      );
    }
  } else if (choice === 'buildx' && !probe.buildx) {
    throw new ConfigurationError('builder', 'buildx was asked for but `docker buildx version` failed on this runner');
  } else if (choice === 'buildah' && !probe.buildah) {
    throw new ConfigurationError('builder', 'buildah was asked for but it is not on PATH');
  } else {
    builder = choice as Builder;
  }
  if (builder === 'buildah' && platforms.length > 1) {
    throw new ConfigurationError(
      'platforms',
      `buildah builds one platform per run here; got ${platforms.join(', ')} (use builder: buildx for multi-platform)`,
    );
  }
  return builder;
}

/** The repository as DescribeRepositories reports it. */
export type RepositoryState = EcrRepositorySettings;

/** buildah's cache images are tagged with 64-hex layer keys; this stands for them in mutability checks. */
export const BUILDAH_CACHE_KEY_EXAMPLE = 'a'.repeat(64);

export type Decision =
  | {
      kind: 'skip';
      digest: string;
      reason: string;
      notes: string[] /** Tags that point at the digest. */;
      tags: string[];
    }
  | { kind: 'build'; notes: string[] };

/**
 * Skip or build, from the repository settings and the digests the tags already point at (tag → digest, only the
 * tags that exist). Failures that a build would hit at push time are thrown here, before anything is built.
 */
export function decide(
  inputs: Pick<Inputs, 'tags' | 'skipExisting' | 'cache' | 'cacheTag' | 'repository' | 'region'>,
  builder: Builder,
  repo: RepositoryState,
  existing: ReadonlyMap<string, string>,
): Decision {
  const first = inputs.tags[0]!;
  const firstDigest = existing.get(first);
  if (firstDigest && inputs.skipExisting) {
    // Other tags are not touched on a skip: say so when they do not point at the same image.
    const notes = inputs.tags
      .slice(1)
      .filter((t) => existing.get(t) !== firstDigest)
      .map(
        (t) => `tag ${t} ${existing.has(t) ? `points at ${existing.get(t)}` : 'does not exist'} and was not changed`,
      );
    return {
      kind: 'skip',
      digest: firstDigest,
      reason: `tag ${first} already exists in ${repo.name} (${firstDigest}); skip-existing is on`,
      notes,
      tags: inputs.tags.filter((t) => existing.get(t) === firstDigest),
    };
  }
  const immutable = (tag: string) => ecrTagIsImmutable(repo.mutability, repo.exclusionFilters, tag);
  for (const tag of inputs.tags) {
    const digest = existing.get(tag);
    if (digest && immutable(tag)) {
      throw new ConfigurationError(
        'tags',
        `tag ${tag} already exists in ${repo.name} (${digest}) and the repository's tags are ${repo.mutability}: ` +
          'ECR rejects the push. Use a new tag, or keep skip-existing: true with this tag first to reuse the image.',
      );
    }
  }
  if (inputs.cache === 'ecr') {
    const cacheTag = builder === 'buildx' ? inputs.cacheTag : BUILDAH_CACHE_KEY_EXAMPLE;
    if (immutable(cacheTag)) {
      const what =
        builder === 'buildx' ? `the cache tag ${inputs.cacheTag}` : "buildah's cache tags (64-hex layer keys)";
      const filter = builder === 'buildx' ? inputs.cacheTag : '*';
      throw new ConfigurationError(
        'cache',
        `cache: ecr needs ${what} to be overwritable, but ${repo.name} is ${repo.mutability}. ` +
          `Set the repository to IMMUTABLE_WITH_EXCLUSION with a WILDCARD exclusion filter '${filter}' ` +
          `(aws ecr put-image-tag-mutability --image-tag-mutability IMMUTABLE_WITH_EXCLUSION ` +
          `--image-tag-mutability-exclusion-filters filterType=WILDCARD,filter=${filter}), or use cache: off.`,
      );
    }
  }
  const notes: string[] = [];
  for (const tag of inputs.tags) {
    const digest = existing.get(tag);
    if (digest) notes.push(`tag ${tag} exists (${digest}) and will be moved to the new image`);
  }
  return { kind: 'build', notes };
}

/** Everything a builder command needs. */
export interface BuildPlan {
  builder: Builder;
  /** `<registry host>/<repository>`. */
  repositoryUri: string;
  /** `<repositoryUri>:<tag>` for every tag, first tag first. */
  refs: string[];
  context: string;
  dockerfile: string;
  platforms: string[];
  buildArgs: Array<[string, string]>;
  labels: Array<[string, string]>;
  cache: 'ecr' | 'off';
  cacheTag: string;
  provenance: boolean;
  /** Plain-http registry (the local emulator): buildah `--tls-verify=false`. */
  insecure: boolean;
  /** Where buildx writes --metadata-file / buildah --digestfile (per ref: `<digestFile>.<index>`). */
  metadataFile: string;
  digestFile: string;
  /** buildah only: credentials file of this run (removed on logout). */
  authFile: string;
  /** buildah only: global storage options (undefined: buildah's defaults). */
  storage: BuildahStorage;
  /** buildx only: the builder instance to use (`--builder`); undefined = the current one. */
  buildxBuilder?: string;
  /** buildx only: DOCKER_CONFIG / BUILDX_CONFIG of this run (docker-config.ts), for every docker command. */
  dockerEnv?: Record<string, string>;
}

export interface BuildahStorage {
  driver?: string | undefined;
  root?: string | undefined;
  runroot?: string | undefined;
  isolation?: string | undefined;
}

export function makePlan(
  inputs: Inputs,
  builder: Builder,
  repositoryUri: string,
  options: {
    insecure: boolean;
    workDir: string;
    storage: BuildahStorage;
  },
): BuildPlan {
  return {
    builder,
    repositoryUri,
    refs: inputs.tags.map((t) => `${repositoryUri}:${t}`),
    context: inputs.context,
    dockerfile: inputs.dockerfile,
    platforms: inputs.platforms,
    buildArgs: inputs.buildArgs,
    labels: inputs.labels,
    cache: inputs.cache,
    cacheTag: inputs.cacheTag,
    provenance: inputs.provenance,
    insecure: options.insecure,
    metadataFile: `${options.workDir}/metadata.json`,
    digestFile: `${options.workDir}/digest`,
    authFile: `${options.workDir}/auth.json`,
    storage: options.storage,
  };
}

function commonBuildFlags(plan: BuildPlan): string[] {
  const args = ['--file', plan.dockerfile, '--platform', plan.platforms.join(',')];
  for (const ref of plan.refs) args.push('--tag', ref);
  for (const [k, v] of plan.buildArgs) args.push('--build-arg', `${k}=${v}`);
  for (const [k, v] of plan.labels) args.push('--label', `${k}=${v}`);
  return args;
}

/** `docker` argv: buildx build that pushes every tag, registry cache in the repository, digest in the metadata file. */
export function buildxArgs(plan: BuildPlan): string[] {
  const args = ['buildx', 'build', ...(plan.buildxBuilder ? ['--builder', plan.buildxBuilder] : [])];
  args.push(...commonBuildFlags(plan));
  // Default attestations turn the push into an index with an unknown/unknown entry (Lambda rejects it).
  args.push(`--provenance=${plan.provenance ? 'mode=max' : 'false'}`);
  if (plan.cache === 'ecr') {
    const ref = `${plan.repositoryUri}:${plan.cacheTag}`;
    args.push('--cache-from', `type=registry,ref=${ref}`);
    // ECR rejects buildx's default cache manifest list: an OCI image manifest is required.
    args.push('--cache-to', `type=registry,ref=${ref},mode=max,image-manifest=true,oci-mediatypes=true`);
  }
  args.push('--push', '--metadata-file', plan.metadataFile, plan.context);
  return args;
}

/** The driver of the current buildx builder, from `docker buildx inspect` output (`Driver: docker`). */
export function buildxDriver(inspectOutput: string): string | undefined {
  return /^Driver:\s*(\S+)/m.exec(inspectOutput)?.[1];
}

/**
 * The `docker` driver (what a runner has before docker/setup-buildx-action) cannot export a registry cache
 * ("Cache export is not supported for the docker driver"): then the action makes its own docker-container builder.
 * An unknown driver (inspect failed) is left to buildx.
 */
export function needsOwnBuilder(driver: string | undefined, cache: 'ecr' | 'off'): boolean {
  return cache === 'ecr' && driver === 'docker';
}

/** A throwaway docker-container builder for this run, and its removal. */
export function buildxCreateArgs(name: string): string[] {
  return ['buildx', 'create', '--name', name, '--driver', 'docker-container', '--bootstrap'];
}

export function buildxRemoveArgs(name: string): string[] {
  return ['buildx', 'rm', name];
}

function buildahGlobal(storage: BuildahStorage): string[] {
  const args: string[] = [];
  if (storage.driver) args.push('--storage-driver', storage.driver);
  if (storage.root) args.push('--root', storage.root);
  if (storage.runroot) args.push('--runroot', storage.runroot);
  return args;
}

function tlsFlags(plan: BuildPlan): string[] {
  return plan.insecure ? ['--tls-verify=false'] : [];
}

export interface BuildahCommands {
  build: string[];
  push: Array<{ ref: string; digestFile: string; args: string[] }>;
}

/** `buildah` argv: one `bud` and one `push --digestfile` per tag (the blobs go up once; later pushes are manifests). */
export function buildahArgs(plan: BuildPlan): BuildahCommands {
  const global = buildahGlobal(plan.storage);
  const build = [...global, 'bud'];
  if (plan.storage.isolation) build.push('--isolation', plan.storage.isolation);
  build.push('--authfile', plan.authFile, ...tlsFlags(plan), ...commonBuildFlags(plan));
  if (plan.cache === 'ecr') {
    build.push('--layers', '--cache-from', plan.repositoryUri, '--cache-to', plan.repositoryUri);
  }
  build.push(plan.context);
  const push = plan.refs.map((ref, i) => {
    const digestFile = `${plan.digestFile}.${i}`;
    return {
      ref,
      digestFile,
      args: [...global, 'push', '--authfile', plan.authFile, ...tlsFlags(plan), '--digestfile', digestFile, ref],
    };
  });
  return { build, push };
}

/** Log in with the password on stdin (never in argv). */
export function loginArgs(plan: BuildPlan, host: string): string[] {
  if (plan.builder === 'buildx') return ['login', '--username', 'AWS', '--password-stdin', host];
  return [
    ...buildahGlobal(plan.storage),
    'login',
    '--authfile',
    plan.authFile,
    ...tlsFlags(plan),
    '--username',
    'AWS',
    '--password-stdin',
    host,
  ];
}

export function logoutArgs(plan: BuildPlan, host: string): string[] {
  if (plan.builder === 'buildx') return ['logout', host];
  return [...buildahGlobal(plan.storage), 'logout', '--authfile', plan.authFile, host];
}

/** The image digest from buildx's --metadata-file JSON. */
export function digestFromMetadata(json: string): string | undefined {
  try {
    const value = (JSON.parse(json) as Record<string, unknown>)['containerimage.digest'];
    return typeof value === 'string' && /^sha256:[0-9a-f]{64}$/.test(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** `AWS:<password>` (base64) → password. */
export function passwordFromToken(token: string): string {
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) throw new DeployFailure('ECR GetAuthorizationToken returned a token that is not user:password');
  return decoded.slice(colon + 1);
}

/** Registry host and whether it is plain http, from the token's proxyEndpoint. */
export function registryFromEndpoint(proxyEndpoint: string): { host: string; insecure: boolean } {
  const url = new URL(proxyEndpoint.includes('://') ? proxyEndpoint : `https://${proxyEndpoint}`);
  return { host: url.host, insecure: url.protocol === 'http:' };
}

/** The digest ECR has for the first tag must be the one the builder reported (else the push did not land). */
export function verifyDigest(builder: Builder, reported: string, described: string | undefined, ref: string): string {
  if (described !== reported) {
    throw new DeployFailure(
      `${builder} reported digest ${reported} but ECR has ${described ?? 'no image'} for ${ref}: ` +
        'the push did not land as reported',
    );
  }
  return reported;
}

/**
 * A builder argv as it is printed: `--build-arg NAME=***` unless NAME is in `publicBuildArgs`, and every other word
 * through the kit's redaction (URL passwords and tokens in labels or paths). The argv that runs is not changed.
 */
export function displayArgs(argv: readonly string[], publicBuildArgs: readonly string[]): string[] {
  const out = redactArgv(argv);
  for (let i = 0; i < argv.length - 1; i++) {
    if (argv[i] !== '--build-arg') continue;
    const arg = argv[i + 1]!;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (eq !== -1 && !publicBuildArgs.includes(name)) out[i + 1] = `${name}=${REDACTED}`;
  }
  return out;
}
