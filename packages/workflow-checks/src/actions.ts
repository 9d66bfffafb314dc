import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { asRecord, type Finding, isRecord } from './types';

export interface ActionInput {
  name: string;
  description: string;
  required: boolean;
  hasDefault: boolean;
}

export interface ActionSpec {
  name: string;
  file: string;
  inputs: Map<string, ActionInput>;
  outputs: Map<string, { name: string; description: string }>;
  runs: Record<string, unknown>;
  branding: Record<string, unknown> | undefined;
}

function truthy(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
}

/** Parse an action.yml text into the parts the checks need (input names are matched lower-cased, as GitHub does). */
export function parseActionSpec(name: string, file: string, text: string): ActionSpec {
  const doc = asRecord(parse(text));
  const inputs = new Map<string, ActionInput>();
  for (const [key, raw] of Object.entries(asRecord(doc.inputs))) {
    const v = asRecord(raw);
    inputs.set(key.toLowerCase(), {
      name: key,
      description: typeof v.description === 'string' ? v.description.trim() : '',
      required: truthy(v.required),
      hasDefault: v.default !== undefined && v.default !== null,
    });
  }
  const outputs = new Map<string, { name: string; description: string }>();
  for (const [key, raw] of Object.entries(asRecord(doc.outputs))) {
    const v = asRecord(raw);
    outputs.set(key.toLowerCase(), {
      name: key,
      description: typeof v.description === 'string' ? v.description.trim() : '',
    });
  }
  return {
    name,
    file,
    inputs,
    outputs,
    runs: asRecord(doc.runs),
    branding: isRecord(doc.branding) ? doc.branding : undefined,
  };
}

/** The action.yml of actions/<name> under root, or undefined when there is none. */
const specCache = new Map<string, { mtimeMs: number; spec: ActionSpec }>();

export function loadActionSpec(root: string, name: string): ActionSpec | undefined {
  for (const fileName of ['action.yml', 'action.yaml']) {
    const file = join('actions', name, fileName);
    const abs = join(root, file);
    if (!existsSync(abs)) continue;
    const mtimeMs = statSync(abs).mtimeMs;
    const hit = specCache.get(abs);
    if (hit && hit.mtimeMs === mtimeMs) return hit.spec;
    const spec = parseActionSpec(name, file, readFileSync(abs, 'utf8'));
    specCache.set(abs, { mtimeMs, spec });
    return spec;
  }
  return undefined;
}

/** Rules every action.yml of this repository follows (DESIGN.md layout). `dir` is the action's folder. */
export function checkActionManifest(spec: ActionSpec, dir: string): Finding[] {
  const findings: Finding[] = [];
  const add = (rule: string, where: string, message: string) =>
    findings.push({ rule, file: spec.file, where, message });
  if (spec.runs.using !== 'node24')
    add('action-runs-node24', 'runs.using', `must be node24, is ${String(spec.runs.using)}`);
  if (spec.runs.main !== 'dist/index.js') {
    add('action-main-dist', 'runs.main', `must be dist/index.js, is ${String(spec.runs.main)}`);
  }
  for (const key of ['main', 'pre', 'post'] as const) {
    const entry = spec.runs[key];
    if (typeof entry === 'string' && !existsSync(join(dir, entry))) {
      add('action-entry-exists', `runs.${key}`, `${entry} does not exist (run the build)`);
    }
  }
  for (const input of spec.inputs.values()) {
    if (!input.description) add('action-input-description', `inputs.${input.name}`, 'has no description');
  }
  for (const output of spec.outputs.values()) {
    if (!output.description) add('action-output-description', `outputs.${output.name}`, 'has no description');
  }
  const icon = spec.branding?.icon;
  const color = spec.branding?.color;
  if (typeof icon !== 'string' || !icon || typeof color !== 'string' || !color) {
    add('action-branding', 'branding', 'needs branding.icon and branding.color');
  }
  return findings;
}

/**
 * The names in the first column of the README's inputs table: the first markdown table after a heading whose text
 * contains "Inputs". Names are taken from backticks when present. Returns undefined when there is no such table.
 */
export function readmeTableNames(markdown: string, heading: 'Inputs' | 'Outputs'): string[] | undefined {
  const lines = markdown.split(/\r?\n/);
  let inSection = false;
  let inFence = false;
  const names: string[] = [];
  let sawTable = false;
  for (const line of lines) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const h = /^#{1,6}\s+(.*)$/.exec(line);
    if (h) {
      if (sawTable) break;
      inSection = new RegExp(`\\b${heading}\\b`, 'i').test(h[1] ?? '');
      continue;
    }
    if (!inSection) continue;
    if (/^\s*\|/.test(line)) {
      const cells = line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
      const first = cells[0] ?? '';
      if (/^:?-{3,}:?$/.test(first)) continue; // separator row
      if (!sawTable) {
        sawTable = true; // header row
        continue;
      }
      const tick = /`([^`]+)`/.exec(first);
      const name = (tick ? tick[1] : first)?.trim();
      if (name) names.push(name);
    } else if (sawTable && line.trim() === '') {
      break;
    }
  }
  return sawTable ? names : undefined;
}

/** README inputs table vs action.yml inputs: missing README, missing table, names only on one side. */
export function checkReadmeInputs(spec: ActionSpec, readme: string | undefined, readmeFile: string): Finding[] {
  const add = (message: string, where = 'Inputs'): Finding => ({
    rule: 'readme-inputs',
    file: readmeFile,
    where,
    message,
  });
  if (readme === undefined) return [add('README.md is missing', '-')];
  const names = readmeTableNames(readme, 'Inputs');
  if (names === undefined) return [add('no inputs table (a markdown table under an "Inputs" heading)')];
  const documented = new Set(names.map((n) => n.toLowerCase()));
  const declared = new Set([...spec.inputs.keys()]);
  const findings: Finding[] = [];
  for (const name of declared) {
    if (!documented.has(name))
      findings.push(add(`input '${spec.inputs.get(name)?.name}' is in action.yml but not in the README table`));
  }
  for (const name of names) {
    if (!declared.has(name.toLowerCase()))
      findings.push(add(`input '${name}' is in the README table but not in action.yml`));
  }
  return findings;
}
