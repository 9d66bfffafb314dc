import * as core from './core';

/** Render an output value: strings as-is, undefined/null skipped, everything else JSON. */
export function outputValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/**
 * Write all outputs of an action in one place. Keys are action.yml output names. Non-string values are
 * JSON-stringified (`true`, `3`, `["a"]`); undefined and null are not written. Returns what was written.
 */
export function setOutputs(record: Record<string, unknown>): Record<string, string> {
  const written: Record<string, string> = {};
  for (const [name, value] of Object.entries(record)) {
    const text = outputValue(value);
    if (text === undefined) continue;
    core.setOutput(name, text);
    written[name] = text;
  }
  return written;
}
