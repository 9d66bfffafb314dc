import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { errorMessage } from '../../runtime/errors';
import { type Execution, rolloutTarget, waitForTargets } from './execution';
import { familyOf, findRevision, type RevisionInfo } from './known-good';
import type { ServiceReport } from './model';
import { type RolloutTarget, shortTaskDef } from './rollout-verdict';

// Auto-rollback after a failed deploy: which services go back (pure), to which revision (pure), then UpdateService
// and a wait for each. The facts the choice needs (known-good revisions) are looked up first.

/** Services this run changed that ECS did not already roll back itself (none when auto-rollback is off). */
export function rollbackCandidates(services: readonly ServiceReport[], autoRollback: boolean): ServiceReport[] {
  if (!autoRollback) return [];
  return services.filter((r) => !r.ecsRolledBack && r.status !== 'unchanged' && r.status !== 'not-started');
}

export interface RollbackFacts {
  /** The revision that failed. */
  failedArn: string;
  /** The revision the service ran before this deploy (its PRIMARY deployment's). */
  previousArn?: string | undefined;
  /** The newest known-good revision of the failed revision's family other than the failed one, if any. */
  knownGoodArn?: string | undefined;
}

export type RollbackChoice = { arn: string; why: string } | { skip: string };

/**
 * Where a failed service goes back to: the newest known-good revision (other than the one that failed), else the
 * revision it ran before this deploy when that is a different one, else nowhere. Pure.
 */
export function chooseRollbackTarget(facts: RollbackFacts): RollbackChoice {
  if (facts.knownGoodArn) {
    return { arn: facts.knownGoodArn, why: `last known-good revision ${shortTaskDef(facts.knownGoodArn)}` };
  }
  if (facts.previousArn && facts.previousArn !== facts.failedArn) {
    return {
      arn: facts.previousArn,
      why: `previous PRIMARY revision ${shortTaskDef(facts.previousArn)} (no known-good revision found)`,
    };
  }
  return { skip: 'no rollback target: no known-good revision and no different previous revision' };
}

/** Roll back every candidate service and wait for the rollbacks; each report's `rollback` says how it went. */
export async function rollBackServices(ex: Execution, candidates: readonly ServiceReport[]): Promise<void> {
  const targets: RolloutTarget[] = [];
  const knownGood = knownGoodLookup(ex);
  for (const r of candidates) {
    const failedArn = r.taskDefinitionArn ?? '';
    let knownGoodArn: string | undefined;
    try {
      knownGoodArn = (await knownGood(failedArn))?.arn;
    } catch (err) {
      ex.log.warning(`Could not look up known-good revisions: ${errorMessage(err)}`);
    }
    const choice = chooseRollbackTarget({ failedArn, previousArn: r.previousTaskDefinitionArn, knownGoodArn });
    if ('skip' in choice) {
      r.rollback = { outcome: 'skipped', reason: choice.skip };
      continue;
    }
    const target = await startRollback(ex, r, choice);
    if (target) targets.push(target);
  }
  for (const res of await waitForTargets(ex, targets, 'rollback')) {
    const r = ex.reports.get(res.target.service)!;
    if (!r.rollback) continue;
    r.rollback.outcome = res.outcome === 'completed' ? 'completed' : res.outcome;
    if (res.verdict.state === 'failed') r.rollback.reason += `; rollback failed: ${res.verdict.reason}`;
    r.events = [...r.events, ...res.events];
  }
}

/** Services that failed with the same revision share one known-good lookup (it lists and describes revisions). */
function knownGoodLookup(ex: Execution): (failedArn: string) => Promise<RevisionInfo | undefined> {
  const lookups = new Map<string, Promise<RevisionInfo | undefined>>();
  return (failedArn) => {
    let lookup = lookups.get(failedArn);
    if (!lookup) {
      lookup = findRevision(
        ex.deps.ecs,
        familyOf(failedArn),
        { kind: 'known-good' },
        { exclude: new Set([failedArn]), ...(ex.deps.signal ? { signal: ex.deps.signal } : {}) },
      );
      lookups.set(failedArn, lookup);
    }
    return lookup;
  };
}

/** UpdateService to the chosen revision; the rollout to wait for, when ECS started one. */
async function startRollback(
  ex: Execution,
  r: ServiceReport,
  choice: { arn: string; why: string },
): Promise<RolloutTarget | undefined> {
  const { request, deps } = ex;
  ex.log.info(`${r.service}: rolling back to the ${choice.why}`);
  try {
    const out = await deps.ecs.send(
      new UpdateServiceCommand({ cluster: request.cluster, service: r.service, taskDefinition: choice.arn }),
      { abortSignal: deps.signal },
    );
    const primary = out.service?.deployments?.find((d) => d.status === 'PRIMARY');
    r.rollback = {
      taskDefinitionArn: choice.arn,
      ...(primary?.id ? { deploymentId: primary.id } : {}),
      outcome: 'failed',
      reason: choice.why,
    };
    if (!primary?.id) return undefined;
    return rolloutTarget(
      r.service,
      { ...primary, id: primary.id },
      choice.arn,
      primary.desiredCount ?? 0,
      request.failureThreshold,
    );
  } catch (err) {
    r.rollback = {
      taskDefinitionArn: choice.arn,
      outcome: 'failed',
      reason: `UpdateService failed: ${errorMessage(err)}`,
    };
    return undefined;
  }
}
