import { describe, expect, test } from 'vitest';
import {
  MAX_RETRY_DELAY_MS,
  RETRY_QUOTA,
  type RetryErrorType,
  retryableFailure,
  retryDelay,
  THROTTLING_RETRY_COST,
  ThroughputRetryStrategy,
  TRANSIENT_RETRY_COST,
} from '../../src/runtime/retry';

// The retry strategy every client gets (retry.ts says why): table tests of the delay, the attempts and the quota.
// The real SDK retry layer drives it in aws.test.ts.

describe('retryDelay: full jitter, 100 ms base after throttling, 50 ms after a transient failure', () => {
  test.each<[RetryErrorType, number, number, number]>([
    ['THROTTLING', 0, 0.999, 99],
    ['THROTTLING', 1, 0.999, 199],
    ['THROTTLING', 3, 0.5, 400],
    ['TRANSIENT', 0, 0.999, 49],
    ['TRANSIENT', 2, 0.5, 100],
    ['THROTTLING', 20, 0.999, MAX_RETRY_DELAY_MS - 20],
    ['TRANSIENT', 0, 0, 0],
  ])('%s, retry %i, random %d → %i ms', (type, retry, random, ms) => {
    expect(retryDelay(type, retry, () => random)).toBe(ms);
  });
});

describe('ThroughputRetryStrategy', () => {
  const info = (errorType: RetryErrorType) => ({ errorType });

  test('retries throttling and transient failures until maxAttempts, then refuses', async () => {
    const s = new ThroughputRetryStrategy(3, { random: () => 0.5 });
    let token = await s.acquireInitialRetryToken('');
    token = await s.refreshRetryTokenForRetry(token, info('THROTTLING'));
    expect([token.getRetryCount(), token.getRetryDelay()]).toEqual([1, 50]);
    token = await s.refreshRetryTokenForRetry(token, info('TRANSIENT'));
    expect([token.getRetryCount(), token.getRetryDelay()]).toEqual([2, 50]);
    await expect(s.refreshRetryTokenForRetry(token, info('THROTTLING'))).rejects.toThrow(/No retry token/);
  });

  test.each<RetryErrorType>(['CLIENT_ERROR', 'SERVER_ERROR'])('%s is not retried', async (type) => {
    const s = new ThroughputRetryStrategy(5);
    await expect(s.refreshRetryTokenForRetry(await s.acquireInitialRetryToken(''), info(type))).rejects.toThrow();
  });

  test('the quota: retries cost tokens, successes refund them; an empty quota stops retries', async () => {
    const s = new ThroughputRetryStrategy(1000);
    let token = await s.acquireInitialRetryToken('');
    token = await s.refreshRetryTokenForRetry(token, info('THROTTLING'));
    expect(s.getCapacity()).toBe(RETRY_QUOTA - THROTTLING_RETRY_COST);
    s.recordSuccess(token); // a retried success refunds what its retry cost
    expect(s.getCapacity()).toBe(RETRY_QUOTA);
    for (let i = 0; i < RETRY_QUOTA / TRANSIENT_RETRY_COST; i++) {
      token = await s.refreshRetryTokenForRetry(token, info('TRANSIENT'));
    }
    expect(s.getCapacity()).toBe(0);
    await expect(s.refreshRetryTokenForRetry(token, info('THROTTLING'))).rejects.toThrow();
    s.recordSuccess(await s.acquireInitialRetryToken('')); // a first-attempt success refunds 1
    expect(s.getCapacity()).toBe(1);
  });

  test("a server's Retry-After hint lengthens the delay by at most 5 s", async () => {
    const s = new ThroughputRetryStrategy(5, { random: () => 0, now: () => 1_000_000 });
    const token = await s.acquireInitialRetryToken('');
    const hinted = (ms: number) => ({ errorType: 'THROTTLING' as const, retryAfterHint: new Date(1_000_000 + ms) });
    expect((await s.refreshRetryTokenForRetry(token, hinted(2000))).getRetryDelay()).toBe(2000);
    expect((await s.refreshRetryTokenForRetry(token, hinted(60_000))).getRetryDelay()).toBe(5000);
  });
});

describe('retryableFailure (the SDK classification of a call it gave up on)', () => {
  test.each<[string, unknown, 'throttling' | 'transient' | undefined]>([
    ['SlowDown', { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }, 'throttling'],
    ['HTTP 429', { name: 'Unknown', $metadata: { httpStatusCode: 429 } }, 'throttling'],
    ['ThrottlingException', { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }, 'throttling'],
    ['InternalError 500', { name: 'InternalError', $metadata: { httpStatusCode: 500 } }, 'transient'],
    ['connection reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'transient'],
    ['AccessDenied', { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }, undefined],
    ['NotImplemented 501', { name: 'NotImplemented', $metadata: { httpStatusCode: 501 } }, undefined],
    ['an abort', Object.assign(new Error('aborted'), { name: 'AbortError' }), undefined],
    ['not an error', 'x', undefined],
  ])('%s → %s', (_name, err, kind) => {
    expect(retryableFailure(err)).toBe(kind);
  });
});
