// Pure renderer: template task definition + overrides → task definition ready for RegisterTaskDefinition.
// No I/O, no AWS. Used by render-task-def and deploy-ecs; table-tested (≥30 cases, real describe-task-definition
// fixtures) in actions/render-task-def/test/render.test.ts through that action's inputs.
import { ConfigurationError } from '../../runtime/errors';
import { type TaskDefJson, toRegisterInput } from './taskdef';

/** One `KEY=VALUE` line of a sectioned input, with its 1-based line number for error messages. */
export interface OverrideEntry {
  key: string;
  value: string;
  line: number;
}

/** Section target: a container name, '*' (all containers), or undefined (lines before any [header]). */
export type OverrideTarget = string | undefined;

/** A `[container]` section of a multi-container input (environment, secrets, docker-labels, log-configuration). */
export interface OverrideSection {
  target: OverrideTarget;
  /** Line of the [header] (or of the first entry when there is no header). */
  line: number;
  entries: OverrideEntry[];
}

/** A `container=value` line (containers, command, container-level cpu/memory). */
export interface ContainerValue<T> {
  container: string;
  value: T;
  line: number;
}

export type OverrideMode = 'merge' | 'replace';

export interface TaskDefOverrides {
  family?: string;
  images: ContainerValue<string>[];
  environment: OverrideSection[];
  environmentMode: OverrideMode;
  secrets: OverrideSection[];
  secretsMode: OverrideMode;
  dockerLabels: OverrideSection[];
  logConfiguration: OverrideSection[];
  command: ContainerValue<string[]>[];
  taskCpu?: string;
  taskMemory?: string;
  containerCpu: ContainerValue<number>[];
  containerMemory: ContainerValue<number>[];
  taskRoleArn?: string;
  executionRoleArn?: string;
}

export interface RenderTaskDefOptions {
  /** Region filled in as `awslogs-region` when log-configuration sets up awslogs without one. */
  region?: string;
  /** Input name blamed for problems of the template itself (default 'template'). */
  templateInput?: string;
}

export interface RenderTaskDefResult {
  taskDefinition: TaskDefJson;
  family: string;
  /** Things worth a warning annotation (dropped unknown fields, env/secret name clashes). */
  warnings: string[];
}

type Container = Record<string, unknown> & { name: string };

const ALL = '*';

/** The container a line refers to, with the case-only-mismatch and list-the-names errors. */
export function findContainer(containers: Container[], input: string, name: string, line: number): Container {
  const exact = containers.find((c) => c.name === name);
  if (exact) return exact;
  const names = containers.map((c) => `'${c.name}'`).join(', ');
  const caseOnly = containers.find((c) => c.name.toLowerCase() === name.toLowerCase());
  if (caseOnly) {
    throw new ConfigurationError(
      input,
      `line ${line}: no container named '${name}' (did you mean '${caseOnly.name}'? names are case-sensitive)`,
    );
  }
  throw new ConfigurationError(
    input,
    `line ${line}: no container named '${name}' in the task definition; its containers are: ${names}`,
  );
}

function targets(containers: Container[], input: string, section: OverrideSection): Container[] {
  if (section.target === ALL) return containers;
  if (section.target === undefined) {
    if (containers.length === 1) return containers;
    const names = containers.map((c) => `'${c.name}'`).join(', ');
    throw new ConfigurationError(
      input,
      `line ${section.line}: the task definition has ${containers.length} containers (${names}): put the lines under a [container-name] header, or [*] for all containers`,
    );
  }
  return [findContainer(containers, input, section.target, section.line)];
}

/** Per container, the entries of all sections that target it, in input order. */
function entriesByContainer(
  containers: Container[],
  input: string,
  sections: OverrideSection[],
): Map<Container, OverrideEntry[]> {
  const out = new Map<Container, OverrideEntry[]>();
  for (const section of sections) {
    for (const c of targets(containers, input, section)) {
      const list = out.get(c) ?? [];
      list.push(...section.entries);
      out.set(c, list);
    }
  }
  return out;
}

interface NamedItem {
  name?: unknown;
  [k: string]: unknown;
}

/** merge: update by name, append new ones; replace: exactly the given ones. Later entries win. */
function applyNamed<T extends NamedItem>(
  existing: unknown,
  entries: OverrideEntry[],
  mode: OverrideMode,
  make: (e: OverrideEntry) => T,
): T[] {
  const list: T[] = mode === 'replace' || !Array.isArray(existing) ? [] : (existing as T[]).map((x) => ({ ...x }));
  for (const e of entries) {
    const item = make(e);
    const at = list.findIndex((x) => x.name === e.key);
    if (at >= 0) list[at] = item;
    else list.push(item);
  }
  return list;
}

const LOG_DRIVER_KEY = 'logDriver';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Render: copy of the template reduced to what RegisterTaskDefinition accepts, then the overrides applied in a
 * fixed order (family, images, environment, secrets, docker labels, log configuration, command, cpu/memory, roles),
 * then empty values pruned again. Throws ConfigurationError naming the input for unknown containers and invalid
 * combinations.
 */
export function renderTaskDefinition(
  template: unknown,
  o: TaskDefOverrides,
  opts: RenderTaskDefOptions = {},
): RenderTaskDefResult {
  const templateInput = opts.templateInput ?? 'template';
  const warnings: string[] = [];
  const td = structuredClone(
    toRegisterInput(template, {
      onUnknownField: (f) =>
        warnings.push(`dropped '${f}': not a RegisterTaskDefinition parameter (nor a read-only describe field)`),
    }),
  ) as unknown as TaskDefJson;

  const raw = td.containerDefinitions as unknown[];
  if (raw.length === 0) throw new ConfigurationError(templateInput, 'the task definition has no containerDefinitions');
  raw.forEach((c, i) => {
    if (!isRecord(c) || typeof c.name !== 'string' || c.name === '') {
      throw new ConfigurationError(templateInput, `containerDefinitions[${i}] has no "name"`);
    }
  });
  const containers = raw as Container[];
  const seen = new Set<string>();
  for (const c of containers) {
    if (seen.has(c.name)) throw new ConfigurationError(templateInput, `two containers are named '${c.name}'`);
    seen.add(c.name);
  }

  if (o.family !== undefined) td.family = o.family;
  if (typeof td.family !== 'string' || td.family === '') {
    throw new ConfigurationError(
      templateInput,
      'the task definition has no "family": set it in the template or with the family input',
    );
  }

  for (const { container, value, line } of o.images)
    findContainer(containers, 'containers', container, line).image = value;

  for (const [c, entries] of entriesByContainer(containers, 'environment', o.environment)) {
    c.environment = applyNamed(c.environment, entries, o.environmentMode, (e) => ({ name: e.key, value: e.value }));
  }
  for (const [c, entries] of entriesByContainer(containers, 'secrets', o.secrets)) {
    c.secrets = applyNamed(c.secrets, entries, o.secretsMode, (e) => ({ name: e.key, valueFrom: e.value }));
  }
  for (const [c, entries] of entriesByContainer(containers, 'docker-labels', o.dockerLabels)) {
    const labels: Record<string, unknown> = isRecord(c.dockerLabels) ? { ...c.dockerLabels } : {};
    for (const e of entries) labels[e.key] = e.value;
    c.dockerLabels = labels;
  }
  for (const [c, entries] of entriesByContainer(containers, 'log-configuration', o.logConfiguration)) {
    c.logConfiguration = renderLogConfiguration(c, entries, td, opts.region);
  }
  for (const { container, value, line } of o.command)
    findContainer(containers, 'command', container, line).command = value;

  if (o.taskCpu !== undefined) td.cpu = o.taskCpu;
  if (o.taskMemory !== undefined) td.memory = o.taskMemory;
  for (const { container, value, line } of o.containerCpu)
    findContainer(containers, 'cpu', container, line).cpu = value;
  for (const { container, value, line } of o.containerMemory) {
    findContainer(containers, 'memory', container, line).memory = value;
  }
  if (o.taskRoleArn !== undefined) td.taskRoleArn = o.taskRoleArn;
  if (o.executionRoleArn !== undefined) td.executionRoleArn = o.executionRoleArn;

  for (const c of containers) {
    const envNames = new Set(Array.isArray(c.environment) ? c.environment.map((e: NamedItem) => e.name) : []);
    const clash = (Array.isArray(c.secrets) ? c.secrets : [])
      .map((s: NamedItem) => s.name)
      .filter((n) => envNames.has(n));
    if (clash.length > 0) {
      warnings.push(`container '${c.name}': ${clash.join(', ')} set both in environment and in secrets`);
    }
  }

  const rendered = toRegisterInput(td) as unknown as TaskDefJson;
  return { taskDefinition: rendered, family: rendered.family as string, warnings };
}

function renderLogConfiguration(
  c: Container,
  entries: OverrideEntry[],
  td: TaskDefJson,
  region: string | undefined,
): Record<string, unknown> {
  const current = isRecord(c.logConfiguration) ? c.logConfiguration : undefined;
  const driverEntry = [...entries].reverse().find((e) => e.key === LOG_DRIVER_KEY);
  const driver = driverEntry?.value ?? (current?.logDriver as string | undefined) ?? 'awslogs';
  const keepOptions = current !== undefined && current.logDriver === driver;
  const options: Record<string, unknown> = keepOptions && isRecord(current.options) ? { ...current.options } : {};
  for (const e of entries) if (e.key !== LOG_DRIVER_KEY) options[e.key] = e.value;
  if (driver === 'awslogs') {
    if (options['awslogs-region'] === undefined && region) options['awslogs-region'] = region;
    const line = entries[0]?.line ?? 1;
    if (!options['awslogs-group']) {
      throw new ConfigurationError(
        'log-configuration',
        `line ${line}: container '${c.name}': the awslogs driver needs awslogs-group`,
      );
    }
    const fargate = Array.isArray(td.requiresCompatibilities) && td.requiresCompatibilities.includes('FARGATE');
    if (fargate && !options['awslogs-stream-prefix']) {
      throw new ConfigurationError(
        'log-configuration',
        `line ${line}: container '${c.name}': awslogs on Fargate needs awslogs-stream-prefix`,
      );
    }
  }
  const out: Record<string, unknown> = { ...(keepOptions ? current : {}), logDriver: driver, options };
  return out;
}

/** Replace container images (after digest pinning): container name → image. */
export function withImages(td: TaskDefJson, images: ReadonlyMap<string, string>): TaskDefJson {
  const copy = structuredClone(td);
  for (const c of copy.containerDefinitions as Container[]) {
    const image = images.get(c.name);
    if (image !== undefined) c.image = image;
  }
  return copy;
}

/** Container name → image of a task definition, in template order. */
export function containerImages(td: TaskDefJson): Array<{ name: string; image: string }> {
  return (td.containerDefinitions as Container[]).map((c) => ({ name: c.name, image: String(c.image ?? '') }));
}
