// Before the run: a called workflow's job may not ask for more than the calling job grants. GitHub refuses such a
// run at startup: "Error calling workflow '<uses>'. The nested job '<id>' is requesting 'id-token: write', but is
// only allowed 'id-token: none'."
import { excess, jobPermissions, type Permissions, parsePermissions } from '../jobs/permissions.ts';
import type { WorkflowSpec } from './model.ts';
import { prop } from './tokens.ts';

export function checkNestedPermissions(workflow: WorkflowSpec, cap?: Permissions): string[] {
  const errors: string[] = [];
  for (const job of workflow.jobs) {
    if (!job.call) continue;
    const granted = jobPermissions(prop(job.token, 'permissions'), prop(workflow.root, 'permissions'), cap);
    const callee = job.call.workflow;
    for (const nested of callee.jobs) {
      const asked =
        parsePermissions(prop(nested.token, 'permissions')) ?? parsePermissions(prop(callee.root, 'permissions'));
      if (!asked) continue;
      for (const e of excess(asked, granted)) {
        errors.push(
          `${workflow.locate(job.call.token)}: Error calling workflow '${job.call.uses}'. The nested job '${nested.id}' is requesting ${e}.`,
        );
      }
    }
    errors.push(...checkNestedPermissions(callee, granted));
  }
  return errors;
}
