import { type LoadedYaml, loadYaml } from './files';
import { readRepoIdentity } from './identity';
import { dispatchChoices, interpolate, matrixRows } from './interpolate';
import { asRecord, type Finding } from './types';
import { classifyUses, concurrencyOf, jobsOf, triggersOf } from './workflow';

interface Call {
  file: string;
  where: string;
  rollback: boolean;
  environment: string;
  /** groups the caller's run and job hold (workflow-level and job-level `concurrency`) */
  callerGroups: string[];
  /** the called workflow's own group, with the call's inputs */
  calleeGroup: string | undefined;
}

/** Every call of our reusable workflows in `wf`, once per workflow_dispatch choice and matrix row. */
function callsOf(wf: LoadedYaml, root: string, unresolved: (where: string, what: string) => void): Call[] {
  const self = readRepoIdentity(root);
  const calls: Call[] = [];
  const triggers = triggersOf(wf.doc);
  for (const job of jobsOf(wf.doc)) {
    if (!job.uses) continue;
    const ref = classifyUses(job.uses, self);
    if (ref.kind !== 'our-workflow') continue;
    const callee = loadYaml(ref.path, root);
    const declared = asRecord(asRecord(triggersOf(callee.doc).workflow_call).inputs);
    const where = `jobs.${job.id}`;
    for (const choice of dispatchChoices(triggers)) {
      for (const row of matrixRows(asRecord(job.raw.strategy).matrix)) {
        const values: Record<string, string> = { ...choice };
        for (const [k, v] of Object.entries(row)) values[`matrix.${k}`] = v;
        // the callee's inputs: what the call passes (resolved here), else the callee's default
        const inputs: Record<string, string> = {};
        for (const [name, spec] of Object.entries(declared)) {
          const given = asRecord(job.raw.with)[name];
          const raw = given ?? asRecord(spec).default;
          if (raw === undefined || raw === null) continue;
          const value = interpolate(String(raw), values);
          if (value !== undefined) inputs[`inputs.${name}`] = value;
        }
        const environment = inputs['inputs.environment'];
        if (environment === undefined) {
          unresolved(where, 'the environment of this call');
          continue;
        }
        const callerGroups = [concurrencyOf(wf.doc.concurrency), concurrencyOf(job.raw.concurrency)]
          .filter((c) => c !== undefined)
          .map((c) => interpolate(c.group, values));
        if (callerGroups.includes(undefined)) unresolved(where, 'the caller concurrency group');
        const calleeTemplate = concurrencyOf(callee.doc.concurrency)?.group;
        const calleeGroup = calleeTemplate === undefined ? undefined : interpolate(calleeTemplate, inputs);
        if (calleeTemplate !== undefined && calleeGroup === undefined)
          unresolved(where, `${ref.path}'s concurrency group`);
        calls.push({
          file: wf.path,
          where,
          rollback: /(^|\/)rollback\.ya?ml$/.test(ref.path),
          environment,
          callerGroups: callerGroups.filter((g) => g !== undefined),
          calleeGroup,
        });
      }
    }
  }
  return calls;
}

/**
 * A rollback of an environment and a deploy of the same environment never run at once (#11): for the caller
 * workflows of one app, each rollback call shares a concurrency group with the deploys of its environment at the
 * caller level (the whole run waits), and calls rollback.yml with a group one of those deploys' calls also holds
 * (the same `concurrency-key`). Resolved per workflow_dispatch choice and matrix row.
 */
export function checkRollbackConcurrency(workflows: readonly LoadedYaml[], root: string): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const add = (file: string, where: string, message: string) => {
    if (seen.has(file + where + message)) return;
    seen.add(file + where + message);
    findings.push({ rule: 'concurrency-rollback-shared', file, where, message });
  };
  const calls = workflows.flatMap((wf) =>
    callsOf(wf, root, (where, what) => add(wf.path, where, `cannot resolve ${what} statically`)),
  );
  for (const rollback of calls.filter((c) => c.rollback)) {
    const deploys = calls.filter((c) => !c.rollback && c.environment === rollback.environment);
    if (deploys.length === 0) continue;
    const env = rollback.environment;
    const callerGroups = [...new Set(deploys.flatMap((d) => d.callerGroups))];
    if (!rollback.callerGroups.some((g) => callerGroups.includes(g))) {
      add(
        rollback.file,
        rollback.where,
        `the ${env} rollback runs under ${rollback.callerGroups.join(', ') || 'no group'}, the ${env} deploys under ` +
          `${callerGroups.join(', ') || 'no group'}: share one group so a rollback never runs during a deploy`,
      );
    }
    const calleeGroups = [...new Set(deploys.map((d) => d.calleeGroup).filter((g) => g !== undefined))];
    if (rollback.calleeGroup !== undefined && !calleeGroups.includes(rollback.calleeGroup)) {
      add(
        rollback.file,
        rollback.where,
        `the ${env} rollback holds ${rollback.calleeGroup}, which no ${env} deploy holds ` +
          `(${calleeGroups.join(', ')}): pass the deploy's concurrency-key`,
      );
    }
  }
  return findings;
}
