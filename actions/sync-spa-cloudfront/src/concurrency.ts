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
