// What ECS refuses at RegisterTaskDefinition time (all ClientException, the texts ECS answers where they are known),
// so tests catch a task definition AWS would reject before anything is deployed. Pure functions: the request body
// in, the normalised task-level cpu/memory out or an AwsError thrown.
import type { ContainerDefinition } from './ecs-model.ts';
import { AwsError } from './ecs-wire.ts';

/** Task definition size quota: 64 KiB ("Actual length: '66420'. Max allowed length is '65536' bytes." is what ECS
 * answered above it, awsdocs/amazon-ecs-developer-guide#149). */
export const TASK_DEFINITION_MAX_BYTES = 65536;
/** "Containers per task definition: 10, not adjustable" (Amazon ECS service quotas,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html). */
export const MAX_CONTAINERS = 10;

const clientError = (message: string) => new AwsError('ClientException', message);

/**
 * Valid Fargate task sizes (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html
 * and the RegisterTaskDefinition `memory` member): cpu units → allowed memory MiB. Written from the AWS page, not
 * imported from the kit's preflight (packages/kit/src/ecs/preflight/limits.ts): the emulator must catch the kit's
 * mistakes, not share them.
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

/**
 * Task-level cpu as ECS stores it: CPU units, given as units ("1024") or vCPUs ("1 vCPU", "0.25 vcpu"); ECS converts
 * the vCPU form at registration (RegisterTaskDefinition API reference, `cpu`).
 */
export function normaliseTaskCpu(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  const s = String(raw).trim();
  const units = /^\d+$/.test(s) ? Number(s) : undefined;
  const vcpu = /^(\d+(?:\.\d+)?)\s*vcpu$/i.exec(s);
  const value = units ?? (vcpu ? Math.round(Number(vcpu[1]) * 1024) : undefined);
  if (value === undefined || value <= 0) throw clientError("Invalid 'cpu' setting for task.");
  return String(value);
}

/** Task-level memory in MiB, given as MiB ("2048") or GB ("2GB", "2 GB"), converted at registration. */
export function normaliseTaskMemory(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  const s = String(raw).trim();
  const mib = /^\d+$/.test(s) ? Number(s) : undefined;
  const gb = /^(\d+(?:\.\d+)?)\s*gb$/i.exec(s);
  const value = mib ?? (gb ? Math.round(Number(gb[1]) * 1024) : undefined);
  if (value === undefined || value <= 0) throw clientError("Invalid 'memory' setting for task.");
  return String(value);
}

/** FARGATE in requiresCompatibilities: task-level cpu and memory present and one of the valid pairs. */
export function checkFargateSize(cpu: string | undefined, memory: string | undefined): void {
  if (!cpu) throw clientError("Fargate requires that 'cpu' be defined at the task level.");
  if (!memory) throw clientError("Fargate requires that 'memory' be defined at the task level.");
  if (!fargateMemoryOptions(Number(cpu)).includes(Number(memory))) {
    // The text ECS answers (aws-games/cloud-game-development-toolkit#737, towardsthecloud/aws-cdk-examples#1).
    throw clientError(
      `No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. See the Amazon ECS documentation for the valid values.`,
    );
  }
}

/** The whole request must fit the 64 KiB quota (measured as the JSON of the request, tags excluded). */
export function checkTaskDefinitionSize(body: Record<string, unknown>): void {
  const { tags: _tags, ...definition } = body;
  const length = Buffer.byteLength(JSON.stringify(definition), 'utf8');
  if (length > TASK_DEFINITION_MAX_BYTES) {
    throw clientError(`Actual length: '${length}'. Max allowed length is '${TASK_DEFINITION_MAX_BYTES}' bytes.`);
  }
}

/**
 * Container rules checked at registration: the 10-container quota, at least one essential container
 * ("Task definition doesn't have any essential container.", eagletmt/hako#68), a dependency with a SUCCESS or
 * COMPLETE condition must not be essential (boto/boto3#2436), port mappings need a containerPort ("Invalid
 * 'containerPort' setting for container 'x'.", aws/aws-cdk#8762), in awsvpc a hostPort equals its containerPort
 * (pulumi/pulumi-awsx#935) and a host port is mapped once per task (aws/amazon-ecs-agent#1220).
 * Environment variables: ECS documents no per-container count, name or size limit (use-environment-file.html says
 * it "doesn't enforce a size limit"); they count toward the 64 KiB task definition size.
 */
export function checkContainers(defs: ContainerDefinition[], networkMode: string | undefined): void {
  if (defs.length > MAX_CONTAINERS) {
    // Text not published; the quota is.
    throw clientError(`Too many containers: ${defs.length}. A task definition can have at most ${MAX_CONTAINERS}.`);
  }
  if (!defs.some((c) => c.essential !== false))
    throw clientError("Task definition doesn't have any essential container.");
  const essential = new Set(defs.filter((c) => c.essential !== false).map((c) => c.name));
  const hostPorts = new Set<string>();
  for (const c of defs) {
    for (const dep of (c.dependsOn as Array<{ containerName?: string; condition?: string }> | undefined) ?? []) {
      if ((dep.condition === 'SUCCESS' || dep.condition === 'COMPLETE') && essential.has(dep.containerName ?? '')) {
        throw clientError('A dependency container with SUCCESS or COMPLETE condition cannot be an essential container');
      }
    }
    for (const p of c.portMappings ?? []) {
      if (p.containerPort === undefined && p.containerPortRange === undefined) {
        throw clientError(`Invalid 'containerPort' setting for container '${c.name}'.`);
      }
      if (
        networkMode === 'awsvpc' &&
        p.hostPort !== undefined &&
        p.hostPort !== 0 &&
        p.containerPort !== undefined &&
        p.hostPort !== p.containerPort
      ) {
        throw clientError('When networkMode=awsvpc, the host ports and container ports in port mappings must match.');
      }
      const host = p.hostPort || (networkMode === 'awsvpc' || networkMode === 'host' ? p.containerPort : undefined);
      if (host) {
        const protocol = (p.protocol ?? 'tcp').toUpperCase();
        const key = `${protocol} ${host}`;
        if (hostPorts.has(key)) throw clientError(`${protocol} host port '${host}' is mapped multiple times in task.`);
        hostPorts.add(key);
      }
    }
  }
}
