// Small readers over the raw token tree @actions/workflow-parser returns (its converted model drops keys the runner
// needs: permissions, defaults, timeout-minutes, step with/shell/working-directory…, so jobs and steps are read from
// the tokens, which also keep every value's file:line).
import { isBasicExpression, isBoolean, isMapping, isNumber, isSequence, isString } from '@actions/workflow-parser';
import type { MappingToken, TemplateToken } from '@actions/workflow-parser/templates/tokens/index';

export function prop(token: TemplateToken | undefined, key: string): TemplateToken | undefined {
  if (!token || !isMapping(token)) return undefined;
  for (const pair of token) if (isString(pair.key) && pair.key.value === key) return pair.value;
  return undefined;
}

export function entries(token: TemplateToken | undefined): Array<[string, TemplateToken, TemplateToken]> {
  if (!token || !isMapping(token)) return [];
  const out: Array<[string, TemplateToken, TemplateToken]> = [];
  for (const pair of token) if (isString(pair.key)) out.push([pair.key.value, pair.value, pair.key]);
  return out;
}

export function items(token: TemplateToken | undefined): TemplateToken[] {
  if (!token || !isSequence(token)) return [];
  const out: TemplateToken[] = [];
  for (let i = 0; i < token.count; i++) out.push(token.get(i));
  return out;
}

/** A literal scalar's value (undefined for expressions, mappings, sequences). */
export function literal(token: TemplateToken | undefined): string | number | boolean | undefined {
  if (!token || isBasicExpression(token)) return undefined;
  if (isString(token) || isNumber(token) || isBoolean(token)) return token.value;
  return undefined;
}

export function literalString(token: TemplateToken | undefined): string | undefined {
  const v = literal(token);
  return v === undefined ? undefined : String(v);
}

export function asMapping(token: TemplateToken | undefined): MappingToken | undefined {
  return token && isMapping(token) ? token : undefined;
}

export function isMappingToken(token: TemplateToken | undefined): token is MappingToken {
  return token !== undefined && isMapping(token);
}
