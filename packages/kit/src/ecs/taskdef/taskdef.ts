// Task definition helpers shared by render-task-def, deploy-ecs and run-migration-task.
//
// - unwrapTaskDefinition: accepts a plain RegisterTaskDefinition JSON or `aws ecs describe-task-definition` output
//   (`{taskDefinition: {...}, tags: [...]}`) and returns one flat object (tags folded in).
// - toRegisterInput: keeps exactly the top-level members RegisterTaskDefinitionRequest accepts (the list is checked
//   against the SDK's own schema in test/taskdef.test.ts) and drops null/empty values the API rejects.
// - normalizeTaskDef / taskDefsEqual / taskDefDiffText: a canonical form for comparing a template with a registered
//   revision (read-only fields gone, lists sorted, defaults ECS adds on describe removed).
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { isSecretLookingName, REDACTED, redactArgv, redactText } from '../../runtime/redact';
import { unifiedDiff } from '../../runtime/summary';

/** Top-level members of RegisterTaskDefinitionRequest (SDK schema order). Checked against the SDK in a test. */
export const REGISTER_TASK_DEF_FIELDS = [
  'family',
  'containerDefinitions',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'tags',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
  'enableFaultInjection',
] as const;

/**
 * Members of the TaskDefinition returned by DescribeTaskDefinition that RegisterTaskDefinition does not accept
 * (TaskDefinition members minus RegisterTaskDefinitionRequest members; checked against the SDK in a test).
 */
export const READ_ONLY_TASK_DEF_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
] as const;

export type RegisterFieldName = (typeof REGISTER_TASK_DEF_FIELDS)[number];
export type TaskDefJson = Record<string, unknown>;

const REGISTER_SET: ReadonlySet<string> = new Set(REGISTER_TASK_DEF_FIELDS);
const READ_ONLY_SET: ReadonlySet<string> = new Set(READ_ONLY_TASK_DEF_FIELDS);

/** Thrown when a JSON value is not shaped like a task definition. Callers turn it into a ConfigurationError. */
export class TaskDefinitionShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskDefinitionShapeError';
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * Plain RegisterTaskDefinition JSON → returned as a shallow copy.
 * describe-task-definition output ({taskDefinition, tags}) → the inner task definition, with non-empty `tags` folded in.
 * Throws TaskDefinitionShapeError when the value is not an object with a `containerDefinitions` array.
 */
export function unwrapTaskDefinition(json: unknown): TaskDefJson {
  if (!isPlainObject(json)) {
    throw new TaskDefinitionShapeError(
      `expected a JSON object (a task definition or describe-task-definition output), got ${describeType(json)}`,
    );
  }
  let td: TaskDefJson;
  if (isPlainObject(json.taskDefinition) && json.containerDefinitions === undefined) {
    td = { ...json.taskDefinition };
    const tags = json.tags;
    if (Array.isArray(tags) && tags.length > 0 && (td.tags === undefined || isEmptyArray(td.tags))) {
      td.tags = tags;
    }
  } else if (typeof json.taskDefinition === 'string' && json.containerDefinitions === undefined) {
    throw new TaskDefinitionShapeError(
      'this looks like a command input ({"taskDefinition": "<arn>"}), not a task definition: expected "containerDefinitions"',
    );
  } else {
    td = { ...json };
  }
  if (!Array.isArray(td.containerDefinitions)) {
    throw new TaskDefinitionShapeError(
      td.containerDefinitions === undefined
        ? 'missing "containerDefinitions" (expected a task definition or describe-task-definition output)'
        : `"containerDefinitions" must be an array, got ${describeType(td.containerDefinitions)}`,
    );
  }
  td.containerDefinitions.forEach((c, i) => {
    if (!isPlainObject(c)) {
      throw new TaskDefinitionShapeError(`containerDefinitions[${i}] must be an object, got ${describeType(c)}`);
    }
  });
  return td;
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function isEmptyArray(v: unknown): boolean {
  return Array.isArray(v) && v.length === 0;
}

export interface ToRegisterInputOptions {
  /** Called for each dropped top-level field that is neither accepted nor a known read-only field (typo?). */
  onUnknownField?: (field: string) => void;
}

// Objects whose keys are user data (label names, driver options): their empty-string values are meaningful.
const MAP_KEYS: ReadonlySet<string> = new Set(['dockerLabels', 'options', 'driverOpts', 'labels']);

/**
 * Recursively removes null/undefined, empty strings, empty arrays and empty objects (which the API rejects or
 * which mean the same as absent). Empty strings are kept where they are data: environment `value`s and map values.
 */
function prune(value: unknown, keepEmptyString = false, isMap = false): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value === '' && !keepEmptyString ? undefined : value;
  if (Array.isArray(value)) {
    const out = value.map((v) => prune(v)).filter((v) => v !== undefined);
    return out.length === 0 ? undefined : out;
  }
  if (value instanceof Date) return value;
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const pruned = isMap ? prune(v, true) : prune(v, k === 'value', MAP_KEYS.has(k));
      if (pruned !== undefined) out[k] = pruned;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}

/**
 * Keeps exactly the members RegisterTaskDefinition accepts (read-only describe fields are dropped silently, other
 * unknown fields are reported through `onUnknownField`), removes null/empty values, and turns numeric task-level
 * cpu/memory into the strings the API expects. Accepts describe output too (unwrapped first).
 */
export function toRegisterInput(td: unknown, opts: ToRegisterInputOptions = {}): RegisterTaskDefinitionCommandInput {
  const flat = unwrapTaskDefinition(td);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flat)) {
    if (!REGISTER_SET.has(k)) {
      if (!READ_ONLY_SET.has(k)) opts.onUnknownField?.(k);
      continue;
    }
    let value = v;
    if ((k === 'cpu' || k === 'memory') && typeof value === 'number') value = String(value);
    const pruned = prune(value, false, false);
    if (pruned !== undefined) out[k] = pruned;
  }
  // containerDefinitions is required by the API: keep it even if every container pruned to nothing.
  if (out.containerDefinitions === undefined) out.containerDefinitions = [];
  return out as unknown as RegisterTaskDefinitionCommandInput;
}

/** Fields of a task definition that are not accepted by RegisterTaskDefinition and not known read-only fields. */
export function unknownTaskDefFields(td: unknown): string[] {
  const flat = unwrapTaskDefinition(td);
  return Object.keys(flat).filter((k) => !REGISTER_SET.has(k) && !READ_ONLY_SET.has(k));
}

// ---------------------------------------------------------------------------------------------------------------
// Normalisation for comparison

/** "1 vCPU" → "1024", "0.25 vcpu" → "256", 256 → "256". */
export function normalizeCpuUnits(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const s = String(value).trim();
  const m = /^(\d+(?:\.\d+)?)\s*vcpu$/i.exec(s);
  if (m) return String(Math.round(Number(m[1]) * 1024));
  return s;
}

/** "1 GB" / "1GB" → "1024", "512 MiB" → "512", 512 → "512". */
export function normalizeMemoryMiB(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const s = String(value).trim();
  const gb = /^(\d+(?:\.\d+)?)\s*(?:gb|gib)$/i.exec(s);
  if (gb) return String(Math.round(Number(gb[1]) * 1024));
  const mb = /^(\d+)\s*(?:mb|mib)$/i.exec(s);
  if (mb) return mb[1];
  return s;
}

function stableKey(v: unknown): string {
  return canonicalJson(v);
}

function sortBy<T>(arr: unknown, ...keys: Array<(item: any) => unknown>): T[] | undefined {
  if (!Array.isArray(arr)) return arr as undefined;
  const keyOf = (item: unknown): string[] => [
    ...keys.map((k) => {
      const v = isPlainObject(item) || typeof item !== 'object' ? k(item) : undefined;
      return typeof v === 'number' ? String(v).padStart(12, '0') : String(v ?? '');
    }),
    stableKey(item),
  ];
  return [...arr].sort((a, b) => {
    const ka = keyOf(a);
    const kb = keyOf(b);
    for (let i = 0; i < ka.length; i++) {
      const x = ka[i]!;
      const y = kb[i]!;
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  }) as T[];
}

const sortStrings = (arr: unknown) => sortBy<string>(arr, (s) => s);

function dropIf(obj: Record<string, unknown>, key: string, defaultValue: unknown): void {
  if (obj[key] === defaultValue) delete obj[key];
}

const DEFAULT_FALSE_CONTAINER_FLAGS = [
  'disableNetworking',
  'privileged',
  'readonlyRootFilesystem',
  'interactive',
  'pseudoTerminal',
] as const;

function normalizeContainer(c: Record<string, unknown>, networkMode: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...c };
  dropIf(out, 'cpu', 0);
  dropIf(out, 'essential', true);
  dropIf(out, 'versionConsistency', 'enabled');
  for (const flag of DEFAULT_FALSE_CONTAINER_FLAGS) dropIf(out, flag, false);

  out.environment = sortBy(out.environment, (e) => e.name);
  out.secrets = sortBy(out.secrets, (e) => e.name);
  out.environmentFiles = sortBy(
    out.environmentFiles,
    (e) => e.type,
    (e) => e.value,
  );
  out.mountPoints = sortBy(
    Array.isArray(out.mountPoints)
      ? out.mountPoints.map((m) => (isPlainObject(m) && m.readOnly === false ? omit(m, 'readOnly') : m))
      : out.mountPoints,
    (m) => m.containerPath,
    (m) => m.sourceVolume,
  );
  out.volumesFrom = sortBy(
    Array.isArray(out.volumesFrom)
      ? out.volumesFrom.map((m) => (isPlainObject(m) && m.readOnly === false ? omit(m, 'readOnly') : m))
      : out.volumesFrom,
    (m) => m.sourceContainer,
  );
  if (Array.isArray(out.portMappings)) {
    out.portMappings = sortBy(
      out.portMappings.map((p) => (isPlainObject(p) ? normalizePortMapping(p, networkMode) : p)),
      (p) => p.containerPort,
      (p) => p.protocol,
      (p) => p.name,
    );
  }
  out.ulimits = sortBy(out.ulimits, (u) => u.name);
  out.extraHosts = sortBy(out.extraHosts, (h) => h.hostname);
  out.systemControls = sortBy(out.systemControls, (s) => s.namespace);
  out.dependsOn = sortBy(out.dependsOn, (d) => d.containerName);
  out.resourceRequirements = sortBy(out.resourceRequirements, (r) => r.type);
  out.links = sortStrings(out.links);
  out.dockerSecurityOptions = sortStrings(out.dockerSecurityOptions);
  if (isPlainObject(out.logConfiguration)) {
    out.logConfiguration = {
      ...out.logConfiguration,
      secretOptions: sortBy(out.logConfiguration.secretOptions, (s) => s.name),
    };
  }
  if (isPlainObject(out.healthCheck)) {
    const hc = { ...out.healthCheck };
    dropIf(hc, 'interval', 30);
    dropIf(hc, 'timeout', 5);
    dropIf(hc, 'retries', 3);
    dropIf(hc, 'startPeriod', 0);
    out.healthCheck = hc;
  }
  if (isPlainObject(out.linuxParameters)) {
    const lp: Record<string, unknown> = { ...out.linuxParameters };
    dropIf(lp, 'initProcessEnabled', false);
    lp.devices = sortBy(lp.devices, (d) => d.hostPath);
    lp.tmpfs = sortBy(lp.tmpfs, (t) => t.containerPath);
    if (isPlainObject(lp.capabilities)) {
      lp.capabilities = { add: sortStrings(lp.capabilities.add), drop: sortStrings(lp.capabilities.drop) };
    }
    out.linuxParameters = lp;
  }
  if (isPlainObject(out.restartPolicy) && out.restartPolicy.enabled === false) delete out.restartPolicy;
  return out;
}

function normalizePortMapping(p: Record<string, unknown>, networkMode: string | undefined): Record<string, unknown> {
  const out = { ...p };
  dropIf(out, 'protocol', 'tcp');
  // In awsvpc and host mode the host port always equals the container port; describe fills it in.
  if ((networkMode === 'awsvpc' || networkMode === 'host') && out.hostPort === out.containerPort) delete out.hostPort;
  return out;
}

function normalizeVolume(v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...v };
  if (isPlainObject(out.efsVolumeConfiguration)) {
    const efs: Record<string, unknown> = { ...out.efsVolumeConfiguration };
    dropIf(efs, 'rootDirectory', '/');
    dropIf(efs, 'transitEncryption', 'DISABLED');
    if (isPlainObject(efs.authorizationConfig)) {
      const auth = { ...efs.authorizationConfig };
      dropIf(auth, 'iam', 'DISABLED');
      efs.authorizationConfig = auth;
    }
    out.efsVolumeConfiguration = efs;
  }
  if (isPlainObject(out.dockerVolumeConfiguration)) {
    const dv = { ...out.dockerVolumeConfiguration };
    dropIf(dv, 'autoprovision', false);
    out.dockerVolumeConfiguration = dv;
  }
  return out;
}

function omit(obj: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _drop, ...rest } = obj;
  return rest;
}

/** Prefix of the tags deploy-actions itself puts on revisions (known-good markers, commit, run, version). */
export const DEPLOY_ACTIONS_TAG_PREFIX = 'deploy-actions:';

/**
 * Canonical form for comparison: only RegisterTaskDefinition members, empty values and the defaults ECS fills in on
 * describe removed (container cpu 0, essential true, protocol tcp, awsvpc hostPort, healthCheck 30/5/3, EFS root "/",
 * readOnly false, …), task cpu/memory in units ("1 vCPU" → "1024"), lists with no meaningful order sorted
 * (containers by name, environment/secrets by name, ports, mounts, volumes, tags …), object keys sorted, and
 * `deploy-actions:*` tags dropped.
 * command, entryPoint and dnsServers keep their order (it matters).
 */
export function normalizeTaskDef(td: unknown): TaskDefJson {
  const reg = toRegisterInput(td) as unknown as Record<string, unknown>;
  const networkMode = typeof reg.networkMode === 'string' ? reg.networkMode : undefined;
  const out: Record<string, unknown> = { ...reg };
  out.cpu = normalizeCpuUnits(out.cpu);
  out.memory = normalizeMemoryMiB(out.memory);
  dropIf(out, 'enableFaultInjection', false);
  out.containerDefinitions = sortBy(
    (reg.containerDefinitions as unknown[]).map((c) => (isPlainObject(c) ? normalizeContainer(c, networkMode) : c)),
    (c) => c.name,
  );
  if (Array.isArray(out.volumes)) {
    out.volumes = sortBy(
      out.volumes.map((v) => (isPlainObject(v) ? normalizeVolume(v) : v)),
      (v) => v.name,
    );
  }
  out.placementConstraints = sortBy(
    out.placementConstraints,
    (p) => p.type,
    (p) => p.expression,
  );
  out.requiresCompatibilities = sortStrings(out.requiresCompatibilities);
  out.inferenceAccelerators = sortBy(out.inferenceAccelerators, (a) => a.deviceName);
  // Our own markers (known-good, commit, run, version) are added after registration: they never make a
  // template differ from the revision it was registered as.
  out.tags = sortBy(
    Array.isArray(out.tags)
      ? out.tags.filter((t) => !String(t?.key ?? '').startsWith(DEPLOY_ACTIONS_TAG_PREFIX))
      : out.tags,
    (t) => t.key,
  );
  const pruned = (prune(out) ?? {}) as Record<string, unknown>;
  if (pruned.containerDefinitions === undefined) pruned.containerDefinitions = [];
  return sortKeysDeep(pruned) as TaskDefJson;
}

function sortKeysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (v instanceof Date) return v.toISOString();
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeysDeep(v[k]);
    return out;
  }
  return v;
}

/** JSON with object keys sorted at every level (arrays keep their order). */
export function canonicalJson(v: unknown, indent?: number): string {
  return JSON.stringify(sortKeysDeep(v), null, indent) ?? 'undefined';
}

/** True when both describe the same registration, ignoring read-only fields, ordering and describe defaults. */
export function taskDefsEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(normalizeTaskDef(a)) === canonicalJson(normalizeTaskDef(b));
}

/**
 * Replaces secrets with REDACTED: environment entries, docker labels and log options with secret-looking names
 * (*_SECRET, *_TOKEN, *_PASSWORD, *_KEY, STRIPE_SK, SIGNING_SALT …), and in every other string whatever the kit's
 * redaction finds by shape (URL passwords, `Password=` pairs, private keys, JWTs, tokens), including the words of
 * `command`, `entryPoint` and `healthCheck.command` (`--password x`, `curl -u user:pass`). Secret references
 * (`secrets[].valueFrom`) are ARNs or parameter names, not values, and stay visible. Returns a copy.
 * With `compareWith`, a redacted value that differs from the same entry there gets ` (changed)`, so a diff still
 * shows that something changed without showing either value.
 */
export function redactTaskDef(td: TaskDefJson, compareWith?: TaskDefJson): TaskDefJson {
  const others = compareWith ? secretValueIndex(compareWith) : undefined;
  const changed = (key: string, value: unknown) => others !== undefined && others.get(key) !== value;
  const byName = (key: string, value: unknown) => (changed(key, value) ? `${REDACTED} (changed)` : REDACTED);
  const byShape = (key: string, value: string, redacted: string) =>
    redacted !== value && changed(key, value) ? `${redacted} (changed)` : redacted;
  const text = (key: string, value: unknown) =>
    typeof value === 'string' ? byShape(key, value, redactText(value)) : value;
  const copy = structuredClone(td) as Record<string, unknown>;
  const containers = Array.isArray(copy.containerDefinitions) ? copy.containerDefinitions : [];
  for (const c of containers) {
    if (!isPlainObject(c)) continue;
    const cname = String(c.name ?? '');
    if (Array.isArray(c.environment)) {
      c.environment = c.environment.map((e) => {
        if (!isPlainObject(e) || typeof e.name !== 'string' || e.value === undefined) return e;
        const key = `${cname}\0env\0${e.name}`;
        return { ...e, value: isSecretLookingName(e.name) ? byName(key, e.value) : text(key, e.value) };
      });
    }
    if (isPlainObject(c.dockerLabels)) {
      c.dockerLabels = redactMap(c.dockerLabels, `${cname}\0label`, byName, text);
    }
    if (isPlainObject(c.logConfiguration) && isPlainObject(c.logConfiguration.options)) {
      const options = redactMap(c.logConfiguration.options, `${cname}\0log`, byName, text);
      c.logConfiguration = { ...c.logConfiguration, options };
    }
    const argv = (field: string, words: unknown) => {
      if (!Array.isArray(words) || !words.every((w) => typeof w === 'string')) return words;
      const redacted = redactArgv(words as string[]);
      return redacted.map((r, i) => byShape(`${cname}\0${field}\0${i}`, words[i] as string, r));
    };
    if (c.command !== undefined) c.command = argv('command', c.command);
    if (c.entryPoint !== undefined) c.entryPoint = argv('entryPoint', c.entryPoint);
    if (isPlainObject(c.healthCheck) && c.healthCheck.command !== undefined) {
      c.healthCheck = { ...c.healthCheck, command: argv('healthCheck', c.healthCheck.command) };
    }
  }
  // Anything else (volumes, proxy configuration, …) by shape.
  return redactStrings(copy) as TaskDefJson;
}

function redactStrings(v: unknown): unknown {
  if (typeof v === 'string') return redactText(v);
  if (Array.isArray(v)) return v.map(redactStrings);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(v)) out[k] = redactStrings(child);
    return out;
  }
  return v;
}

function secretValueIndex(td: TaskDefJson): Map<string, unknown> {
  const index = new Map<string, unknown>();
  const containers = Array.isArray(td.containerDefinitions) ? td.containerDefinitions : [];
  for (const c of containers) {
    if (!isPlainObject(c)) continue;
    const cname = String(c.name ?? '');
    if (Array.isArray(c.environment)) {
      for (const e of c.environment) if (isPlainObject(e)) index.set(`${cname}\0env\0${e.name}`, e.value);
    }
    if (isPlainObject(c.dockerLabels)) {
      for (const [k, v] of Object.entries(c.dockerLabels)) index.set(`${cname}\0label\0${k}`, v);
    }
    if (isPlainObject(c.logConfiguration) && isPlainObject(c.logConfiguration.options)) {
      for (const [k, v] of Object.entries(c.logConfiguration.options)) index.set(`${cname}\0log\0${k}`, v);
    }
    const words = (field: string, list: unknown) => {
      if (!Array.isArray(list)) return;
      for (const [i, w] of list.entries()) index.set(`${cname}\0${field}\0${i}`, w);
    };
    words('command', c.command);
    words('entryPoint', c.entryPoint);
    if (isPlainObject(c.healthCheck)) words('healthCheck', c.healthCheck.command);
  }
  return index;
}

function redactMap(
  m: Record<string, unknown>,
  prefix: string,
  byName: (key: string, value: unknown) => string,
  text: (key: string, value: unknown) => unknown,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) {
    const key = `${prefix}\0${k}`;
    out[k] = isSecretLookingName(k) ? byName(key, v) : text(key, v);
  }
  return out;
}

export interface TaskDefDiffOptions {
  oldName?: string;
  newName?: string;
}

/**
 * Unified diff of the normalised, key-sorted JSON of two task definitions, secret-looking values redacted.
 * `a` undefined (e.g. the family has no revision yet) diffs against nothing. Returns '' when they are equal.
 */
export function taskDefDiffText(a: unknown, b: unknown, opts: TaskDefDiffOptions = {}): string {
  const na = a === undefined || a === null ? undefined : normalizeTaskDef(a);
  const nb = b === undefined || b === null ? undefined : normalizeTaskDef(b);
  const render = (td: TaskDefJson | undefined, other: TaskDefJson | undefined) =>
    td === undefined ? '' : `${canonicalJson(redactTaskDef(td, other), 2)}\n`;
  // Only the new side marks changed secret values, so the diff shows a -/+ pair without showing either value.
  const oldText = render(na, undefined);
  const newText = render(nb, na);
  if (oldText === newText) return '';
  return unifiedDiff(oldText, newText, {
    oldName: opts.oldName ?? 'registered',
    newName: opts.newName ?? 'rendered',
  });
}
