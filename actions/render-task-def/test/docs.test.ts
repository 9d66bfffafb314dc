// README inputs/outputs tables and .env.example match action.yml.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import YAML from 'yaml';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..');
const action = YAML.parse(readFileSync(join(dir, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
  branding: { icon: string; color: string };
};
const readme = readFileSync(join(dir, 'README.md'), 'utf8');

function table(heading: string): string[][] {
  const section = readme.split(`## ${heading}\n`)[1]!.split('\n## ')[0]!;
  return section
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
}

describe('docs match action.yml', () => {
  test('runs on node24 from dist/index.js, with branding', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(action.branding.icon).toBeTruthy();
  });
  test('every input and output has a description', () => {
    for (const v of [...Object.values(action.inputs), ...Object.values(action.outputs)]) {
      expect(v.description.length).toBeGreaterThan(10);
    }
  });
  test('README inputs table: same names and defaults', () => {
    const rows = table('Inputs');
    expect(rows.map((r) => r[0]!.replace(/`/g, ''))).toEqual(Object.keys(action.inputs));
    for (const [name, , dflt] of rows) {
      expect(dflt!.replace(/`/g, '')).toBe(action.inputs[name!.replace(/`/g, '')]!.default ?? '');
    }
  });
  test('README outputs table: same names', () => {
    expect(table('Outputs').map((r) => r[0]!.replace(/`/g, ''))).toEqual(Object.keys(action.outputs));
  });
  test('.env.example lists every input', () => {
    const env = readFileSync(join(dir, '.env.example'), 'utf8');
    for (const name of Object.keys(action.inputs)) expect(env).toContain(`INPUT_${name.toUpperCase()}=`);
  });
});
