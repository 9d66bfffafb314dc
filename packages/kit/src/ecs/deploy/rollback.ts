import { type Service, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { errorMessage } from '../../runtime/errors';
import { type Execution, rolloutTarget, waitForTargets } from './execution';
import type { ServiceReport } from './model';
import { familyFor, markRolledBackFrom, RevisionFactsCache, resolveRollbackTarget } from './rollback-history';
import { chooseRollbackTarget, type RollbackChoice, skippedText } from './rollback-target';
import type { RolloutTarget } from './rollout-verdict';
import { whatRunsProblem } from './what-runs';

// Auto-rollback after a failed deploy: which services go back (pure), to which revision (pure, rollback-target.ts),
// then UpdateService and a wait for each. The facts the choice needs (revision tags) are looked up first.

/** Services this run changed that ECS did not already roll back itself (none when auto-rollback is off). */
export function rollbackCandidates(services: readonly ServiceReport[], autoRollback: boolean): ServiceReport[] {
  if (!autoRollback) return [];
  return services.filter((r) => !r.ecsRolledBack && r.status !== 'unchanged' && r.status !== 'not-started');
}

/** Whether the deployment a service ran when this deploy began had COMPLETED (rolloutState, else steady counts). */
export function deploymentCompleted(service: Service | undefined): boolean {
  const primary = service?.deployments?.find((d) => d.status === 'PRIMARY');
  if (!primary) return false;
  if (primary.rolloutState !== undefined) return primary.rolloutState === 'COMPLETED';
  return (service?.deployments?.length ?? 0) === 1 && (primary.runningCount ?? 0) === (primary.desiredCount ?? 0);
}

/**
 * Roll back every candidate service and wait for the rollbacks; each report's `rollback` says how it went. The
 * target is chooseRollbackTarget's (rollback-target.ts); the revision left behind is marked rolled back from before
 * the UpdateService, so no later known-good or previous rollback returns to it.
 */
export async function rollBackServices(ex: Execution, candidates: readonly ServiceReport[]): Promise<void> {
  const targets: RolloutTarget[] = [];
  const cache = new RevisionFactsCache(ex.deps.ecs, ex.deps.signal);
  for (const r of candidates) {
    const failedArn = r.taskDefinitionArn ?? '';
    const p = ex.prepared.services.find((x) => x.service === r.service);
    const completed = deploymentCompleted(p?.current);
    let choice: RollbackChoice;
    try {
      choice = await resolveRollbackTarget(
        cache,
        { kind: 'auto', failedArn, previousArn: r.previousTaskDefinitionArn, previousCompleted: completed },
        { cluster: ex.request.cluster, service: r.service },
        familyFor(failedArn),
      );
    } catch (err) {
      if (ex.deps.signal?.aborted) throw err;
      // Without the revisions' tags the decision still knows whether the previous deployment had COMPLETED.
      ex.log.warning(`${r.service}: could not read the revisions' tags: ${errorMessage(err)}`);
      choice = chooseRollbackTarget({
        request: { kind: 'auto', failedArn, previousArn: r.previousTaskDefinitionArn, previousCompleted: completed },
        service: { cluster: ex.request.cluster, service: r.service },
        revisions: [],
      });
    }
    if (choice.skipped.length) ex.log.info(`${r.service}: rollback skipped ${skippedText(choice.skipped)}`);
    if ('none' in choice) {
      r.rollback = { outcome: 'skipped', reason: choice.none };
      continue;
    }
    if (failedArn && failedArn !== choice.arn) {
      for (const w of await markRolledBackFrom(ex.deps.ecs, [failedArn], new Date(), ex.deps.signal)) {
        ex.log.warning(`${r.service}: ${w}`);
      }
    }
    const target = await startRollback(ex, r, choice);
    if (target) targets.push(target);
  }
  for (const res of await waitForTargets(ex, targets, 'rollback')) {
    const r = ex.reports.get(res.target.service)!;
    if (!r.rollback) continue;
    r.rollback.outcome = res.outcome === 'completed' ? 'completed' : res.outcome;
    if (res.verdict.state === 'failed') r.rollback.reason += `; rollback failed: ${res.verdict.reason}`;
    const problem =
      res.outcome === 'completed' ? whatRunsProblem(res.service, res.target.taskDefinitionArn) : undefined;
    if (problem) {
      r.rollback.outcome = 'failed';
      r.rollback.reason += `; rollback ${problem}`;
    }
    r.events = [...r.events, ...res.events];
  }
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
