import type { Service } from '@aws-sdk/client-ecs';
import type { Execution } from './execution';
import type { RolloutResult } from './rollout-wait';

// COMPLETED is ECS's word; what runs is checked, not assumed: the service's PRIMARY deployment must be on the
// revision we asked for, at its desired count. An endpoint that reports COMPLETED on the old revision (a stale or
// wrong answer) fails the deploy with both ARNs named, and such a revision is never marked known-good.

/** Why the service, reported COMPLETED, does not run `requestedArn` as asked; undefined when it does. Pure. */
export function whatRunsProblem(service: Service | undefined, requestedArn: string): string | undefined {
  const primary = service?.deployments?.find((d) => d.status === 'PRIMARY');
  if (!primary) return `reported COMPLETED, but the service has no PRIMARY deployment (requested ${requestedArn})`;
  if (primary.taskDefinition !== requestedArn) {
    return (
      `reported COMPLETED, but its PRIMARY deployment ${primary.id ?? ''} runs ${primary.taskDefinition ?? 'no task definition'}, ` +
      `not the requested ${requestedArn}`
    );
  }
  const running = primary.runningCount ?? 0;
  const desired = primary.desiredCount ?? 0;
  if (running < desired) {
    return `reported COMPLETED, but its PRIMARY deployment runs ${running} of ${desired} tasks of ${requestedArn}`;
  }
  return undefined;
}

/** Turn each COMPLETED service that does not run what was asked into a failure (before health checks and tags). */
export function verifyWhatRuns(ex: Execution, results: readonly RolloutResult[]): void {
  for (const res of results) {
    const rep = ex.reports.get(res.target.service);
    if (rep?.status !== 'completed' || !rep.taskDefinitionArn) continue;
    const problem = whatRunsProblem(res.service, rep.taskDefinitionArn);
    if (!problem) continue;
    rep.status = 'failed';
    rep.reason = problem;
    ex.log.warning(`${rep.service}: ${problem}`);
  }
}
