import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type ActionSpec, loadActionSpec } from './actions';
import { checkDeployCalls } from './deploy-calls';
import { type LoadedYaml, loadYaml } from './files';
import { readRepoIdentity } from './identity';
import { asRecord, type Finding, isRecord } from './types';
import { classifyUses, jobsOf, triggersOf } from './workflow';

export interface CalleeInput {
  name: string;
  required: boolean;
  hasDefault: boolean;
  type: string;
}

export interface CalleeSpec {
  file: string;
  inputs: Map<string, CalleeInput>;
  secrets: Map<string, { name: string; required: boolean }>;
}

/** The `on.workflow_call` interface of a reusable workflow, or undefined when it is not callable. */
export function workflowCallSpec(wf: LoadedYaml): CalleeSpec | undefined {
  const triggers = triggersOf(wf.doc);
  if (!('workflow_call' in triggers)) return undefined;
  const call = asRecord(triggers.workflow_call);
  const inputs = new Map<string, CalleeInput>();
  for (const [name, raw] of Object.entries(asRecord(call.inputs))) {
    const v = asRecord(raw);
    inputs.set(name.toLowerCase(), {
      name,
      required: v.required === true,
      hasDefault: v.default !== undefined && v.default !== null,
      type: typeof v.type === 'string' ? v.type : 'string',
    });
  }
  const secrets = new Map<string, { name: string; required: boolean }>();
  for (const [name, raw] of Object.entries(asRecord(call.secrets))) {
    secrets.set(name.toLowerCase(), { name, required: asRecord(raw).required === true });
  }
  return { file: wf.path, inputs, secrets };
}

function isExpression(value: unknown): boolean {
  return typeof value === 'string' && /^\s*\$\{\{[\s\S]*\}\}\s*$/.test(value);
}

function literalMatchesType(value: unknown, type: string): boolean {
  if (isExpression(value)) return true; // checked at run time
  if (type === 'boolean') return typeof value === 'boolean' || value === 'true' || value === 'false';
  if (type === 'number')
    return typeof value === 'number' || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value));
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * Every `uses:` of one of our actions passes only inputs its action.yml declares and every required one (required
 * and without a default). Every call of one of our reusable workflows passes only declared inputs and secrets and
 * every required one, with literal values of the declared type. `root` is the checkout of the repository its
 * package.json names (actions/, the short-path folders and .github/workflows/ live there).
 */
export function checkCrossFile(wf: LoadedYaml, root: string): Finding[] {
  const findings: Finding[] = [];
  const add = (rule: string, where: string, message: string) => findings.push({ rule, file: wf.path, where, message });
  const self = readRepoIdentity(root);
  const actionCache = new Map<string, ActionSpec | undefined>();
  const action = (name: string) => {
    if (!actionCache.has(name)) actionCache.set(name, loadActionSpec(root, name));
    return actionCache.get(name);
  };

  for (const job of jobsOf(wf.doc)) {
    for (const step of job.steps) {
      if (!step.uses) continue;
      const ref = classifyUses(step.uses, self);
      if (ref.kind !== 'our-action') continue;
      const spec = action(ref.name);
      if (!spec) {
        add('action-exists', step.where, `${step.uses}: actions/${ref.name}/action.yml does not exist`);
        continue;
      }
      if (ref.short && !existsSync(join(root, ref.name, 'action.yml'))) {
        add('action-exists', step.where, `${step.uses}: the short path ${ref.name}/action.yml does not exist`);
      }
      const given = Object.keys(step.with);
      for (const key of given) {
        if (!spec.inputs.has(key.toLowerCase())) {
          const known = [...spec.inputs.values()].map((i) => i.name).join(', ');
          add('action-input-unknown', step.where, `${ref.name} has no input '${key}' (declared: ${known})`);
        }
      }
      const givenLower = new Set(given.map((k) => k.toLowerCase()));
      for (const input of spec.inputs.values()) {
        if (input.required && !input.hasDefault && !givenLower.has(input.name.toLowerCase())) {
          add('action-input-required', step.where, `${ref.name} requires input '${input.name}'`);
        }
      }
    }

    if (!job.uses) continue;
    const ref = classifyUses(job.uses, self);
    if (ref.kind !== 'our-workflow' && !(ref.kind === 'local' && /^\.github\/workflows\//.test(ref.path))) continue;
    const path = ref.path;
    const where = `jobs.${job.id}`;
    if (!existsSync(join(root, path))) {
      add('workflow-exists', where, `${job.uses}: ${path} does not exist`);
      continue;
    }
    const callee = workflowCallSpec(loadYaml(path, root));
    if (!callee) {
      add('workflow-callable', where, `${path} has no on.workflow_call trigger`);
      continue;
    }
    const withs = asRecord(job.raw.with);
    for (const [key, value] of Object.entries(withs)) {
      const input = callee.inputs.get(key.toLowerCase());
      if (!input) {
        add(
          'workflow-input-unknown',
          where,
          `${path} has no input '${key}' (declared: ${[...callee.inputs.values()].map((i) => i.name).join(', ')})`,
        );
      } else if (!literalMatchesType(value, input.type)) {
        add('workflow-input-type', where, `input '${key}' is ${input.type} in ${path}, got ${JSON.stringify(value)}`);
      }
    }
    const withLower = new Set(Object.keys(withs).map((k) => k.toLowerCase()));
    for (const input of callee.inputs.values()) {
      if (input.required && !input.hasDefault && !withLower.has(input.name.toLowerCase())) {
        add('workflow-input-required', where, `${path} requires input '${input.name}'`);
      }
    }
    const secrets = job.raw.secrets;
    if (secrets === 'inherit') continue; // the security rules report it
    const given = isRecord(secrets) ? secrets : {};
    for (const key of Object.keys(given)) {
      if (!callee.secrets.has(key.toLowerCase())) {
        add(
          'workflow-secret-unknown',
          where,
          `${path} has no secret '${key}' (declared: ${[...callee.secrets.values()].map((s) => s.name).join(', ')})`,
        );
      }
    }
    const givenLower = new Set(Object.keys(given).map((k) => k.toLowerCase()));
    for (const secret of callee.secrets.values()) {
      if (secret.required && !givenLower.has(secret.name.toLowerCase())) {
        add('workflow-secret-required', where, `${path} requires secret '${secret.name}'`);
      }
    }
  }
  // Combinations of inputs of our deploy workflows that cannot work (deploy-calls.ts).
  findings.push(...checkDeployCalls(wf, root));
  return findings;
}
