// The secrets a scan looks for, from a JSON file: an array of strings, or `{ "secret": [...], "issued": [...] }`
// (the shape the demo writes to demo-report/secrets.json: seeded secrets, and the credentials the emulator issued;
// its `publicByDesign` values are compiled into an SPA on purpose and skipped).
import { readFileSync } from 'node:fs';

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

export function readSecretList(path: string): string[] {
  const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (isStrings(raw)) return raw;
  const { secret, issued = [] } = (raw ?? {}) as { secret?: unknown; issued?: unknown };
  if (!isStrings(secret) || !isStrings(issued)) {
    throw new Error(`${path}: expected an array of strings or {"secret": [strings], "issued"?: [strings]}`);
  }
  return [...secret, ...issued];
}
