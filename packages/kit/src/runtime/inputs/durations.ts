import { ConfigurationError } from '../errors';
import { formatDuration } from '../poll';
import { parseDuration, quote } from './readers';

// Every duration input has one rule wherever it appears: one default, one minimum and (for waits the runner bounds)
// one maximum, documented in each action.yml description. A value under the minimum is an error naming the input,
// never a wait that ends at once and rolls back.

export interface DurationRule {
  default: string;
  /** Milliseconds. */
  min: number;
  max?: number;
  /** Why the maximum, for the message. */
  maxReason?: string;
}

const SECOND = 1000;
const HOUR = 3_600_000;

export const DURATION_RULES = {
  /** deploy-ecs-wait / deploy-ecs `wait-timeout`: a rollout (and its rollback). */
  'wait-timeout': { default: '30m', min: SECOND, max: 6 * HOUR, maxReason: 'the GitHub job limit' },
  /** deploy-ecs-wait / deploy-ecs `health-check-timeout`. */
  'health-check-timeout': { default: '2m', min: SECOND, max: 6 * HOUR, maxReason: 'the GitHub job limit' },
  /** run-migration-task `timeout`, deploy-ecs `migration-timeout`: a one-off task from RunTask to STOPPED. */
  'task-timeout': { default: '30m', min: SECOND, max: 24 * HOUR, maxReason: 'the longest a self-hosted job may run' },
  /** render-task-def `timeout`: all AWS lookups together. */
  'lookup-timeout': { default: '2m', min: SECOND, max: 6 * HOUR, maxReason: 'the GitHub job limit' },
  /** sync-spa-cloudfront `invalidation-timeout`: also the retry budget for TooManyInvalidationsInProgress. */
  'invalidation-timeout': { default: '10m', min: 60 * SECOND },
  /** sync-spa-cloudfront `retention`: prune never deletes objects younger than this (0: no age limit). */
  retention: { default: '7d', min: 0 },
} satisfies Record<string, DurationRule>;

export type DurationKind = keyof typeof DURATION_RULES;

/** A duration input (`input` is its action.yml name, `kind` its rule) → milliseconds within the rule's limits. */
export function parseDurationInput(input: string, raw: string, kind: DurationKind): number {
  const rule: DurationRule = DURATION_RULES[kind];
  const ms = parseDuration(input, raw, rule.default);
  if (ms >= rule.min && (rule.max === undefined || ms <= rule.max)) return ms;
  const range =
    rule.max === undefined
      ? `at least ${formatDuration(rule.min)}`
      : `between ${formatDuration(rule.min)} and ${formatDuration(rule.max)}${rule.maxReason ? ` (${rule.maxReason})` : ''}`;
  throw new ConfigurationError(input, `expected ${range}, got ${quote(raw.trim() || rule.default)}`);
}
