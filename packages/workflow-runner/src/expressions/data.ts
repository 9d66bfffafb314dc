// Conversion between plain JS values and @actions/expressions data (the evaluator's value model).
import { data } from '@actions/expressions';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** JS value → expression data. `undefined` becomes null (a missing context key reads as null on GitHub). */
export function toData(value: unknown): data.ExpressionData {
  if (value === undefined || value === null) return new data.Null();
  if (typeof value === 'string') return new data.StringData(value);
  if (typeof value === 'number') return new data.NumberData(value);
  if (typeof value === 'boolean') return new data.BooleanData(value);
  if (Array.isArray(value)) return new data.Array(...value.map(toData));
  if (value instanceof data.Dictionary || value instanceof data.Array) return value;
  if (typeof value === 'object') {
    const dict = new data.Dictionary();
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) dict.add(k, toData(v));
    return dict;
  }
  return new data.StringData(String(value));
}

/** Expression data → JS value. */
export function fromData(value: data.ExpressionData | undefined): Json {
  if (value === undefined) return null;
  switch (value.kind) {
    case data.Kind.String:
      return (value as data.StringData).value;
    case data.Kind.Number:
      return (value as data.NumberData).value;
    case data.Kind.Boolean:
      return (value as data.BooleanData).value;
    case data.Kind.Null:
      return null;
    case data.Kind.Array:
      return (value as data.Array).values().map(fromData);
    default: {
      const out: Record<string, Json> = {};
      for (const { key, value: v } of (value as data.Dictionary).pairs()) out[key] = fromData(v);
      return out;
    }
  }
}

/** How GitHub turns an expression result into a string (`${{ true }}` → `true`, null → ``, 1.50 → `1.5`). */
export function coerceString(value: data.ExpressionData): string {
  return value.kind === data.Kind.Null ? '' : value.coerceString();
}
