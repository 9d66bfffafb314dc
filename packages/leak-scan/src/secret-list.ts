// The secrets a scan looks for, from a JSON file: an array of strings, or `{ "secret": [...] }` (the shape the demo
// writes to demo-report/secrets.json, whose `publicByDesign` values are compiled into an SPA on purpose and skipped).
import { readFileSync } from 'node:fs';

export function readSecretList(path: string): string[] {
  const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const list = Array.isArray(raw) ? raw : (raw as { secret?: unknown })?.secret;
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string')) {
    throw new Error(`${path}: expected an array of strings or {"secret": [strings]}`);
  }
  return list as string[];
}
