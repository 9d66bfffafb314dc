// workflow_dispatch inputs as GitHub validates them when a run is requested: unknown inputs are refused, required
// ones must be given (or have a default), `choice` must be one of its options, `boolean` is true/false, `number`
// numeric. The `inputs` context is typed (booleans are booleans); github.event.inputs keeps the strings.
import type { WorkflowDispatchConfig } from '@actions/workflow-parser/model/workflow-template';
import { UsageError } from '../errors.ts';

export interface DispatchInputs {
  typed: Record<string, string | number | boolean>;
  strings: Record<string, string>;
}

export function dispatchInputs(config: WorkflowDispatchConfig, given: Record<string, string>): DispatchInputs {
  const defs = config.inputs ?? {};
  const unknown = Object.keys(given).filter((k) => !(k in defs));
  if (unknown.length) {
    throw new UsageError(
      `Unexpected inputs provided: ${JSON.stringify(unknown)} (declared: ${Object.keys(defs).join(', ') || 'none'})`,
    );
  }
  const typed: Record<string, string | number | boolean> = {};
  const strings: Record<string, string> = {};
  for (const [name, def] of Object.entries(defs)) {
    const raw = given[name] ?? (def.default !== undefined ? String(def.default) : undefined);
    if (raw === undefined || raw === '') {
      if (def.required) throw new UsageError(`--input ${name}: required input not provided`);
      typed[name] = def.type === 'boolean' ? false : '';
      strings[name] = def.type === 'boolean' ? 'false' : '';
      continue;
    }
    switch (def.type) {
      case 'boolean':
        if (raw !== 'true' && raw !== 'false')
          throw new UsageError(`--input ${name}: expected true or false, got '${raw}'`);
        typed[name] = raw === 'true';
        break;
      case 'choice':
        if (!(def.options ?? []).includes(raw)) {
          throw new UsageError(`--input ${name}: '${raw}' is not one of ${(def.options ?? []).join(', ')}`);
        }
        typed[name] = raw;
        break;
      default:
        if ((def.type as string) === 'number') {
          const n = Number(raw);
          if (!Number.isFinite(n)) throw new UsageError(`--input ${name}: expected a number, got '${raw}'`);
          typed[name] = n;
        } else typed[name] = raw;
    }
    strings[name] = raw;
  }
  return { typed, strings };
}
