import type { GetLogEventsCommand, GetLogEventsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, test } from 'vitest';
import {
  awslogsLocation,
  eventLines,
  LineRing,
  LogFollower,
  type LogsClientLike,
  type StreamLogEventsOptions,
  streamLogEvents,
  tailLogEvents,
  taskIdFromArn,
} from '../../src/ecs/logs';
import { createFakeClock } from '../../src/testing';

/**
 * A fake GetLogEvents with CloudWatch's token semantics: forward token `f/<n>` = position n; a request whose token is
 * at the end gets the same token back; `emptyEvery` injects empty pages that still advance the token (real
 * CloudWatch may return empty pages before the end).
 */
function fakeLogs(options: { pageSize?: number; emptyEvery?: number; notFoundUntil?: number } = {}) {
  const events: { timestamp: number; message: string }[] = [];
  let calls = 0;
  const requests: Record<string, unknown>[] = [];
  const client: LogsClientLike = {
    async send(command: GetLogEventsCommand): Promise<GetLogEventsCommandOutput> {
      calls += 1;
      const input = command.input;
      requests.push({ ...input });
      if (options.notFoundUntil !== undefined && calls <= options.notFoundUntil) {
        const err = new Error('The specified log stream does not exist.');
        err.name = 'ResourceNotFoundException';
        throw err;
      }
      const limit = input.limit ?? options.pageSize ?? 10_000;
      if (input.startFromHead === false) {
        const end = input.nextToken ? Number(input.nextToken.slice(2)) : events.length;
        const start = Math.max(0, end - limit);
        return {
          events: events.slice(start, end).map((e) => ({ ...e, ingestionTime: e.timestamp })),
          nextBackwardToken: `b/${start}`,
          nextForwardToken: `f/${end}`,
          $metadata: {},
        };
      }
      const pos = input.nextToken ? Number(input.nextToken.slice(2)) : 0;
      if (options.emptyEvery && calls % options.emptyEvery === 0 && pos < events.length) {
        // an empty page that does not advance past any event but hands out a new-looking token
        return {
          events: [],
          nextForwardToken: `f/${pos}`.replace('f/', 'f/0'),
          nextBackwardToken: 'b/0',
          $metadata: {},
        };
      }
      const page = events.slice(pos, pos + limit);
      const next = pos + page.length;
      return {
        events: page.map((e) => ({ ...e, ingestionTime: e.timestamp })),
        nextForwardToken: `f/${next}`,
        nextBackwardToken: `b/${pos}`,
        $metadata: {},
      };
    },
  };
  return {
    client,
    write: (...messages: string[]) => {
      for (const m of messages) events.push({ timestamp: events.length, message: m });
    },
    calls: () => calls,
    requests,
  };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `client`, except that each call for which `fails()` is true throws an AWS-shaped error instead. */
function failingWhen(
  client: LogsClientLike,
  fails: () => boolean,
  name = 'ServerException',
  message = 'We encountered an internal error. Please try again.',
): LogsClientLike {
  return {
    send: async (command) => {
      if (fails()) {
        const err = new Error(message);
        err.name = name;
        throw err;
      }
      return client.send(command);
    },
  };
}

/** streamLogEvents on stream g/s, with the task already stopped (`until` resolved) and a fake clock. */
function drainAfterStop(
  client: LogsClientLike,
  options: Omit<StreamLogEventsOptions, 'client' | 'group' | 'stream' | 'until'>,
) {
  return streamLogEvents({
    client,
    group: 'g',
    stream: 's',
    until: Promise.resolve(),
    clock: createFakeClock(),
    ...options,
  });
}

describe('awslogsLocation', () => {
  const arn = 'arn:aws:ecs:us-east-1:123456789012:task/app/0123456789abcdef';
  test.each([
    [
      'awslogs with prefix',
      {
        name: 'django',
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': '/ecs/app', 'awslogs-stream-prefix': 'ecs' },
        },
      },
      { ok: true, location: { group: '/ecs/app', stream: 'ecs/django/0123456789abcdef' } },
    ],
    [
      'awslogs with region',
      {
        name: 'web',
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': 'g', 'awslogs-stream-prefix': 'p', 'awslogs-region': 'eu-west-1' },
        },
      },
      { ok: true, location: { group: 'g', stream: 'p/web/0123456789abcdef', region: 'eu-west-1' } },
    ],
  ])('%s', (_name, container, expected) => {
    expect(awslogsLocation(container, arn)).toEqual(expected);
  });

  test.each([
    ['no log configuration', { name: 'a' }, /no logConfiguration/],
    ['firelens', { name: 'a', logConfiguration: { logDriver: 'awsfirelens' } }, /awsfirelens log driver/],
    [
      'no group',
      { name: 'a', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-stream-prefix': 'p' } } },
      /awslogs-group/,
    ],
    [
      'no prefix',
      { name: 'a', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g' } } },
      /awslogs-stream-prefix/,
    ],
  ])('%s → reason', (_name, container, reason) => {
    const result = awslogsLocation(container, arn);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  test('taskIdFromArn', () => {
    expect(taskIdFromArn(arn)).toBe('0123456789abcdef');
    expect(taskIdFromArn('abc')).toBe('abc');
  });
});

describe('LogFollower', () => {
  test('reads every event exactly once across pages and calls', async () => {
    const fake = fakeLogs({ pageSize: 7 });
    const follower = new LogFollower({ client: fake.client, group: 'g', stream: 's' });
    const seen: string[] = [];
    fake.write(...Array.from({ length: 20 }, (_, i) => `line ${i}`));
    for (const e of await follower.fetch()) seen.push(e.message);
    expect(seen).toHaveLength(20);
    expect(await follower.fetch()).toEqual([]);
    fake.write('line 20', 'line 21');
    for (const e of await follower.fetch()) seen.push(e.message);
    expect(seen).toEqual(Array.from({ length: 22 }, (_, i) => `line ${i}`));
    expect(fake.requests.every((r) => r.startFromHead === true)).toBe(true);
  });

  test('empty pages before the end do not stop or duplicate', async () => {
    const fake = fakeLogs({ pageSize: 3, emptyEvery: 2 });
    const follower = new LogFollower({ client: fake.client, group: 'g', stream: 's' });
    fake.write(...Array.from({ length: 10 }, (_, i) => `${i}`));
    const got = (await follower.fetch()).map((e) => e.message);
    expect(got).toEqual(Array.from({ length: 10 }, (_, i) => `${i}`));
  });

  test('a stream that does not exist yet reads as empty, then follows from the start', async () => {
    const fake = fakeLogs({ notFoundUntil: 2 });
    const follower = new LogFollower({ client: fake.client, group: 'g', stream: 's' });
    expect(await follower.fetch()).toEqual([]);
    expect(await follower.fetch()).toEqual([]);
    expect(follower.streamExists).toBe(false);
    fake.write('a', 'b');
    expect((await follower.fetch()).map((e) => e.message)).toEqual(['a', 'b']);
    expect(follower.streamExists).toBe(true);
  });

  test('a page that fails after earlier pages: those events are returned, none skipped, none repeated', async () => {
    const fake = fakeLogs({ pageSize: 3 });
    let call = 0;
    const failing = failingWhen(fake.client, () => {
      call += 1;
      return call === 2 || call === 5;
    });
    fake.write(...Array.from({ length: 10 }, (_, i) => `line ${i}`));
    const follower = new LogFollower({ client: failing, group: 'g', stream: 's' });
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      try {
        for (const e of await follower.fetch()) seen.push(e.message);
      } catch {
        // a fetch whose first page fails throws and keeps the position
      }
    }
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i}`));
    expect(follower.count).toBe(10);
  });

  test('passes the page limit', async () => {
    const fake = fakeLogs();
    const follower = new LogFollower({ client: fake.client, group: 'g', stream: 's', pageLimit: 2 });
    fake.write('a', 'b', 'c');
    await follower.fetch();
    expect(fake.requests[0]).toMatchObject({ logGroupName: 'g', logStreamName: 's', limit: 2, startFromHead: true });
    expect(fake.requests[1]).toMatchObject({ nextToken: 'f/2' });
  });
});

describe('streamLogEvents', () => {
  test('follows until stopped, then drains the rest', async () => {
    const fake = fakeLogs({ pageSize: 4 });
    const clock = createFakeClock({ autoAdvance: false });
    let stop!: () => void;
    const until = new Promise<void>((r) => {
      stop = r;
    });
    const seen: string[] = [];
    const done = streamLogEvents({
      client: fake.client,
      group: 'g',
      stream: 's',
      until,
      clock,
      intervalMs: 1000,
      drainQuietMs: 1000,
      onEvent: (e) => seen.push(e.message),
    });
    const step = async (ms: number) => {
      await settle();
      await clock.advance(ms);
      await settle();
    };
    fake.write('a', 'b');
    await step(1000);
    fake.write('c', 'd', 'e', 'f', 'g');
    await step(1000);
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    fake.write('h'); // written just before the task stopped
    stop();
    for (let i = 0; i < 10; i++) await step(500);
    const result = await done;
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect(result).toMatchObject({ events: 8, aborted: false, streamExists: true });
  });

  test('fetch errors are reported and retried, never fatal', async () => {
    let failures = 0;
    const fake = fakeLogs();
    const flaky = failingWhen(fake.client, () => failures++ < 2, 'ThrottlingException', 'Rate exceeded');
    fake.write('x');
    const errors: unknown[] = [];
    const seen: string[] = [];
    const result = await drainAfterStop(flaky, {
      onEvent: (e) => seen.push(e.message),
      onError: (e) => errors.push(e),
    });
    expect(errors).toHaveLength(2);
    expect(seen).toEqual(['x']);
    expect(result.aborted).toBe(false);
  });

  test('a read that fails during the drain is not "quiet": the drain goes on until a complete read', async () => {
    const fake = fakeLogs({ pageSize: 2 });
    let failuresLeft = 3;
    const flaky = failingWhen(fake.client, () => fake.calls() >= 1 && failuresLeft-- > 0);
    fake.write('a', 'b', 'c', 'd', 'e');
    const seen: string[] = [];
    const result = await drainAfterStop(flaky, {
      drainQuietMs: 0,
      drainMaxMs: 60_000,
      onEvent: (e) => seen.push(e.message),
    });
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(result.incomplete).toBeUndefined();
  });

  test('a drain that never gets a complete read says the stream may hold more (incomplete)', async () => {
    const fake = fakeLogs({ pageSize: 1 });
    const broken = failingWhen(fake.client, () => fake.calls() >= 1);
    fake.write('a', 'b');
    const seen: string[] = [];
    const result = await drainAfterStop(broken, {
      drainQuietMs: 0,
      drainMaxMs: 5000,
      onEvent: (e) => seen.push(e.message),
    });
    expect(seen).toEqual(['a']);
    expect((result.incomplete?.error as Error | undefined)?.name).toBe('ServerException');
  });

  test('abort ends the follow at once', async () => {
    const fake = fakeLogs();
    const controller = new AbortController();
    const clock = createFakeClock({ autoAdvance: false });
    const done = streamLogEvents({
      client: fake.client,
      group: 'g',
      stream: 's',
      until: new Promise(() => {}),
      signal: controller.signal,
      clock,
      onEvent: () => {},
    });
    await clock.advance(0);
    controller.abort();
    expect((await done).aborted).toBe(true);
  });
});

describe('tailLogEvents and line helpers', () => {
  test('returns the last N lines, reading backwards across pages', async () => {
    const fake = fakeLogs();
    fake.write(...Array.from({ length: 50 }, (_, i) => `l${i}`));
    expect(await tailLogEvents({ client: fake.client, group: 'g', stream: 's', lines: 3 })).toEqual([
      'l47',
      'l48',
      'l49',
    ]);
    expect(await tailLogEvents({ client: fake.client, group: 'g', stream: 's', lines: 60 })).toHaveLength(50);
  });

  test('multi-line events count as several lines', async () => {
    const fake = fakeLogs();
    fake.write('a', 'b\nc\n');
    expect(await tailLogEvents({ client: fake.client, group: 'g', stream: 's', lines: 2 })).toEqual(['b', 'c']);
  });

  test('missing stream → []', async () => {
    const fake = fakeLogs({ notFoundUntil: 5 });
    expect(await tailLogEvents({ client: fake.client, group: 'g', stream: 's' })).toEqual([]);
  });

  test('LineRing keeps the last N lines and counts all', () => {
    const ring = new LineRing(3);
    for (const m of ['1', '2\n3', '4', '5\n']) ring.push(m);
    expect(ring.toArray()).toEqual(['3', '4', '5']);
    expect(ring.total).toBe(5);
    expect(eventLines([{ message: 'x\r\ny\n' }])).toEqual(['x', 'y']);
  });
});
