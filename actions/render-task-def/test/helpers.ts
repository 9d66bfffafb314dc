import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type RenderTaskDefResult as RenderResult,
  renderTaskDefinition,
  type TaskDefJson,
} from '@deploy-actions/kit/ecs/taskdef';
import { type Inputs, parseInputs } from '../src/inputs';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
}

/** Inputs parsed exactly as the action does, from a map of action.yml input names (cwd = fixtures folder). */
export function inputsFrom(raw: Record<string, string>, cwd = FIXTURES): Inputs {
  return parseInputs(raw, { GITHUB_WORKSPACE: cwd });
}

/** Parse inputs and render (file templates only). */
export function renderFrom(raw: Record<string, string>): RenderResult {
  const inputs = inputsFrom(raw);
  if (inputs.template.kind !== 'file') throw new Error('renderFrom needs a file template');
  return renderTaskDefinition(inputs.template.taskDefinition, inputs.overrides, { region: inputs.region });
}

type Container = Record<string, any>;

export function container(td: TaskDefJson, name: string): Container {
  const c = (td.containerDefinitions as Container[]).find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
}

export function env(td: TaskDefJson, name: string): Record<string, string> {
  return Object.fromEntries(
    ((container(td, name).environment ?? []) as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]),
  );
}

export function secrets(td: TaskDefJson, name: string): Record<string, string> {
  return Object.fromEntries(
    ((container(td, name).secrets ?? []) as Array<{ name: string; valueFrom: string }>).map((e) => [
      e.name,
      e.valueFrom,
    ]),
  );
}
