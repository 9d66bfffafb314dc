import {
  type ContainerDefinition,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  type Service,
  type Tag,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { ConfigurationError, isErrorNamed } from '../../runtime/errors';
import { coreLogger } from '../../runtime/log';
import { isTaskDefinitionNotFound, registeredReference } from '../taskdef/source';
import {
  canonicalJson,
  DEPLOY_ACTIONS_TAG_PREFIX,
  type TaskDefJson,
  taskDefDiffText,
  taskDefsEqual,
} from '../taskdef/taskdef';
import { familyOf } from './known-good';
import type { DeployDeps, DeployRequest, PreparedDeploy, PreparedService, ServiceRequest } from './model';
import { RevisionFactsCache, resolveRollbackTarget } from './rollback-history';
import { rollbackToText, skippedText } from './rollback-target';
import { shortTaskDef } from './rollout-verdict';
import { chunk } from './rollout-wait';

// Prepare (read-only): the services exist and are ACTIVE, task definition ARNs exist, a rendered JSON is compared
// with its family's latest ACTIVE revision (reused when equal), rollback targets resolve, the load balancers fit.
// Every problem is a ConfigurationError naming the input, thrown before any mutating call.

type InputKey = 'cluster' | 'services' | 'task-definition' | 'rollback-to';
type Target = PreparedService['target'];

const inputName = (req: DeployRequest, key: InputKey) => req.inputNames?.[key] ?? key;
/** The input a service's task definition came from: its `services` line, else `task-definition`. */
const taskDefInput = (req: DeployRequest, service: ServiceRequest) =>
  service.taskDefinitionInput ?? inputName(req, 'task-definition');

/** Remove deploy-actions:* tags carried over from a describe output (they belong to the old revision). */
function withoutOurTags(json: TaskDefJson): TaskDefJson {
  const copy = { ...json };
  if (Array.isArray(copy.tags)) {
    const kept = (copy.tags as Tag[]).filter((t) => !String(t.key ?? '').startsWith(DEPLOY_ACTIONS_TAG_PREFIX));
    if (kept.length) copy.tags = kept;
    else delete copy.tags;
  }
  return copy;
}

function withoutTags(json: unknown): unknown {
  if (json && typeof json === 'object') {
    const { tags: _tags, ...rest } = json as Record<string, unknown>;
    return rest;
  }
  return json;
}

/** The task definition a service runs now: its PRIMARY deployment's, else the service's. */
function runningTaskDefinitionArn(service: Service | undefined): string | undefined {
  return service?.deployments?.find((d) => d.status === 'PRIMARY')?.taskDefinition ?? service?.taskDefinition;
}

/** DescribeServices for all names (≤10 per call). */
export async function describeServices(
  ecs: ECSClient,
  cluster: string,
  names: string[],
  signal?: AbortSignal,
): Promise<{ services: Service[]; missing: string[] }> {
  const services: Service[] = [];
  const missing: string[] = [];
  for (const batch of chunk(names, 10)) {
    const out = await ecs.send(new DescribeServicesCommand({ cluster, services: batch }), { abortSignal: signal });
    services.push(...(out.services ?? []));
    for (const f of out.failures ?? []) if (f.arn) missing.push(f.arn.split('/').pop() ?? f.arn);
  }
  return { services, missing };
}

/** DescribeTaskDefinition lookups of one prepare, each made once (concurrent lookups share the call). */
class TaskDefLookup {
  private readonly byId = new Map<string, Promise<TaskDefinition | undefined>>();
  private readonly latestByFamily = new Map<string, TaskDefinition | null>();
  constructor(
    private readonly ecs: ECSClient,
    private readonly signal: AbortSignal | undefined,
  ) {}

  private async fetch(id: string): Promise<TaskDefinition | undefined> {
    try {
      const out = await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: id }), {
        abortSignal: this.signal,
      });
      return out.taskDefinition;
    } catch (err) {
      if (isTaskDefinitionNotFound(err)) return undefined;
      throw err;
    }
  }

  describe(id: string): Promise<TaskDefinition | undefined> {
    let described = this.byId.get(id);
    if (!described) {
      described = this.fetch(id);
      this.byId.set(id, described);
    }
    return described;
  }

  /** The family's latest ACTIVE revision; the same revision described by ARN later comes from the cache. */
  async latest(family: string): Promise<TaskDefinition | undefined> {
    if (!this.latestByFamily.has(family)) {
      const latest = await this.fetch(family);
      this.latestByFamily.set(family, latest ?? null);
      if (latest?.taskDefinitionArn && !this.byId.has(latest.taskDefinitionArn)) {
        this.byId.set(latest.taskDefinitionArn, Promise.resolve(latest));
      }
    }
    return this.latestByFamily.get(family) ?? undefined;
  }
}

/**
 * Read-only preparation: the services exist and are ACTIVE, task definition ARNs exist, rendered JSON is compared
 * with the latest ACTIVE revision of its family (reuse when equal), rollback targets resolve. Every problem found
 * here is a ConfigurationError naming the input, thrown before any mutating call.
 */
export async function prepareDeploy(request: DeployRequest, deps: DeployDeps): Promise<PreparedDeploy> {
  const byName = await describeActiveServices(deps.ecs, request, deps.signal);
  const lookup = new TaskDefLookup(deps.ecs, deps.signal);
  const services: PreparedService[] = [];
  for (const req of request.services) services.push(await prepareService(request, req, byName, lookup, deps));
  return { request, services };
}

/** Every requested service, described; a missing cluster or a service that is not ACTIVE is a ConfigurationError. */
async function describeActiveServices(
  ecs: ECSClient,
  request: DeployRequest,
  signal: AbortSignal | undefined,
): Promise<Map<string, Service>> {
  const names = request.services.map((s) => s.service);
  let described: { services: Service[]; missing: string[] };
  try {
    described = await describeServices(ecs, request.cluster, names, signal);
  } catch (err) {
    if (isErrorNamed(err, 'ClusterNotFoundException')) {
      throw new ConfigurationError(
        inputName(request, 'cluster'),
        `cluster ${JSON.stringify(request.cluster)} not found`,
      );
    }
    throw err;
  }
  const byName = new Map(described.services.map((s) => [s.serviceName ?? '', s]));
  const missing = names.filter((n) => !byName.has(n) || byName.get(n)?.status !== 'ACTIVE');
  if (missing.length) {
    const statuses = missing.map((n) => `${n} (${byName.get(n)?.status ?? 'not found'})`).join(', ');
    throw new ConfigurationError(
      inputName(request, 'services'),
      `not an ACTIVE service in cluster ${JSON.stringify(request.cluster)}: ${statuses}`,
    );
  }
  return byName;
}

/** A resolved target and the two sides of its diff. */
interface Resolved {
  target: Target;
  diffNew: unknown;
  /** Replaces the running revision as the diff base (a service's first rendered deploy: the family's latest). */
  diffBase?: unknown;
  latestArn?: string;
}

async function prepareService(
  request: DeployRequest,
  req: ServiceRequest,
  byName: Map<string, Service>,
  lookup: TaskDefLookup,
  deps: DeployDeps,
): Promise<PreparedService> {
  const current = byName.get(req.service)!;
  const primary = current.deployments?.find((d) => d.status === 'PRIMARY');
  const previousTaskDefinitionArn = runningTaskDefinitionArn(current);
  // A rendered task definition is compared with its family's latest revision, which is usually the running one:
  // describe the family first so the running revision is not described a second time by its ARN.
  const renderedFamily = req.taskDefinition?.kind === 'file' ? req.taskDefinition.taskDefinition.family : undefined;
  if (!request.rollbackTo && typeof renderedFamily === 'string' && renderedFamily) await lookup.latest(renderedFamily);
  const previous = previousTaskDefinitionArn ? await lookup.describe(previousTaskDefinitionArn) : undefined;
  let resolved: Resolved;
  if (request.rollbackTo) {
    resolved = await resolveRollback(request, req.service, previousTaskDefinitionArn, lookup, deps);
  } else if (req.taskDefinition?.kind === 'file') resolved = await resolveRendered(request, req, byName, lookup);
  else if (req.taskDefinition) {
    resolved = await resolveArn(taskDefInput(request, req), registeredReference(req.taskDefinition), lookup);
  } else {
    throw new ConfigurationError(
      inputName(request, 'task-definition'),
      `no task definition for service ${req.service}`,
    );
  }
  checkLoadBalancerFit(request, req.service, current, resolved.target);
  const diffBase = resolved.diffBase !== undefined && !previous ? resolved.diffBase : previous;
  const { target } = resolved;
  const diffText =
    resolved.diffNew === undefined
      ? ''
      : taskDefDiffText(withoutTags(diffBase), withoutTags(resolved.diffNew), {
          oldName: shortTaskDef(previousTaskDefinitionArn) || 'previous',
          newName: target.kind === 'existing' ? shortTaskDef(target.arn) : `${target.family} (new revision)`,
        });
  return {
    service: req.service,
    current,
    ...(previousTaskDefinitionArn ? { previousTaskDefinitionArn } : {}),
    ...(primary?.id ? { previousPrimaryId: primary.id } : {}),
    target,
    ...(resolved.latestArn ? { latestArn: resolved.latestArn } : {}),
    diffText,
  };
}

function existing(arn: string, td: TaskDefinition | undefined): Target {
  return {
    kind: 'existing',
    arn,
    reused: true,
    ...(td?.containerDefinitions ? { containerDefinitions: td.containerDefinitions } : {}),
    ...(td ? { taskDefinition: td } : {}),
  };
}

/**
 * `rollback-to`: the revision it names in the family the service runs now, chosen by rollback-target.ts (known-good
 * and previous never return to a revision rolled back from). The revision's task definition is described for the
 * diff and the load-balancer check.
 */
async function resolveRollback(
  request: DeployRequest,
  service: string,
  previousArn: string | undefined,
  lookup: TaskDefLookup,
  deps: DeployDeps,
): Promise<Resolved> {
  const want = request.rollbackTo!;
  const family = familyOf(previousArn ?? '');
  const cache = new RevisionFactsCache(deps.ecs, deps.signal);
  const choice = await resolveRollbackTarget(
    cache,
    { kind: 'rollback-to', want, currentArn: previousArn },
    { cluster: request.cluster, service },
    family,
  );
  if ('none' in choice) {
    const skipped = choice.skipped.length ? ` (skipped: ${skippedText(choice.skipped)})` : '';
    throw new ConfigurationError(inputName(request, 'rollback-to'), `${service}: ${choice.none}${skipped}`);
  }
  const td = await lookup.describe(choice.arn);
  const log = deps.log ?? coreLogger;
  log.info(
    `${service}: rollback-to ${rollbackToText(want)} → ${choice.why}` +
      (choice.skipped.length ? `; skipped ${skippedText(choice.skipped)}` : ''),
  );
  return { target: existing(choice.arn, td), diffNew: td };
}

/** A task definition named by ARN (or family:revision): it exists and is ACTIVE. */
async function resolveArn(input: string, arn: string, lookup: TaskDefLookup): Promise<Resolved> {
  const td = await lookup.describe(arn);
  if (!td?.taskDefinitionArn) {
    throw new ConfigurationError(input, `task definition ${JSON.stringify(arn)} not found`);
  }
  if (td.status && td.status !== 'ACTIVE') {
    throw new ConfigurationError(input, `task definition ${td.taskDefinitionArn} is ${td.status}`);
  }
  return { target: existing(td.taskDefinitionArn, td), diffNew: td };
}

/**
 * A rendered task definition: reuse the latest ACTIVE revision of its family when equal; failing that, a revision one
 * of the services runs now (after a rollback the latest revision is the broken one, and re-running the good deploy
 * must not register a copy); else register it.
 */
async function resolveRendered(
  request: DeployRequest,
  req: ServiceRequest,
  byName: Map<string, Service>,
  lookup: TaskDefLookup,
): Promise<Resolved> {
  const spec = req.taskDefinition as Extract<ServiceRequest['taskDefinition'], { kind: 'file' }>;
  const json = withoutOurTags(spec.taskDefinition);
  const family = typeof json.family === 'string' ? json.family : '';
  if (!family) {
    throw new ConfigurationError(taskDefInput(request, req), `${spec.path} has no "family"`);
  }
  const latest = await lookup.latest(family);
  const running = await Promise.all(
    request.services.map((s) => {
      const arn = runningTaskDefinitionArn(byName.get(s.service));
      return arn ? lookup.describe(arn) : undefined;
    }),
  );
  const same = [latest, ...running].find(
    (c) =>
      c?.taskDefinitionArn &&
      c.status !== 'INACTIVE' &&
      c.family === family &&
      taskDefsEqual(withoutTags(c), withoutTags(json)),
  );
  const target: Target = same?.taskDefinitionArn
    ? existing(same.taskDefinitionArn, same)
    : { kind: 'register', key: canonicalJson(withoutTags(json)), json, family };
  return {
    target,
    diffNew: json,
    diffBase: latest,
    ...(latest?.taskDefinitionArn ? { latestArn: latest.taskDefinitionArn } : {}),
  };
}

/** The load balancers must find their container and port in the target revision (ECS would reject the update). */
function checkLoadBalancerFit(request: DeployRequest, service: string, current: Service, target: Target): void {
  const rendered = target.kind === 'register' ? target.json.containerDefinitions : undefined;
  const containers =
    target.kind === 'register'
      ? Array.isArray(rendered)
        ? (rendered as ContainerDefinition[])
        : undefined
      : target.containerDefinitions;
  const mismatch = loadBalancerMismatch(current.loadBalancers, containers);
  if (mismatch) {
    const what = target.kind === 'existing' ? shortTaskDef(target.arn) : `the ${target.family} task definition`;
    throw new ConfigurationError(
      inputName(request, request.rollbackTo ? 'rollback-to' : 'task-definition'),
      `${what} cannot run service ${service}: ${mismatch}`,
    );
  }
}

/**
 * Why UpdateService would reject these containers for the service's load balancers (ECS: "The container web does not
 * exist in the task definition" / "did not have a container port 8000 defined"), or undefined when they fit. Checked
 * while preparing, so a renamed container or a changed port fails before anything is registered or updated.
 */
export function loadBalancerMismatch(
  loadBalancers: readonly { containerName?: string | undefined; containerPort?: number | undefined }[] | undefined,
  containers: readonly ContainerDefinition[] | undefined,
): string | undefined {
  if (!containers) return undefined;
  for (const lb of loadBalancers ?? []) {
    if (!lb.containerName) continue;
    const c = containers.find((x) => x.name === lb.containerName);
    const names = containers.map((x) => x.name).join(', ');
    if (!c)
      return `its load balancer routes to container ${JSON.stringify(lb.containerName)}, which the task definition does not have (containers: ${names})`;
    if (lb.containerPort !== undefined && !(c.portMappings ?? []).some((m) => m.containerPort === lb.containerPort)) {
      const ports = (c.portMappings ?? []).map((m) => m.containerPort).join(', ') || 'none';
      return `its load balancer routes to port ${lb.containerPort} of container ${JSON.stringify(lb.containerName)}, which maps no such port (ports: ${ports})`;
    }
  }
  return undefined;
}
