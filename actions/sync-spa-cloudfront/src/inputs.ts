import {
  actionInputs,
  ConfigurationError,
  DURATION_RULES,
  maskValue,
  optionalInput,
  parseBoolean,
  parseDurationInput,
  parseEnum,
  parseInteger,
  type RawInputs,
  rawInput,
  type S3ChecksumMode,
} from '@deploy-actions/kit/runtime';
import { type ExcludeFilter, parseExclude } from './exclude';
import type { InvalidationMode } from './invalidation-paths';
import { type CacheRule, parseCacheRules } from './policy';
import { DEFAULT_PART_SIZE, MIB } from './s3-etag';
import { normalizePrefix, validateBucketName } from './s3-names';
import { checkSource } from './source';
import type { FollowSymlinks } from './walk';

// The only file that reads inputs. Everything is validated here, before any AWS call.

/** True when this run invalidates CloudFront at all (a distribution is given and invalidation is not off). */
export function invalidates(distributionId: string | undefined, mode: InvalidationMode): boolean {
  return distributionId !== undefined && mode !== 'off';
}

export type DeleteMode = 'off' | 'prune';
export type { InvalidationMode };

export interface Inputs {
  /** Real path of the built site (checked: source.ts); undefined only with rollback-to. */
  source: string | undefined;
  /** `inside`: follow symlinks whose every hop stays inside source; `false`: any symlink is an error. */
  followSymlinks: FollowSymlinks;
  bucket: string;
  /** Normalised, no leading/trailing slash, '' = bucket root. */
  prefix: string;
  distributionId: string | undefined;
  /** The distribution's origin path ('' or '/site'): stripped from keys to get URL paths. */
  originPath: string;
  cacheRules: CacheRule[];
  /** Files not published and remote keys neither compared nor pruned (relative to source / the prefix). */
  exclude: ExcludeFilter;
  deleteMode: DeleteMode;
  keepReleases: number;
  retentionMs: number;
  maxDeletePercent: number;
  forceDelete: boolean;
  /** Plan mode (`plan`, or its older name `dry-run`): everything up to the first write, then the plan. */
  dryRun: boolean;
  /** With plan mode on a pull_request event: the plan as one pull-request comment, updated in place (else ignored). */
  comment: boolean;
  /** For the comment; masked. */
  githubToken: string | undefined;
  concurrency: number;
  invalidation: InvalidationMode;
  waitForInvalidation: boolean;
  invalidationTimeoutMs: number;
  releaseId: string;
  rollbackTo: string | undefined;
  checksumMode: S3ChecksumMode;
  partSize: number;
  region: string | undefined;
}

const RELEASE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function parseReleaseId(input: string, raw: string): string {
  const value = raw.trim();
  if (!RELEASE_ID.test(value)) {
    throw new ConfigurationError(
      input,
      `expected 1-100 letters, digits, '.', '_' or '-' (starting with a letter or digit), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** `retention`: the kit's one duration grammar (days allowed: `7d`, `1d12h`, `36h`, `90m`, seconds), minimum 0. */
export function parseRetention(input: string, raw: string, defaultValue = DURATION_RULES.retention.default): number {
  return parseDurationInput(input, raw.trim() === '' ? defaultValue : raw, 'retention');
}

export function parseOriginPath(input: string, raw: string): string {
  const value = raw.trim();
  if (value === '' || value === '/') return '';
  if (!value.startsWith('/') || value.endsWith('/') || /\/\/|\/\.\.?(\/|$)|[\s\\]/.test(value)) {
    throw new ConfigurationError(
      input,
      `expected a CloudFront origin path like /site (leading slash, no trailing slash), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

export function defaultReleaseId(env: NodeJS.ProcessEnv, now: Date): string {
  const sha = env.GITHUB_SHA?.trim();
  if (sha && /^[0-9a-f]{7,40}$/i.test(sha)) return sha.slice(0, 12);
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/**
 * Every input parsed and validated, keyed by action.yml names (pure apart from resolving `source` on disk: it must be
 * a directory inside the workspace, source.ts). `now` names the release when GITHUB_SHA is not set.
 */
export function parseInputs(raw: RawInputs, env: NodeJS.ProcessEnv = process.env, now = new Date()): Inputs {
  const optional = (name: string) => optionalInput(raw, name);
  const get = (name: string) => rawInput(raw, name);
  const rollbackRaw = optional('rollback-to');
  const rollbackTo = rollbackRaw === undefined ? undefined : parseReleaseId('rollback-to', rollbackRaw);
  const sourceRaw = optional('source');
  if (sourceRaw === undefined && rollbackTo === undefined) {
    throw new ConfigurationError(
      'source',
      'is required (the directory with the built site, e.g. dist) unless rollback-to is set',
    );
  }
  const bucket = validateBucketName('bucket', get('bucket'));
  const prefix = normalizePrefix('prefix', get('prefix'));
  const distributionId = optional('distribution-id');
  if (distributionId !== undefined && !/^[A-Z0-9]{1,64}$/.test(distributionId)) {
    throw new ConfigurationError(
      'distribution-id',
      `expected a CloudFront distribution id like E2QWRUHAPOMQZL, got ${JSON.stringify(distributionId)}`,
    );
  }
  const originPath = parseOriginPath('origin-path', get('origin-path'));
  if (originPath !== '' && !(prefix === originPath.slice(1) || prefix.startsWith(`${originPath.slice(1)}/`))) {
    throw new ConfigurationError(
      'origin-path',
      `the prefix ${JSON.stringify(prefix)} is not under the origin path ${originPath}, so CloudFront cannot serve it`,
    );
  }
  const cacheRules = parseCacheRules('cache-control', get('cache-control'));
  const exclude = parseExclude('exclude', get('exclude'));
  const followSymlinks = parseEnum<FollowSymlinks>(
    'follow-symlinks',
    get('follow-symlinks'),
    ['inside', 'false'],
    'inside',
  );
  const deleteMode = parseEnum<DeleteMode>('delete', get('delete'), ['off', 'prune'], 'off');
  const keepReleases = parseInteger('keep-releases', get('keep-releases'), { default: 3, min: 1, max: 100 });
  const retentionMs = parseRetention('retention', get('retention'), '7d');
  const maxDeletePercent = parseInteger('max-delete-percent', get('max-delete-percent'), {
    default: 25,
    min: 0,
    max: 100,
  });
  const forceDelete = parseBoolean('force-delete', get('force-delete'), false);
  const dryRun = parseBoolean('plan', get('plan'), false) || parseBoolean('dry-run', get('dry-run'), false);
  const comment = parseBoolean('comment', get('comment'), false);
  const githubToken = optional('github-token');
  const concurrency = parseInteger('concurrency', get('concurrency'), { default: 16, min: 1, max: 128 });
  const invalidation = parseEnum<InvalidationMode>(
    'invalidation',
    get('invalidation'),
    ['changed', 'all', 'off'],
    'changed',
  );
  const waitForInvalidation = parseBoolean('wait-for-invalidation', get('wait-for-invalidation'), false);
  const invalidationTimeoutMs = parseDurationInput(
    'invalidation-timeout',
    get('invalidation-timeout'),
    'invalidation-timeout',
  );
  const releaseIdRaw = optional('release-id');
  const releaseId =
    releaseIdRaw === undefined ? defaultReleaseId(env, now) : parseReleaseId('release-id', releaseIdRaw);
  const checksumMode = parseEnum<S3ChecksumMode>(
    'checksum-mode',
    get('checksum-mode'),
    ['when_supported', 'when_required'],
    'when_supported',
  );
  const partSizeMib = parseInteger('part-size', get('part-size'), {
    default: DEFAULT_PART_SIZE / MIB,
    min: 5,
    max: 5120,
  });
  const region = optional('aws-region');
  const source = sourceRaw === undefined ? undefined : checkSource(sourceRaw, env);
  return {
    source,
    followSymlinks,
    bucket,
    prefix,
    distributionId,
    originPath,
    cacheRules,
    exclude,
    deleteMode,
    keepReleases,
    retentionMs,
    maxDeletePercent,
    forceDelete,
    dryRun,
    comment,
    githubToken,
    concurrency,
    invalidation,
    waitForInvalidation,
    invalidationTimeoutMs,
    releaseId,
    rollbackTo,
    checksumMode,
    partSize: partSizeMib * MIB,
    region,
  };
}

/** The step's inputs (through @actions/core), parsed; the token masked. */
export function getInputs(env: NodeJS.ProcessEnv = process.env, now = new Date()): Inputs {
  const inputs = parseInputs(actionInputs(), env, now);
  if (inputs.githubToken) maskValue(inputs.githubToken);
  return inputs;
}
