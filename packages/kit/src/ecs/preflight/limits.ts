import { type TaskDefJson, toRegisterInput } from '../taskdef/taskdef';
import type { Problem } from './model';

// What RegisterTaskDefinition refuses, checked locally before the call so the message names the container and the
// fix instead of ECS's one-line ClientException after the step already started changing things. Pure. The same rules
// (with ECS's own texts) are enforced by the emulator's services/ecs-taskdef-rules.ts, so a test catches a gap.

/** Task definition size quota: 64 KiB (awsdocs/amazon-ecs-developer-guide#149: "Max allowed length is '65536'"). */
export const TASK_DEFINITION_MAX_BYTES = 65536;
/** "Containers per task definition: 10, not adjustable" (Amazon ECS service quotas). */
export const MAX_CONTAINERS = 10;

/**
 * Valid Fargate task sizes: cpu units → memory MiB (Amazon ECS developer guide, "Task CPU and memory", and the
 * RegisterTaskDefinition `memory` member).
 */
export function fargateMemoryOptions(cpu: number): number[] {
  const range = (from: number, to: number, step: number) =>
    Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
  switch (cpu) {
    case 256:
      return [512, 1024, 2048];
    case 512:
      return range(1024, 4096, 1024);
    case 1024:
      return range(2048, 8192, 1024);
    case 2048:
      return range(4096, 16384, 1024);
    case 4096:
      return range(8192, 30720, 1024);
    case 8192:
      return range(16384, 61440, 4096);
    case 16384:
      return range(32768, 122880, 8192);
    default:
      return [];
  }
}

const FARGATE_CPUS = [256, 512, 1024, 2048, 4096, 8192, 16384];

/** Task cpu in units: "1024" or "1 vCPU" / "0.25 vcpu" (ECS converts the vCPU form at registration). */
export function taskCpuUnits(raw: unknown): number | undefined | 'invalid' {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const s = String(raw).trim();
  if (/^\d+$/.test(s)) return Number(s) > 0 ? Number(s) : 'invalid';
  const vcpu = /^(\d+(?:\.\d+)?)\s*vcpu$/i.exec(s);
  return vcpu && Number(vcpu[1]) > 0 ? Math.round(Number(vcpu[1]) * 1024) : 'invalid';
}

/** Task memory in MiB: "2048" or "2GB" / "2 GB". */
export function taskMemoryMiB(raw: unknown): number | undefined | 'invalid' {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const s = String(raw).trim();
  if (/^\d+$/.test(s)) return Number(s) > 0 ? Number(s) : 'invalid';
  const gb = /^(\d+(?:\.\d+)?)\s*gb$/i.exec(s);
  return gb && Number(gb[1]) > 0 ? Math.round(Number(gb[1]) * 1024) : 'invalid';
}

/** "512–2048 MiB" / "2048–8192 MiB in steps of 1024". */
function memoryChoices(options: number[]): string {
  if (options.length <= 3) return `${options.join(', ')} MiB`;
  return `${options[0]}–${options.at(-1)} MiB in steps of ${options[1]! - options[0]!}`;
}

interface Container {
  name?: string;
  image?: string;
  essential?: boolean;
  memory?: number;
  memoryReservation?: number;
  cpu?: number;
  environment?: unknown[];
  dependsOn?: Array<{ containerName?: string; condition?: string }>;
  portMappings?: Array<{ containerPort?: number; hostPort?: number; protocol?: string; containerPortRange?: string }>;
}

const requiresFargate = (td: TaskDefJson) =>
  Array.isArray(td.requiresCompatibilities) && (td.requiresCompatibilities as string[]).includes('FARGATE');

type AddProblem = (subject: string, message: string, fix: string, container?: string) => void;

/** Every register-time problem of a task definition that is about to be registered (empty: ECS would take it). */
export function registerLimitProblems(td: TaskDefJson): Problem[] {
  const problems: Problem[] = [];
  const add: AddProblem = (subject, message, fix, container) =>
    problems.push({ check: 'limits', subject, message, fix, ...(container ? { container } : {}) });
  const containers = (Array.isArray(td.containerDefinitions) ? td.containerDefinitions : []) as Container[];
  const cpu = taskCpuUnits(td.cpu);
  const memory = taskMemoryMiB(td.memory);
  if (cpu === 'invalid')
    add('cpu', `task "cpu" ${JSON.stringify(td.cpu)} is not valid`, 'use CPU units ("1024") or vCPUs ("1 vCPU")');
  if (memory === 'invalid')
    add('memory', `task "memory" ${JSON.stringify(td.memory)} is not valid`, 'use MiB ("2048") or GB ("2 GB")');
  if (requiresFargate(td)) fargateSizeProblems(td, cpu, memory, add);
  containerSetProblems(containers, add);
  const essential = new Set(containers.filter((c) => c.essential !== false).map((c) => c.name));
  const names = new Set<string>();
  const hostPorts = new Set<string>();
  for (const c of containers) {
    const name = c.name ?? '';
    if (!name) add('containerDefinitions', 'a container has no "name"', 'give every container a name');
    else if (names.has(name)) add('name', `two containers are named ${name}`, 'give each container its own name', name);
    names.add(name);
    containerProblems(td, c, name, memory, essential, add);
    portProblems(td, c, name, hostPorts, add);
  }
  requestSizeProblem(td, containers, add);
  return problems;
}

/** Fargate's own rules: awsvpc, a task cpu and memory, and a cpu/memory pair Fargate offers. */
function fargateSizeProblems(
  td: TaskDefJson,
  cpu: ReturnType<typeof taskCpuUnits>,
  memory: ReturnType<typeof taskMemoryMiB>,
  add: AddProblem,
): void {
  if (td.networkMode !== 'awsvpc') {
    add(
      'networkMode',
      `FARGATE needs "networkMode": "awsvpc" (got ${JSON.stringify(td.networkMode ?? 'bridge')})`,
      'set "networkMode": "awsvpc"',
    );
  }
  if (cpu === undefined)
    add('cpu', 'FARGATE needs a task-level "cpu"', `set "cpu" to one of ${FARGATE_CPUS.join(', ')}`);
  if (memory === undefined)
    add('memory', 'FARGATE needs a task-level "memory"', 'set "memory" (MiB) to a size valid for the task cpu');
  if (typeof cpu === 'number' && typeof memory === 'number') {
    const options = fargateMemoryOptions(cpu);
    if (options.length === 0) {
      add('cpu', `cpu ${cpu} is not a Fargate size`, `use one of ${FARGATE_CPUS.join(', ')} CPU units`);
    } else if (!options.includes(memory)) {
      const fits = FARGATE_CPUS.filter((c) => fargateMemoryOptions(c).includes(memory));
      add(
        'memory',
        `cpu ${cpu} with memory ${memory} is not a Fargate size (ECS: "No Fargate configuration exists for given values")`,
        `with cpu ${cpu} set memory to ${memoryChoices(options)}` +
          (fits.length ? `, or keep memory ${memory} with cpu ${fits.join(' or ')}` : ''),
      );
    }
  }
}

/** At most ten containers, at least one essential. */
function containerSetProblems(containers: Container[], add: AddProblem): void {
  if (containers.length > MAX_CONTAINERS) {
    add(
      'containerDefinitions',
      `${containers.length} containers; a task definition holds at most ${MAX_CONTAINERS}`,
      'split the containers over several task definitions',
    );
  }
  if (containers.length > 0 && !containers.some((c) => c.essential !== false)) {
    add(
      'containerDefinitions',
      'no container is essential (ECS: "Task definition doesn\'t have any essential container.")',
      'mark the main container "essential": true',
    );
  }
}

/** One container: an image, memory within the task's, reservation within memory, dependencies ECS can honour. */
function containerProblems(
  td: TaskDefJson,
  c: Container,
  name: string,
  memory: ReturnType<typeof taskMemoryMiB>,
  essential: Set<string | undefined>,
  add: AddProblem,
): void {
  if (!c.image) add('image', 'has no "image"', 'set the image of the container', name);
  const limit = typeof memory === 'number' ? memory : undefined;
  if (limit !== undefined && typeof c.memory === 'number' && c.memory > limit) {
    // ECS: "The 'memory' setting for container 'x' is greater than for the task." (pulumi/pulumi-awsx#188)
    add(
      'memory',
      `container memory ${c.memory} MiB is more than the task's ${limit} MiB`,
      `lower the container's "memory" to at most ${limit} or raise the task memory`,
      name,
    );
  }
  if (typeof c.memory === 'number' && typeof c.memoryReservation === 'number' && c.memoryReservation > c.memory) {
    add(
      'memoryReservation',
      `memoryReservation ${c.memoryReservation} MiB is more than its memory ${c.memory} MiB`,
      'keep memoryReservation ≤ memory',
      name,
    );
  }
  if (!requiresFargate(td) && memory === undefined && c.memory === undefined && c.memoryReservation === undefined) {
    // ECS: "Invalid setting for container 'x'. At least one of 'memory' or 'memoryReservation' must be specified."
    add(
      'memory',
      'has neither "memory" nor "memoryReservation" and the task has no "memory"',
      'set a task-level "memory" or the container\'s "memory"',
      name,
    );
  }
  for (const dep of c.dependsOn ?? []) {
    if ((dep.condition === 'SUCCESS' || dep.condition === 'COMPLETE') && essential.has(dep.containerName)) {
      add(
        'dependsOn',
        `depends on ${dep.containerName} with ${dep.condition}, but ${dep.containerName} is essential`,
        `mark ${dep.containerName} "essential": false or use the START/HEALTHY condition`,
        name,
      );
    }
  }
}

/** One container's port mappings: a containerPort each, hostPort = containerPort in awsvpc, no host port twice. */
function portProblems(td: TaskDefJson, c: Container, name: string, hostPorts: Set<string>, add: AddProblem): void {
  for (const p of c.portMappings ?? []) {
    if (p.containerPort === undefined && p.containerPortRange === undefined) {
      add('portMappings', 'a port mapping has no "containerPort"', 'set containerPort on every port mapping', name);
      continue;
    }
    if (td.networkMode === 'awsvpc' && p.hostPort && p.containerPort !== undefined && p.hostPort !== p.containerPort) {
      add(
        'portMappings',
        `hostPort ${p.hostPort} differs from containerPort ${p.containerPort} in awsvpc mode`,
        `drop hostPort or set it to ${p.containerPort}`,
        name,
      );
    }
    const host = p.hostPort || (td.networkMode === 'awsvpc' || td.networkMode === 'host' ? p.containerPort : undefined);
    if (host) {
      const key = `${(p.protocol ?? 'tcp').toUpperCase()} ${host}`;
      if (hostPorts.has(key))
        add('portMappings', `${key} is mapped twice in the task`, 'map each host port once per task', name);
      hostPorts.add(key);
    }
  }
}

/** The 64 KiB RegisterTaskDefinition request limit, naming the largest container. */
function requestSizeProblem(td: TaskDefJson, containers: Container[], add: AddProblem): void {
  const size = registerInputBytes(td);
  if (size > TASK_DEFINITION_MAX_BYTES) {
    const largest = [...containers]
      .map((c) => ({
        name: c.name ?? '?',
        bytes: Buffer.byteLength(JSON.stringify(c)),
        env: Buffer.byteLength(JSON.stringify(c.environment ?? [])),
      }))
      .sort((a, b) => b.bytes - a.bytes)[0];
    add(
      'size',
      `the task definition is ${size} bytes; ECS accepts at most ${TASK_DEFINITION_MAX_BYTES} (64 KiB)` +
        (largest
          ? `; the largest container is ${largest.name} (${largest.bytes} bytes, environment ${largest.env})`
          : ''),
      'move large values out of "environment" (SSM parameters or Secrets Manager through "secrets", or an environmentFiles S3 object)',
      largest?.name,
    );
  }
}

/** Bytes of the RegisterTaskDefinition request ECS measures (tags excluded). */
export function registerInputBytes(td: TaskDefJson): number {
  let input: Record<string, unknown>;
  try {
    input = { ...(toRegisterInput(td) as unknown as Record<string, unknown>) };
  } catch {
    input = { ...td };
  }
  delete input.tags;
  return Buffer.byteLength(JSON.stringify(input), 'utf8');
}
