import { allReports, type Execution } from './execution';
import { markRolledBackFrom, recordRan } from './rollback-history';

// The deploy-history steps of executeDeploy (tags on revisions, see rollback-target.ts): what a rollback moves away
// from is marked rolled back from, and every deployment that COMPLETED is recorded in its service's history. Each
// tag that cannot be written is a warning naming what a later rollback will not know; it never changes the verdict.

/** rollback-to: mark each revision the services leave, before the UpdateService calls. */
export async function markRevisionsLeft(ex: Execution): Promise<void> {
  if (!ex.request.rollbackTo) return;
  const left = allReports(ex)
    .filter((r) => r.previousTaskDefinitionArn && r.previousTaskDefinitionArn !== r.taskDefinitionArn)
    .map((r) => r.previousTaskDefinitionArn!);
  await warnAll(ex, markRolledBackFrom(ex.deps.ecs, left, new Date(), ex.deps.signal));
}

/** ECS's circuit breaker rolled back: the revision it left is rolled back from as well. */
export async function markEcsRollbacks(ex: Execution): Promise<void> {
  const left = allReports(ex)
    .filter((r) => r.ecsRolledBack && r.taskDefinitionArn)
    .map((r) => r.taskDefinitionArn!);
  await warnAll(ex, markRolledBackFrom(ex.deps.ecs, left, new Date(), ex.deps.signal));
}

/** Every deployment of this run that COMPLETED (deploys on success, rollbacks whenever) goes into its history. */
export async function recordCompletedDeployments(ex: Execution, which: 'deployments' | 'rollbacks'): Promise<void> {
  const now = new Date();
  for (const r of allReports(ex)) {
    const arn =
      which === 'deployments'
        ? r.status === 'completed'
          ? r.taskDefinitionArn
          : undefined
        : r.rollback?.outcome === 'completed'
          ? r.rollback.taskDefinitionArn
          : undefined;
    if (!arn) continue;
    const warning = await recordRan(
      ex.deps.ecs,
      arn,
      { cluster: ex.request.cluster, service: r.service },
      now,
      ex.deps.signal,
    );
    if (warning) ex.log.warning(`${r.service}: ${warning}`);
  }
}

async function warnAll(ex: Execution, warnings: Promise<string[]>): Promise<void> {
  for (const w of await warnings) ex.log.warning(w);
}
