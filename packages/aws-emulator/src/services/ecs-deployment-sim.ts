// The emulator's SIMULATION of ECS (not to be confused with the kit's ecs-rollout.ts, which observes a real rollout):
// task lifecycle in simulated time (PROVISIONING → PENDING → RUNNING → DEACTIVATING → STOPPING → DEPROVISIONING →
// STOPPED), failure behaviours per image and the task-start checks (ecs-task-start.ts), the rolling-update scheduler
// (minimumHealthyPercent / maximumPercent), the deployment circuit breaker with and without rollback, service events
// with ECS's texts, task output written to CloudWatch Logs, and load balancer target health for ELBv2.
import type { BehaviorRule, EmuContext, RunBehavior, ServiceBehavior } from '../types.ts';
import type { EcrServiceModule } from './ecr.ts';
import {
  type Cluster,
  type Container,
  type Deployment,
  type EcsService,
  essentialContainers,
  SIGTERM_EXIT_CODE,
  type Tag,
  type Task,
  type TaskBehavior,
  type TaskDefinition,
  TIMINGS,
} from './ecs-model.ts';
import { parseSecretRef } from './ecs-secret-refs.ts';
import { checkTaskStart, isEmulatorRegistryImage, type TaskStartContext } from './ecs-task-start.ts';
import { globToRegExp, randomDigits, randomHex } from './ecs-wire.ts';
import type { TargetHealthRecord } from './elbv2.ts';
import type { LogsService } from './logs.ts';
import type { SecretsManagerService } from './secretsmanager.ts';
import type { SsmService } from './ssm.ts';

export interface EcsStore {
  /** family → revisions (index = revision - 1). */
  taskDefs: Map<string, TaskDefinition[]>;
  clusters: Map<string, Cluster>;
  /** `${clusterName}/${serviceName}` → service. */
  services: Map<string, EcsService>;
  tasks: Map<string, Task>;
  tags: Map<string, Tag[]>;
  counter: number;
}

export function newStore(): EcsStore {
  return {
    taskDefs: new Map(),
    clusters: new Map(),
    services: new Map(),
    tasks: new Map(),
    tags: new Map(),
    counter: 0,
  };
}

/**
 * Circuit breaker failure threshold, as the ECS API reference documents it (ServiceDeploymentCircuitBreaker,
 * `threshold`: "The deployment circuit breaker has a minimum threshold of 3 and a maximum threshold of 200 …
 * 0.5 * desired task count", https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeploymentCircuitBreaker.html):
 * 0.5 × desiredCount rounded up, within [3, 200]. The kit has its own copy for judging breaker-less rollouts.
 */
export function breakerThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(desiredCount * 0.5)));
}

export const CIRCUIT_BREAKER_FAILED_REASON = 'ECS deployment circuit breaker: tasks failed to start.';
const MAX_STOPPED_TASKS_PER_GROUP = 200;
const MAX_EVENTS = 100;

export interface TaskLaunch {
  cluster: Cluster;
  td: TaskDefinition;
  region: string;
  group: string;
  startedBy?: string;
  launchType: string;
  capacityProviderName?: string;
  platformVersion?: string;
  networkConfiguration?: unknown;
  overrides?: { containerOverrides?: Array<Record<string, unknown>>; [k: string]: unknown };
  tags?: Tag[];
  enableExecuteCommand?: boolean;
  service?: EcsService;
  deploymentId?: string;
  behavior: TaskBehavior;
}

export function createScheduler(store: EcsStore, getCtx: () => EmuContext | undefined) {
  let gen = 0;

  const ctx = (): EmuContext => {
    const c = getCtx();
    if (!c) throw new Error('ecs scheduler used before the emulator context is known');
    return c;
  };
  const now = () => ctx().clock.now();

  /** Run fn `seconds` of simulated time from now, unless the emulator was reset or the task's plan changed. */
  function after(seconds: number, fn: () => void, task?: Task) {
    const c = ctx();
    const g = gen;
    const epoch = task?.epoch;
    c.clock.at(c.clock.now() + seconds * 1000, () => {
      if (g !== gen) return;
      if (task && task.epoch !== epoch) return;
      fn();
    });
  }

  // ---------------- behaviours ----------------

  function matchingRules(image: string): BehaviorRule[] {
    return (getCtx()?.state.behaviors ?? []).filter((r) => {
      try {
        return globToRegExp(r.image).test(image);
      } catch {
        return false;
      }
    });
  }

  /** Service task behaviour: the last rule with `service` matching an essential container's image. */
  function serviceBehavior(td: TaskDefinition): TaskBehavior {
    for (const c of essentialContainers(td)) {
      const rule = matchingRules(c.image)
        .filter((r) => r.service)
        .pop();
      if (rule?.service) return { kind: 'service', behavior: rule.service };
    }
    return { kind: 'service', behavior: 'healthy' };
  }

  function crashLines(): string[] {
    return [
      'Traceback (most recent call last):',
      '  File "/app/main.py", line 12, in <module>',
      '    config = load_config()',
      '  File "/app/config.py", line 8, in load_config',
      '    raise RuntimeError("required setting DATABASE_URL is not set")',
      'RuntimeError: required setting DATABASE_URL is not set',
    ];
  }

  /** One-off task behaviour: the last rule matching an essential container's image (run or service rule). */
  function runBehavior(td: TaskDefinition): TaskBehavior & { kind: 'run' } {
    const base: RunBehavior = { logs: [], exitCode: 0, durationSeconds: TIMINGS.defaultRunSeconds };
    for (const c of essentialContainers(td)) {
      const rule = matchingRules(c.image).pop();
      if (!rule) continue;
      if (rule.run) {
        const failure = (rule.run as { failure?: unknown }).failure;
        return {
          kind: 'run',
          container: c.name,
          ...(typeof failure === 'string' && failure !== '' ? { failure } : {}),
          run: {
            logs: rule.run.logs ?? base.logs,
            exitCode: rule.run.exitCode ?? base.exitCode,
            durationSeconds: rule.run.durationSeconds ?? base.durationSeconds,
          },
        };
      }
      const s = rule.service as ServiceBehavior;
      if (s === 'pullError' || s === 'missingSecret')
        return { kind: 'run', container: c.name, run: base, startFailure: s };
      if (s === 'crashloop')
        return {
          kind: 'run',
          container: c.name,
          run: { logs: crashLines(), exitCode: 1, durationSeconds: TIMINGS.crashAfterSeconds },
        };
      if (s === 'slowStart') return { kind: 'run', container: c.name, run: base, slow: true };
      return { kind: 'run', container: c.name, run: base };
    }
    return { kind: 'run', container: essentialContainers(td)[0]?.name ?? '', run: base };
  }

  // ---------------- events ----------------

  function addEvent(svc: EcsService, message: string) {
    svc.events.unshift({ id: crypto.randomUUID(), createdAt: now(), message });
    if (svc.events.length > MAX_EVENTS) svc.events.length = MAX_EVENTS;
  }

  const taskList = (tasks: Task[]) => tasks.map((t) => `(task ${t.id})`).join(' ');

  // ---------------- logs ----------------

  function awslogsStream(
    task: Task,
    containerName: string,
  ): { group: string; stream: string; region: string } | undefined {
    const def = task.td.containerDefinitions.find((c) => c.name === containerName);
    const lc = def?.logConfiguration;
    if (lc?.logDriver !== 'awslogs' || !lc.options?.['awslogs-group']) return undefined;
    const prefix = lc.options['awslogs-stream-prefix'];
    return {
      group: lc.options['awslogs-group'],
      stream: prefix ? `${prefix}/${containerName}/${task.id}` : task.id,
      region: lc.options['awslogs-region'] ?? task.region,
    };
  }

  function logs(): LogsService | undefined {
    const c = getCtx();
    const l = c?.state.services.get('logs') as LogsService | undefined;
    // ingestion/creation times in simulated time, even before Logs itself has handled a request
    if (c) l?.bindClock?.(c.clock.now);
    return l;
  }

  function writeLog(task: Task, containerName: string, lines: string[]) {
    const target = awslogsStream(task, containerName);
    const l = logs();
    if (!target || !l || lines.length === 0) return;
    const t = now();
    l.putEvents(
      target.group,
      target.stream,
      lines.map((message) => ({ timestamp: t, message })),
    );
  }

  function openLogStreams(task: Task) {
    const l = logs();
    if (!l) return;
    for (const c of task.containers) {
      const target = awslogsStream(task, c.name);
      if (target) l.ensureStream(target.group, target.stream, target.region);
    }
  }

  // ---------------- tasks ----------------

  function nextIp(n: number) {
    return `10.0.${Math.floor(n / 250) % 250}.${(n % 250) + 4}`;
  }

  function createTask(l: TaskLaunch): Task {
    const c = ctx();
    const n = ++store.counter;
    const id = randomHex(16);
    const arn = `arn:aws:ecs:${l.region}:${c.accountId}:task/${l.cluster.name}/${id}`;
    const t = now();
    const overrides = {
      containerOverrides: [] as Array<Record<string, unknown>>,
      inferenceAcceleratorOverrides: [],
      ...(l.overrides ?? {}),
    };
    const containers: Container[] = l.td.containerDefinitions.map((d) => {
      const ov = overrides.containerOverrides.find((o) => o.name === d.name);
      return {
        containerArn: `arn:aws:ecs:${l.region}:${c.accountId}:container/${l.cluster.name}/${id}/${crypto.randomUUID()}`,
        name: d.name,
        image: d.image,
        lastStatus: 'PENDING',
        essential: d.essential !== false,
        ...(d.healthCheck ? { healthStatus: 'UNKNOWN' as const } : {}),
        cpu: String(ov?.cpu ?? d.cpu ?? 0),
        ...(d.memory !== undefined || ov?.memory !== undefined ? { memory: String(ov?.memory ?? d.memory) } : {}),
      };
    });
    const awsvpc = l.td.networkMode === 'awsvpc';
    const subnets = (l.networkConfiguration as { awsvpcConfiguration?: { subnets?: string[] } } | undefined)
      ?.awsvpcConfiguration?.subnets;
    const ip = nextIp(n);
    const az = `${l.region}${'abc'[n % 3]}`;
    const task: Task = {
      id,
      arn,
      region: l.region,
      cluster: l.cluster,
      td: l.td,
      group: l.group,
      ...(l.startedBy !== undefined ? { startedBy: l.startedBy } : {}),
      launchType: l.launchType,
      ...(l.capacityProviderName ? { capacityProviderName: l.capacityProviderName } : {}),
      ...(l.launchType === 'FARGATE'
        ? { platformVersion: l.platformVersion && l.platformVersion !== 'LATEST' ? l.platformVersion : '1.4.0' }
        : {}),
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      healthStatus: 'UNKNOWN',
      createdAt: t,
      containers,
      ...(awsvpc
        ? {
            eni: {
              attachmentId: crypto.randomUUID(),
              eniId: `eni-${randomHex(8).slice(0, 17)}`,
              ip,
              mac: `0e:${randomHex(5).match(/../g)?.join(':')}`,
              subnet: subnets?.[n % subnets.length] ?? 'subnet-0emulator',
              status: 'PRECREATED',
            },
          }
        : {}),
      overrides,
      ...(l.networkConfiguration !== undefined ? { networkConfiguration: l.networkConfiguration } : {}),
      tags: l.tags ?? [],
      availabilityZone: az,
      version: 1,
      enableExecuteCommand: l.enableExecuteCommand ?? false,
      ...(l.service ? { service: l.service } : {}),
      ...(l.deploymentId ? { deploymentId: l.deploymentId } : {}),
      behavior: l.behavior,
      healthy: false,
      epoch: 0,
    };
    store.tasks.set(id, task);
    pruneStopped(task.group);
    return task;
  }

  function pruneStopped(group: string) {
    const stopped = [...store.tasks.values()].filter((t) => t.group === group && t.lastStatus === 'STOPPED');
    if (stopped.length <= MAX_STOPPED_TASKS_PER_GROUP) return;
    stopped.sort((a, b) => (a.stoppedAt ?? 0) - (b.stoppedAt ?? 0));
    for (const t of stopped.slice(0, stopped.length - MAX_STOPPED_TASKS_PER_GROUP)) store.tasks.delete(t.id);
  }

  function touch(task: Task) {
    task.version++;
  }

  const isSlow = (task: Task) =>
    (task.behavior.kind === 'service' && task.behavior.behavior === 'slowStart') ||
    (task.behavior.kind === 'run' && task.behavior.slow === true);

  const targetGroupsOf = (svc: EcsService | undefined) => (svc?.loadBalancers ?? []).filter((lb) => lb.targetGroupArn);

  /** Health is judged by the load balancer or a container health check (then it takes healthCheckSeconds). */
  const hasHealthCheck = (task: Task) =>
    targetGroupsOf(task.service).length > 0 || task.td.containerDefinitions.some((c) => c.healthCheck);

  /** Start a task's lifecycle. `running: true` puts it straight into RUNNING and healthy (seeded services). */
  function startTask(task: Task, opts: { running?: boolean } = {}) {
    if (opts.running) {
      const t = now();
      task.lastStatus = 'RUNNING';
      task.createdAt = t - 600_000;
      task.pullStartedAt = t - 590_000;
      task.pullStoppedAt = t - 575_000;
      task.startedAt = t - 570_000;
      task.connectivityAt = t - 595_000;
      if (task.eni) task.eni.status = 'ATTACHED';
      for (const c of task.containers) {
        c.lastStatus = 'RUNNING';
        c.runtimeId = `${task.id}-${randomDigits(10)}`;
        c.imageDigest = imageDigestOf(c.image);
        if (c.healthStatus) c.healthStatus = 'HEALTHY';
      }
      if (task.containers.some((c) => c.healthStatus)) task.healthStatus = 'HEALTHY';
      task.healthy = true;
      if (targetGroupsOf(task.service).length > 0) task.targetState = 'healthy';
      openLogStreams(task);
      return;
    }
    const f = isSlow(task) ? TIMINGS.slowStartFactor : 1;
    after(TIMINGS.provisioningSeconds * f, () => toPending(task), task);
  }

  function toPending(task: Task) {
    task.lastStatus = 'PENDING';
    task.connectivityAt = now();
    task.pullStartedAt = now();
    if (task.eni) task.eni.status = 'ATTACHED';
    touch(task);
    const b = task.behavior;
    const failure = b.kind === 'service' ? b.behavior : b.startFailure;
    if (failure === 'pullError') {
      after(TIMINGS.pullErrorSeconds, () => failToStart(task, 'pullError'), task);
      return;
    }
    if (failure === 'missingSecret') {
      after(TIMINGS.secretErrorSeconds, () => failToStart(task, 'missingSecret'), task);
      return;
    }
    // No behaviour rule decided the start: what the account holds does (secrets, images, log groups), when the
    // corresponding realism switch is on.
    const outcome = checkTaskStart(task.td, taskStartContext());
    if (outcome.kind === 'failToStart') {
      const delay = outcome.reason.startsWith('CannotPullContainerError')
        ? TIMINGS.pullErrorSeconds
        : outcome.reason.includes('failed to validate logger args')
          ? TIMINGS.pendingSeconds
          : TIMINGS.secretErrorSeconds;
      after(delay, () => failTask(task, outcome.reason, outcome.container), task);
      return;
    }
    if (outcome.kind === 'exitOnStart') {
      // a RunTask command override is what the container execs
      const override = task.overrides.containerOverrides.find((o) => o.name === outcome.container)?.command;
      const cmd = Array.isArray(override) && typeof override[0] === 'string' ? override[0] : undefined;
      task.exitOnStart = cmd ? { ...outcome, line: `exec ${cmd}: exec format error` } : outcome;
    }
    const f = isSlow(task) ? TIMINGS.slowStartFactor : 1;
    after(TIMINGS.pendingSeconds * f, () => toRunning(task), task);
  }

  /** The digest ECS reports for a running container: the stored one for an image on the emulator's registry. */
  function imageDigestOf(image: string): string {
    const store = (getCtx()?.state.services.get('ecr') as EcrServiceModule | undefined)?.store;
    const found = isEmulatorRegistryImage(image) ? store?.findImage(image) : undefined;
    return found?.image.digest ?? `sha256:${randomHex(32)}`;
  }

  function taskStartContext(): TaskStartContext {
    const c = ctx();
    const services = c.state.services;
    return {
      realism: c.state.realism,
      secrets: services.get('secretsmanager') as SecretsManagerService | undefined,
      ssm: services.get('ssm') as SsmService | undefined,
      ecr: (services.get('ecr') as EcrServiceModule | undefined)?.store,
      logs: logs(),
    };
  }

  function mainContainer(task: Task): Container | undefined {
    const b = task.behavior;
    const name = b.kind === 'run' ? b.container : essentialContainers(task.td)[0]?.name;
    return task.containers.find((c) => c.name === name) ?? task.containers[0];
  }

  function failedImage(task: Task): string {
    const rules = getCtx()?.state.behaviors ?? [];
    for (const c of task.containers) {
      if (
        rules.some(
          (r) => (r.service === 'pullError' || r.service === 'missingSecret') && globToRegExp(r.image).test(c.image),
        )
      )
        return c.image;
    }
    return mainContainer(task)?.image ?? '';
  }

  function missingSecretKey(task: Task): string {
    for (const c of task.td.containerDefinitions) {
      for (const s of c.secrets ?? []) {
        const ref = parseSecretRef(s.valueFrom);
        if (ref.kind === 'secretsmanager' && ref.jsonKey) return ref.jsonKey;
      }
    }
    const first = task.td.containerDefinitions.flatMap((c) => c.secrets ?? [])[0];
    return first?.name ?? 'DATABASE_URL';
  }

  function failToStart(task: Task, kind: 'pullError' | 'missingSecret') {
    const image = failedImage(task);
    const message =
      kind === 'pullError'
        ? `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${image}: not found`
        : `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): retrieved secret from Secrets Manager did not contain json key ${missingSecretKey(task)}`;
    const container = kind === 'pullError' ? task.containers.find((c) => c.image === image)?.name : undefined;
    failTask(task, message, container);
  }

  /** The task never ran: STOPPED with `message` as stoppedReason (and as the named container's reason). */
  function failTask(task: Task, message: string, containerName?: string) {
    task.epoch++;
    const t = now();
    task.desiredStatus = 'STOPPED';
    task.stoppingAt = t;
    task.executionStoppedAt = t;
    task.stoppedReason = message;
    task.stopCode = 'TaskFailedToStart';
    task.lastStatus = 'DEPROVISIONING';
    for (const c of task.containers) {
      c.lastStatus = 'STOPPED';
      if (c.name === containerName) c.reason = message;
    }
    touch(task);
    after(TIMINGS.deprovisioningSeconds, () => toStopped(task), task);
    if (task.service) {
      onTaskFailed(task);
      reconcile(task.service);
    }
  }

  function startupLines(task: Task, containerName: string): string[] {
    const def = task.td.containerDefinitions.find((c) => c.name === containerName);
    const port = def?.portMappings?.[0]?.containerPort ?? 8080;
    return [`Starting ${containerName} (${def?.image ?? ''})`, `Listening on 0.0.0.0:${port}`];
  }

  function toRunning(task: Task) {
    const t = now();
    task.lastStatus = 'RUNNING';
    task.pullStoppedAt = t - 2000;
    task.startedAt = t;
    for (const c of task.containers) {
      c.lastStatus = 'RUNNING';
      c.runtimeId = `${task.id}-${randomDigits(10)}`;
      c.imageDigest = imageDigestOf(c.image);
    }
    touch(task);
    openLogStreams(task);
    const svc = task.service;
    const b = task.behavior;
    const exit = task.exitOnStart;
    if (exit) {
      // The image's binary cannot run on this platform: the container dies as soon as it starts.
      writeLog(task, exit.container, [exit.line]);
      after(1, () => containerExit(task, exit.exitCode, exit.container), task);
      if (svc) reconcile(svc);
      return;
    }
    if (svc) {
      const tgs = targetGroupsOf(svc);
      if (tgs.length > 0) {
        task.targetState = 'initial';
        for (const lb of tgs)
          addEvent(svc, `(service ${svc.name}) registered 1 targets in (target-group ${lb.targetGroupArn})`);
      }
    }
    if (b.kind === 'run') {
      const { logs: lines, durationSeconds: d, exitCode } = b.run;
      lines.forEach((line, i) => {
        after((d * (i + 1)) / (lines.length + 1), () => writeLog(task, b.container, [line]), task);
      });
      after(d, () => containerExit(task, exitCode), task);
      return;
    }
    const main = mainContainer(task)?.name ?? '';
    switch (b.behavior) {
      case 'crashloop':
        writeLog(task, main, [`Starting ${main}`]);
        after(
          TIMINGS.crashAfterSeconds,
          () => {
            writeLog(task, main, crashLines());
            containerExit(task, 1);
          },
          task,
        );
        break;
      case 'unhealthy':
        writeLog(task, main, startupLines(task, main));
        after(TIMINGS.healthCheckSeconds, () => markUnhealthy(task), task);
        break;
      default:
        writeLog(task, main, startupLines(task, main));
        after(
          hasHealthCheck(task) ? TIMINGS.healthCheckSeconds : TIMINGS.stabilizeSeconds,
          () => markHealthy(task),
          task,
        );
    }
    if (svc) reconcile(svc);
  }

  function markHealthy(task: Task) {
    task.healthy = true;
    if (task.targetState === 'initial') task.targetState = 'healthy';
    for (const c of task.containers) if (c.healthStatus) c.healthStatus = 'HEALTHY';
    if (task.containers.some((c) => c.healthStatus)) task.healthStatus = 'HEALTHY';
    touch(task);
    const svc = task.service;
    if (!svc) return;
    const dep = svc.deployments.find((d) => d.id === task.deploymentId);
    // resetOnHealthyTask (default true): a healthy task resets the breaker's failure count
    if (dep) dep.consecutiveFailures = 0;
    reconcile(svc);
  }

  function markUnhealthy(task: Task) {
    const svc = task.service;
    const tgs = targetGroupsOf(svc);
    const main = mainContainer(task)?.name ?? '';
    if (svc && tgs.length > 0) {
      const lb = tgs[0];
      task.targetState = 'unhealthy';
      writeLog(task, main, ['GET /health 503 Service Unavailable']);
      addEvent(
        svc,
        `(service ${svc.name}) (task ${task.id}) (port ${lb?.containerPort ?? 80}) is unhealthy in (target-group ${lb?.targetGroupArn}) due to (reason Health checks failed).`,
      );
      touch(task);
      const graceEnd = (task.startedAt ?? now()) + (svc.healthCheckGracePeriodSeconds ?? 0) * 1000;
      const delay = Math.max(TIMINGS.unhealthyStopSeconds, (graceEnd - now()) / 1000);
      after(
        delay,
        () => {
          stopTask(task, {
            reason: `Task failed ELB health checks in (target-group ${lb?.targetGroupArn})`,
            stopCode: 'ServiceSchedulerInitiated',
            failed: true,
          });
          reconcile(svc);
        },
        task,
      );
      return;
    }
    for (const c of task.containers) if (c.essential || c.healthStatus) c.healthStatus = 'UNHEALTHY';
    task.healthStatus = 'UNHEALTHY';
    writeLog(task, main, ['health check failed: connection refused']);
    if (svc) addEvent(svc, `(service ${svc.name}) (task ${task.id}) failed container health checks.`);
    stopTask(task, {
      reason: 'Task failed container health checks',
      stopCode: 'ServiceSchedulerInitiated',
      failed: true,
    });
    if (svc) reconcile(svc);
  }

  /** An essential container exited on its own (crash, or a one-off task finishing). */
  function containerExit(task: Task, exitCode: number, containerName?: string) {
    task.epoch++;
    const t = now();
    const main = task.containers.find((c) => c.name === containerName) ?? mainContainer(task);
    for (const c of task.containers) {
      c.lastStatus = 'STOPPED';
      c.exitCode = c === main ? exitCode : (c.exitCode ?? 0);
    }
    task.desiredStatus = 'STOPPED';
    task.stoppingAt = t;
    task.executionStoppedAt = t;
    task.stoppedReason = 'Essential container in task exited';
    task.stopCode = 'EssentialContainerExited';
    task.healthy = false;
    if (task.targetState) {
      task.targetState = 'draining';
      task.lastStatus = 'DEACTIVATING';
      after(TIMINGS.drainSeconds, () => deprovision(task), task);
    } else {
      task.lastStatus = 'DEPROVISIONING';
      after(TIMINGS.deprovisioningSeconds, () => toStopped(task), task);
    }
    touch(task);
    if (task.service) {
      onTaskFailed(task);
      reconcile(task.service);
    }
  }

  function deprovision(task: Task) {
    task.lastStatus = 'DEPROVISIONING';
    task.targetState = undefined;
    touch(task);
    after(TIMINGS.deprovisioningSeconds, () => toStopped(task), task);
  }

  /** Stop a task (StopTask, the scheduler draining an old deployment, failed health checks). No-op when stopping. */
  function stopTask(task: Task, opts: { reason: string; stopCode: string; failed?: boolean }): boolean {
    if (task.desiredStatus === 'STOPPED') return false;
    task.epoch++;
    const t = now();
    task.desiredStatus = 'STOPPED';
    task.stoppingAt = t;
    task.stoppedReason = opts.reason;
    task.stopCode = opts.stopCode;
    task.healthy = false;
    if (task.lastStatus === 'RUNNING') {
      if (task.targetState) {
        task.targetState = 'draining';
        task.lastStatus = 'DEACTIVATING';
        after(TIMINGS.drainSeconds, () => toStopping(task), task);
      } else {
        toStopping(task);
      }
    } else {
      // never started: nothing to signal
      for (const c of task.containers) c.lastStatus = 'STOPPED';
      task.executionStoppedAt = t;
      task.lastStatus = 'DEPROVISIONING';
      after(TIMINGS.deprovisioningSeconds, () => toStopped(task), task);
    }
    touch(task);
    if (opts.failed && task.service) onTaskFailed(task);
    return true;
  }

  function toStopping(task: Task) {
    task.lastStatus = 'STOPPING';
    task.targetState = undefined;
    touch(task);
    after(
      TIMINGS.stoppingSeconds,
      () => {
        for (const c of task.containers) {
          if (c.lastStatus === 'RUNNING') c.exitCode = SIGTERM_EXIT_CODE;
          c.lastStatus = 'STOPPED';
        }
        task.executionStoppedAt = now();
        task.lastStatus = 'DEPROVISIONING';
        touch(task);
        after(TIMINGS.deprovisioningSeconds, () => toStopped(task), task);
      },
      task,
    );
  }

  function toStopped(task: Task) {
    task.lastStatus = 'STOPPED';
    task.stoppedAt = now();
    task.targetState = undefined;
    for (const c of task.containers) c.lastStatus = 'STOPPED';
    if (task.eni) task.eni.status = 'DELETED';
    touch(task);
    if (task.service) reconcile(task.service);
  }

  // ---------------- deployments and the service scheduler ----------------

  function primaryOf(svc: EcsService): Deployment | undefined {
    return svc.deployments.find((d) => d.status === 'PRIMARY');
  }

  function usesRolloutState(svc: EcsService): boolean {
    return (
      svc.deploymentController.type === 'ECS' &&
      !svc.loadBalancers.some((lb) => lb.loadBalancerName && !lb.targetGroupArn)
    );
  }

  function newDeployment(svc: EcsService, taskDefinition: string, reason?: string): Deployment {
    const t = now();
    for (const d of svc.deployments) if (d.status === 'PRIMARY') d.status = 'ACTIVE';
    const id = `ecs-svc/${randomDigits(19)}`;
    const dep: Deployment = {
      id,
      status: 'PRIMARY',
      taskDefinition,
      desiredCount: svc.desiredCount,
      failedTasks: 0,
      consecutiveFailures: 0,
      createdAt: t,
      updatedAt: t,
      ...(svc.launchType ? { launchType: svc.launchType } : {}),
      ...(svc.capacityProviderStrategy ? { capacityProviderStrategy: svc.capacityProviderStrategy } : {}),
      ...(svc.launchType === 'FARGATE' || svc.capacityProviderStrategy
        ? { platformVersion: svc.platformVersion && svc.platformVersion !== 'LATEST' ? svc.platformVersion : '1.4.0' }
        : {}),
      ...(svc.networkConfiguration ? { networkConfiguration: svc.networkConfiguration } : {}),
      ...(usesRolloutState(svc)
        ? { rolloutState: 'IN_PROGRESS' as const, rolloutStateReason: reason ?? `ECS deployment ${id} in progress.` }
        : {}),
    };
    svc.deployments.unshift(dep);
    svc.taskDefinition = taskDefinition;
    svc.steady = false;
    return dep;
  }

  function resolveTd(arn: string): TaskDefinition | undefined {
    const m = /task-definition\/([^:]+):(\d+)$/.exec(arn);
    if (!m) return undefined;
    return store.taskDefs.get(m[1] as string)?.[Number(m[2]) - 1];
  }

  function tasksOf(svc: EcsService): Task[] {
    return [...store.tasks.values()].filter((t) => t.service === svc);
  }

  function launchForDeployment(
    svc: EcsService,
    dep: Deployment,
    count: number,
    opts: { running?: boolean } = {},
  ): Task[] {
    const td = resolveTd(dep.taskDefinition);
    if (!td) return [];
    const out: Task[] = [];
    const provider = dep.capacityProviderStrategy?.[0]?.capacityProvider as string | undefined;
    for (let i = 0; i < count; i++) {
      const task = createTask({
        cluster: svc.cluster,
        td,
        region: svc.region,
        group: `service:${svc.name}`,
        startedBy: dep.id,
        launchType: dep.launchType ?? (provider ? 'FARGATE' : 'EC2'),
        ...(provider ? { capacityProviderName: provider } : {}),
        ...(dep.platformVersion ? { platformVersion: dep.platformVersion } : {}),
        ...(dep.networkConfiguration ? { networkConfiguration: dep.networkConfiguration } : {}),
        service: svc,
        deploymentId: dep.id,
        behavior: serviceBehavior(td),
      });
      startTask(task, opts);
      out.push(task);
    }
    return out;
  }

  function onTaskFailed(task: Task) {
    const svc = task.service;
    if (!svc) return;
    const dep = svc.deployments.find((d) => d.id === task.deploymentId);
    if (!dep) return;
    dep.failedTasks++;
    dep.updatedAt = now();
    svc.steady = false;
    if (dep.status !== 'PRIMARY' || dep.rolloutState === 'FAILED' || dep.rolloutState === 'COMPLETED') return;
    dep.consecutiveFailures++;
    const threshold = breakerThreshold(svc.desiredCount);
    const cb = svc.deploymentConfiguration.deploymentCircuitBreaker;
    if (cb.enable && dep.rolloutState === 'IN_PROGRESS' && dep.consecutiveFailures >= threshold) {
      tripBreaker(svc, dep);
    } else if (dep.consecutiveFailures >= threshold && !dep.unableEventSent) {
      dep.unableEventSent = true;
      addEvent(
        svc,
        `(service ${svc.name}) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`,
      );
    }
  }

  function tripBreaker(svc: EcsService, dep: Deployment) {
    dep.rolloutState = 'FAILED';
    dep.rolloutStateReason = CIRCUIT_BREAKER_FAILED_REASON;
    dep.updatedAt = now();
    addEvent(svc, `(service ${svc.name}) (deployment ${dep.id}) deployment failed: tasks failed to start.`);
    const target = svc.lastCompleted;
    if (svc.deploymentConfiguration.deploymentCircuitBreaker.rollback && target && target.id !== dep.id) {
      addEvent(svc, `(service ${svc.name}) rolling back to deployment ${target.id}.`);
      newDeployment(
        svc,
        target.taskDefinition,
        `ECS deployment circuit breaker: rolling back to deploymentId ${target.id}.`,
      );
    }
  }

  let reconciling = false;
  /** The rolling-update scheduler: launch, drain, complete. Called whenever something about the service changed. */
  function reconcile(svc: EcsService) {
    if (reconciling) return;
    reconciling = true;
    try {
      reconcileOnce(svc);
    } finally {
      reconciling = false;
    }
  }

  function reconcileOnce(svc: EcsService) {
    const primary = primaryOf(svc);
    if (!primary) return;
    const all = tasksOf(svc);
    const live = () => all.filter((t) => t.desiredStatus === 'RUNNING');
    const desired = svc.status === 'ACTIVE' ? svc.desiredCount : 0;
    const cfg = svc.deploymentConfiguration;
    const maxTotal = Math.max(Math.floor((desired * cfg.maximumPercent) / 100), desired > 0 ? 1 : 0);
    const minHealthy = Math.ceil((desired * cfg.minimumHealthyPercent) / 100);
    const scaling = `Scaling activity initiated by (deployment ${primary.id})`;
    const stoppedRunning: Task[] = [];
    const stop = (t: Task) => {
      const wasRunning = t.lastStatus === 'RUNNING';
      if (stopTask(t, { reason: scaling, stopCode: 'ServiceSchedulerInitiated' }) && wasRunning) stoppedRunning.push(t);
    };

    // 1. Old deployments: tasks that are not (yet) healthy go at once; healthy ones while enough stay healthy.
    const old = live().filter((t) => t.deploymentId !== primary.id);
    for (const t of old) if (!t.healthy) stop(t);
    let spare = live().filter((t) => t.healthy).length - minHealthy;
    const oldHealthy = live()
      .filter((t) => t.deploymentId !== primary.id && t.healthy)
      .sort((a, b) => a.createdAt - b.createdAt);
    for (const t of oldHealthy) {
      if (spare <= 0) break;
      stop(t);
      spare--;
    }
    // 2. Scale in the primary when it has more tasks than desired (not-yet-healthy first).
    const primaryLive = live().filter((t) => t.deploymentId === primary.id);
    if (primaryLive.length > desired) {
      const order = [...primaryLive].sort((a, b) => Number(a.healthy) - Number(b.healthy) || b.createdAt - a.createdAt);
      for (const t of order.slice(0, primaryLive.length - desired)) stop(t);
    }
    // 3. Launch primary tasks within maximumPercent. A FAILED deployment launches nothing more.
    let started: Task[] = [];
    if (primary.rolloutState !== 'FAILED') {
      const need = desired - live().filter((t) => t.deploymentId === primary.id).length;
      const room = maxTotal - live().length;
      const n = Math.min(need, room);
      if (n > 0) {
        started = launchForDeployment(svc, primary, n);
        all.push(...started);
      }
    }
    // events, newest last added
    if (stoppedRunning.length > 0) {
      const tgs = targetGroupsOf(svc);
      if (tgs.length > 0) {
        addEvent(svc, `(service ${svc.name}) has begun draining connections on ${stoppedRunning.length} tasks.`);
        for (const lb of tgs)
          addEvent(
            svc,
            `(service ${svc.name}) deregistered ${stoppedRunning.length} targets in (target-group ${lb.targetGroupArn})`,
          );
      }
      addEvent(
        svc,
        `(service ${svc.name}) has stopped ${stoppedRunning.length} running tasks: ${taskList(stoppedRunning)}.`,
      );
    }
    if (started.length > 0)
      addEvent(svc, `(service ${svc.name}) has started ${started.length} tasks: ${taskList(started)}.`);

    // 4. Deployment bookkeeping.
    const t = now();
    for (const d of svc.deployments) {
      if (d === primary) {
        d.desiredCount = desired;
      } else {
        const n = live().filter((x) => x.deploymentId === d.id).length;
        if (d.desiredCount !== n) {
          d.desiredCount = n;
          d.updatedAt = t;
        }
      }
    }
    // 5. Completion: the primary runs `desired` healthy tasks and every other task has STOPPED.
    const pLive = live().filter((x) => x.deploymentId === primary.id);
    const othersLeft = all.some((x) => x.deploymentId !== primary.id && x.lastStatus !== 'STOPPED');
    const steady =
      primary.rolloutState !== 'FAILED' && pLive.length === desired && pLive.every((x) => x.healthy) && !othersLeft;
    if (steady) {
      svc.deployments = svc.deployments.filter((d) => d === primary);
      if (primary.rolloutState === 'IN_PROGRESS') {
        primary.rolloutState = 'COMPLETED';
        primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
        primary.updatedAt = t;
        addEvent(svc, `(service ${svc.name}) (deployment ${primary.id}) deployment completed.`);
      }
      svc.lastCompleted = { id: primary.id, taskDefinition: primary.taskDefinition };
      if (!svc.steady) addEvent(svc, `(service ${svc.name}) has reached a steady state.`);
      if (svc.status === 'DRAINING' && all.every((x) => x.lastStatus === 'STOPPED')) svc.status = 'INACTIVE';
    }
    svc.steady = steady;
  }

  function targetHealth(targetGroupArn: string): TargetHealthRecord[] {
    const out: TargetHealthRecord[] = [];
    for (const task of store.tasks.values()) {
      if (!task.targetState || !task.eni) continue;
      const lb = task.service?.loadBalancers.find((l) => l.targetGroupArn === targetGroupArn);
      if (!lb) continue;
      const base = { id: task.eni.ip, port: lb.containerPort ?? 80, availabilityZone: task.availabilityZone };
      switch (task.targetState) {
        case 'initial':
          out.push({
            ...base,
            state: 'initial',
            reason: 'Elb.RegistrationInProgress',
            description: 'Target registration is in progress',
          });
          break;
        case 'healthy':
          out.push({ ...base, state: 'healthy' });
          break;
        case 'unhealthy':
          out.push({
            ...base,
            state: 'unhealthy',
            reason: 'Target.FailedHealthChecks',
            description: 'Health checks failed',
          });
          break;
        case 'draining':
          out.push({
            ...base,
            state: 'draining',
            reason: 'Target.DeregistrationInProgress',
            description: 'Target deregistration is in progress',
          });
          break;
      }
    }
    return out;
  }

  return {
    reset() {
      gen++;
    },
    createTask,
    startTask,
    stopTask,
    newDeployment,
    launchForDeployment,
    reconcile,
    targetHealth,
    serviceBehavior,
    runBehavior,
    addEvent,
    primaryOf,
    tasksOf,
    usesRolloutState,
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
