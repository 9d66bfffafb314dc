// The jobs of one workflow invocation (the caller's, or a called workflow's) as GitHub schedules them: a job starts
// when every job it needs has finished; its `if` (already `success() && (…)` without a status function) sees
// success() = every ancestor succeeded (GitHub evaluates the whole needs chain: actions/runner#491), failure() = an
// ancestor failed, cancelled() = the run was cancelled; a job that does not run is `skipped` (`cancelled` when the
// run was). strategy.matrix expands into legs (fail-fast cancels the others, max-parallel limits them); job
// `concurrency` groups serialise; a `uses:` job runs the called workflow as a nested invocation.
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import type { Json } from '../expressions/data.ts';
import {
  evaluateCondition,
  evaluateString,
  evaluateStringMap,
  evaluateToken,
  TokenEvaluationError,
  type TokenScope,
} from '../expressions/index.ts';
import type { JobSpec } from '../parse/model.ts';
import { literal, prop } from '../parse/tokens.ts';
import { type JobResult, jobWithoutSteps, type Result } from '../report/result.ts';
import { expectedSub } from '../standins/trust.ts';
import { runCallJob } from './call-job.ts';
import { acquireGroup, type GroupLease } from './concurrency-lease.ts';
import type { NeedsEntry } from './job-context.ts';
import { expandMatrix, legName } from './matrix.ts';
import { jobPermissions } from './permissions.ts';
import type { Invocation, RunRuntime } from './runtime.ts';
import { runStepsJob } from './steps-job.ts';

export interface InvocationResult {
  jobs: JobResult[];
  /** needs/jobs context entry per job id. */
  byId: Record<string, NeedsEntry>;
}

function ancestors(id: string, jobs: Map<string, JobSpec>, seen = new Set<string>()): Set<string> {
  for (const n of jobs.get(id)?.needs ?? []) {
    if (!seen.has(n)) {
      seen.add(n);
      ancestors(n, jobs, seen);
    }
  }
  return seen;
}

function aggregate(results: Result[]): Result {
  if (results.includes('failure')) return 'failure';
  if (results.includes('cancelled')) return 'cancelled';
  if (results.length && results.every((r) => r === 'skipped')) return 'skipped';
  return 'success';
}

export async function runInvocation(rt: RunRuntime, inv: Invocation, cancel: AbortSignal): Promise<InvocationResult> {
  const specs = new Map(inv.workflow.jobs.map((j) => [j.id, j]));
  const byId: Record<string, NeedsEntry> = {};
  const results = new Map<string, JobResult[]>();
  const running = new Map<string, Promise<void>>();
  const done = new Set<string>();

  const start = (spec: JobSpec) =>
    runJob(rt, inv, spec, byId, ancestors(spec.id, specs), cancel).then((jobResults) => {
      results.set(spec.id, jobResults);
      const conclusions = jobResults.map((r) => r.conclusion);
      const outputs: Record<string, string> = {};
      for (const r of jobResults) Object.assign(outputs, r.outputs);
      byId[spec.id] = { result: aggregate(conclusions), outputs };
      done.add(spec.id);
      running.delete(spec.id);
    });

  while (done.size < specs.size) {
    for (const spec of specs.values()) {
      if (done.has(spec.id) || running.has(spec.id)) continue;
      if (spec.needs.every((n) => done.has(n))) running.set(spec.id, start(spec));
    }
    if (running.size === 0) break; // unreachable jobs (the parser rejects cycles)
    await Promise.race(running.values());
  }
  return { jobs: inv.workflow.jobs.flatMap((j) => results.get(j.id) ?? []), byId };
}

async function runJob(
  rt: RunRuntime,
  inv: Invocation,
  spec: JobSpec,
  byId: Record<string, NeedsEntry>,
  ancestorIds: Set<string>,
  runCancel: AbortSignal,
): Promise<JobResult[]> {
  const label = `${inv.prefix}${spec.id}`;
  const locate = inv.workflow.locate;
  const needs = Object.fromEntries(spec.needs.map((n) => [n, byId[n] as NeedsEntry]));
  const ancestorResults = [...ancestorIds].map((a) => byId[a]?.result);
  const cancelled = () => runCancel.aborted;
  const base = {
    github: rt.github,
    vars: rt.vars,
    inputs: inv.inputs,
    needs,
  };
  const scope = (extra: Record<string, unknown> = {}): TokenScope => ({
    contexts: { ...base, ...extra },
    status: {
      success: () => !cancelled() && ancestorResults.every((r) => r === 'success'),
      failure: () => ancestorResults.includes('failure'),
      cancelled,
    },
    locate,
  });
  const skipped = (result: Result, message: string): JobResult[] => {
    rt.log.line(label, `- job ${result}: ${message}`);
    return [jobWithoutSteps({ id: spec.id, name: spec.id, path: label }, result, message)];
  };

  let shouldRun: boolean;
  try {
    shouldRun = evaluateCondition(spec.if, scope());
  } catch (err) {
    return [failed(`${locate(spec.ifToken)}: ${(err as Error).message}`)];
  }
  if (!shouldRun) {
    return cancelled()
      ? skipped('cancelled', 'the run was cancelled')
      : skipped('skipped', `if: ${spec.ifToken ? String(literal(spec.ifToken) ?? spec.if) : spec.if} was false`);
  }

  // Matrix legs.
  const strategyToken = prop(spec.token, 'strategy');
  let legs: Array<Record<string, Json>>;
  let failFast = true;
  let maxParallel = Number.POSITIVE_INFINITY;
  try {
    const strategy = evaluateToken(strategyToken, scope()) as Record<string, Json> | null;
    legs = expandMatrix((strategy?.matrix ?? null) as Json);
    if (strategy && strategy['fail-fast'] === false) failFast = false;
    if (strategy && typeof strategy['max-parallel'] === 'number') maxParallel = Math.max(1, strategy['max-parallel']);
  } catch (err) {
    return [
      failed(err instanceof TokenEvaluationError ? err.message : `${locate(strategyToken)}: ${(err as Error).message}`),
    ];
  }
  const legAborts = legs.map(() => new AbortController());
  const linkRun = () => {
    for (const a of legAborts) a.abort();
  };
  runCancel.addEventListener('abort', linkRun, { once: true });
  if (runCancel.aborted) linkRun();
  const out: JobResult[] = new Array(legs.length);
  let next = 0;
  const worker = async () => {
    while (next < legs.length) {
      const i = next++;
      const matrix = legs[i] as Record<string, Json>;
      const strategy = {
        'fail-fast': failFast,
        'job-index': i,
        'job-total': legs.length,
        'max-parallel': Number.isFinite(maxParallel) ? maxParallel : legs.length,
      };
      const r = await runLeg(
        rt,
        inv,
        spec,
        label,
        matrix,
        strategy,
        base,
        legs.length > 1,
        (legAborts[i] as AbortController).signal,
        runCancel,
      );
      out[i] = r;
      if (failFast && r.result === 'failure' && r.conclusion === 'failure') {
        legAborts.forEach((a, j) => {
          if (j !== i) a.abort();
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(legs.length, maxParallel) }, worker));
  runCancel.removeEventListener('abort', linkRun);
  return out;

  function failed(message: string): JobResult {
    rt.log.line(label, `##[error]${message}`);
    return jobWithoutSteps({ id: spec.id, name: spec.id, path: label }, 'failure', message);
  }
}

async function runLeg(
  rt: RunRuntime,
  inv: Invocation,
  spec: JobSpec,
  jobLabel: string,
  matrix: Record<string, Json>,
  strategy: Record<string, Json>,
  base: {
    github: Record<string, unknown>;
    vars: Record<string, string>;
    inputs: Record<string, Json>;
    needs: Record<string, NeedsEntry>;
  },
  isMatrix: boolean,
  legCancel: AbortSignal,
  runCancel: AbortSignal,
): Promise<JobResult> {
  const locate = inv.workflow.locate;
  const started = Date.now();
  const scope: TokenScope = { contexts: { ...base, matrix, strategy }, locate };
  let name = spec.id;
  const fail = (message: string, result: Result = 'failure'): JobResult => {
    rt.log.line(jobLabel, `##[error]${message}`);
    return jobWithoutSteps({ id: spec.id, name, path: jobLabel }, result, message, Date.now() - started);
  };
  try {
    const nameToken = prop(spec.token, 'name');
    name = nameToken ? evaluateString(nameToken, scope) : spec.id;
    if (isMatrix && !nameToken) name = legName(spec.id, matrix);
  } catch (err) {
    return fail((err as Error).message);
  }
  const label = isMatrix ? `${inv.prefix}${name}` : jobLabel;
  if (legCancel.aborted) {
    const why = runCancel.aborted ? 'the run was cancelled' : 'cancelled by fail-fast';
    return jobWithoutSteps({ id: spec.id, name, path: label, matrix }, 'cancelled', why);
  }
  const permissions = jobPermissions(
    prop(spec.token, 'permissions'),
    prop(inv.workflow.root, 'permissions'),
    inv.permissionsCap,
  );

  // Job-level concurrency (the caller's groups are held above us: asking for one of them is a deadlock).
  let lease: GroupLease | undefined;
  const leaseAbort = new AbortController();
  const cancel = AbortSignal.any([legCancel, leaseAbort.signal]);
  const concurrencyToken = prop(spec.token, 'concurrency');
  if (concurrencyToken) {
    try {
      lease = await acquireGroup(rt, inv, concurrencyToken, scope, label, (reason) => {
        rt.log.line(label, `##[error]${reason}`);
        leaseAbort.abort();
      });
    } catch (err) {
      return fail((err as Error).message, 'cancelled');
    }
    if (lease === undefined)
      return fail(
        `Canceling since a higher priority waiting request for this job's concurrency group exists`,
        'cancelled',
      );
  }
  try {
    if (spec.call) {
      return await runCallJob({
        rt,
        inv,
        spec,
        label,
        name,
        matrix,
        strategy,
        base,
        permissions,
        cancel,
        heldGroup: lease?.group,
      });
    }
    // environment: name (+ url, evaluated at the end of the job)
    let environment: { name: string; urlToken: TemplateToken | undefined } | undefined;
    const envToken = prop(spec.token, 'environment');
    if (envToken) {
      const nameToken = prop(envToken, 'name');
      const envName = evaluateString(nameToken ?? envToken, scope);
      if (envName) environment = { name: envName, urlToken: prop(envToken, 'url') };
    }
    const workflowEnv = evaluateStringMap(prop(inv.workflow.root, 'env'), {
      ...scope,
      contexts: { github: base.github, inputs: base.inputs, vars: base.vars, secrets: inv.secrets },
    });
    const claims = {
      sub: expectedSub({
        repository: rt.repository,
        ...(environment ? { environment: environment.name } : {}),
        ref: String(rt.github.ref),
      }),
      repository: rt.repository,
      ref: String(rt.github.ref),
      refType: String(rt.github.ref_type),
      sha: String(rt.github.sha),
      ...(environment ? { environment: environment.name } : {}),
      workflow: String(rt.github.workflow),
      workflowRef: String(rt.github.workflow_ref),
      jobWorkflowRef: inv.workflowRef,
      eventName: String(rt.github.event_name),
      runId: String(rt.github.run_id),
      runNumber: String(rt.github.run_number),
      actor: String(rt.github.actor),
    };
    return await runStepsJob({
      rt,
      inv,
      spec,
      label,
      name,
      contexts: { ...base, secrets: inv.secrets, matrix, strategy },
      workflowEnv,
      permissions,
      environment,
      claims,
      cancel,
    });
  } catch (err) {
    return fail((err as Error).message);
  } finally {
    lease?.release();
  }
}
