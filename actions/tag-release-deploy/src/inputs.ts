import { ECR_REPOSITORY_NAME_RE, IMAGE_TAG_RE } from '@deploy-actions/kit/ecr';
import {
  actionInputs,
  ConfigurationError,
  parseBoolean,
  parseEnum,
  parseList,
  quote,
  type RawInputs,
  resolveRegion,
} from '@deploy-actions/kit/runtime';
import { parseReleaseTag, type ReleaseTag } from './plan';

export type { RawInputs };

// The only file that reads inputs. Everything is parsed and checked here, before any GitHub or AWS call.

export const ACTION = 'tag-release-deploy';

export type FinalState = 'success' | 'failure' | 'inactive';

interface Common {
  token: string;
  owner: string;
  repo: string;
  /** GitHub REST base URL (GITHUB_API_URL; tests point it at a local fake server). */
  apiUrl: string;
  environment: string;
  environmentUrl: string | undefined;
  /** Link to this workflow run (deployment status log_url), when the runner provides it. */
  logUrl: string | undefined;
}

/** Finishing mode: only set the final status of a deployment opened by an earlier step. */
export interface FinishInputs extends Common {
  mode: 'finish';
  deploymentId: number;
  deploymentStatus: FinalState;
  /** Whether `environment` was given (else the deployment's own environment is kept). */
  environmentGiven: boolean;
}

export interface ReleaseInputs extends Common {
  mode: 'release';
  tag: ReleaseTag;
  repositories: string[];
  sourceTag: string;
  extraTags: string[];
  majorMinorTags: boolean;
  createRelease: boolean;
  /** Open a GitHub Deployment (off in a job with `environment:`, where GitHub records one itself). */
  createDeployment: boolean;
  /** Only resolved when there is something to promote. */
  region: string | undefined;
  /** Commit being released (GITHUB_SHA), recorded in the summary. */
  sha: string | undefined;
}

export type Inputs = FinishInputs | ReleaseInputs;

export function getInputs(env: NodeJS.ProcessEnv = process.env): Inputs {
  return parseInputs(actionInputs(), env);
}

/** Docker / ECR tag syntax. */
/** GitHub environment names: up to 255 characters, no control characters (GitHub is more permissive than this). */
const ENVIRONMENT_RE = /^[^\p{Cc},;'"`]{1,255}$/u;

function parseToken(raw: string, env: NodeJS.ProcessEnv): string {
  const token = raw.trim() || env.GITHUB_TOKEN?.trim() || '';
  if (!token) {
    throw new ConfigurationError(
      'github-token',
      'is empty and GITHUB_TOKEN is not set: pass github.token (permissions: contents: write, deployments: write)',
    );
  }
  return token;
}

function parseRepository(env: NodeJS.ProcessEnv): { owner: string; repo: string } {
  const full = env.GITHUB_REPOSITORY?.trim() ?? '';
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(full);
  if (!m) {
    throw new ConfigurationError('github-token', `GITHUB_REPOSITORY must be owner/repo, got ${quote(full)}`);
  }
  return { owner: m[1]!, repo: m[2]! };
}

function parseUrl(input: string, raw: string): string | undefined {
  const value = raw.trim();
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError(input, `${quote(value)} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigurationError(input, `${quote(value)} must be an http(s) URL`);
  }
  return value;
}

function runUrl(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: runId } = env;
  return server && repo && runId ? `${server}/${repo}/actions/runs/${runId}` : undefined;
}

function parseImageTags(input: string, raw: string): string[] {
  const tags: string[] = [];
  for (const tag of parseList(input, raw)) {
    if (!IMAGE_TAG_RE.test(tag)) {
      throw new ConfigurationError(
        input,
        `${quote(tag)} is not a valid image tag ([A-Za-z0-9_][A-Za-z0-9._-], at most 128 characters)`,
      );
    }
    if (tags.includes(tag)) throw new ConfigurationError(input, `${quote(tag)} is listed twice`);
    tags.push(tag);
  }
  return tags;
}

/** Parse and validate every input (pure: reads only `raw` and `env`). */
export function parseInputs(raw: RawInputs, env: NodeJS.ProcessEnv = process.env): Inputs {
  const get = (name: string) => raw[name] ?? '';

  const environment = get('environment').trim() || 'production';
  if (!ENVIRONMENT_RE.test(environment)) {
    throw new ConfigurationError('environment', `${quote(environment)} is not a valid GitHub environment name`);
  }
  const environmentUrl = parseUrl('environment-url', get('environment-url'));
  // What both modes need to talk to GitHub (the token is checked where each mode did before).
  const github = () => ({
    token: parseToken(get('github-token'), env),
    ...parseRepository(env),
    apiUrl: env.GITHUB_API_URL?.trim() || 'https://api.github.com',
    environment,
    environmentUrl,
    logUrl: runUrl(env),
  });

  const deploymentIdRaw = get('deployment-id').trim();
  const statusRaw = get('deployment-status').trim();
  if (deploymentIdRaw) {
    if (!/^[1-9][0-9]{0,15}$/.test(deploymentIdRaw)) {
      throw new ConfigurationError('deployment-id', `${quote(deploymentIdRaw)} is not a deployment id (a number)`);
    }
    if (!statusRaw) {
      throw new ConfigurationError(
        'deployment-status',
        'is required with deployment-id: success, failure or inactive (e.g. from job.status)',
      );
    }
    const deploymentStatus = parseEnum<FinalState>('deployment-status', statusRaw, ['success', 'failure', 'inactive']);
    return {
      mode: 'finish',
      deploymentId: Number(deploymentIdRaw),
      deploymentStatus,
      environmentGiven: get('environment').trim() !== '',
      ...github(),
    };
  }
  if (statusRaw) {
    throw new ConfigurationError(
      'deployment-status',
      'only applies with deployment-id (the finishing step): pass the deployment-id output of the release step',
    );
  }

  let tagRaw = get('tag').trim();
  if (!tagRaw) {
    const ref = env.GITHUB_REF?.trim() ?? '';
    if (!ref.startsWith('refs/tags/')) {
      throw new ConfigurationError(
        'tag',
        `is empty and this run is not for a tag (GITHUB_REF=${quote(ref || '(unset)')}): run on a v* tag push or set tag`,
      );
    }
    tagRaw = ref.slice('refs/tags/'.length);
  }
  const tag = parseReleaseTag(tagRaw);

  const repositories = parseList('repositories', get('repositories'));
  for (const name of repositories) {
    if (name.includes('.dkr.ecr.') || name.includes(':') || name.includes('@')) {
      throw new ConfigurationError(
        'repositories',
        `expected repository names (e.g. team/api), not an image URI or tag: ${quote(name)}`,
      );
    }
    if (name.length < 2 || name.length > 256 || !ECR_REPOSITORY_NAME_RE.test(name)) {
      throw new ConfigurationError('repositories', `${quote(name)} is not a valid ECR repository name`);
    }
  }
  if (new Set(repositories).size !== repositories.length) {
    throw new ConfigurationError('repositories', 'a repository is listed twice');
  }

  const sha = env.GITHUB_SHA?.trim() || undefined;
  const sourceTag = get('source-tag').trim() || sha || '';
  if (repositories.length > 0) {
    if (!sourceTag) {
      throw new ConfigurationError('source-tag', 'is empty and GITHUB_SHA is not set: the tag staging pushed');
    }
    if (!IMAGE_TAG_RE.test(sourceTag))
      throw new ConfigurationError('source-tag', `${quote(sourceTag)} is not a valid image tag`);
    if (tag.build) {
      throw new ConfigurationError(
        'tag',
        `${quote(tag.name)} has build metadata ('+'), which is not allowed in an image tag: drop it or promote nothing`,
      );
    }
  }

  const extraTags = parseImageTags('extra-tags', get('extra-tags'));
  if (extraTags.includes(tag.name)) {
    throw new ConfigurationError('extra-tags', `${quote(tag.name)} is the release tag itself`);
  }
  if (sourceTag && extraTags.includes(sourceTag)) {
    throw new ConfigurationError('extra-tags', `${quote(sourceTag)} is the source tag`);
  }
  const majorMinorTags = parseBoolean('major-minor-tags', get('major-minor-tags'), false);
  const createRelease = parseBoolean('create-release', get('create-release'), true);
  const createDeployment = parseBoolean('create-deployment', get('create-deployment'), true);
  const context = github();
  const region = repositories.length
    ? resolveRegion(get('aws-region').trim() || undefined, env, 'aws-region')
    : undefined;

  return {
    mode: 'release',
    tag,
    repositories,
    sourceTag,
    extraTags,
    majorMinorTags,
    createRelease,
    createDeployment,
    region,
    sha,
    ...context,
  };
}
