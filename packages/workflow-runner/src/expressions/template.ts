// Evaluate parsed workflow tokens (from @actions/workflow-parser) into values: literals as they are, `${{ }}`
// (BasicExpressionToken; the parser already turned `a-${{ x }}` into `format('a-{0}', x)`) through the evaluator,
// mappings and sequences recursively. Errors carry the token's file:line.
import { data } from '@actions/expressions';
import { isBasicExpression, isBoolean, isMapping, isNumber, isSequence, isString } from '@actions/workflow-parser';
import type { BasicExpressionToken, TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import { coerceString, fromData, type Json } from './data.ts';
import { ExpressionFailure, type ExpressionScope, evaluateData } from './evaluate.ts';

/** Turns a token into `file:line:col` for messages. */
export type Locate = (token: TemplateToken | undefined) => string;

export interface TokenScope extends ExpressionScope {
  locate: Locate;
}

/** An expression in a workflow file failed: message `file:line:col: ...`. */
export class TokenEvaluationError extends Error {
  override name = 'TokenEvaluationError';
}

function expressionData(token: BasicExpressionToken, scope: TokenScope): data.ExpressionData {
  try {
    return evaluateData(token.expression, scope);
  } catch (err) {
    if (err instanceof ExpressionFailure) throw new TokenEvaluationError(`${scope.locate(token)}: ${err.message}`);
    throw err;
  }
}

/** Any token → a JSON-like value. */
export function evaluateToken(token: TemplateToken | undefined, scope: TokenScope): Json {
  if (token === undefined) return null;
  if (isBasicExpression(token)) return fromData(expressionData(token, scope));
  if (isString(token)) return token.value;
  if (isNumber(token)) return token.value;
  if (isBoolean(token)) return token.value;
  if (isSequence(token)) {
    const out: Json[] = [];
    for (let i = 0; i < token.count; i++) out.push(evaluateToken(token.get(i), scope));
    return out;
  }
  if (isMapping(token)) {
    const out: Record<string, Json> = {};
    for (const pair of token) out[evaluateString(pair.key, scope)] = evaluateToken(pair.value, scope);
    return out;
  }
  return null;
}

/** A token in a string position (env values, `with:` inputs, names): scalars as GitHub prints them. */
export function evaluateString(token: TemplateToken | undefined, scope: TokenScope): string {
  if (token === undefined) return '';
  if (isBasicExpression(token)) {
    const value = expressionData(token, scope);
    if (value.kind === data.Kind.Array || value.kind === data.Kind.Dictionary) {
      throw new TokenEvaluationError(
        `${scope.locate(token)}: a ${value.kind === data.Kind.Array ? 'sequence' : 'mapping'} was not expected (\`${token.expression}\`); use toJSON() for a string`,
      );
    }
    return coerceString(value);
  }
  if (isString(token)) return token.value;
  if (isNumber(token) || isBoolean(token)) return String(token.value);
  if (isMapping(token) || isSequence(token))
    throw new TokenEvaluationError(`${scope.locate(token)}: a string was expected, got a ${token.typeName()}`);
  return '';
}

/** A mapping of strings (env:, with:, outputs:) → record; keys keep their case. */
export function evaluateStringMap(token: TemplateToken | undefined, scope: TokenScope): Record<string, string> {
  const out: Record<string, string> = {};
  if (token === undefined || !isMapping(token)) return out;
  for (const pair of token) out[evaluateString(pair.key, scope)] = evaluateString(pair.value, scope);
  return out;
}

/**
 * A string with `${{ }}` segments that is not a parsed workflow token (action.yml input defaults such as
 * `${{ github.token }}`): each segment evaluated and coerced to a string.
 */
export function interpolate(text: string, scope: ExpressionScope): string {
  return text.replace(/\$\{\{(.*?)\}\}/gs, (_, expr: string) => coerceString(evaluateData(expr.trim(), scope)));
}
