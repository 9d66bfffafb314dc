// CloudWatch Logs conformance: SDK v3 at default settings and `aws logs tail`.
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateClusterCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { beforeEach, describe, expect, test } from 'vitest';
import { compileFilterPattern } from '../src/services/logs.ts';
import { fargateRun, fargateTd, harness, useHarness } from './ecs-helpers.ts';

const h = useHarness();

const errorOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return err as Error & { name: string };
  }
  throw new Error('expected an error');
};

async function put(group: string, stream: string, messages: string[], t0 = Date.now()) {
  await h.logs.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: stream,
      logEvents: messages.map((message, i) => ({ timestamp: t0 + i, message })),
    }),
  );
}

describe('groups and streams', () => {
  test('create, already-exists and not-found errors', async () => {
    await h.logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/api' }));
    expect((await errorOf(h.logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/api' })))).name).toBe(
      'ResourceAlreadyExistsException',
    );
    await h.logs.send(new CreateLogStreamCommand({ logGroupName: '/ecs/api', logStreamName: 'ecs/app/1' }));
    expect(
      (await errorOf(h.logs.send(new CreateLogStreamCommand({ logGroupName: '/ecs/api', logStreamName: 'ecs/app/1' }))))
        .name,
    ).toBe('ResourceAlreadyExistsException');
    const noGroup = await errorOf(
      h.logs.send(new CreateLogStreamCommand({ logGroupName: '/nope', logStreamName: 's' })),
    );
    expect(noGroup.name).toBe('ResourceNotFoundException');
    expect(noGroup.message).toBe('The specified log group does not exist.');
    const noStream = await errorOf(
      h.logs.send(new GetLogEventsCommand({ logGroupName: '/ecs/api', logStreamName: 'nope' })),
    );
    expect(noStream.name).toBe('ResourceNotFoundException');
    expect(noStream.message).toBe('The specified log stream does not exist.');
  });

  test('DescribeLogGroups (prefix) and DescribeLogStreams (LastEventTime, descending)', async () => {
    for (const g of ['/ecs/api', '/ecs/worker', '/other'])
      await h.logs.send(new CreateLogGroupCommand({ logGroupName: g }));
    const groups = await h.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/ecs/' }));
    expect(groups.logGroups?.map((g) => g.logGroupName)).toEqual(['/ecs/api', '/ecs/worker']);
    expect(groups.logGroups?.[0]?.arn).toBe('arn:aws:logs:us-east-1:000000000000:log-group:/ecs/api:*');
    for (const s of ['b', 'a', 'c'])
      await h.logs.send(new CreateLogStreamCommand({ logGroupName: '/ecs/api', logStreamName: s }));
    const t = Date.now();
    await put('/ecs/api', 'c', ['x'], t);
    await put('/ecs/api', 'a', ['x'], t + 10);
    await put('/ecs/api', 'b', ['x'], t + 20);
    const byName = await h.logs.send(new DescribeLogStreamsCommand({ logGroupName: '/ecs/api' }));
    expect(byName.logStreams?.map((s) => s.logStreamName)).toEqual(['a', 'b', 'c']);
    const latest = await h.logs.send(
      new DescribeLogStreamsCommand({ logGroupName: '/ecs/api', orderBy: 'LastEventTime', descending: true, limit: 1 }),
    );
    expect(latest.logStreams?.map((s) => s.logStreamName)).toEqual(['b']);
    expect(latest.logStreams?.[0]?.lastEventTimestamp).toBe(t + 20);
    expect(latest.nextToken).toBeTruthy();
  });

  test('PutLogEvents requires chronological order within a batch', async () => {
    await h.logs.send(new CreateLogGroupCommand({ logGroupName: 'g' }));
    await h.logs.send(new CreateLogStreamCommand({ logGroupName: 'g', logStreamName: 's' }));
    const err = await errorOf(
      h.logs.send(
        new PutLogEventsCommand({
          logGroupName: 'g',
          logStreamName: 's',
          logEvents: [
            { timestamp: 2000, message: 'b' },
            { timestamp: 1000, message: 'a' },
          ],
        }),
      ),
    );
    expect(err.name).toBe('InvalidParameterException');
  });
});

describe('GetLogEvents tokens', () => {
  beforeEach(async () => {
    await h.logs.send(new CreateLogGroupCommand({ logGroupName: 'g' }));
    await h.logs.send(new CreateLogStreamCommand({ logGroupName: 'g', logStreamName: 's' }));
  });
  const get = (input: Partial<ConstructorParameters<typeof GetLogEventsCommand>[0]>) =>
    h.logs.send(new GetLogEventsCommand({ logGroupName: 'g', logStreamName: 's', ...input }));

  test('forward paging from the head: no loss, no duplicates, the same token back when nothing is new', async () => {
    await put('g', 's', ['1', '2', '3', '4', '5']);
    const seen: string[] = [];
    let r = await get({ startFromHead: true, limit: 2 });
    seen.push(...(r.events ?? []).map((e) => e.message as string));
    expect(r.nextForwardToken).toMatch(/^f\/\d{56}\/s$/);
    expect(r.nextBackwardToken).toMatch(/^b\/\d{56}\/s$/);
    for (let i = 0; i < 3; i++) {
      r = await get({ nextToken: r.nextForwardToken, limit: 2 });
      seen.push(...(r.events ?? []).map((e) => e.message as string));
    }
    expect(seen).toEqual(['1', '2', '3', '4', '5']);
    const token = r.nextForwardToken;
    const again = await get({ nextToken: token });
    expect(again.events).toEqual([]);
    expect(again.nextForwardToken).toBe(token);
    await put('g', 's', ['6', '7']);
    const more = await get({ nextToken: token });
    expect(more.events?.map((e) => e.message)).toEqual(['6', '7']);
    expect(more.nextForwardToken).not.toBe(token);
  });

  test('without startFromHead the newest events come back; backward tokens page towards the head', async () => {
    await put('g', 's', ['1', '2', '3', '4', '5']);
    const last = await get({ limit: 2 });
    expect(last.events?.map((e) => e.message)).toEqual(['4', '5']);
    const before = await get({ nextToken: last.nextBackwardToken, limit: 2 });
    expect(before.events?.map((e) => e.message)).toEqual(['2', '3']);
    const first = await get({ nextToken: before.nextBackwardToken, limit: 2 });
    expect(first.events?.map((e) => e.message)).toEqual(['1']);
    const fwd = await get({ nextToken: last.nextForwardToken });
    expect(fwd.events).toEqual([]);
    expect(fwd.nextForwardToken).toBe(last.nextForwardToken);
  });

  test('an invalid token is InvalidParameterException', async () => {
    const err = await errorOf(get({ nextToken: 'garbage' }));
    expect(err.name).toBe('InvalidParameterException');
  });
});

describe('FilterLogEvents', () => {
  test('stream names, start time, filter pattern, pagination', async () => {
    await h.logs.send(new CreateLogGroupCommand({ logGroupName: 'g' }));
    for (const s of ['a', 'b']) await h.logs.send(new CreateLogStreamCommand({ logGroupName: 'g', logStreamName: s }));
    const t = Date.now();
    await put('g', 'a', ['INFO start', 'ERROR boom', 'INFO done'], t);
    await put('g', 'b', ['ERROR other'], t + 1);
    const errors = await h.logs.send(new FilterLogEventsCommand({ logGroupName: 'g', filterPattern: 'ERROR' }));
    expect(errors.events?.map((e) => [e.logStreamName, e.message])).toEqual([
      ['a', 'ERROR boom'],
      ['b', 'ERROR other'],
    ]);
    expect(errors.events?.[0]?.eventId).toMatch(/^\d+$/);
    const onlyA = await h.logs.send(
      new FilterLogEventsCommand({ logGroupName: 'g', logStreamNames: ['a'], startTime: t + 1 }),
    );
    expect(onlyA.events?.map((e) => e.message)).toEqual(['ERROR boom', 'INFO done']);
    const p1 = await h.logs.send(new FilterLogEventsCommand({ logGroupName: 'g', limit: 3 }));
    expect(p1.events).toHaveLength(3);
    expect(p1.nextToken).toBeTruthy();
    const p2 = await h.logs.send(new FilterLogEventsCommand({ logGroupName: 'g', limit: 3, nextToken: p1.nextToken }));
    expect(p2.events).toHaveLength(1);
    expect(p2.nextToken).toBeUndefined();
  });

  test.each([
    ['', 'anything', true],
    ['ERROR', 'an ERROR here', true],
    ['ERROR', 'error', false],
    ['ERROR timeout', 'ERROR: db timeout', true],
    ['ERROR timeout', 'ERROR: db', false],
    ['"connection refused"', 'dial: connection refused', true],
    ['?ERROR ?WARN', 'WARN disk', true],
    ['?ERROR ?WARN', 'INFO ok', false],
    ['ERROR -retry', 'ERROR will retry', false],
    ['{ $.level = "error" }', 'whatever', true],
  ])('filter pattern %j on %j → %s', (pattern, message, expected) => {
    expect(compileFilterPattern(pattern)(message)).toBe(expected);
  });
});

describe('seed, ECS-facing helpers, throttling and the CLI', () => {
  test('seeded streams and `aws logs tail`', async () => {
    await h.control('seed', {
      logGroups: [
        '/empty',
        {
          logGroupName: '/ecs/api',
          streams: [{ logStreamName: 'ecs/app/0123', events: ['hello from the emulator', { message: 'second line' }] }],
        },
      ],
    });
    const groups = await h.logs.send(new DescribeLogGroupsCommand({}));
    expect(groups.logGroups?.map((g) => g.logGroupName)).toEqual(['/ecs/api', '/empty']);
    const tail = await h.aws(['logs', 'tail', '/ecs/api']);
    expect(tail.stderr).toBe('');
    const lines = tail.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+\+00:00 ecs\/app\/0123 hello from the emulator$/);
    expect(lines[1]).toMatch(/ ecs\/app\/0123 second line$/);
  });

  test('task output written by ECS carries simulated ingestion and creation times (fresh emulator)', async () => {
    const fresh = await harness();
    try {
      await fresh.advance(3600); // simulated time now runs an hour ahead of the wall clock
      await fresh.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
      // awslogs-create-group: ECS itself creates the group (a seed would bind the Logs clock first)
      const td = fargateTd('job', 'repo/job:1');
      const options = td.containerDefinitions?.[0]?.logConfiguration?.options as Record<string, string>;
      options['awslogs-create-group'] = 'true';
      await fresh.ecs.send(new RegisterTaskDefinitionCommand(td));
      await fresh.control('behaviors', { image: 'repo/job:*', run: { logs: ['hello'], durationSeconds: 2 } });
      const run = await fresh.ecs.send(new RunTaskCommand(fargateRun('job')));
      const id = run.tasks?.[0]?.taskArn?.split('/').pop() as string;
      await fresh.advance(40); // Logs has not handled any request so far
      const { events } = await fresh.logs.send(
        new GetLogEventsCommand({ logGroupName: '/ecs/job', logStreamName: `ecs/app/${id}`, startFromHead: true }),
      );
      expect(events?.map((e) => e.message)).toEqual(['hello']);
      const e = events?.[0];
      expect(e?.ingestionTime).toBe(e?.timestamp);
      const { logStreams } = await fresh.logs.send(new DescribeLogStreamsCommand({ logGroupName: '/ecs/job' }));
      expect(logStreams?.[0]?.creationTime).toBeGreaterThan(Date.now() + 3000_000);
    } finally {
      await fresh.stop();
    }
  });

  test('ThrottlingException as a 400 JSON error', async () => {
    await h.control('faults', { throttle: 1, services: ['logs'] });
    const once = new CloudWatchLogsClient({
      endpoint: h.emu.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
      maxAttempts: 1,
    });
    const err = await errorOf(once.send(new DescribeLogGroupsCommand({})));
    expect(err.name).toBe('ThrottlingException');
    once.destroy();
  });
});
