import { EventEmitter } from 'node:events';
import { describe, expect, test } from 'vitest';
import { DeployFailure } from '../../src/runtime/errors';
import {
  backoffDelay,
  cancellationSignal,
  formatDuration,
  PollAbortedError,
  type PollResult,
  PollTimeoutError,
  poll,
  realClock,
} from '../../src/runtime/poll';
import { createFakeClock } from '../../src/testing';

const notYet = (progress?: string): PollResult<never> => ({ done: false, progress });

/** A check that is never done (reporting `progress`), counting how often poll ran it. */
function neverDone(progress?: string) {
  const counted = {
    calls: 0,
    check: async (): Promise<PollResult<never>> => {
      counted.calls++;
      return notYet(progress);
    },
  };
  return counted;
}

describe('backoffDelay (pure)', () => {
  const opts = { initialDelayMs: 1000, maxDelayMs: 30_000, factor: 2, jitter: 'none' as const };
  test.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [4, 8000],
    [5, 16_000],
    [6, 30_000],
    [50, 30_000],
    [2000, 30_000], // factor ** exponent overflows to Infinity: still capped
  ])('no jitter: attempt %d → %d ms', (attempt, expected) => {
    expect(backoffDelay(attempt, opts)).toBe(expected);
  });

  test.each([
    ['full', 0, 0],
    ['full', 0.999999, 3999],
    ['full', 0.5, 2000],
    ['equal', 0, 2000],
    ['equal', 0.999999, 3999],
    ['equal', 0.5, 3000],
  ] as const)('%s jitter with random()=%d at attempt 3 (base 4000) → %d', (jitter, r, expected) => {
    expect(backoffDelay(3, { ...opts, jitter }, () => r)).toBe(expected);
  });

  test.each(['full', 'equal'] as const)('%s jitter stays within bounds for 1000 random draws', (jitter) => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const base = Math.min(30_000, 1000 * 2 ** (attempt - 1));
      for (let i = 0; i < 100; i++) {
        const d = backoffDelay(attempt, { ...opts, jitter });
        expect(d).toBeGreaterThanOrEqual(jitter === 'full' ? 0 : base / 2 - 1);
        expect(d).toBeLessThanOrEqual(base);
      }
    }
  });

  test('factor 1.5 and default jitter is equal', () => {
    expect(backoffDelay(3, { initialDelayMs: 100, maxDelayMs: 10_000, factor: 1.5 }, () => 0)).toBe(112);
  });
});

describe('poll with a fake clock', () => {
  test('returns the value when done, sleeping with growing capped delays', async () => {
    const clock = createFakeClock();
    const value = await poll(async (attempt) => (attempt === 6 ? { done: true, value: 'ok' } : notYet()), {
      timeoutMs: 600_000,
      initialDelayMs: 1000,
      maxDelayMs: 5000,
      jitter: 'none',
      clock,
      onProgress: () => {},
    });
    expect(value).toBe('ok');
    expect(clock.sleeps).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(clock.now()).toBe(17_000);
  });

  test('deadline: last check happens at the deadline, then PollTimeoutError with the last progress', async () => {
    const clock = createFakeClock();
    const checkedAt: number[] = [];
    const err = await poll(
      async (attempt) => {
        checkedAt.push(clock.now());
        return notYet(`2/3 tasks running (check ${attempt})`);
      },
      {
        timeoutMs: 10_000,
        initialDelayMs: 3000,
        maxDelayMs: 3000,
        jitter: 'none',
        clock,
        onProgress: () => {},
        description: 'service api to be stable',
      },
    ).catch((e) => e);
    expect(checkedAt).toEqual([0, 3000, 6000, 9000, 10_000]);
    expect(err).toBeInstanceOf(PollTimeoutError);
    expect(err).toBeInstanceOf(DeployFailure);
    expect(err.lastProgress).toBe('2/3 tasks running (check 5)');
    expect(err.attempts).toBe(5);
    expect(err.message).toBe(
      'Timed out after 10s waiting for service api to be stable (5 checks). Last status: 2/3 tasks running (check 5)',
    );
  });

  test('timeout 0: exactly one check', async () => {
    const clock = createFakeClock();
    const counted = neverDone();
    await expect(
      poll(counted.check, { timeoutMs: 0, initialDelayMs: 10, maxDelayMs: 10, clock, onProgress: () => {} }),
    ).rejects.toBeInstanceOf(PollTimeoutError);
    expect(counted.calls).toBe(1);
  });

  test('abort mid-sleep rejects promptly without advancing time', async () => {
    const clock = createFakeClock({ autoAdvance: false });
    const controller = new AbortController();
    const counted = neverDone('waiting for rollout');
    const promise = poll(counted.check, {
      timeoutMs: 3_600_000,
      initialDelayMs: 60_000,
      maxDelayMs: 60_000,
      signal: controller.signal,
      clock,
      onProgress: () => {},
    });
    const outcome = promise.catch((e) => e);
    await clock.advance(0); // let the first check run and the sleep start
    expect(counted.calls).toBe(1);
    expect(clock.pendingSleeps()).toBe(1);
    controller.abort(new Error('received SIGINT'));
    const err = await outcome;
    expect(err).toBeInstanceOf(PollAbortedError);
    expect(err.lastProgress).toBe('waiting for rollout');
    expect(err.message).toMatch(/^Cancelled while waiting for condition \(received SIGINT\) after 0ms\. Last status/);
    expect(clock.pendingSleeps()).toBe(0);
    expect(counted.calls).toBe(1);
  });

  test('already-aborted signal: no check at all', async () => {
    const controller = new AbortController();
    controller.abort();
    const counted = neverDone();
    await expect(
      poll(counted.check, {
        timeoutMs: 1000,
        initialDelayMs: 1,
        maxDelayMs: 1,
        signal: controller.signal,
        clock: createFakeClock(),
      }),
    ).rejects.toBeInstanceOf(PollAbortedError);
    expect(counted.calls).toBe(0);
  });

  test('abort during a check stops before sleeping', async () => {
    const clock = createFakeClock();
    const controller = new AbortController();
    const err = await poll(
      async () => {
        controller.abort();
        return notYet('x');
      },
      { timeoutMs: 1000, initialDelayMs: 1, maxDelayMs: 1, signal: controller.signal, clock, onProgress: () => {} },
    ).catch((e) => e);
    expect(err).toBeInstanceOf(PollAbortedError);
    expect(clock.sleeps).toEqual([]);
  });

  test('progress is reported at most every progressEveryMs (first one immediately)', async () => {
    const clock = createFakeClock();
    const reported: Array<[string, number]> = [];
    await poll(async (attempt) => (attempt === 30 ? { done: true, value: 1 } : notYet(`check ${attempt}`)), {
      timeoutMs: 600_000,
      initialDelayMs: 3000,
      maxDelayMs: 3000,
      jitter: 'none',
      clock,
      progressEveryMs: 10_000,
      onProgress: (message, info) => reported.push([message, info.elapsedMs]),
    });
    // checks at 0, 3s, 6s, ... → reports at 0, 12s, 24s, 36s, ...
    expect(reported.slice(0, 4)).toEqual([
      ['check 1', 0],
      ['check 5', 12_000],
      ['check 9', 24_000],
      ['check 13', 36_000],
    ]);
    const times = reported.map(([, t]) => t);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(10_000);
  });

  test('errors thrown by the check propagate unchanged', async () => {
    const boom = new Error('AccessDenied');
    await expect(
      poll(
        async () => {
          throw boom;
        },
        { timeoutMs: 1000, initialDelayMs: 1, maxDelayMs: 1, clock: createFakeClock() },
      ),
    ).rejects.toBe(boom);
  });

  test('sleep never overshoots the deadline', async () => {
    const clock = createFakeClock();
    await poll(async () => notYet(), {
      timeoutMs: 10_000,
      initialDelayMs: 7000,
      maxDelayMs: 7000,
      jitter: 'none',
      clock,
      onProgress: () => {},
    }).catch(() => {});
    expect(clock.sleeps).toEqual([7000, 3000]);
  });
});

describe('realClock.sleep abort', () => {
  test('rejects promptly on abort (no 60 s wait)', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const p = realClock.sleep(60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('already aborted rejects with an AbortError', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(realClock.sleep(10, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('cancellationSignal', () => {
  test('aborts on SIGTERM, is idempotent per source, installs listeners once', () => {
    const source = new EventEmitter();
    const a = cancellationSignal({ source });
    const b = cancellationSignal({ source });
    expect(a).toBe(b);
    expect(source.listenerCount('SIGINT')).toBe(1);
    expect(source.listenerCount('SIGTERM')).toBe(1);
    expect(a.aborted).toBe(false);
    source.emit('SIGTERM', 'SIGTERM');
    expect(a.aborted).toBe(true);
    expect((a.reason as Error).message).toBe('received SIGTERM');
    expect((a.reason as Error).name).toBe('AbortError');
  });

  test('SIGINT on another source does not affect the first', () => {
    const one = new EventEmitter();
    const two = new EventEmitter();
    const s1 = cancellationSignal({ source: one });
    const s2 = cancellationSignal({ source: two });
    two.emit('SIGINT', 'SIGINT');
    expect(s2.aborted).toBe(true);
    expect(s1.aborted).toBe(false);
  });
});

describe('formatDuration', () => {
  test.each([
    [0, '0ms'],
    [999, '999ms'],
    [1000, '1s'],
    [90_000, '1m30s'],
    [600_000, '10m'],
    [3_600_000, '1h'],
    [5_430_000, '1h30m30s'],
  ])('%d → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
