import { describe, expect, test } from 'vitest';
import { BatchError, ByteBudget, ConcurrencyLimit, mapAdaptive } from '../src/concurrency';

// The upload pool: AIMD on requests the SDK gave up on (concurrency.ts says why), and the byte budget of bodies.

const throttle = Object.assign(new Error('SlowDown'), { kind: 'throttling' as const });
const transient = Object.assign(new Error('InternalError'), { kind: 'transient' as const });
const denied = Object.assign(new Error('AccessDenied'), { kind: undefined });
const classify = (e: unknown) => (e as { kind?: 'throttling' | 'transient' }).kind;
const tick = () => new Promise<void>((r) => setImmediate(r));

describe('ConcurrencyLimit', () => {
  test('starts at max, halves once per window on throttling, grows back by one per window of successes', () => {
    const limit = new ConcurrencyLimit(16);
    expect(limit.current).toBe(16);
    const early = limit.start();
    const before = Array.from({ length: 15 }, () => limit.start());
    expect(limit.throttled(before[3]!)).toBe(true);
    expect(limit.current).toBe(8);
    // requests started before that decrease say nothing about the new limit
    expect(limit.throttled(early)).toBe(false);
    expect(limit.throttled(before[14]!)).toBe(false);
    expect(limit.current).toBe(8);
    // one started after it does
    expect(limit.throttled(limit.start())).toBe(true);
    expect(limit.current).toBe(4);
    for (let i = 0; i < 4; i++) limit.succeeded();
    expect(limit.current).toBe(4); // 4 + 4 × ~1/4.x: just under 5
    for (let i = 0; i < 2; i++) limit.succeeded();
    expect(limit.current).toBe(5);
    for (let i = 0; i < 1000; i++) limit.succeeded();
    expect(limit.current).toBe(16);
  });

  test('never below min', () => {
    const limit = new ConcurrencyLimit(2, 1);
    for (let i = 0; i < 5; i++) limit.throttled(limit.start());
    expect(limit.current).toBe(1);
  });
});

describe('mapAdaptive', () => {
  test('never more in flight than the limit; all items done', async () => {
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    await mapAdaptive(
      Array.from({ length: 50 }, (_, i) => i),
      new ConcurrencyLimit(4),
      async (i) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await tick();
        inFlight -= 1;
        done.push(i);
      },
      { classify },
    );
    expect(most).toBe(4);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  test('an item the SDK gave up on (throttling) goes back in the queue and the limit halves', async () => {
    const limit = new ConcurrencyLimit(8);
    const attempts = new Map<number, number>();
    const decreases: number[] = [];
    await mapAdaptive(
      Array.from({ length: 20 }, (_, i) => i),
      limit,
      async (i) => {
        const n = (attempts.get(i) ?? 0) + 1;
        attempts.set(i, n);
        await tick();
        if (i === 3 && n <= 2) throw throttle;
        if (i === 7 && n === 1) throw transient;
      },
      { classify, onDecrease: (n) => decreases.push(n) },
    );
    expect(attempts.get(3)).toBe(3);
    expect(attempts.get(7)).toBe(2);
    expect(decreases[0]).toBe(4);
  });

  test('after its requeues an item fails; other failures stop new items and every failure is reported', async () => {
    const started: number[] = [];
    const run = mapAdaptive(
      Array.from({ length: 30 }, (_, i) => i),
      new ConcurrencyLimit(2),
      async (i) => {
        started.push(i);
        await tick();
        if (i === 0) throw throttle;
        if (i === 4) throw denied;
      },
      { classify, requeues: 1 },
    );
    const err = await run.catch((e) => e);
    expect(err).toBeInstanceOf(BatchError);
    expect((err as BatchError<number>).failures.map((f) => [f.item, (f.error as Error).message])).toEqual([
      [4, 'AccessDenied'],
    ]);
    expect(started.length).toBeLessThan(30);
  });

  test('a cancelled run tries nothing again', async () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    const err = await mapAdaptive(
      [1],
      new ConcurrencyLimit(2),
      async () => {
        calls += 1;
        throw throttle;
      },
      { classify, signal: controller.signal },
    ).catch((e) => e);
    expect(err).toBeInstanceOf(BatchError);
    expect(calls).toBe(1);
  });

  test('no items: resolves at once', async () => {
    await expect(mapAdaptive([], new ConcurrencyLimit(2), async () => {}, { classify })).resolves.toBeUndefined();
  });
});

describe('ByteBudget', () => {
  test('holds at most its bytes; a body larger than the budget runs alone', async () => {
    const budget = new ByteBudget(10);
    let held = 0;
    let most = 0;
    const use = (n: number) =>
      budget.use(n, async () => {
        held += n;
        most = Math.max(most, held);
        await tick();
        held -= n;
      });
    await Promise.all([use(4), use(4), use(4), use(25), use(3)]);
    expect(most).toBe(25);
    held = 0;
    most = 0;
    await Promise.all([use(4), use(4), use(4), use(3)]);
    expect(most).toBeLessThanOrEqual(10);
  });
});
