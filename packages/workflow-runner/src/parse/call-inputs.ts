// workflow_call inputs: the callee's declarations, the check of a caller's literal `with:` values before the run
// (a string where a boolean is declared is an error on GitHub: "Unexpected type of value"), and the typed inputs
// context at run time (defaults applied, types checked as GitHub does: no silent 'true' → true coercion).
import { isBoolean, isNumber, isString } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import type { Json } from '../expressions/data.ts';
import type { Locate } from '../expressions/template.ts';
import type { WorkflowSpec } from './model.ts';
import { entries, literal, literalString, prop } from './tokens.ts';

export type InputType = 'string' | 'boolean' | 'number';

export interface CallInputDef {
  name: string;
  type: InputType;
  required: boolean;
  default: TemplateToken | undefined;
}

export function workflowCall(workflow: WorkflowSpec): TemplateToken | undefined {
  return prop(prop(workflow.root, 'on'), 'workflow_call');
}

export function callInputDefs(workflow: WorkflowSpec): CallInputDef[] {
  return entries(prop(workflowCall(workflow), 'inputs')).map(([name, def]) => ({
    name,
    type: (literalString(prop(def, 'type')) ?? 'string') as InputType,
    required: literal(prop(def, 'required')) === true,
    default: prop(def, 'default'),
  }));
}

function typeOfLiteral(token: TemplateToken): string | undefined {
  if (isBoolean(token)) return 'boolean';
  if (isNumber(token)) return 'number';
  if (isString(token)) return 'string';
  return undefined;
}

/** Literal `with:` values whose YAML type differs from the declared one. */
export function checkCallInputs(jobToken: TemplateToken, callee: WorkflowSpec, locate: Locate): string[] {
  const defs = new Map(callInputDefs(callee).map((d) => [d.name.toLowerCase(), d]));
  const errors: string[] = [];
  for (const [name, value] of entries(prop(jobToken, 'with'))) {
    const def = defs.get(name.toLowerCase());
    const actual = typeOfLiteral(value);
    if (!def || actual === undefined || def.type === 'string' || actual === def.type) continue;
    errors.push(
      `${locate(value)}: input ${name} of ${callee.display}: unexpected type of value '${String(literal(value))}', expected type: ${def.type}`,
    );
  }
  return errors;
}

/** Runtime: typed value of one input from its evaluated `with:` value, or an error message. */
export function coerceCallInput(def: CallInputDef, value: Json): { value: Json } | { error: string } {
  switch (def.type) {
    case 'boolean':
      if (typeof value === 'boolean') return { value };
      return { error: `unexpected type of value '${String(value)}', expected type: boolean (use fromJSON())` };
    case 'number':
      if (typeof value === 'number') return { value };
      return { error: `unexpected type of value '${String(value)}', expected type: number (use fromJSON())` };
    default:
      if (value === null) return { value: '' };
      if (typeof value === 'object') return { error: 'a string was expected, got a mapping or sequence' };
      return { value: String(value) };
  }
}
