import { DescribeTaskDefinitionCommand, type ECSClient, TagResourceCommand } from '@aws-sdk/client-ecs';
import { errorMessage } from '../../runtime/errors';
import { isTaskDefinitionNotFound } from '../taskdef/source';
import { familyOf, listFamilyRevisions, revisionOf, tagMap } from './known-good';
import {
  chooseRollbackTarget,
  type RevisionFacts,
  type RollbackChoice,
  type RollbackRequest,
  ranTagKey,
  type ServiceKey,
  TAG_ROLLED_BACK_FROM,
} from './rollback-target';
import { shortTaskDef } from './rollout-verdict';

// The impure side of rollback targets: gather the facts chooseRollbackTarget (pure, rollback-target.ts) decides on
// — each candidate revision's tags and status — and write the deploy history (ran / rolled-back-from tags).

/** Newest ACTIVE revisions of a family the decision looks at. */
export const HISTORY_DEPTH = 50;

/** One revision's facts (DescribeTaskDefinition with its tags); undefined when it does not exist. */
export async function describeRevisionFacts(
  ecs: ECSClient,
  ref: string,
  signal?: AbortSignal,
): Promise<RevisionFacts | undefined> {
  try {
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref, include: ['TAGS'] }), {
      abortSignal: signal,
    });
    const td = out.taskDefinition;
    const arn = td?.taskDefinitionArn ?? ref;
    return {
      arn,
      revision: td?.revision ?? revisionOf(arn),
      active: (td?.status ?? 'ACTIVE') === 'ACTIVE',
      tags: tagMap(out.tags),
    };
  } catch (err) {
    if (isTaskDefinitionNotFound(err)) return undefined;
    throw err;
  }
}

/** Facts of the newest ACTIVE revisions of `family` (at most HISTORY_DEPTH, described four at a time). */
export async function familyRevisionFacts(
  ecs: ECSClient,
  family: string,
  signal?: AbortSignal,
): Promise<RevisionFacts[]> {
  const arns = await listFamilyRevisions(ecs, family, HISTORY_DEPTH, signal);
  const out: RevisionFacts[] = [];
  for (let i = 0; i < arns.length; i += 4) {
    const batch = await Promise.all(arns.slice(i, i + 4).map((arn) => describeRevisionFacts(ecs, arn, signal)));
    for (const f of batch) if (f) out.push(f);
  }
  return out;
}

/** Family facts shared by the services of one run (each family is listed and described once). */
export class RevisionFactsCache {
  private readonly families = new Map<string, Promise<RevisionFacts[]>>();
  private readonly single = new Map<string, Promise<RevisionFacts | undefined>>();
  constructor(
    private readonly ecs: ECSClient,
    private readonly signal?: AbortSignal,
  ) {}

  family(family: string): Promise<RevisionFacts[]> {
    let f = this.families.get(family);
    if (!f) {
      f = familyRevisionFacts(this.ecs, family, this.signal);
      this.families.set(family, f);
    }
    return f;
  }

  revision(ref: string): Promise<RevisionFacts | undefined> {
    let f = this.single.get(ref);
    if (!f) {
      f = describeRevisionFacts(this.ecs, ref, this.signal);
      this.single.set(ref, f);
    }
    return f;
  }
}

const merge = (a: readonly (RevisionFacts | undefined)[], b: readonly RevisionFacts[]): RevisionFacts[] => {
  const out = new Map<string, RevisionFacts>();
  for (const f of [...a, ...b]) if (f && !out.has(f.arn)) out.set(f.arn, f);
  return [...out.values()];
};

/**
 * Gather what the decision needs and decide. A named revision is described alone; auto-rollback describes the
 * revision that ran before first (when it qualifies, nothing else can change the answer); the rest look at the
 * family's newest revisions. `family` is the family of the revision running now (or that failed).
 */
export async function resolveRollbackTarget(
  cache: RevisionFactsCache,
  request: RollbackRequest,
  service: ServiceKey,
  family: string,
): Promise<RollbackChoice> {
  const decide = (revisions: RevisionFacts[]) => chooseRollbackTarget({ request, service, revisions });
  if (request.kind === 'rollback-to' && (request.want.kind === 'revision' || request.want.kind === 'arn')) {
    const ref = request.want.kind === 'revision' ? `${family}:${request.want.revision}` : request.want.arn;
    const one = await cache.revision(ref);
    return decide(one ? [one] : []);
  }
  const currentArn = request.kind === 'auto' ? request.previousArn : request.currentArn;
  const current = currentArn ? await cache.revision(currentArn) : undefined;
  if (request.kind === 'auto') {
    const first = decide(current ? [current] : []);
    if ('arn' in first && first.arn === request.previousArn) return first;
  }
  return decide(merge([current], await cache.family(family)));
}

/** The family to look in: the running revision's (rollback-to), else the failed one's. */
export function familyFor(arn: string | undefined): string {
  return familyOf(arn ?? '');
}

/**
 * Mark revisions as rolled back from (one TagResource each). Never throws: returns one warning per revision that
 * could not be marked (the rollback itself matters more than its marker).
 */
export async function markRolledBackFrom(
  ecs: ECSClient,
  arns: Iterable<string>,
  now: Date,
  signal?: AbortSignal,
): Promise<string[]> {
  const warnings: string[] = [];
  for (const arn of new Set(arns)) {
    try {
      await ecs.send(
        new TagResourceCommand({ resourceArn: arn, tags: [{ key: TAG_ROLLED_BACK_FROM, value: now.toISOString() }] }),
        { abortSignal: signal },
      );
    } catch (err) {
      warnings.push(
        `could not mark ${shortTaskDef(arn)} rolled back from (tag ${TAG_ROLLED_BACK_FROM}): ${errorMessage(err)}; ` +
          'until it is, known-good and previous rollbacks may still choose it',
      );
    }
  }
  return warnings;
}

/**
 * Record that a deployment of `arn` to this service COMPLETED (the service's deploy history). Never throws: returns
 * a warning when the tag cannot be written.
 */
export async function recordRan(
  ecs: ECSClient,
  arn: string,
  key: ServiceKey,
  now: Date,
  signal?: AbortSignal,
): Promise<string | undefined> {
  try {
    await ecs.send(
      new TagResourceCommand({ resourceArn: arn, tags: [{ key: ranTagKey(key), value: now.toISOString() }] }),
      { abortSignal: signal },
    );
    return undefined;
  } catch (err) {
    return `could not record ${shortTaskDef(arn)} in ${key.service}'s deploy history (tag ${ranTagKey(key)}): ${errorMessage(err)}; rollback-to: previous will not know it ran`;
  }
}
