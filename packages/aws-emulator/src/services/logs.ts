// CloudWatch Logs (awsJson1_1, X-Amz-Target Logs_20140328.*): log groups and streams, PutLogEvents,
// GetLogEvents with f/ and b/ tokens exactly as AWS hands them out, FilterLogEvents (enough for `aws logs tail`).
// ECS writes task output here through the typed methods on the module (ensureGroup/ensureStream/putEvents).
import type { EmuContext, EmuRequest, SeedFixture, ServiceModule } from '../types.ts';
import { AwsError, classifyJson, handleJson, jsonError, paginate } from './ecs-wire.ts';

export interface LogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
  /** Global ingestion sequence, used for FilterLogEvents eventId. */
  seq: number;
}

interface LogStream {
  name: string;
  creationTime: number;
  /** Sorted by timestamp (stable: same-timestamp events keep ingestion order). */
  events: LogEvent[];
  lastIngestionTime?: number;
  storedBytes: number;
  sequence: number;
}

interface LogGroup {
  name: string;
  region: string;
  creationTime: number;
  retentionInDays?: number;
  streams: Map<string, LogStream>;
  tags: Record<string, string>;
}

export interface LogsService extends ServiceModule {
  ensureGroup(group: string, region?: string): void;
  /** Whether a log group exists (ECS's awslogs driver checks at container start). */
  hasGroup(group: string): boolean;
  ensureStream(group: string, stream: string, region?: string): void;
  /** Append events (ECS task output). Creates the group and stream when missing. */
  putEvents(group: string, stream: string, events: Array<{ timestamp: number; message: string }>): void;
  /** Read a whole stream (tests and other services). */
  getEvents(group: string, stream: string): LogEvent[];
  /** Use the emulator's simulated clock for creation and ingestion times of events written through the methods
   * above (other services call this before writing: Logs itself may not have seen a request yet). */
  bindClock(now: () => number): void;
}

const MUTATING = new Set([
  'CreateLogGroup',
  'CreateLogStream',
  'DeleteLogGroup',
  'DeleteLogStream',
  'PutLogEvents',
  'PutRetentionPolicy',
  'DeleteRetentionPolicy',
  'TagLogGroup',
  'TagResource',
  'UntagResource',
]);

const TOKEN_RE = /^([fb])\/(\d+)(?:\/s)?$/;
const forwardToken = (i: number) => `f/${String(i).padStart(56, '0')}/s`;
const backwardToken = (i: number) => `b/${String(i).padStart(56, '0')}/s`;

/** A subset of the CloudWatch Logs filter pattern syntax: terms (all must match), "quoted phrases", ?any-of,
 * -exclusions. JSON/space-delimited patterns (`{ $.x = 1 }`, `[a, b]`) are not evaluated: they match everything. */
export function compileFilterPattern(pattern: string | undefined): (message: string) => boolean {
  const p = (pattern ?? '').trim();
  if (p === '' || p.startsWith('{') || p.startsWith('[')) return () => true;
  const tokens = p.match(/[?-]?"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
  const must: string[] = [];
  const any: string[] = [];
  const not: string[] = [];
  for (const raw of tokens) {
    let t = raw;
    let kind: 'must' | 'any' | 'not' = 'must';
    if (t.startsWith('?')) {
      kind = 'any';
      t = t.slice(1);
    } else if (t.startsWith('-') && t.length > 1) {
      kind = 'not';
      t = t.slice(1);
    }
    if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) t = t.slice(1, -1).replace(/\\"/g, '"');
    (kind === 'must' ? must : kind === 'any' ? any : not).push(t);
  }
  return (m) =>
    must.every((t) => m.includes(t)) &&
    (any.length === 0 || any.some((t) => m.includes(t))) &&
    !not.some((t) => m.includes(t));
}

export function createLogsService(): LogsService {
  const groups = new Map<string, LogGroup>();
  let seq = 0;
  let clockNow: () => number = () => Date.now();

  const groupArn = (g: LogGroup, accountId: string) => `arn:aws:logs:${g.region}:${accountId}:log-group:${g.name}`;

  function groupByInput(body: Record<string, unknown>): LogGroup {
    let name = (body.logGroupName ?? body.logGroupIdentifier) as string | undefined;
    if (typeof name === 'string' && name.startsWith('arn:')) {
      const m = /:log-group:([^:]+)(?::\*)?$/.exec(name);
      name = m?.[1] ?? name;
    }
    if (typeof name !== 'string' || name === '') {
      throw new AwsError('InvalidParameterException', 'Either logGroupName or logGroupIdentifier must be specified.');
    }
    const g = groups.get(name);
    if (!g) throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
    return g;
  }

  function streamOf(g: LogGroup, name: unknown): LogStream {
    const s = typeof name === 'string' ? g.streams.get(name) : undefined;
    if (!s) throw new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
    return s;
  }

  function createGroup(name: string, region: string, now: number): LogGroup {
    const g: LogGroup = { name, region, creationTime: now, streams: new Map(), tags: {} };
    groups.set(name, g);
    return g;
  }

  function createStream(g: LogGroup, name: string, now: number): LogStream {
    const s: LogStream = { name, creationTime: now, events: [], storedBytes: 0, sequence: 0 };
    g.streams.set(name, s);
    return s;
  }

  function append(s: LogStream, events: Array<{ timestamp: number; message: string }>, now: number) {
    for (const e of events) {
      const ev: LogEvent = { timestamp: e.timestamp, message: e.message, ingestionTime: now, seq: seq++ };
      // insert keeping timestamp order, after any equal timestamps (stable)
      let i = s.events.length;
      while (i > 0 && (s.events[i - 1]?.timestamp ?? 0) > ev.timestamp) i--;
      s.events.splice(i, 0, ev);
      s.storedBytes += Buffer.byteLength(e.message) + 26;
    }
    s.lastIngestionTime = now;
    s.sequence++;
  }

  function streamShape(s: LogStream, g: LogGroup, accountId: string) {
    const first = s.events[0];
    const last = s.events[s.events.length - 1];
    return {
      logStreamName: s.name,
      creationTime: s.creationTime,
      ...(first ? { firstEventTimestamp: first.timestamp } : {}),
      ...(last ? { lastEventTimestamp: last.timestamp } : {}),
      ...(s.lastIngestionTime !== undefined ? { lastIngestionTime: s.lastIngestionTime } : {}),
      uploadSequenceToken: String(s.sequence).padStart(56, '0'),
      arn: `arn:aws:logs:${g.region}:${accountId}:log-group:${g.name}:log-stream:${s.name}`,
      storedBytes: 0,
    };
  }

  function getLogEvents(body: Record<string, unknown>) {
    const g = groupByInput(body);
    const s = streamOf(g, body.logStreamName);
    const limit = body.limit === undefined ? 10000 : Number(body.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10000) {
      throw new AwsError(
        'InvalidParameterException',
        "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value between 1 and 10000",
      );
    }
    const startTime = body.startTime === undefined ? undefined : Number(body.startTime);
    const endTime = body.endTime === undefined ? undefined : Number(body.endTime);
    const inRange = (e: LogEvent) =>
      (startTime === undefined || e.timestamp >= startTime) && (endTime === undefined || e.timestamp < endTime);
    const ev = s.events;
    const out: LogEvent[] = [];
    let fwd: number;
    let back: number;
    const token = body.nextToken as string | undefined;
    let direction: 'f' | 'b';
    let pos: number;
    if (token !== undefined && token !== null && token !== '') {
      const m = TOKEN_RE.exec(String(token));
      if (!m) throw new AwsError('InvalidParameterException', 'The specified nextToken is invalid.');
      direction = m[1] as 'f' | 'b';
      pos = Math.min(Number(m[2]), ev.length);
    } else {
      direction = body.startFromHead === true ? 'f' : 'b';
      pos = direction === 'f' ? 0 : ev.length;
    }
    if (direction === 'f') {
      let i = pos;
      let lastIncluded = -1;
      for (; i < ev.length && out.length < limit; i++) {
        const e = ev[i] as LogEvent;
        if (inRange(e)) {
          out.push(e);
          lastIncluded = i;
        }
      }
      // forward token points after the last returned event; with nothing returned it is the token we were given
      fwd = out.length > 0 ? lastIncluded + 1 : pos;
      back = out.length > 0 ? ev.indexOf(out[0] as LogEvent) : pos;
    } else {
      let i = pos - 1;
      let firstIncluded = pos;
      for (; i >= 0 && out.length < limit; i--) {
        const e = ev[i] as LogEvent;
        if (inRange(e)) {
          out.unshift(e);
          firstIncluded = i;
        }
      }
      back = out.length > 0 ? firstIncluded : pos;
      fwd = out.length > 0 ? ev.indexOf(out[out.length - 1] as LogEvent) + 1 : pos;
    }
    return {
      events: out.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
      nextForwardToken: forwardToken(fwd),
      nextBackwardToken: backwardToken(back),
    };
  }

  function filterLogEvents(body: Record<string, unknown>) {
    const g = groupByInput(body);
    const names = body.logStreamNames as string[] | undefined;
    const prefix = body.logStreamNamePrefix as string | undefined;
    if (names && prefix) {
      throw new AwsError('InvalidParameterException', 'logStreamNames and logStreamNamePrefix are mutually exclusive');
    }
    let streams = [...g.streams.values()];
    if (names) streams = streams.filter((s) => names.includes(s.name));
    if (prefix) streams = streams.filter((s) => s.name.startsWith(prefix));
    const startTime = body.startTime === undefined ? undefined : Number(body.startTime);
    const endTime = body.endTime === undefined ? undefined : Number(body.endTime);
    const match = compileFilterPattern(body.filterPattern as string | undefined);
    const all: Array<LogEvent & { stream: string }> = [];
    for (const s of streams) {
      for (const e of s.events) {
        if (startTime !== undefined && e.timestamp < startTime) continue;
        if (endTime !== undefined && e.timestamp > endTime) continue;
        if (!match(e.message)) continue;
        all.push({ ...e, stream: s.name });
      }
    }
    all.sort((a, b) => a.timestamp - b.timestamp || a.seq - b.seq);
    const limit = body.limit === undefined ? 10000 : Math.max(1, Math.min(10000, Number(body.limit)));
    const { page, nextToken } = paginate(all, body.nextToken, limit);
    return {
      events: page.map((e) => ({
        logStreamName: e.stream,
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.ingestionTime,
        eventId: `${String(e.timestamp).padStart(20, '0')}${String(e.seq).padStart(36, '0')}`,
      })),
      searchedLogStreams: streams.map((s) => ({ logStreamName: s.name, searchedCompletely: nextToken === undefined })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  function handleOp(op: string, body: Record<string, unknown>, req: EmuRequest, ctx: EmuContext): unknown {
    const now = ctx.clock.now();
    switch (op) {
      case 'CreateLogGroup': {
        const name = body.logGroupName as string;
        if (typeof name !== 'string' || !/^[\w\-./#]{1,512}$/.test(name)) {
          throw new AwsError(
            'InvalidParameterException',
            `1 validation error detected: Value '${String(name)}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`,
          );
        }
        if (groups.has(name))
          throw new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists');
        const g = createGroup(name, req.region, now);
        if (body.tags && typeof body.tags === 'object') g.tags = { ...(body.tags as Record<string, string>) };
        return {};
      }
      case 'DeleteLogGroup': {
        const g = groupByInput(body);
        groups.delete(g.name);
        return {};
      }
      case 'CreateLogStream': {
        const g = groupByInput(body);
        const name = body.logStreamName as string;
        if (typeof name !== 'string' || name === '' || name.includes(':') || name.includes('*')) {
          throw new AwsError(
            'InvalidParameterException',
            'Log stream name must not contain colons (:) or asterisks (*).',
          );
        }
        if (g.streams.has(name))
          throw new AwsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
        createStream(g, name, now);
        return {};
      }
      case 'DeleteLogStream': {
        const g = groupByInput(body);
        const s = streamOf(g, body.logStreamName);
        g.streams.delete(s.name);
        return {};
      }
      case 'PutRetentionPolicy': {
        const g = groupByInput(body);
        g.retentionInDays = Number(body.retentionInDays);
        return {};
      }
      case 'DescribeLogGroups': {
        const prefix = (body.logGroupNamePrefix as string | undefined) ?? '';
        const pattern = body.logGroupNamePattern as string | undefined;
        const list = [...groups.values()]
          .filter((g) => g.name.startsWith(prefix) && (!pattern || g.name.includes(pattern)))
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        const limit = body.limit === undefined ? 50 : Math.max(1, Math.min(50, Number(body.limit)));
        const { page, nextToken } = paginate(list, body.nextToken, limit);
        return {
          logGroups: page.map((g) => ({
            logGroupName: g.name,
            creationTime: g.creationTime,
            ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
            metricFilterCount: 0,
            arn: `${groupArn(g, ctx.accountId)}:*`,
            logGroupArn: groupArn(g, ctx.accountId),
            storedBytes: 0,
            logGroupClass: 'STANDARD',
          })),
          ...(nextToken ? { nextToken } : {}),
        };
      }
      case 'DescribeLogStreams': {
        const g = groupByInput(body);
        const prefix = body.logStreamNamePrefix as string | undefined;
        const orderBy = (body.orderBy as string | undefined) ?? 'LogStreamName';
        if (prefix && orderBy === 'LastEventTime') {
          throw new AwsError('InvalidParameterException', 'Cannot order by LastEventTime with a logStreamNamePrefix.');
        }
        let list = [...g.streams.values()].filter((s) => !prefix || s.name.startsWith(prefix));
        if (orderBy === 'LastEventTime') {
          const last = (s: LogStream) => s.events[s.events.length - 1]?.timestamp ?? 0;
          list.sort((a, b) => last(a) - last(b) || (a.name < b.name ? -1 : 1));
        } else {
          list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        }
        if (body.descending === true) list = list.reverse();
        const limit = body.limit === undefined ? 50 : Math.max(1, Math.min(50, Number(body.limit)));
        const { page, nextToken } = paginate(list, body.nextToken, limit);
        return { logStreams: page.map((s) => streamShape(s, g, ctx.accountId)), ...(nextToken ? { nextToken } : {}) };
      }
      case 'PutLogEvents': {
        const g = groupByInput(body);
        const s = streamOf(g, body.logStreamName);
        const events = (body.logEvents as Array<{ timestamp: number; message: string }> | undefined) ?? [];
        if (events.length === 0 || events.length > 10000) {
          throw new AwsError(
            'InvalidParameterException',
            "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length between 1 and 10000",
          );
        }
        for (let i = 1; i < events.length; i++) {
          if ((events[i]?.timestamp ?? 0) < (events[i - 1]?.timestamp ?? 0)) {
            throw new AwsError(
              'InvalidParameterException',
              'Log events in a single PutLogEvents request must be in chronological order.',
            );
          }
        }
        const tooNew = now + 2 * 3600_000;
        const tooOld = now - 14 * 24 * 3600_000;
        const accepted: Array<{ timestamp: number; message: string }> = [];
        const info: Record<string, number> = {};
        events.forEach((e, i) => {
          if (e.timestamp > tooNew) {
            if (info.tooNewLogEventStartIndex === undefined) info.tooNewLogEventStartIndex = i;
          } else if (e.timestamp < tooOld) {
            info.tooOldLogEventEndIndex = i;
          } else {
            accepted.push({ timestamp: Number(e.timestamp), message: String(e.message) });
          }
        });
        append(s, accepted, now);
        return {
          nextSequenceToken: String(s.sequence).padStart(56, '0'),
          ...(Object.keys(info).length > 0 ? { rejectedLogEventsInfo: info } : {}),
        };
      }
      case 'GetLogEvents':
        return getLogEvents(body);
      case 'FilterLogEvents':
        return filterLogEvents(body);
      case 'ListTagsLogGroup':
        return { tags: groupByInput(body).tags };
      case 'ListTagsForResource': {
        const arn = String(body.resourceArn ?? '');
        const m = /:log-group:([^:]+)/.exec(arn);
        const g = m ? groups.get(m[1] as string) : undefined;
        if (!g) throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
        return { tags: g.tags };
      }
      default:
        throw new AwsError('UnknownOperationException', `Operation ${op} is not supported by this emulator.`);
    }
  }

  const service: LogsService = {
    name: 'logs',
    classify: (req) => classifyJson(req, MUTATING),
    handle(req, ctx) {
      clockNow = () => ctx.clock.now();
      return handleJson(req, (op, body) => handleOp(op, body, req, ctx));
    },
    reset() {
      groups.clear();
    },
    seed(fixture: SeedFixture, ctx: EmuContext) {
      clockNow = () => ctx.clock.now();
      const now = ctx.clock.now();
      for (const raw of fixture.logGroups ?? []) {
        const spec = (typeof raw === 'string' ? { logGroupName: raw } : raw) as {
          logGroupName: string;
          retentionInDays?: number;
          region?: string;
          streams?: Array<{ logStreamName: string; events?: Array<{ timestamp?: number; message: string } | string> }>;
        };
        if (!spec?.logGroupName) throw new Error('seed logGroups[]: logGroupName is required');
        const g = groups.get(spec.logGroupName) ?? createGroup(spec.logGroupName, spec.region ?? 'us-east-1', now);
        if (spec.retentionInDays !== undefined) g.retentionInDays = spec.retentionInDays;
        for (const st of spec.streams ?? []) {
          const s = g.streams.get(st.logStreamName) ?? createStream(g, st.logStreamName, now);
          const events = (st.events ?? []).map((e, i) =>
            typeof e === 'string'
              ? { timestamp: now - 1000 * ((st.events?.length ?? 0) - i), message: e }
              : { timestamp: e.timestamp ?? now, message: e.message },
          );
          if (events.length > 0) append(s, events, now);
        }
      }
    },
    throttleError() {
      return jsonError('ThrottlingException', 'Rate exceeded');
    },
    hasGroup(group) {
      return groups.has(group);
    },
    ensureGroup(group, region = 'us-east-1') {
      if (!groups.has(group)) createGroup(group, region, clockNow());
    },
    ensureStream(group, stream, region = 'us-east-1') {
      const g = groups.get(group) ?? createGroup(group, region, clockNow());
      if (!g.streams.has(stream)) createStream(g, stream, clockNow());
    },
    putEvents(group, stream, events) {
      const g = groups.get(group) ?? createGroup(group, 'us-east-1', clockNow());
      const s = g.streams.get(stream) ?? createStream(g, stream, clockNow());
      append(s, events, clockNow());
    },
    getEvents(group, stream) {
      return [...(groups.get(group)?.streams.get(stream)?.events ?? [])];
    },
    bindClock(now) {
      clockNow = now;
    },
  };
  return service;
}
