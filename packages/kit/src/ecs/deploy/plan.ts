import { codeBlock, details, markdownTable } from '../../runtime/summary';
import type { PreflightReport } from '../preflight/model';
import { preflightMarkdown } from '../preflight/report';
import type { PreparedDeploy, PreparedService } from './model';
import { shortTaskDef } from './rollout-verdict';

// Plan mode (pure): what a merge would change, from what prepare (read-only) and the preflight found — per service
// what it runs now and would run, the normalised task-definition diff, the images with their digests and platforms
// and the preflight's checks. The same markdown goes to the job summary and, on a pull request, to its comment.

export interface PlanView {
  /** `deploy-ecs-wait` or `deploy-ecs`. */
  action: string;
  prepared: PreparedDeploy;
  preflight?: PreflightReport;
  /** Extra lines (deploy-ecs: its migration). */
  notes?: string[];
  /** Not a plan: the preflight stopped a deploy before any change. */
  stopped?: boolean;
}

/** What would happen to one service. */
export function serviceChange(p: PreparedService, rollback: boolean): { wouldRun: string; change: string } {
  if (p.target.kind === 'register') {
    return { wouldRun: `${p.target.family} (new revision)`, change: 'register a new revision and deploy it' };
  }
  const arn = p.target.arn;
  if (arn === p.previousTaskDefinitionArn)
    return { wouldRun: shortTaskDef(arn), change: 'nothing: it already runs it' };
  return {
    wouldRun: shortTaskDef(arn),
    change: rollback ? `roll back to ${shortTaskDef(arn)}` : `deploy ${shortTaskDef(arn)} (existing revision)`,
  };
}

const problemCount = (preflight: PreflightReport | undefined) =>
  preflight?.taskDefinitions.reduce((n, td) => n + td.checks.filter((c) => c.outcome === 'failed').length, 0) ?? 0;

/** The plan as markdown (job summary and pull request comment). */
export function deployPlanMarkdown(v: PlanView): string {
  const { prepared, preflight } = v;
  const request = prepared.request;
  const rollback = request.rollbackTo !== undefined;
  const problems = problemCount(preflight);
  const out: string[] = [];
  const what = rollback ? 'Rollback' : 'Deploy';
  if (v.stopped) {
    out.push(`## ❌ ${what} not started: the preflight found ${problems} problem(s) (${request.cluster})\n`);
    out.push(`Nothing was changed. Fix what the preflight lists below, then run the ${what.toLowerCase()} again.\n`);
  } else {
    out.push(`## 📋 Plan (${v.action}): ${what.toLowerCase()} to ${request.cluster}\n`);
    out.push(
      problems
        ? `❌ The preflight found ${problems} problem(s): this ${what.toLowerCase()} would fail. Nothing was changed.\n`
        : `Nothing was changed: this is what the ${what.toLowerCase()} would do.\n`,
    );
  }
  out.push(
    markdownTable(
      ['service', 'runs now', 'would run', 'change'],
      prepared.services.map((p) => {
        const c = serviceChange(p, rollback);
        return [p.service, shortTaskDef(p.previousTaskDefinitionArn), c.wouldRun, c.change];
      }),
    ),
  );
  for (const note of v.notes ?? []) out.push(`${note}\n`);
  if (preflight) out.push(preflightMarkdown(preflight));
  else out.push('Preflight: off (`verify: false`).\n');
  const diffs = new Map<string, string>();
  for (const p of prepared.services) {
    if (p.diffText) diffs.set(p.diffText, diffs.has(p.diffText) ? `${diffs.get(p.diffText)}, ${p.service}` : p.service);
  }
  for (const [diff, services] of diffs) {
    out.push(details(`Task definition diff against what runs (${services})`, codeBlock(diff, 'diff'), { open: true }));
  }
  if (diffs.size === 0) out.push('No task definition change.\n');
  return out.join('\n');
}

/** The step's outputs in plan mode: nothing was deployed; what would be is in `deployments`. */
export function planOutputs(prepared: PreparedDeploy): Record<string, string> {
  const rollback = prepared.request.rollbackTo !== undefined;
  const first = prepared.services[0];
  const deployments: Record<string, unknown> = {};
  for (const p of prepared.services) {
    deployments[p.service] = {
      status: 'planned',
      taskDefinitionArn: p.target.kind === 'existing' ? p.target.arn : null,
      previousTaskDefinitionArn: p.previousTaskDefinitionArn ?? null,
      change: serviceChange(p, rollback).change,
    };
  }
  return {
    'task-definition-arn': first?.target.kind === 'existing' ? first.target.arn : '',
    'previous-task-definition-arn': first?.previousTaskDefinitionArn ?? '',
    deployments: JSON.stringify(deployments),
    status: 'planned',
  };
}
