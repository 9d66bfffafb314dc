import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ECR_REPOSITORY_NAME_RE, IMAGE_TAG_RE } from '@deploy-actions/kit/ecr';
import {
  actionInputs,
  ConfigurationError,
  MIN_REGISTERED_LENGTH,
  maskValue,
  parseBoolean,
  parseEnum,
  parseKeyValue,
  parseList,
  quote,
  type RawInputs,
  resolveRegion,
} from '@deploy-actions/kit/runtime';

export type { RawInputs };

// The only file that reads inputs. Everything is parsed and checked here, before any AWS call or build.

export const ACTION = 'build-push-ecr';

export type BuilderChoice = 'auto' | 'buildx' | 'buildah';
export type CacheMode = 'ecr' | 'off';

export interface Inputs {
  repository: string;
  /** Absolute path of the build context. */
  context: string;
  /** Absolute path of the Dockerfile / Containerfile. */
  dockerfile: string;
  tags: string[];
  buildArgs: Array<[string, string]>;
  /** Build-arg names whose values may be printed (`public-build-args`); every other value is masked. */
  publicBuildArgs: string[];
  platforms: string[];
  builder: BuilderChoice;
  cache: CacheMode;
  cacheTag: string;
  provenance: boolean;
  skipExisting: boolean;
  region: string;
  /** OCI labels added to the image (revision and source when the runner provides them). */
  labels: Array<[string, string]>;
}

export function getInputs(env: NodeJS.ProcessEnv = process.env): Inputs {
  const inputs = parseInputs(actionInputs(), env);
  // Build-arg values are masked unless listed in public-build-args: registered before anything prints them (values
  // under 4 characters are only masked where we print them: registering `1` would hide every 1 in the log).
  for (const [name, value] of inputs.buildArgs) {
    if (!inputs.publicBuildArgs.includes(name) && value.trim().length >= MIN_REGISTERED_LENGTH) maskValue(value);
  }
  return inputs;
}

/** `os/arch[/variant]`. */
const PLATFORM_RE = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;
/** Build-arg names as Docker accepts them in ARG (a shell-like identifier). */
const ARG_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function workspacePath(env: NodeJS.ProcessEnv, path: string): string {
  return isAbsolute(path) ? path : resolve(env.GITHUB_WORKSPACE ?? process.cwd(), path);
}

function parseTags(raw: string, env: NodeJS.ProcessEnv): string[] {
  const tags = parseList('tags', raw);
  if (tags.length === 0) {
    const sha = env.GITHUB_SHA?.trim();
    if (!sha) throw new ConfigurationError('tags', 'is empty and GITHUB_SHA is not set: give at least one tag');
    tags.push(sha);
  }
  const seen = new Set<string>();
  for (const tag of tags) {
    if (!IMAGE_TAG_RE.test(tag)) {
      throw new ConfigurationError(
        'tags',
        `${quote(tag)} is not a valid Docker tag ([A-Za-z0-9_][A-Za-z0-9._-], at most 128 characters)`,
      );
    }
    if (seen.has(tag)) throw new ConfigurationError('tags', `${quote(tag)} is listed twice`);
    seen.add(tag);
  }
  return tags;
}

/** Parse and validate every input (pure apart from checking that the context and Dockerfile exist). */
export function parseInputs(raw: RawInputs, env: NodeJS.ProcessEnv = process.env): Inputs {
  const get = (name: string) => raw[name] ?? '';

  const repository = get('repository').trim();
  if (!repository) throw new ConfigurationError('repository', 'is required: the ECR repository name (e.g. team/api)');
  if (repository.includes('.dkr.ecr.') || repository.includes(':') || repository.includes('@')) {
    throw new ConfigurationError(
      'repository',
      `expected a repository name (e.g. team/api), not an image URI or tag: ${quote(repository)}`,
    );
  }
  if (repository.length < 2 || repository.length > 256 || !ECR_REPOSITORY_NAME_RE.test(repository)) {
    throw new ConfigurationError(
      'repository',
      `${quote(repository)} is not a valid ECR repository name (lower-case letters, digits, . _ - and / separators)`,
    );
  }

  const contextRaw = get('context').trim() || '.';
  const context = workspacePath(env, contextRaw);
  if (!existsSync(context)) throw new ConfigurationError('context', `directory not found: ${contextRaw}`);
  if (!statSync(context).isDirectory()) throw new ConfigurationError('context', `${contextRaw} is not a directory`);

  const dockerfileRaw = get('dockerfile').trim();
  let dockerfile: string;
  if (dockerfileRaw) {
    dockerfile = workspacePath(env, dockerfileRaw);
    if (!existsSync(dockerfile) || !statSync(dockerfile).isFile()) {
      throw new ConfigurationError('dockerfile', `file not found: ${dockerfileRaw}`);
    }
  } else {
    const found = ['Dockerfile', 'Containerfile'].map((n) => join(context, n)).find((p) => existsSync(p));
    if (!found) {
      throw new ConfigurationError(
        'dockerfile',
        `no Dockerfile or Containerfile in the context ${contextRaw}: set the dockerfile input`,
      );
    }
    dockerfile = found;
  }

  const tags = parseTags(get('tags'), env);

  const buildArgs = parseKeyValue('build-args', get('build-args'));
  for (const [name] of buildArgs) {
    if (!ARG_NAME_RE.test(name)) {
      throw new ConfigurationError('build-args', `${quote(name)} is not a valid build argument name`);
    }
  }

  const publicBuildArgs = parseList('public-build-args', get('public-build-args'));
  for (const name of publicBuildArgs) {
    if (!ARG_NAME_RE.test(name)) {
      throw new ConfigurationError('public-build-args', `${quote(name)} is not a valid build argument name`);
    }
    if (!buildArgs.some(([n]) => n === name)) {
      throw new ConfigurationError(
        'public-build-args',
        `${quote(name)} is not one of the build-args (${buildArgs.map(([n]) => n).join(', ') || 'none given'}): a typo here would mask the value you meant to show`,
      );
    }
  }

  const platforms = parseList('platforms', get('platforms'));
  if (platforms.length === 0) platforms.push('linux/amd64');
  for (const p of platforms) {
    if (!PLATFORM_RE.test(p)) {
      throw new ConfigurationError('platforms', `${quote(p)} is not a platform like linux/amd64 or linux/arm64`);
    }
  }

  const builder = parseEnum<BuilderChoice>('builder', get('builder').trim(), ['auto', 'buildx', 'buildah'], 'auto');
  const cache = parseEnum<CacheMode>('cache', get('cache').trim(), ['ecr', 'off'], 'ecr');
  const cacheTag = get('cache-tag').trim() || 'buildcache';
  if (!IMAGE_TAG_RE.test(cacheTag))
    throw new ConfigurationError('cache-tag', `${quote(cacheTag)} is not a valid Docker tag`);
  if (cache === 'ecr' && tags.includes(cacheTag)) {
    throw new ConfigurationError('cache-tag', `${quote(cacheTag)} is also one of the image tags: pick another`);
  }

  const provenance = parseBoolean('provenance', get('provenance'), false);
  const skipExisting = parseBoolean('skip-existing', get('skip-existing'), true);
  const region = resolveRegion(get('aws-region').trim() || undefined, env, 'aws-region');

  const labels: Array<[string, string]> = [];
  const sha = env.GITHUB_SHA?.trim();
  if (sha) labels.push(['org.opencontainers.image.revision', sha]);
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY) {
    labels.push(['org.opencontainers.image.source', `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`]);
  }

  return {
    repository,
    context,
    dockerfile,
    tags,
    buildArgs,
    publicBuildArgs,
    platforms,
    builder,
    cache,
    cacheTag,
    provenance,
    skipExisting,
    region,
    labels,
  };
}

/** Path relative to the workspace for logs and the summary. */
export function displayPath(path: string, env: NodeJS.ProcessEnv = process.env): string {
  const rel = relative(env.GITHUB_WORKSPACE ?? process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}
