// Parsers of the render inputs render-task-def and deploy-ecs share: template / template-family / template-arn,
// aws-region, family, containers, environment(-mode), secrets(-mode), docker-labels, log-configuration, command,
// cpu, memory, task-role-arn, execution-role-arn. No input is read here: each action's inputs.ts passes its own
// reader, so it stays the only file that reads that action's inputs. A problem is one ConfigurationError naming the
// input (and the line, for multi-line inputs).
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseShell } from 'shell-quote';
import { ConfigurationError } from '../../runtime/errors';
import { parseImageRef } from '../../runtime/image-ref';
import { parseEnum, parseJson, quote } from '../../runtime/inputs/readers';
import type { ContainerValue, OverrideEntry, OverrideMode, OverrideSection, TaskDefOverrides } from './render';
import { TaskDefinitionShapeError, type TaskDefJson, unwrapTaskDefinition } from './taskdef';

export type TaskDefTemplateSource =
  | { kind: 'file'; path: string; taskDefinition: TaskDefJson }
  | { kind: 'family'; family: string }
  | { kind: 'arn'; reference: string };

/** The render inputs, parsed: where the template comes from, the region input and the overrides to apply. */
export interface TaskDefRenderInputs {
  template: TaskDefTemplateSource;
  region: string | undefined;
  overrides: TaskDefOverrides;
}

/** Raw input reader, injectable for tests: name → raw value ('' when unset). */
export type InputReader = (name: string) => string;

const CONTAINER_NAME_RE = /^[A-Za-z0-9_-]{1,255}$/;
const FAMILY_RE = /^[A-Za-z0-9_-]{1,255}$/;
const TASK_DEF_ARN_RE = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]{1,255}:\d+$/;
const FAMILY_REVISION_RE = /^[A-Za-z0-9_-]{1,255}:\d+$/;
const ROLE_ARN_RE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const ROLE_NAME_RE = /^[\w+=,.@-]{1,64}$/;
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const LOG_DRIVERS = ['awslogs', 'awsfirelens', 'fluentd', 'gelf', 'journald', 'json-file', 'splunk', 'syslog'];
const MODES: readonly OverrideMode[] = ['merge', 'replace'];

/**
 * Parse and validate the render inputs through `read` (template files resolve against `cwd`), in a fixed order:
 * template source, aws-region, family, cpu, memory, containers, environment, environment-mode, secrets,
 * secrets-mode, docker-labels, log-configuration, command, task-role-arn, execution-role-arn.
 */
export function parseTaskDefRenderInputs(read: InputReader, cwd: string): TaskDefRenderInputs {
  const opt = (name: string) => {
    const v = read(name).trim();
    return v === '' ? undefined : v;
  };
  const template = parseTemplateSource(opt('template'), opt('template-family'), opt('template-arn'), cwd);
  const region = opt('aws-region');
  if (region !== undefined && !REGION_RE.test(region)) {
    throw new ConfigurationError('aws-region', `expected an AWS region like us-east-1, got ${quote(region)}`);
  }
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
    images: parseContainerLines('containers', read('containers'), validateImage),
    environment: parseSections('environment', read('environment'), validateEnvName),
    environmentMode: parseMode('environment-mode', read('environment-mode')),
    secrets: parseSections('secrets', read('secrets'), validateSecret),
    secretsMode: parseMode('secrets-mode', read('secrets-mode')),
    dockerLabels: parseSections('docker-labels', read('docker-labels'), validateLabel),
    logConfiguration: parseSections('log-configuration', read('log-configuration'), validateLogOption),
    command: parseContainerLines('command', read('command'), parseContainerCommand),
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
  cwd: string,
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
  if (file !== undefined) return { kind: 'file', path: file, taskDefinition: readTemplateFile(file, cwd) };
  if (family !== undefined) {
    if (FAMILY_REVISION_RE.test(family) || family.startsWith('arn:')) {
      throw new ConfigurationError(
        'template-family',
        `expected a family name without revision, got ${quote(family)}: use 'template-arn' for a specific revision`,
      );
    }
    if (!FAMILY_RE.test(family)) {
      throw new ConfigurationError(
        'template-family',
        `expected a task definition family (up to 255 letters, digits, _ and -), got ${quote(family)}`,
      );
    }
    return { kind: 'family', family };
  }
  if (!TASK_DEF_ARN_RE.test(arn!) && !FAMILY_REVISION_RE.test(arn!)) {
    throw new ConfigurationError(
      'template-arn',
      `expected arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision> or <family>:<revision>, got ${quote(arn!)}`,
    );
  }
  return { kind: 'arn', reference: arn! };
}

export function readTemplateFile(path: string, cwd: string): TaskDefJson {
  const abs = resolve(cwd, path);
  let text: string;
  try {
    if (statSync(abs).isDirectory())
      throw new ConfigurationError('template', `${quote(path)} is a directory, expected a JSON file`);
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    if (err instanceof ConfigurationError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigurationError('template', `file not found: ${path} (looked at ${abs})`);
    throw new ConfigurationError('template', `cannot read ${path}: ${(err as Error).message}`);
  }
  const json = parseJson('template', text.replace(/^\uFEFF/, ''), `JSON in ${path}`);
  try {
    return unwrapTaskDefinition(json);
  } catch (err) {
    if (err instanceof TaskDefinitionShapeError) throw new ConfigurationError('template', `${path}: ${err.message}`);
    throw err;
  }
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

function validateImage(input: string, value: string, line: number): string {
  if (!parseImageRef(value)) {
    throw new ConfigurationError(
      input,
      `line ${line}: ${quote(value)} is not an image reference: expected [registry/]repository[:tag][@sha256:digest] (repository in lower case)`,
    );
  }
  return value;
}

function validateEnvName(input: string, e: OverrideEntry): void {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(e.key)) {
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

const SECRETS_MANAGER_ARN_RE = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:(.+)$/;
const SSM_ARN_RE = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9_.\-/]+$/;
const SSM_NAME_RE = /^\/?[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

/**
 * `valueFrom` of a secret: a Secrets Manager ARN, optionally with `:json-key:version-stage:version-id` (all three
 * colons present, empty fields allowed: `…:secret:prod/db-AbCdEf:password::`), an SSM parameter ARN, or an SSM
 * parameter name in the task's region (`/prod/db/password` or `db_password`).
 */
export function validateSecretValueFrom(value: string): string | undefined {
  if (value.startsWith('arn:')) {
    const sm = SECRETS_MANAGER_ARN_RE.exec(value);
    if (sm) {
      const parts = sm[1]!.split(':');
      if (parts[0] === '' || !/^[A-Za-z0-9/_+=.@-]+$/.test(parts[0]!))
        return 'the secret name after "secret:" is empty or invalid';
      if (parts.length === 1 || parts.length === 4) return undefined;
      return `a Secrets Manager reference has the form <secret-arn>:<json-key>:<version-stage>:<version-id> with all three colons (empty fields allowed, e.g. "…:password::"); got ${parts.length - 1} colon(s) after the secret name`;
    }
    if (SSM_ARN_RE.test(value)) return undefined;
    if (/^arn:aws[a-z-]*:(secretsmanager|ssm):/.test(value)) {
      return 'expected arn:aws:secretsmanager:<region>:<account>:secret:<name> or arn:aws:ssm:<region>:<account>:parameter/<name>';
    }
    return 'only Secrets Manager and SSM Parameter Store ARNs can be secrets';
  }
  if (SSM_NAME_RE.test(value) && value.length <= 2048) return undefined;
  return 'expected a Secrets Manager ARN, an SSM parameter ARN or an SSM parameter name';
}

function validateSecret(input: string, e: OverrideEntry): void {
  validateEnvName(input, e);
  if (e.value === '') throw new ConfigurationError(input, `line ${e.line}: ${e.key}: empty valueFrom`);
  const problem = validateSecretValueFrom(e.value);
  if (problem) throw new ConfigurationError(input, `line ${e.line}: ${e.key}: ${problem}`);
}

/** A command: a JSON array of strings, or a shell-like string split into words (no shell runs it). */
export function parseContainerCommand(input: string, value: string, line: number): string[] {
  if (value.startsWith('[')) {
    const parsed = parseJson<unknown>(input, value, `JSON array on line ${line}`);
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((x) => typeof x === 'string')) {
      throw new ConfigurationError(input, `line ${line}: expected a non-empty JSON array of strings`);
    }
    return parsed;
  }
  const words = parseShell(value, (key) => `$${key}`);
  const out: string[] = [];
  for (const w of words) {
    if (typeof w === 'string') {
      out.push(w);
      continue;
    }
    const what =
      'op' in w ? (w.op === 'glob' ? `glob ${quote((w as { pattern: string }).pattern)}` : `'${w.op}'`) : 'a comment';
    throw new ConfigurationError(
      input,
      `line ${line}: the command contains ${what}, which needs a shell; no shell runs the command: write it as a JSON array, e.g. ["sh", "-c", ${JSON.stringify(value)}]`,
    );
  }
  if (out.length === 0) throw new ConfigurationError(input, `line ${line}: empty command`);
  return out;
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
  if (ROLE_ARN_RE.test(value) || (allowName && ROLE_NAME_RE.test(value))) return value;
  throw new ConfigurationError(
    input,
    `expected an IAM role ARN like arn:aws:iam::123456789012:role/name${allowName ? ' (or a role name)' : ''}, got ${quote(value)}`,
  );
}
