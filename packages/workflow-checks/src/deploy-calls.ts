import { readRepoIdentity } from './identity';
import { asRecord, type Finding, type Yaml } from './types';
import { classifyUses, jobsOf } from './workflow';

// Rules for what a call of our reusable deploy workflows asks for, beyond "declared inputs only" (cross-file.ts):
// combinations of inputs that cannot work, caught before a run instead of by a failing job.
//
//   deploy-task-definition-source  deploy-staging.yml / deploy-production.yml with `services`: exactly one of
//                                  `task-definition` (a template file) and `task-definition-family` (IaC-owned);
//                                  without `services`: `spa-directory` (else the call deploys nothing)
//   rollback-desired-count         rollback.yml `desired-count`: empty, an expression, or a whole number ≥ 0; with a
//                                  literal 0, no `health-check-url` (no task would answer it)
//   smoke-test-env                 `smoke-test-env` only with `smoke-test-command`

const DEPLOY_WORKFLOWS = /(^|\/)\.github\/workflows\/deploy-(staging|production)\.ya?ml$/;
const ROLLBACK_WORKFLOW = /(^|\/)\.github\/workflows\/rollback\.ya?ml$/;

function given(withs: Record<string, unknown>, key: string): boolean {
  const v = withs[key];
  return v !== undefined && v !== null && String(v).trim() !== '';
}

const isExpression = (v: unknown) => typeof v === 'string' && v.includes('${{');

/** The reusable deploy workflows this file calls, and whether what each call passes can work. */
export function checkDeployCalls(wf: { path: string; doc: Yaml }, root: string): Finding[] {
  const findings: Finding[] = [];
  const add = (rule: string, where: string, message: string) => findings.push({ rule, file: wf.path, where, message });
  const self = readRepoIdentity(root);
  for (const job of jobsOf(wf.doc)) {
    if (!job.uses) continue;
    const ref = classifyUses(job.uses, self);
    if (ref.kind !== 'our-workflow') continue;
    const where = `jobs.${job.id}`;
    const withs = asRecord(job.raw.with);
    if (DEPLOY_WORKFLOWS.test(ref.path)) {
      if (given(withs, 'services')) {
        const sources = ['task-definition', 'task-definition-family'].filter((k) => given(withs, k));
        if (sources.length !== 1) {
          add(
            'deploy-task-definition-source',
            where,
            sources.length === 0
              ? 'services need a task definition: pass task-definition (a template file) or task-definition-family (the family your infrastructure code registers)'
              : 'pass task-definition or task-definition-family, not both: one source of truth for the task definition',
          );
        }
        if (!given(withs, 'cluster')) add('deploy-task-definition-source', where, 'services need a cluster');
      } else if (!given(withs, 'spa-directory')) {
        add(
          'deploy-task-definition-source',
          where,
          'this call deploys nothing: pass services (an ECS deploy) or spa-directory (an SPA release)',
        );
      }
      if (given(withs, 'smoke-test-env') && !given(withs, 'smoke-test-command')) {
        add('smoke-test-env', where, 'smoke-test-env without smoke-test-command: no smoke test runs to use it');
      }
    }
    if (ROLLBACK_WORKFLOW.test(ref.path) && given(withs, 'desired-count')) {
      const raw = withs['desired-count'];
      if (!isExpression(raw) && !/^\d+$/.test(String(raw).trim())) {
        add('rollback-desired-count', where, `desired-count ${JSON.stringify(raw)} is not a whole number ≥ 0`);
      } else if (String(raw).trim() === '0' && given(withs, 'health-check-url')) {
        add(
          'rollback-desired-count',
          where,
          'desired-count 0 stops every task, so health-check-url can never answer: leave it out of this call',
        );
      }
    }
  }
  return findings;
}
