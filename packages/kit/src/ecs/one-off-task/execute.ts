import {
  DescribeTasksCommand,
  type ECSClient,
  RunTaskCommand,
  type RunTaskCommandInput,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { DeployFailure, describeAwsError, errorMessage, isAwsError } from '../../runtime/errors';
import { type Logger, prefixedLogger } from '../../runtime/log';
import { type Clock, formatDuration, PollAbortedError, PollTimeoutError, poll, realClock } from '../../runtime/poll';
import {
  awslogsLocation,
  eventLines,
  LineRing,
  type LogLocation,
  type LogsClientLike,
  streamLogEvents,
  taskIdFromArn,
} from '../logs';
import { registerTaskDefinitionOnce } from '../taskdef/register-once';
import { runTaskClientToken } from './idempotency';
import type { PendingRunTask } from './leftover';
import { evaluateStoppedTask, type OneOffTaskPlan, type TaskOutcome, taskConsoleUrl } from './plan';
import type { OneOffTaskClients } from './prepare';

// Running a prepared one-off task: register (when the plan says so) → RunTask → follow the container's logs while
// DescribeTasks polls until STOPPED → drain the logs → judge the exit code. Each step is one function below;
// `executeOneOffTask` only sequences them.

export interface ExecuteOneOffTaskOptions {
  /** Whole run deadline from RunTask (the task is stopped when it passes). */
  timeoutMs: number;
  /** On abort (SIGINT/SIGTERM): StopTask when true (default true), then drain logs briefly. */
  stopOnCancel?: boolean;
  signal?: AbortSignal;
  /** Container log lines go to `log.info` as they are; status lines get `statusPrefix`; warnings to `log.warning`. */
  log: Logger;
  /** Prefix of status lines (run-migration-task: `[ecs] `, deploy-ecs: `[migration] `). */
  statusPrefix?: string;
  clock?: Clock;
  /**
   * Called just before RunTask with what is about to be sent (the action saves it, so a post step can find the task
   * if the step is killed before `onTaskStarted`).
   */
  onRunTask?: (pending: PendingRunTask) => void | Promise<void>;
  /** Called right after RunTask with the task ARN (the action saves it for its post step). */
  onTaskStarted?: (taskArn: string) => void | Promise<void>;
  /** The step's identity (`stepRunKey()`): RunTask's clientToken is derived from it and the request. */
  runKey?: string | undefined;
  /** DescribeTasks interval bounds (default 1000 → 2000 ms). */
  pollInitialMs?: number;
  pollMaxMs?: number;
  /** GetLogEvents interval while following (default 1000 ms). */
  logIntervalMs?: number;
  /** GetLogEvents page size (default: service default). */
  logPageLimit?: number;
  /** After STOPPED: keep reading until quiet this long (default 1000 ms) or at most drainMaxMs (default 10 s). */
  drainQuietMs?: number;
  drainMaxMs?: number;
  /** After cancellation/timeout: give log reading at most this long (default 1500 ms). */
  cancelDrainMs?: number;
  /** Lines kept for errors and the summary (default 30). */
  lastLines?: number;
  /** Reason given to StopTask on cancel (default mentions GitHub Actions). */
  stopReason?: string;
  /** Status line interval while running (default 60 s with logs, 10 s without). */
  progressEveryMs?: number;
}

/** The knobs tests turn (the actions read none of them from inputs). */
export type OneOffTaskTuning = Partial<
  Pick<
    ExecuteOneOffTaskOptions,
    'pollInitialMs' | 'pollMaxMs' | 'logIntervalMs' | 'logPageLimit' | 'drainQuietMs' | 'drainMaxMs' | 'cancelDrainMs'
  >
>;

export interface OneOffTaskResult {
  taskArn: string;
  taskId: string;
  taskDefinitionArn: string;
  containerName: string;
  command: string[] | undefined;
  /** Set when the task stopped and was judged. */
  outcome: TaskOutcome | undefined;
  exitCode: number | undefined;
  ok: boolean;
  cancelled: boolean;
  timedOut: boolean;
  /** Whether StopTask was called by us (cancel/timeout). */
  stopRequested: boolean;
  /** StopTask was called and failed: the task may still be running (the action's post step tries again). */
  stopFailed: boolean;
  durationMs: number;
  logLocation: LogLocation | undefined;
  /** Why logs were not streamed, when they were not. */
  logNotice: string | undefined;
  lastLines: string[];
  lineCount: number;
  /** One line for the error / summary. */
  message: string;
  lastStatus: string | undefined;
  consoleUrl: string | undefined;
}

/**
 * The task's status could not be read. `stopped`: StopTask succeeded; otherwise the task may still run, and the
 * action leaves its post step to try to stop it again.
 */
export class TaskStatusUnknownError extends DeployFailure {
  readonly taskArn: string;
  readonly stopped: boolean;
  constructor(message: string, taskArn: string, stopped: boolean, cause: unknown) {
    super(message, { cause });
    this.name = 'TaskStatusUnknownError';
    this.taskArn = taskArn;
    this.stopped = stopped;
  }
}

interface Step {
  clock: Clock;
  status: Logger;
  signal: AbortSignal | undefined;
  send: { abortSignal: AbortSignal } | undefined;
}

/**
 * Register (when the plan says so) → RunTask → stream the container's logs while polling DescribeTasks until
 * STOPPED → drain → judge the exit code. RunTask `failures[]` throw a DeployFailure. Timeout and cancellation
 * stop the task (cancellation only when `stopOnCancel`) and return `timedOut` / `cancelled` results; the caller
 * decides how to fail (see `oneOffTaskFailure`).
 */
export async function executeOneOffTask(
  clients: OneOffTaskClients,
  plan: OneOffTaskPlan,
  options: ExecuteOneOffTaskOptions,
): Promise<OneOffTaskResult> {
  const signal = options.signal;
  const step: Step = {
    clock: options.clock ?? realClock,
    status: prefixedLogger(options.log, options.statusPrefix ?? ''),
    signal,
    send: signal ? { abortSignal: signal } : undefined,
  };
  const taskDefinitionArn = await registerIfNeeded(clients.ecs, plan, step);
  const started = step.clock.now();
  const runTask = withClientToken({ ...plan.runTask, taskDefinition: taskDefinitionArn }, options.runKey);
  await options.onRunTask?.({
    cluster: plan.cluster,
    taskDefinitionArn,
    container: plan.containerName,
    command: plan.command,
    startedBy: runTask.startedBy,
    clientToken: runTask.clientToken,
    requestedAt: Date.now(),
  });
  const task = await startTask(clients.ecs, runTask, step);
  const taskArn = task.taskArn!;
  const consoleUrl = taskConsoleUrl(taskArn);
  await options.onTaskStarted?.(taskArn);
  step.status.info(`Started task ${taskArn}${consoleUrl ? `\n  ${consoleUrl}` : ''}`);
  const logs = followContainerLogs(clients, plan, taskArn, options, step);
  const waited = await waitUntilStopped(clients.ecs, plan.cluster, task, started, options, step, logs);
  await logs.finish(waited.stopped !== undefined, options.cancelDrainMs ?? 1500);
  return oneOffTaskResult({
    plan,
    taskArn,
    taskDefinitionArn,
    consoleUrl,
    ...waited,
    durationMs: step.clock.now() - started,
    logLocation: logs.location,
    logNotice: logs.notice,
    ring: logs.ring,
  });
}

/** The ARN to run: the plan's, or the one RegisterTaskDefinition returns for a rendered file. */
async function registerIfNeeded(ecs: Pick<ECSClient, 'send'>, plan: OneOffTaskPlan, step: Step): Promise<string> {
  if (!plan.register) return plan.taskDefinitionArn!;
  const registered = await registerTaskDefinitionOnce(ecs, plan.register, { signal: step.signal, log: step.status });
  const arn = registered.taskDefinition.taskDefinitionArn!;
  step.status.info(`Registered task definition ${arn}`);
  return arn;
}

/** The request with the clientToken derived from the step's identity (none outside a run: the SDK makes one). */
function withClientToken(input: RunTaskCommandInput, runKey: string | undefined): RunTaskCommandInput {
  return runKey ? { ...input, clientToken: runTaskClientToken(runKey, input) } : input;
}

/** RunTask; `failures[]` (capacity, placement, missing image…) or no task is a DeployFailure with ECS's reasons. */
async function startTask(ecs: Pick<ECSClient, 'send'>, input: RunTaskCommandInput, step: Step): Promise<Task> {
  const response = await ecs.send(new RunTaskCommand(input), step.send);
  const failures = response.failures ?? [];
  const task = response.tasks?.[0];
  if (failures.length > 0 || !task?.taskArn) {
    const text = failures.length
      ? failures
          .map((f) => `${f.reason ?? 'unknown reason'}${f.detail ? ` (${f.detail})` : ''}${f.arn ? ` [${f.arn}]` : ''}`)
          .join('; ')
      : 'no task was returned';
    throw new DeployFailure(`RunTask could not start the task: ${text}`);
  }
  return task;
}

interface ContainerLogs {
  location: LogLocation | undefined;
  notice: string | undefined;
  ring: LineRing;
  /** Stop following: after STOPPED, drain until quiet; after cancel/timeout, give it at most `cutoffMs`. */
  finish(stopped: boolean, cutoffMs: number): Promise<void>;
  /** Stop at once (the wait failed for good). */
  abort(reason: unknown): Promise<void>;
}

/** Start following the container's awslogs stream (or say why its output cannot be streamed). */
function followContainerLogs(
  clients: OneOffTaskClients,
  plan: OneOffTaskPlan,
  taskArn: string,
  options: ExecuteOneOffTaskOptions,
  step: Step,
): ContainerLogs {
  const where = awslogsLocation(plan.container, taskArn);
  const location = where.ok ? where.location : undefined;
  const notice = where.ok ? undefined : `${where.reason}; waiting for the task to stop without streaming its output.`;
  if (notice) step.status.warning(notice);
  else step.status.info(`Streaming logs from ${location!.group} / ${location!.stream}`);
  const ring = new LineRing(options.lastLines ?? 30);
  // Resolved when the task stopped (then drained) or on cancel/timeout (short drain).
  let producerDone!: () => void;
  const until = new Promise<void>((resolve) => {
    producerDone = resolve;
  });
  const abort = new AbortController();
  let following: Promise<unknown> = Promise.resolve();
  if (location) {
    const client = location.region && clients.logsForRegion ? clients.logsForRegion(location.region) : clients.logs;
    let warned = false;
    following = streamLogEvents({
      client: client as LogsClientLike,
      group: location.group,
      stream: location.stream,
      until,
      signal: abort.signal,
      clock: step.clock,
      intervalMs: options.logIntervalMs ?? 1000,
      ...(options.logPageLimit ? { pageLimit: options.logPageLimit } : {}),
      drainQuietMs: options.drainQuietMs ?? 1000,
      drainMaxMs: options.drainMaxMs ?? 10_000,
      onEvent: (event) => {
        ring.push(event.message);
        for (const line of eventLines([event])) options.log.info(line);
      },
      onError: (err) => {
        if (!warned) step.status.warning(`Reading logs failed (will retry): ${errorMessage(err)}`);
        warned = true;
      },
    })
      .then((r) => {
        if (r.incomplete) step.status.warning(incompleteLogsWarning(location!, r.incomplete.error));
      })
      .catch((err) => step.status.warning(`Log streaming stopped: ${errorMessage(err)}`));
  }
  return {
    location,
    notice,
    ring,
    async finish(stopped, cutoffMs) {
      producerDone();
      if (stopped) {
        await following;
        return;
      }
      // Cancel/timeout: a short drain so the last lines reach the log, then stop reading.
      const cutoff = new Promise<void>((resolve) => {
        const t = setTimeout(resolve, cutoffMs);
        t.unref?.();
      });
      await Promise.race([following, cutoff]);
      abort.abort(new Error('drain cut off'));
      await following;
    },
    async abort(reason) {
      abort.abort(reason);
      producerDone();
      await following;
    },
  };
}

/**
 * The task's status can no longer be read (DescribeTasks failed after the SDK's retries): stop it with a reason
 * rather than leave a migration running that nobody watches, and say which task it was and whether it may still
 * run. Never "try again": a second run would start a second migration while the first may still be running.
 */
async function stopUnreadableTask(
  ecs: Pick<ECSClient, 'send'>,
  cluster: string,
  taskArn: string,
  readError: unknown,
  step: Step,
): Promise<TaskStatusUnknownError> {
  const why = withoutRetryAdvice(isAwsError(readError) ? describeAwsError(readError) : errorMessage(readError));
  const reason = 'Stopped by deploy-actions: the task status could not be read, so it would run unattended';
  try {
    await ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason }));
    step.status.info(`Stopped task ${taskIdFromArn(taskArn)}: its status could not be read`);
    return new TaskStatusUnknownError(
      `Could not read the status of task ${taskArn} (${why}); it was stopped (StopTask) so it does not run unattended. ` +
        'Whether it finished its work is unknown: check its logs before running it again.',
      taskArn,
      true,
      readError,
    );
  } catch (stopError) {
    const stopWhy = withoutRetryAdvice(isAwsError(stopError) ? describeAwsError(stopError) : errorMessage(stopError));
    step.status.warning(`StopTask failed for ${taskArn}: ${stopWhy}`);
    return new TaskStatusUnknownError(
      `Could not read the status of task ${taskArn} (${why}), and stopping it failed too (${stopWhy}): the task may ` +
        `still be running: do not start it again until it has stopped (${taskConsoleUrl(taskArn) ?? taskArn}).`,
      taskArn,
      false,
      readError,
    );
  }
}

/** AWS messages end in "Please try again." — advice that here would start a second, concurrent migration. */
function withoutRetryAdvice(text: string): string {
  return text.replace(/\s*Please try again( later)?\.?/gi, '');
}

/** Said when the drain gave up before a complete read: lines may be missing from the step log, never silently. */
function incompleteLogsWarning(location: LogLocation, error: unknown): string {
  const why =
    error === undefined ? 'the stream was still growing' : `GetLogEvents kept failing: ${errorMessage(error)}`;
  return `The log stream was not read to its end (${why}); lines may be missing above. The full output is in ${location.group} / ${location.stream}.`;
}

interface Waited {
  stopped: Task | undefined;
  cancelled: boolean;
  timedOut: boolean;
  stopRequested: boolean;
  stopFailed: boolean;
  lastStatus: string | undefined;
}

/**
 * Poll DescribeTasks until the task is STOPPED. Cancellation stops the task (when `stopOnCancel`), a timeout always
 * does; both return instead of throwing. Any other failure stops the log follower and is rethrown.
 */
async function waitUntilStopped(
  ecs: Pick<ECSClient, 'send'>,
  cluster: string,
  task: Task,
  started: number,
  options: ExecuteOneOffTaskOptions,
  step: Step,
  logs: ContainerLogs,
): Promise<Waited> {
  const taskArn = task.taskArn!;
  const taskId = taskIdFromArn(taskArn);
  const progressEveryMs = options.progressEveryMs ?? (logs.location ? 60_000 : 10_000);
  const waited: Waited = {
    stopped: undefined,
    cancelled: false,
    timedOut: false,
    stopRequested: false,
    stopFailed: false,
    lastStatus: task.lastStatus,
  };
  if (waited.lastStatus) step.status.info(`Task status: ${waited.lastStatus}`);
  const stopTask = async (reason: string) => {
    waited.stopRequested = true;
    try {
      await ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason: reason.slice(0, 255) }));
      step.status.info(`Stopped task ${taskId}: ${reason}`);
    } catch (err) {
      waited.stopFailed = true;
      step.status.warning(`StopTask failed for ${taskArn}: ${errorMessage(err)}`);
    }
  };
  try {
    waited.stopped = await poll<Task>(
      async () => {
        const described = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }), step.send);
        const current = described.tasks?.[0];
        if (!current) return { done: false, progress: `task ${taskId} not visible yet` };
        if (current.lastStatus !== waited.lastStatus) {
          waited.lastStatus = current.lastStatus;
          step.status.info(`Task status: ${waited.lastStatus}`);
        }
        if (current.lastStatus === 'STOPPED') return { done: true, value: current };
        // Status changes are printed at once (above); a "still <status>" line only once a period has passed.
        const elapsed = step.clock.now() - started;
        return elapsed < progressEveryMs
          ? { done: false }
          : {
              done: false,
              progress: `task ${taskId} still ${current.lastStatus ?? 'UNKNOWN'} after ${formatDuration(elapsed)}`,
            };
      },
      {
        timeoutMs: options.timeoutMs,
        initialDelayMs: options.pollInitialMs ?? 1000,
        maxDelayMs: options.pollMaxMs ?? 2000,
        factor: 1.5,
        jitter: 'none',
        clock: step.clock,
        description: `task ${taskId} to stop`,
        progressEveryMs,
        onProgress: (message) => step.status.info(message),
        ...(step.signal ? { signal: step.signal } : {}),
      },
    );
  } catch (err) {
    if (err instanceof PollAbortedError || step.signal?.aborted) {
      waited.cancelled = true;
      if (options.stopOnCancel ?? true) {
        await stopTask(options.stopReason ?? 'Cancelled: the GitHub Actions run was cancelled');
      } else step.status.warning(`Cancelled; the task ${taskArn} keeps running (stop-on-cancel is false).`);
    } else if (err instanceof PollTimeoutError) {
      waited.timedOut = true;
      await stopTask(`Timed out after ${formatDuration(options.timeoutMs)} (deploy-actions)`);
    } else {
      // DescribeTasks failing for good: the task must not run on unattended (#16 defect 2).
      await logs.abort(err);
      throw await stopUnreadableTask(ecs, cluster, taskArn, err, step);
    }
  }
  return waited;
}

/** The result of a run (pure): the stopped task judged by its container's exit code, or why it was not. */
function oneOffTaskResult(
  r: Waited & {
    plan: OneOffTaskPlan;
    taskArn: string;
    taskDefinitionArn: string;
    consoleUrl: string | undefined;
    durationMs: number;
    logLocation: LogLocation | undefined;
    logNotice: string | undefined;
    ring: LineRing;
  },
): OneOffTaskResult {
  const taskId = taskIdFromArn(r.taskArn);
  const outcome = r.stopped ? evaluateStoppedTask(r.stopped, r.plan.containerName) : undefined;
  const last = r.lastStatus ?? 'unknown';
  const stop = r.stopFailed
    ? 'could not be stopped and may still be running'
    : r.stopRequested
      ? 'was asked to stop'
      : 'keeps running';
  const message = outcome
    ? outcome.message
    : r.cancelled
      ? `Cancelled after ${formatDuration(r.durationMs)}; task ${taskId} ${stop} (last status ${last})`
      : `Timed out after ${formatDuration(r.durationMs)} waiting for task ${taskId} to stop (last status ${last}); the task ${stop}`;
  return {
    taskArn: r.taskArn,
    taskId,
    taskDefinitionArn: r.taskDefinitionArn,
    containerName: r.plan.containerName,
    command: r.plan.command,
    outcome,
    exitCode: outcome?.exitCode,
    ok: outcome?.ok ?? false,
    cancelled: r.cancelled,
    timedOut: r.timedOut,
    stopRequested: r.stopRequested,
    stopFailed: r.stopFailed,
    durationMs: r.durationMs,
    logLocation: r.logLocation,
    logNotice: r.logNotice,
    lastLines: r.ring.toArray(),
    lineCount: r.ring.total,
    message,
    lastStatus: r.stopped?.lastStatus ?? r.lastStatus,
    consoleUrl: r.consoleUrl,
  };
}
