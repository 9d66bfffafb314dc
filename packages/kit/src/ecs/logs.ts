import type {
  CloudWatchLogsClient,
  GetLogEventsCommand,
  GetLogEventsCommandInput,
  GetLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { createClient, lazyClient, type Sender } from '../runtime/aws';
import { type Clock, realClock } from '../runtime/poll';

// CloudWatch Logs reading for ECS tasks: where an awslogs container writes (group + stream), a live follower
// (GetLogEvents with forward tokens: no event lost or repeated across pages) and a tail (last N lines).

/** The minimal client surface used here (a CloudWatchLogsClient, or a fake in unit tests). */
export interface LogsClientLike {
  send(command: GetLogEventsCommand, options?: { abortSignal?: AbortSignal }): Promise<GetLogEventsCommandOutput>;
}

/** A Logs client for `region` whose SDK is loaded on its first call (see getLogEvents for why). */
export function lazyLogsClient(action: string, region: string | undefined): Sender<CloudWatchLogsClient> {
  return lazyClient(async () => {
    const { CloudWatchLogsClient } = await import('@aws-sdk/client-cloudwatch-logs');
    return createClient(CloudWatchLogsClient, { action, region });
  });
}

/**
 * One GetLogEvents call. The Logs SDK (its command and the 21 error classes registered with it) comes from a lazy
 * chunk on the first call: an ECS action reads logs only after its first requests (a task's output, a failed
 * deploy's root causes), and compiling it at start delayed each run's first request (#15 cold start).
 */
async function getLogEvents(
  client: LogsClientLike,
  input: GetLogEventsCommandInput,
  signal: AbortSignal | undefined,
): Promise<GetLogEventsCommandOutput> {
  const { GetLogEventsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  return client.send(new GetLogEventsCommand(input), signal ? { abortSignal: signal } : undefined);
}

/** Where one container of one task writes its logs. */
export interface LogLocation {
  group: string;
  stream: string;
  /** `awslogs-region` when the task definition sets one (may differ from the client's region). */
  region?: string;
}

/** A container definition as far as log configuration goes (SDK ContainerDefinition or plain JSON). */
export interface ContainerLogConfig {
  name?: string;
  logConfiguration?: { logDriver?: string; options?: Record<string, string | undefined> } | undefined;
}

export type LogLocationResult = { ok: true; location: LogLocation } | { ok: false; reason: string };

/** The task id (last path segment) of a task ARN; an id is returned unchanged. */
export function taskIdFromArn(taskArnOrId: string): string {
  const slash = taskArnOrId.lastIndexOf('/');
  return slash === -1 ? taskArnOrId : taskArnOrId.slice(slash + 1);
}

/**
 * The awslogs group/stream of `container` in task `taskArnOrId`: stream `<awslogs-stream-prefix>/<container>/<taskId>`
 * (the awslogs driver's naming on ECS). Explains why not when the container has no awslogs driver or no prefix
 * (without a prefix the stream is named after the Docker container id, which the ECS API does not expose).
 */
export function awslogsLocation(container: ContainerLogConfig, taskArnOrId: string): LogLocationResult {
  const name = container.name ?? '(unnamed)';
  const config = container.logConfiguration;
  if (!config?.logDriver) {
    return {
      ok: false,
      reason: `container '${name}' has no logConfiguration, so its output is not in CloudWatch Logs`,
    };
  }
  if (config.logDriver !== 'awslogs') {
    return {
      ok: false,
      reason: `container '${name}' uses the ${config.logDriver} log driver; only awslogs output can be streamed here`,
    };
  }
  const options = config.options ?? {};
  const group = options['awslogs-group'];
  const prefix = options['awslogs-stream-prefix'];
  if (!group) return { ok: false, reason: `container '${name}' uses awslogs without an awslogs-group option` };
  if (!prefix) {
    return {
      ok: false,
      reason: `container '${name}' uses awslogs without awslogs-stream-prefix, so its stream name is not predictable`,
    };
  }
  const region = options['awslogs-region'];
  const location: LogLocation = { group, stream: `${prefix}/${name}/${taskIdFromArn(taskArnOrId)}` };
  if (region) location.region = region;
  return { ok: true, location };
}

/** One log event as delivered to callers. */
export interface LogLine {
  timestamp: number;
  ingestionTime?: number;
  message: string;
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && err.name === 'ResourceNotFoundException';
}

export interface LogFollowerOptions {
  client: LogsClientLike;
  group: string;
  stream: string;
  /** GetLogEvents `limit` per page (1..10000; default: the service's, up to 10,000 events / 1 MB). */
  pageLimit?: number;
  /** Safety cap on pages read by one `fetch()` (default 1000); the next `fetch()` continues where this one stopped. */
  maxPagesPerFetch?: number;
}

/**
 * Follows one log stream from its beginning with forward tokens. Each `fetch()` reads every page available now
 * and returns only events not returned before: the next call starts from the last `nextForwardToken`, and the end of
 * the available events is the response that hands back the token it was given (the documented end condition;
 * pages may be short or even empty before that). A stream that does not exist yet reads as empty.
 *
 * The position is committed only together with the events it covers: a page that fails after earlier pages were
 * read ends the fetch with those events (and `interrupted` set), and the next fetch resumes right after them; a
 * fetch whose first page fails throws and leaves the position where it was. So no event is ever skipped (the token
 * never runs ahead of what was returned) nor returned twice (issue #16, defect 1).
 */
export class LogFollower {
  private token: string | undefined;
  private readonly options: LogFollowerOptions;
  /** Events returned so far. */
  count = 0;
  /** GetLogEvents calls made so far. */
  calls = 0;
  /** True once the stream was seen to exist. */
  streamExists = false;
  /** The error that ended the last `fetch()` early (after it had read some pages), else undefined. */
  interrupted: unknown;

  constructor(options: LogFollowerOptions) {
    this.options = options;
  }

  async fetch(signal?: AbortSignal): Promise<LogLine[]> {
    const out: LogLine[] = [];
    const maxPages = this.options.maxPagesPerFetch ?? 1000;
    // The position of the events in `out`: committed to `this.token` only when they are returned.
    let token = this.token;
    this.interrupted = undefined;
    for (let page = 0; page < maxPages; page++) {
      let response: GetLogEventsCommandOutput;
      try {
        this.calls += 1;
        response = await getLogEvents(
          this.options.client,
          {
            logGroupName: this.options.group,
            logStreamName: this.options.stream,
            startFromHead: true,
            ...(token === undefined ? {} : { nextToken: token }),
            ...(this.options.pageLimit === undefined ? {} : { limit: this.options.pageLimit }),
          },
          signal,
        );
      } catch (err) {
        if (isNotFound(err) && token === undefined) break; // stream (or group) not created yet
        if (out.length === 0 && token === this.token) throw err;
        // Pages were read before this one failed: hand them out with their position; the next fetch goes on.
        this.interrupted = err;
        break;
      }
      this.streamExists = true;
      for (const e of response.events ?? []) {
        out.push({
          timestamp: e.timestamp ?? 0,
          ...(e.ingestionTime === undefined ? {} : { ingestionTime: e.ingestionTime }),
          message: e.message ?? '',
        });
      }
      const next = response.nextForwardToken;
      const atEnd = next === undefined || next === token;
      if (next !== undefined) token = next;
      if (atEnd) break;
    }
    this.token = token;
    this.count += out.length;
    return out;
  }
}

export interface StreamLogEventsOptions extends LogFollowerOptions {
  /** Called for every event, in order, exactly once. */
  onEvent: (event: LogLine) => void;
  /**
   * Resolves when the producer has finished (the task stopped). After that the stream is drained: fetched until a
   * fetch returns nothing and at least `drainQuietMs` passed since the stop, or `drainMaxMs` passed.
   */
  until: Promise<unknown>;
  /** Aborts the follow at once (no drain); the promise then resolves with what was read. */
  signal?: AbortSignal;
  /** Delay between fetches while following (default 1000 ms). */
  intervalMs?: number;
  /** Default 1000 ms. */
  drainQuietMs?: number;
  /** Default 10 000 ms. */
  drainMaxMs?: number;
  /** Called when a fetch fails (throttling after the SDK's own retries, network); following continues. */
  onError?: (err: unknown) => void;
  clock?: Clock;
}

export interface StreamLogEventsResult {
  events: number;
  calls: number;
  streamExists: boolean;
  /** True when `signal` ended the follow before the producer finished and the drain completed. */
  aborted: boolean;
  /**
   * Set when the drain ended (at `drainMaxMs`) without one complete read that found nothing new: the stream may
   * hold lines that were not shown. The last read error, when reads were failing.
   */
  incomplete?: { error: unknown };
}

/**
 * Follow a log stream live until `until` resolves, then drain it. Every event reaches `onEvent` once, in order.
 * Fetch errors are reported through `onError` and retried at the next interval (logs are best effort: they
 * must never fail the step on their own). A failed or interrupted read never counts as "quiet": the drain ends
 * only after a complete read found nothing new, or at `drainMaxMs` with `incomplete` set.
 */
export async function streamLogEvents(options: StreamLogEventsOptions): Promise<StreamLogEventsResult> {
  const clock = options.clock ?? realClock;
  const follower = new LogFollower(options);
  const interval = options.intervalMs ?? 1000;
  const drainQuietMs = options.drainQuietMs ?? 1000;
  const drainMaxMs = options.drainMaxMs ?? 10_000;
  let stoppedAt: number | undefined;
  // Aborted when `until` settles, so the interval sleep ends at once and the drain starts without delay.
  const stopped = new AbortController();
  const markStopped = () => {
    stoppedAt ??= clock.now();
    stopped.abort('stopped');
  };
  options.until.then(markStopped, markStopped);
  const result = (aborted: boolean): StreamLogEventsResult => ({
    events: follower.count,
    calls: follower.calls,
    streamExists: follower.streamExists,
    aborted,
  });
  let lastError: unknown;
  for (;;) {
    if (options.signal?.aborted) return result(true);
    const wasStopped = stoppedAt !== undefined;
    let quiet = false;
    try {
      const events = await follower.fetch(options.signal);
      for (const e of events) options.onEvent(e);
      if (follower.interrupted !== undefined) {
        lastError = follower.interrupted;
        options.onError?.(follower.interrupted);
      } else quiet = events.length === 0;
    } catch (err) {
      if (options.signal?.aborted) return result(true);
      lastError = err;
      options.onError?.(err);
    }
    if (wasStopped) {
      const since = clock.now() - stoppedAt!;
      if (quiet && since >= drainQuietMs) return result(false);
      if (since >= drainMaxMs) return { ...result(false), ...(quiet ? {} : { incomplete: { error: lastError } }) };
    }
    const wait = wasStopped ? Math.min(interval, Math.max(50, drainQuietMs / 2)) : interval;
    const signals = [wasStopped ? undefined : stopped.signal, options.signal].filter((s) => s !== undefined);
    try {
      await clock.sleep(wait, signals.length ? AbortSignal.any(signals) : undefined);
    } catch {
      // woken early: the producer stopped or the follow was aborted (checked at the top of the loop)
    }
  }
}

/** Split event messages into lines (an event may hold several), dropping one trailing newline per event. */
export function eventLines(events: readonly Pick<LogLine, 'message'>[]): string[] {
  return events.flatMap((e) => e.message.replace(/\r?\n$/, '').split(/\r?\n/));
}

/** Keeps the last `size` lines pushed (for "last 30 lines" in errors and summaries). */
export class LineRing {
  private readonly lines: string[] = [];
  private readonly size: number;
  /** Lines pushed in total. */
  total = 0;
  constructor(size: number) {
    this.size = size;
  }
  push(message: string): void {
    for (const line of eventLines([{ message }])) {
      this.lines.push(line);
      this.total += 1;
      if (this.lines.length > this.size) this.lines.shift();
    }
  }
  toArray(): string[] {
    return [...this.lines];
  }
}

export interface TailLogEventsOptions {
  client: LogsClientLike;
  group: string;
  stream: string;
  /** How many lines (default 30). */
  lines?: number;
  signal?: AbortSignal;
}

/**
 * The last `lines` lines of a stream (oldest first), reading backwards (startFromHead false) with backward tokens
 * until enough lines or the start of the stream. A missing stream returns [].
 */
export async function tailLogEvents(options: TailLogEventsOptions): Promise<string[]> {
  const wanted = options.lines ?? 30;
  if (wanted <= 0) return [];
  let collected: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 50 && collected.length < wanted; page++) {
    let response: GetLogEventsCommandOutput;
    try {
      response = await getLogEvents(
        options.client,
        {
          logGroupName: options.group,
          logStreamName: options.stream,
          startFromHead: false,
          limit: Math.min(10_000, wanted),
          ...(token === undefined ? {} : { nextToken: token }),
        },
        options.signal,
      );
    } catch (err) {
      if (isNotFound(err)) return collected.slice(-wanted);
      throw err;
    }
    collected = [...eventLines((response.events ?? []).map((e) => ({ message: e.message ?? '' }))), ...collected];
    const next = response.nextBackwardToken;
    if (next === undefined || next === token) break;
    token = next;
  }
  return collected.slice(-wanted);
}
