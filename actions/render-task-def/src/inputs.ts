// The only file that reads inputs. Everything is parsed and validated here, before any AWS call; a problem is one
// ConfigurationError naming the input (and the line, for multi-line inputs). The render inputs (template, containers,
// environment, secrets, …) are parsed by the kit's parsers, shared with deploy-ecs.
import { resolve } from 'node:path';
import { type InputReader, parseTaskDefRenderInputs, type TaskDefRenderInputs } from '@deploy-actions/kit/ecs/taskdef';
import { getRawInput, parseBoolean, parseDuration } from '@deploy-actions/kit/runtime';

export interface Inputs extends TaskDefRenderInputs {
  pinDigest: boolean;
  compare: boolean;
  timeoutMs: number;
  outputFile: string | undefined;
}

export function getInputs(read: InputReader = getRawInput, cwd = process.cwd()): Inputs {
  const render = parseTaskDefRenderInputs(read, cwd);
  const outputFile = read('output-file').trim();
  return {
    ...render,
    pinDigest: parseBoolean('pin-digest', read('pin-digest'), false),
    compare: parseBoolean('compare', read('compare'), true),
    timeoutMs: parseDuration('timeout', read('timeout'), '2m'),
    outputFile: outputFile === '' ? undefined : resolve(cwd, outputFile),
  };
}
