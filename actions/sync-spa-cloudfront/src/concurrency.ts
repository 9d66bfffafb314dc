// Bounded concurrency. `mapLimit`: a fixed number in flight (hashing, HEADs). `mapAdaptive`: the uploads, whose
// number in flight follows S3's answers (AIMD), and which are tried again when the SDK ran out of retries on a
// throttling or transient failure.
//
// Why AIMD on exhausted requests, not on every throttling answer (issue #16, defect 7). The SDK retries each request
// on its own (the kit's retry.ts); a request that still fails after all its attempts is the signal that the service
// wants fewer requests, not one throttling answer among many: with 20% of requests throttled whatever the rate (the
// emulator's soak), halving on every throttle kept ~2 uploads in flight and made a 200-file deploy 4x slower, while
// isolated throttles cost nothing when the SDK absorbs them. Simulated against a service that throttles beyond 2, 4
// or 8 requests in flight, halving on exhausted requests finds the service's limit within 1.2–1.4x of halving on
// every throttle, and never fails the deploy, since the exhausted request goes back in the queue.

/**
 * Run `fn` over `items` with at most `limit` in flight. With `stopOnError` (default) no new item starts after a
 * failure; the in-flight ones settle, then the first error is thrown together with all failures.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  options: { stopOnError?: boolean } = {},
): Promise<R[]> {
  const results = new Array<R>(items.length);
  const failures: Array<{ item: T; error: unknown }> = [];
  const stopOnError = options.stopOnError ?? true;
  let next = 0;
  const worker = async () => {
    while (next < items.length && !(stopOnError && failures.length > 0)) {
      const index = next++;
      const item = items[index]!;
      try {
        results[index] = await fn(item, index);
      } catch (error) {
        failures.push({ item, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failures.length > 0) throw new BatchError(failures);
  return results;
}

export class BatchError<T = unknown> extends Error {
  readonly failures: Array<{ item: T; error: unknown }>;
  constructor(failures: Array<{ item: T; error: unknown }>) {
    const first = failures[0]?.error;
    super(first instanceof Error ? first.message : String(first));
    this.name = 'BatchError';
    this.failures = failures;
  }
}

/**
 * Requests in flight, additive increase / multiplicative decrease (pure). Starts at `max` (a deploy is short: no
 * slow start), +1 per window of successes (1/limit per success), halved when a request runs out of retries on
 * throttling, at most once per window: a request started before the last decrease says nothing about the new limit.
 */
export class ConcurrencyLimit {
  private value: number;
  private started = 0;
  private lastDecrease = 0;

  constructor(
    readonly max: number,
    readonly min = 1,
  ) {
    this.value = max;
  }

  /** Requests that may be in flight now. */
  get current(): number {
    return Math.max(this.min, Math.floor(this.value));
  }

  /** A request starts: its ticket, to hand back to `throttled`. */
  start(): number {
    this.started += 1;
    return this.started;
  }

  succeeded(): void {
    this.value = Math.min(this.max, this.value + 1 / this.value);
  }

  /** The request with this ticket ran out of retries on throttling; true when that lowered the limit. */
  throttled(ticket: number): boolean {
    if (ticket <= this.lastDecrease) return false;
    this.value = Math.max(this.min, this.value / 2);
    this.lastDecrease = this.started;
    return true;
  }
}

export interface AdaptiveOptions {
  /** How a failure is classified: throttling and transient failures are tried again (the kit's `retryableFailure`). */
  classify: (error: unknown) => 'throttling' | 'transient' | undefined;
  /** Times an item goes back in the queue after the SDK gave up on it (default 2). */
  requeues?: number;
  signal?: AbortSignal;
  /** Told when the limit changes on throttling (for the log). */
  onDecrease?: (limit: number) => void;
}

/**
 * Run `fn` over `items` with `limit.current` in flight. An item that fails with a throttling or transient error goes
 * back at the end of the queue (up to `requeues` times; a throttling failure also lowers the limit); any other
 * failure stops new items from starting, the in-flight ones settle, and a BatchError carries every failure.
 */
export function mapAdaptive<T>(
  items: readonly T[],
  limit: ConcurrencyLimit,
  fn: (item: T) => Promise<void>,
  options: AdaptiveOptions,
): Promise<void> {
  const requeues = options.requeues ?? 2;
  const queue = items.map((item) => ({ item, round: 0 }));
  const failures: Array<{ item: T; error: unknown }> = [];
  let head = 0;
  let inFlight = 0;
  return new Promise((resolve, reject) => {
    const finish = () => (failures.length > 0 ? reject(new BatchError(failures)) : resolve());
    const pump = () => {
      while (failures.length === 0 && head < queue.length && inFlight < limit.current) {
        const job = queue[head++]!;
        const ticket = limit.start();
        inFlight += 1;
        fn(job.item).then(
          () => {
            limit.succeeded();
            settle();
          },
          (error: unknown) => {
            const kind = options.signal?.aborted ? undefined : options.classify(error);
            if (kind !== undefined && job.round < requeues) {
              if (kind === 'throttling' && limit.throttled(ticket)) options.onDecrease?.(limit.current);
              queue.push({ item: job.item, round: job.round + 1 });
            } else {
              failures.push({ item: job.item, error });
            }
            settle();
          },
        );
      }
      if (inFlight === 0) finish();
    };
    const settle = () => {
      inFlight -= 1;
      pump();
    };
    pump();
  });
}

/**
 * A budget of bytes held in memory at once (upload bodies): `use(n, fn)` waits until `n` bytes fit (a single request
 * larger than the whole budget runs alone), holds them while `fn` runs, then gives them back.
 */
export class ByteBudget {
  private used = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly bytes: number) {}

  async use<R>(n: number, fn: () => Promise<R>): Promise<R> {
    while (this.used > 0 && this.used + n > this.bytes) await new Promise<void>((r) => this.waiting.push(r));
    this.used += n;
    try {
      return await fn();
    } finally {
      this.used -= n;
      for (const wake of this.waiting.splice(0)) wake();
    }
  }
}
