// Parsers of the render inputs render-task-def and deploy-ecs share: template / template-family / template-arn,
// aws-region, family, containers, environment(-mode), secrets(-mode), docker-labels, log-configuration, command,
// cpu, memory, task-role-arn, execution-role-arn. Pure over the raw inputs each action's parseInputs hands in (apart
// from reading the template file); every input kind goes through runtime/inputs' one parser for it (task definition
// reference, region, image, secret reference, command, ARN). A problem is one ConfigurationError naming the input
// (and the line, for multi-line inputs).
import { ConfigurationError } from '../../runtime/errors';
import { ECS_NAME_RE, FAMILY_REVISION_RE, parseArn, parseRegion } from '../../runtime/inputs/aws-ids';
import { parseCommand } from '../../runtime/inputs/command';
import { ENV_NAME_RE } from '../../runtime/inputs/ecs-ids';
import { parseImage } from '../../runtime/inputs/image';
import { optionalInput, parseEnum, quote, type RawInputs, rawInput } from '../../runtime/inputs/readers';
import { secretValueFromProblem } from '../../runtime/inputs/secret-ref';
import { parseTaskDefReference } from '../../runtime/inputs/taskdef-ref';
import type { ContainerValue, OverrideEntry, OverrideMode, OverrideSection, TaskDefOverrides } from './render';
import { readTaskDefFile, type TaskDefSource } from './source';

/** Where the template comes from: a file, a family's latest ACTIVE revision, or one revision (ARN / family:rev). */
export type TaskDefTemplateSource = Extract<TaskDefSource, { kind: 'file' | 'family' | 'arn' }>;

/** The render inputs, parsed: where the template comes from, the region input and the overrides to apply. */
export interface TaskDefRenderInputs {
  template: TaskDefTemplateSource;
  region: string | undefined;
  overrides: TaskDefOverrides;
}

const CONTAINER_NAME_RE = ECS_NAME_RE;
const FAMILY_RE = ECS_NAME_RE;
const ROLE_NAME_RE = /^[\w+=,.@-]{1,64}$/;
const LOG_DRIVERS = ['awslogs', 'awsfirelens', 'fluentd', 'gelf', 'journald', 'json-file', 'splunk', 'syslog'];
const MODES: readonly OverrideMode[] = ['merge', 'replace'];

/**
 * Parse and validate the render inputs (template files resolve against `baseDir`, the workspace), in a fixed order:
 * template source, aws-region, family, cpu, memory, containers, environment, environment-mode, secrets,
 * secrets-mode, docker-labels, log-configuration, command, task-role-arn, execution-role-arn.
 */
export function parseTaskDefRenderInputs(raw: RawInputs, baseDir: string): TaskDefRenderInputs {
  const opt = (name: string) => optionalInput(raw, name);
  const read = (name: string) => rawInput(raw, name);
  const template = parseTemplateSource(opt('template'), opt('template-family'), opt('template-arn'), baseDir);
  const regionInput = opt('aws-region');
  const region = regionInput === undefined ? undefined : parseRegion('aws-region', regionInput);
  const family = opt('family');
  if (family !== undefined && !FAMILY_RE.test(family)) {
    throw new ConfigurationError(
      'family',
      `expected a task definition family (letters, digits, _ and -), got ${quote(family)}`,
    );
  }

  const cpu = parseSizes('cpu', read('cpu'));
  const memory = parseSizes('memory', read('memory'));
  const overrides: TaskDefOverrides = {
    family,
    images: parseContainerLines('containers', read('containers'), parseImage),
    environment: parseSections('environment', read('environment'), validateEnvName),
    environmentMode: parseMode('environment-mode', read('environment-mode')),
    secrets: parseSections('secrets', read('secrets'), validateSecret),
    secretsMode: parseMode('secrets-mode', read('secrets-mode')),
    dockerLabels: parseSections('docker-labels', read('docker-labels'), validateLabel),
    logConfiguration: parseSections('log-configuration', read('log-configuration'), validateLogOption),
    command: parseContainerLines('command', read('command'), (input, value, line) => parseCommand(input, value, line)!),
    taskCpu: cpu.task,
    taskMemory: memory.task,
    containerCpu: cpu.containers,
    containerMemory: memory.containers,
    taskRoleArn: parseRole('task-role-arn', opt('task-role-arn'), true),
    executionRoleArn: parseRole('execution-role-arn', opt('execution-role-arn'), false),
  };
  return { template, region, overrides };
}

function parseMode(name: string, raw: string): OverrideMode {
  return parseEnum(name, raw, MODES, 'merge');
}

// -----------------------------------------------------------------------------------------------------------------
// template / template-family / template-arn

export function parseTemplateSource(
  file: string | undefined,
  family: string | undefined,
  arn: string | undefined,
  baseDir: string,
): TaskDefTemplateSource {
  const given = [
    ['template', file],
    ['template-family', family],
    ['template-arn', arn],
  ].filter(([, v]) => v !== undefined) as Array<[string, string]>;
  if (given.length === 0) {
    throw new ConfigurationError(
      'template',
      "no template: set exactly one of 'template' (a JSON file), 'template-family' (latest ACTIVE revision) or 'template-arn'",
    );
  }
  if (given.length > 1) {
    throw new ConfigurationError(
      given[1]![0],
      `set exactly one of 'template', 'template-family' and 'template-arn'; got ${given.map(([n]) => `'${n}'`).join(' and ')}`,
    );
  }
  if (file !== undefined) {
    const ref = parseTaskDefReference('template', file, { allow: ['file'], baseDir });
    if (ref.kind !== 'file') throw new Error('unreachable: template is a file');
    return { kind: 'file', path: file, taskDefinition: readTaskDefFile('template', ref) };
  }
  if (family !== undefined) {
    if (FAMILY_REVISION_RE.test(family) || family.startsWith('arn:')) {
      throw new ConfigurationError(
        'template-family',
        `expected a family name without revision, got ${quote(family)}: use 'template-arn' for a specific revision`,
      );
    }
    const ref = parseTaskDefReference('template-family', family, { allow: ['family'], baseDir, revision: 'refused' });
    if (ref.kind !== 'family') throw new Error('unreachable: template-family is a family');
    return ref;
  }
  const ref = parseTaskDefReference('template-arn', arn!, { allow: ['arn', 'family'], baseDir, revision: 'required' });
  if (ref.kind !== 'arn' && ref.kind !== 'family') throw new Error('unreachable: template-arn is a revision');
  return ref;
}

// -----------------------------------------------------------------------------------------------------------------
// Multi-container inputs

type EntryValidator = (input: string, entry: OverrideEntry) => void;

/**
 * Sectioned `KEY=VALUE` lines:
 *   [web]            ← a container name (case-sensitive), or [*] for every container
 *   NODE_ENV=production
 *   # comments and blank lines are ignored
 * Lines before the first header apply to the only container (an error when the task definition has several).
 * The value is everything after the first '=', trimmed; `KEY=` sets an empty value.
 */
export function parseSections(input: string, raw: string, validate?: EntryValidator): OverrideSection[] {
  const sections: OverrideSection[] = [];
  const headers = new Map<string, number>();
  let current: OverrideSection | undefined;
  let keys = new Map<string, number>();
  raw.split(/\r?\n/).forEach((rawLine, i) => {
    const line = i + 1;
    const text = rawLine.trim();
    if (text === '' || text.startsWith('#')) return;
    const header = /^\[(.*)\]$/.exec(text);
    if (header) {
      const name = header[1]!.trim();
      if (name !== '*' && !CONTAINER_NAME_RE.test(name)) {
        throw new ConfigurationError(
          input,
          `line ${line}: ${quote(text)} is not a container header: expected [container-name] (letters, digits, _ and -) or [*]`,
        );
      }
      const previous = headers.get(name);
      if (previous !== undefined) {
        throw new ConfigurationError(input, `line ${line}: section [${name}] already started on line ${previous}`);
      }
      headers.set(name, line);
      current = { target: name, line, entries: [] };
      keys = new Map();
      sections.push(current);
      return;
    }
    const eq = text.indexOf('=');
    if (eq <= 0) {
      throw new ConfigurationError(
        input,
        eq === 0
          ? `line ${line}: missing name before '=' in ${quote(text)}`
          : `line ${line}: expected NAME=VALUE or a [container-name] header, got ${quote(text)}`,
      );
    }
    const key = text.slice(0, eq).trim();
    const value = text.slice(eq + 1).trim();
    if (/\s/.test(key)) throw new ConfigurationError(input, `line ${line}: name ${quote(key)} contains whitespace`);
    if (!current) {
      current = { target: undefined, line, entries: [] };
      keys = new Map();
      sections.push(current);
    }
    const dup = keys.get(key);
    if (dup !== undefined)
      throw new ConfigurationError(input, `line ${line}: ${quote(key)} already set on line ${dup}`);
    keys.set(key, line);
    const entry = { key, value, line };
    validate?.(input, entry);
    current.entries.push(entry);
  });
  return sections;
}

/** `container=value` lines (containers, command). Each container at most once. */
export function parseContainerLines<T>(
  input: string,
  raw: string,
  convert: (input: string, value: string, line: number, container: string) => T,
): ContainerValue<T>[] {
  const out: ContainerValue<T>[] = [];
  const seen = new Map<string, number>();
  raw.split(/\r?\n/).forEach((rawLine, i) => {
    const line = i + 1;
    const text = rawLine.trim();
    if (text === '' || text.startsWith('#')) return;
    const eq = text.indexOf('=');
    if (eq === -1) {
      throw new ConfigurationError(input, `line ${line}: expected CONTAINER=VALUE, got ${quote(text)}`);
    }
    const container = text.slice(0, eq).trim();
    const value = text.slice(eq + 1).trim();
    if (!CONTAINER_NAME_RE.test(container)) {
      throw new ConfigurationError(
        input,
        `line ${line}: ${quote(container)} is not a container name (letters, digits, _ and -); expected CONTAINER=VALUE`,
      );
    }
    const dup = seen.get(container);
    if (dup !== undefined) {
      throw new ConfigurationError(input, `line ${line}: container '${container}' already set on line ${dup}`);
    }
    seen.set(container, line);
    if (value === '') throw new ConfigurationError(input, `line ${line}: empty value for container '${container}'`);
    out.push({ container, value: convert(input, value, line, container), line });
  });
  return out;
}

function validateEnvName(input: string, e: OverrideEntry): void {
  if (!ENV_NAME_RE.test(e.key)) {
    throw new ConfigurationError(
      input,
      `line ${e.line}: ${quote(e.key)} is not a valid environment variable name (letters, digits and _, not starting with a digit)`,
    );
  }
}

function validateLabel(input: string, e: OverrideEntry): void {
  if (e.key.length > 255) throw new ConfigurationError(input, `line ${e.line}: label name longer than 255 characters`);
}

function validateLogOption(input: string, e: OverrideEntry): void {
  if (e.key === 'logDriver' && !LOG_DRIVERS.includes(e.value)) {
    throw new ConfigurationError(
      input,
      `line ${e.line}: unknown log driver ${quote(e.value)}; expected one of ${LOG_DRIVERS.join(', ')}`,
    );
  }
}

function validateSecret(input: string, e: OverrideEntry): void {
  validateEnvName(input, e);
  if (e.value === '') throw new ConfigurationError(input, `line ${e.line}: ${e.key}: empty valueFrom`);
  const problem = secretValueFromProblem(e.value);
  if (problem) throw new ConfigurationError(input, `line ${e.line}: ${e.key}: ${problem}`);
}

// -----------------------------------------------------------------------------------------------------------------
// cpu / memory / roles

/**
 * cpu / memory: an optional task-level line without '=' (`512`, `1 vCPU`, `2 GB`) and `container=N` lines for
 * container-level values (integers: CPU units / MiB).
 */
export function parseSizes(
  input: 'cpu' | 'memory',
  raw: string,
): { task: string | undefined; containers: ContainerValue<number>[] } {
  let task: string | undefined;
  let taskLine = 0;
  const containerLines: string[] = [];
  const unit = input === 'cpu' ? /^(\d+|\d+(\.\d+)?\s*vCPU)$/i : /^(\d+|\d+(\.\d+)?\s*GB)$/i;
  const example = input === 'cpu' ? "'512' or '1 vCPU'" : "'1024' or '2 GB'";
  raw.split(/\r?\n/).forEach((rawLine, i) => {
    const text = rawLine.trim();
    containerLines.push(text.includes('=') ? rawLine : '');
    if (text === '' || text.startsWith('#') || text.includes('=')) return;
    if (task !== undefined) {
      throw new ConfigurationError(input, `line ${i + 1}: task-level ${input} already set on line ${taskLine}`);
    }
    if (!unit.test(text)) {
      throw new ConfigurationError(
        input,
        `line ${i + 1}: expected a task-level ${input} like ${example}, or CONTAINER=N for a container, got ${quote(text)}`,
      );
    }
    task = text;
    taskLine = i + 1;
  });
  const containers = parseContainerLines(input, containerLines.join('\n'), (inp, value, line) => {
    if (!/^\d+$/.test(value)) {
      throw new ConfigurationError(
        inp,
        `line ${line}: container-level ${input} must be a whole number of ${input === 'cpu' ? 'CPU units' : 'MiB'}, got ${quote(value)}`,
      );
    }
    const n = Number(value);
    if (input === 'memory' && n < 6)
      throw new ConfigurationError(inp, `line ${line}: container memory must be at least 6 MiB, got ${n}`);
    return n;
  });
  return { task, containers };
}

export function parseRole(input: string, value: string | undefined, allowName: boolean): string | undefined {
  if (value === undefined) return undefined;
  const arn = parseArn(value);
  const isRoleArn =
    arn?.service === 'iam' &&
    arn.region === '' &&
    /^\d{12}$/.test(arn.account) &&
    /^role\/[\w+=,.@/-]{1,512}$/.test(arn.resource);
  if (isRoleArn || (allowName && ROLE_NAME_RE.test(value))) return value;
  throw new ConfigurationError(
    input,
    `expected an IAM role ARN like arn:aws:iam::123456789012:role/name${allowName ? ' (or a role name)' : ''}, got ${quote(value)}`,
  );
}
