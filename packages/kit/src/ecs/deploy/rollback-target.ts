import { createHash } from 'node:crypto';
import { ConfigurationError } from '../../runtime/errors';
import { FAMILY_REVISION_RE, isTaskDefinitionArn } from '../../runtime/inputs/aws-ids';
import { TAG_KNOWN_GOOD, TAG_VERSION } from './known-good';
import { shortTaskDef } from './rollout-verdict';

// Where a rollback goes: ONE pure function (`chooseRollbackTarget`) for auto-rollback after a failed deploy and for
// every `rollback-to` kind, decided from facts about revisions (their tags and status) that rollback-history.ts
// gathers. The deploy history lives in tags on the revisions, so it survives across runs and needs no store of its
// own (and no IAM permission beyond the tags we already write):
//   deploy-actions:known-good          when a deploy of it last COMPLETED and passed its health checks (known-good.ts)
//   deploy-actions:ran:<cluster>/<svc> when a deployment of it to that service last COMPLETED (deploy or rollback):
//                                      this service's own deploy history, newest time = most recent
//   deploy-actions:rolled-back-from    when a rollback (ours, auto, or ECS's circuit breaker) last moved a service
//                                      away from it
// A revision rolled back from is neither known-good nor a `previous` again until a later deploy of it completes
// (a newer known-good / ran time), so repeated rollbacks never flip between two revisions. ECS itself does the same:
// its circuit breaker returns to the deployment that ran before, never to one it abandoned.

export const TAG_ROLLED_BACK_FROM = 'deploy-actions:rolled-back-from';
export const TAG_RAN_PREFIX = 'deploy-actions:ran:';

/** What `rollback-to` asks for. */
export type RollbackTo =
  | { kind: 'known-good' }
  | { kind: 'previous' }
  | { kind: 'revision'; revision: number }
  | { kind: 'arn'; arn: string }
  | { kind: 'version'; version: string };

/**
 * Parse the `rollback-to` input: `known-good` | `previous` | a revision number | an ARN or family:revision | a
 * version tag value.
 */
export function parseRollbackTo(input: string, raw: string): RollbackTo {
  const value = raw.trim();
  if (value === '') throw new ConfigurationError(input, 'is empty');
  if (value.toLowerCase() === 'known-good') return { kind: 'known-good' };
  if (value.toLowerCase() === 'previous') return { kind: 'previous' };
  if (/^\d+$/.test(value)) {
    const revision = Number(value);
    if (revision < 1) throw new ConfigurationError(input, `revision numbers start at 1, got ${value}`);
    return { kind: 'revision', revision };
  }
  if (value.startsWith('arn:')) {
    if (!isTaskDefinitionArn(value)) {
      throw new ConfigurationError(
        input,
        `expected a task definition revision ARN (arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>), got ${JSON.stringify(value)}`,
      );
    }
    return { kind: 'arn', arn: value };
  }
  if (FAMILY_REVISION_RE.test(value)) return { kind: 'arn', arn: value };
  if (!/^[\p{L}\p{N}\s+\-=._:/@]{1,256}$/u.test(value)) {
    throw new ConfigurationError(
      input,
      `expected known-good, previous, a revision number, a task definition ARN or a version tag value, got ${JSON.stringify(value)}`,
    );
  }
  return { kind: 'version', version: value };
}

/** One revision as the decision sees it. */
export interface RevisionFacts {
  arn: string;
  revision: number;
  /** False when deregistered (INACTIVE): ECS cannot update a service to it. */
  active: boolean;
  tags: Readonly<Record<string, string>>;
}

/** The service a rollback is for (its deploy history is keyed by cluster and name). */
export interface ServiceKey {
  cluster: string;
  service: string;
}

export type RollbackRequest =
  /** After a failed deploy of `failedArn`; `previousArn` ran before it (PRIMARY), COMPLETED or not. */
  | { kind: 'auto'; failedArn: string; previousArn?: string | undefined; previousCompleted: boolean }
  /** The `rollback-to` input; `currentArn` is what the service runs now. */
  | { kind: 'rollback-to'; want: RollbackTo; currentArn?: string | undefined };

export interface RollbackInput {
  request: RollbackRequest;
  service: ServiceKey;
  /** Every revision the decision may consider (any order); the ones not given are unknown to it. */
  revisions: readonly RevisionFacts[];
}

export interface Skipped {
  arn: string;
  reason: string;
}

export type RollbackChoice = { arn: string; why: string; skipped: Skipped[] } | { none: string; skipped: Skipped[] };

const time = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? 0 : t;
};

/** `arn:aws:ecs:…:cluster/app` → `app`. */
export function clusterName(cluster: string): string {
  return cluster.includes(':cluster/') ? cluster.slice(cluster.indexOf(':cluster/') + 9) : cluster;
}

/**
 * The tag key of a service's deploy history. Tag keys are at most 128 characters: longer cluster/service pairs are
 * keyed by a hash of the pair instead.
 */
export function ranTagKey(key: ServiceKey): string {
  const id = `${clusterName(key.cluster)}/${key.service}`;
  const full = `${TAG_RAN_PREFIX}${id}`;
  return full.length <= 128 ? full : `${TAG_RAN_PREFIX}sha256-${createHash('sha256').update(id).digest('hex')}`;
}

/** When a rollback last moved away from this revision, if one did. */
export function rolledBackFromAt(tags: Readonly<Record<string, string>>): number | undefined {
  return time(tags[TAG_ROLLED_BACK_FROM]);
}

/** Known-good: tagged known-good after the last rollback away from it (an equal time counts as rolled back). */
export function isKnownGood(tags: Readonly<Record<string, string>>): boolean {
  const good = time(tags[TAG_KNOWN_GOOD]);
  if (good === undefined) return false;
  const away = rolledBackFromAt(tags);
  return away === undefined || good > away;
}

/** When a deployment of this revision to the service last completed (its place in the service's history). */
export function ranAt(tags: Readonly<Record<string, string>>, key: ServiceKey): number | undefined {
  return time(tags[ranTagKey(key)]);
}

const byRevisionDesc = (a: RevisionFacts, b: RevisionFacts) => b.revision - a.revision;

/** Why a revision that ran for this service cannot be its `previous`, or undefined when it can. */
function notPrevious(r: RevisionFacts, key: ServiceKey): string | undefined {
  if (!r.active) return 'deregistered (INACTIVE)';
  const away = rolledBackFromAt(r.tags);
  if (away !== undefined && away >= (ranAt(r.tags, key) ?? 0)) {
    return `rolled back from at ${r.tags[TAG_ROLLED_BACK_FROM]}`;
  }
  return undefined;
}

/** Why a known-good candidate is not one, or undefined when it is. */
function notKnownGood(r: RevisionFacts): string | undefined {
  if (!r.tags[TAG_KNOWN_GOOD]) return undefined; // never was: not worth a note
  if (!r.active) return 'known-good but deregistered (INACTIVE)';
  if (!isKnownGood(r.tags)) return `known-good once, rolled back from at ${r.tags[TAG_ROLLED_BACK_FROM]}`;
  return undefined;
}

/** The first candidate for which `reject` has no objection; the rejected ones with a reason are noted. */
function firstEligible(
  candidates: readonly RevisionFacts[],
  reject: (r: RevisionFacts) => string | undefined | false,
): { found?: RevisionFacts; skipped: Skipped[] } {
  const skipped: Skipped[] = [];
  for (const r of candidates) {
    const why = reject(r);
    if (why === undefined) return { found: r, skipped };
    if (why) skipped.push({ arn: r.arn, reason: why });
  }
  return { skipped };
}

/** The newest known-good revision, `exclude` aside (the running or the failed one). */
function newestKnownGood(revisions: readonly RevisionFacts[], exclude: string | undefined) {
  return firstEligible([...revisions].sort(byRevisionDesc), (r) => {
    if (r.arn === exclude) return false;
    if (!r.tags[TAG_KNOWN_GOOD]) return false;
    return notKnownGood(r);
  });
}

/** The revision this service ran most recently before `current`, from its deploy history. */
function previousInHistory(revisions: readonly RevisionFacts[], key: ServiceKey, current: string | undefined) {
  const history = revisions
    .filter((r) => ranAt(r.tags, key) !== undefined)
    .sort((a, b) => (ranAt(b.tags, key) ?? 0) - (ranAt(a.tags, key) ?? 0) || byRevisionDesc(a, b));
  return firstEligible(history, (r) => (r.arn === current ? false : notPrevious(r, key)));
}

/** `arn` matches an ARN or a `family:revision` reference. */
const matches = (r: RevisionFacts, ref: string) => r.arn === ref || r.arn.endsWith(`/${ref}`);

/**
 * Where a service goes back to. Pure.
 *
 * - auto (a deploy failed): the revision it ran before this deploy when that deployment had COMPLETED (what ECS's
 *   circuit breaker does), else the newest known-good revision other than the failed one, else nowhere.
 * - `known-good`: the newest revision (by number) that is known-good now, other than the running one.
 * - `previous`: the revision the service ran most recently before the current one, in its own deploy history.
 * - a revision number / ARN / `family:revision`: that revision, if ECS can still deploy it (ACTIVE).
 * - a version: the newest revision with that version tag other than the running one, known-good ones first.
 * Revisions rolled back from are never chosen by known-good, previous or version; deregistered ones never at all.
 */
export function chooseRollbackTarget(input: RollbackInput): RollbackChoice {
  const { request, revisions, service } = input;
  const find = (arn: string | undefined) => (arn ? revisions.find((r) => r.arn === arn) : undefined);
  if (request.kind === 'auto') {
    const skipped: Skipped[] = [];
    const { previousArn, failedArn } = request;
    if (previousArn && previousArn !== failedArn) {
      const prev = find(previousArn);
      if (!request.previousCompleted)
        skipped.push({ arn: previousArn, reason: 'its deployment had not COMPLETED before this deploy' });
      else if (prev && !prev.active) skipped.push({ arn: previousArn, reason: 'deregistered (INACTIVE)' });
      else {
        return {
          arn: previousArn,
          why: `revision it ran before this deploy, ${shortTaskDef(previousArn)} (its deployment had COMPLETED)`,
          skipped,
        };
      }
    }
    const kg = newestKnownGood(revisions, failedArn);
    skipped.push(...kg.skipped);
    if (kg.found) return { arn: kg.found.arn, why: `last known-good revision ${shortTaskDef(kg.found.arn)}`, skipped };
    return {
      none: 'no rollback target: the revision it ran before had not COMPLETED (or is the failed one) and no other revision is known-good',
      skipped,
    };
  }

  const { want, currentArn } = request;
  const running = shortTaskDef(currentArn);
  switch (want.kind) {
    case 'known-good': {
      const { found, skipped } = newestKnownGood(revisions, currentArn);
      if (found) return { arn: found.arn, why: `newest known-good revision ${shortTaskDef(found.arn)}`, skipped };
      return {
        none: `no revision other than the running ${running} is known-good (tag ${TAG_KNOWN_GOOD}, not rolled back from since)`,
        skipped,
      };
    }
    case 'previous': {
      const { found, skipped } = previousInHistory(revisions, service, currentArn);
      if (found) {
        return {
          arn: found.arn,
          why: `revision ${service.service} ran before ${running}, ${shortTaskDef(found.arn)}`,
          skipped,
        };
      }
      return {
        none: `service ${service.service} has no earlier revision to return to in its deploy history (tags ${ranTagKey(service)} on its revisions)`,
        skipped,
      };
    }
    case 'revision':
    case 'arn': {
      const found = revisions.find((r) =>
        want.kind === 'revision' ? r.revision === want.revision : matches(r, want.arn),
      );
      if (!found)
        return { none: `revision ${want.kind === 'revision' ? want.revision : want.arn} not found`, skipped: [] };
      if (!found.active) {
        return {
          none: `${shortTaskDef(found.arn)} is deregistered (INACTIVE): ECS cannot update a service to it; register it again and deploy that revision`,
          skipped: [],
        };
      }
      return { arn: found.arn, why: `named revision ${shortTaskDef(found.arn)}`, skipped: [] };
    }
    case 'version': {
      const tagged = [...revisions]
        .filter((r) => r.tags[TAG_VERSION] === want.version && r.arn !== currentArn)
        .sort((a, b) => Number(isKnownGood(b.tags)) - Number(isKnownGood(a.tags)) || byRevisionDesc(a, b));
      const { found, skipped } = firstEligible(tagged, (r) => {
        if (!r.active) return 'deregistered (INACTIVE)';
        if (!isKnownGood(r.tags) && rolledBackFromAt(r.tags) !== undefined)
          return `rolled back from at ${r.tags[TAG_ROLLED_BACK_FROM]}`;
        return undefined;
      });
      if (found)
        return { arn: found.arn, why: `revision of version ${want.version}, ${shortTaskDef(found.arn)}`, skipped };
      return { none: `no revision other than the running ${running} has version ${want.version}`, skipped };
    }
  }
}

/** The input value a RollbackTo came from. */
export function rollbackToText(want: RollbackTo): string {
  switch (want.kind) {
    case 'revision':
      return String(want.revision);
    case 'arn':
      return want.arn;
    case 'version':
      return want.version;
    default:
      return want.kind;
  }
}

/** "web:2 (rolled back from at …); web:1 (…)" for messages. */
export function skippedText(skipped: readonly Skipped[]): string {
  return skipped.map((s) => `${shortTaskDef(s.arn)} (${s.reason})`).join('; ');
}
