// A job that calls a reusable workflow (workflow_call), as GitHub documents "Reusing workflows": `with:` evaluated
// and typed against the callee's inputs (defaults applied, no silent string → boolean coercion), `secrets:` mapped or
// `inherit`ed, the caller job's permissions cap the callee's jobs, the callee's workflow-level concurrency applies on
// top of the caller's (an equal group deadlocks, as on GitHub), the github context stays the caller's, and the
// callee's `on.workflow_call.outputs` are evaluated from its jobs afterwards.
import type { Json } from '../expressions/data.ts';
import { evaluateString, evaluateToken, type TokenScope } from '../expressions/index.ts';
import { callInputDefs, coerceCallInput, workflowCall } from '../parse/call-inputs.ts';
import type { JobSpec } from '../parse/model.ts';
import { entries, literalString, prop } from '../parse/tokens.ts';
import { type JobResult, jobWithoutSteps, type Result } from '../report/result.ts';
import { acquireGroup, type GroupLease } from './concurrency-lease.ts';
import { runInvocation } from './graph.ts';
import type { NeedsEntry } from './job-context.ts';
import type { Permissions } from './permissions.ts';
import type { Invocation, RunRuntime } from './runtime.ts';

export interface CallJobInput {
  rt: RunRuntime;
  inv: Invocation;
  spec: JobSpec;
  label: string;
  name: string;
  matrix: Record<string, Json>;
  strategy: Record<string, Json>;
  base: {
    github: Record<string, unknown>;
    vars: Record<string, string>;
    inputs: Record<string, Json>;
    needs: Record<string, NeedsEntry>;
  };
  permissions: Permissions;
  cancel: AbortSignal;
  heldGroup: string | undefined;
}

function workflowRefOf(rt: RunRuntime, uses: string): string {
  if (uses.startsWith('./')) return `${rt.repository}/${uses.slice(2)}@${String(rt.github.ref)}`;
  return uses;
}

export async function runCallJob(i: CallJobInput): Promise<JobResult> {
  const { rt, inv, spec, label } = i;
  const call = spec.call as NonNullable<JobSpec['call']>;
  const callee = call.workflow;
  const started = Date.now();
  const locate = inv.workflow.locate;
  const scope: TokenScope = {
    contexts: { ...i.base, matrix: i.matrix, strategy: i.strategy, secrets: inv.secrets },
    locate,
  };
  const fail = (message: string, result: Result = 'failure'): JobResult => {
    rt.log.line(label, `##[error]${message}`);
    return jobWithoutSteps({ id: spec.id, name: i.name, path: label }, result, message, Date.now() - started);
  };

  // Inputs: declared ones only (the parser refused others), typed, defaults applied.
  const given = new Map(entries(prop(spec.token, 'with')).map(([k, v]) => [k.toLowerCase(), v]));
  const inputs: Record<string, Json> = {};
  for (const def of callInputDefs(callee)) {
    const token = given.get(def.name.toLowerCase());
    let value: Json;
    try {
      value =
        token !== undefined
          ? evaluateToken(token, scope)
          : def.default !== undefined
            ? evaluateToken(def.default, {
                contexts: { github: rt.github, inputs: {}, vars: rt.vars },
                locate: callee.locate,
              })
            : def.type === 'boolean'
              ? false
              : def.type === 'number'
                ? 0
                : '';
    } catch (err) {
      return fail((err as Error).message);
    }
    const typed = coerceCallInput(def, value);
    if ('error' in typed)
      return fail(`${locate(token ?? call.token)}: input ${def.name} of ${callee.display}: ${typed.error}`);
    inputs[def.name] = typed.value;
  }

  // Secrets: inherit, or the mapping (declared names only; required ones were checked before the run).
  let secrets: Record<string, string>;
  const secretsToken = prop(spec.token, 'secrets');
  if (literalString(secretsToken) === 'inherit') secrets = { ...inv.secrets };
  else {
    secrets = {};
    try {
      for (const [k, v] of entries(secretsToken)) secrets[k] = evaluateString(v, scope);
    } catch (err) {
      return fail((err as Error).message);
    }
  }
  const held = [...inv.heldGroups, ...(i.heldGroup ? [{ group: i.heldGroup, holder: label }] : [])];
  const child: Invocation = {
    workflow: callee,
    inputs,
    secrets,
    permissionsCap: i.permissions,
    heldGroups: held,
    prefix: `${label}/`,
    workflowRef: workflowRefOf(rt, call.uses),
  };

  // The callee's workflow-level concurrency.
  let lease: GroupLease | undefined;
  const leaseAbort = new AbortController();
  const cancel = AbortSignal.any([i.cancel, leaseAbort.signal]);
  const cc = prop(callee.root, 'concurrency');
  if (cc) {
    try {
      lease = await acquireGroup(
        rt,
        child,
        cc,
        { contexts: { github: rt.github, inputs, vars: rt.vars }, locate: callee.locate },
        label,
        (reason) => {
          rt.log.line(label, `##[error]${reason}`);
          leaseAbort.abort();
        },
      );
    } catch (err) {
      return fail((err as Error).message, 'cancelled');
    }
    if (!lease) return fail('cancelled while waiting for its concurrency group', 'cancelled');
    child.heldGroups = [...held, { group: lease.group, holder: label }];
  }
  try {
    const result = await runInvocation(rt, child, cancel);
    const results = result.jobs.map((j) => j.conclusion);
    const overall: Result = results.includes('failure')
      ? 'failure'
      : results.includes('cancelled') || cancel.aborted
        ? 'cancelled'
        : 'success';
    const outputs: Record<string, string> = {};
    let message: string | undefined;
    try {
      const jobsCtx = Object.fromEntries(Object.entries(result.byId).map(([k, v]) => [k, v]));
      for (const [name, def] of entries(prop(workflowCall(callee), 'outputs'))) {
        outputs[name] = evaluateString(prop(def, 'value'), {
          contexts: { github: rt.github, inputs, vars: rt.vars, jobs: jobsCtx },
          locate: callee.locate,
        });
      }
    } catch (err) {
      message = (err as Error).message;
    }
    return {
      id: spec.id,
      name: i.name,
      path: label,
      result: message ? 'failure' : overall,
      conclusion: message ? 'failure' : overall,
      durationMs: Date.now() - started,
      outputs,
      ...(Object.keys(i.matrix).length ? { matrix: i.matrix } : {}),
      ...(message ? { message } : {}),
      steps: [],
      jobs: result.jobs,
    };
  } finally {
    lease?.release();
  }
}
