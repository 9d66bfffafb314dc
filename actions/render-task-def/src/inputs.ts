// The only file that reads inputs. Everything is parsed and validated here, before any AWS call; a problem is one
// ConfigurationError naming the input (and the line, for multi-line inputs). The render inputs (template, containers,
// environment, secrets, …) are parsed by the kit's parsers, shared with deploy-ecs.
import { parseTaskDefRenderInputs, type TaskDefRenderInputs } from '@deploy-actions/kit/ecs/taskdef';
import {
  actionInputs,
  maskNamedValue,
  parseBoolean,
  parseDurationInput,
  parseOutputFile,
  type RawInputs,
  rawInput,
  workspaceDir,
} from '@deploy-actions/kit/runtime';

export interface Inputs extends TaskDefRenderInputs {
  pinDigest: boolean;
  compare: boolean;
  timeoutMs: number;
  outputFile: string | undefined;
}

/** Every input parsed and validated (pure apart from reading the template file). */
export function parseInputs(raw: RawInputs, env: NodeJS.ProcessEnv = process.env): Inputs {
  const baseDir = workspaceDir(env);
  const render = parseTaskDefRenderInputs(raw, baseDir);
  return {
    ...render,
    pinDigest: parseBoolean('pin-digest', rawInput(raw, 'pin-digest'), false),
    compare: parseBoolean('compare', rawInput(raw, 'compare'), true),
    timeoutMs: parseDurationInput('timeout', rawInput(raw, 'timeout'), 'lookup-timeout'),
    outputFile: parseOutputFile('output-file', rawInput(raw, 'output-file'), baseDir),
  };
}

export function getInputs(): Inputs {
  const inputs = parseInputs(actionInputs(), process.env);
  // Values given for secret-looking environment names never show in the log, whatever prints them.
  for (const section of inputs.overrides.environment) {
    for (const e of section.entries) maskNamedValue(e.key, e.value);
  }
  return inputs;
}
