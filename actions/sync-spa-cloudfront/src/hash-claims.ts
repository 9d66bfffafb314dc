// One list of files hashed by two threads: the hash worker takes files from the front, the main thread from the back
// once it has nothing else to do, and each file is taken exactly once. The state is one 64-bit word in shared memory
// (front in the high half, back in the low half), changed only by compare-and-swap: two separate counters would let
// both threads give up on the last file (each seeing the other's claim before its own was undone). No imports: the
// worker bundles this module (hash-worker.ts).

/** The shared claim word for files [0, count). Posting it to a worker shares it (SharedArrayBuffer). */
export function newClaims(count: number): BigInt64Array {
  if (!Number.isSafeInteger(count) || count < 0 || count > 0xffffffff) throw new RangeError(`bad file count ${count}`);
  const claims = new BigInt64Array(new SharedArrayBuffer(8));
  claims[0] = BigInt(count); // front 0, back count
  return claims;
}

function take(claims: BigInt64Array, fromBack: boolean): number | undefined {
  for (;;) {
    const word = Atomics.load(claims, 0);
    const front = Number(BigInt.asUintN(64, word) >> 32n);
    const back = Number(word & 0xffffffffn);
    if (front >= back) return undefined;
    const next = fromBack ? (BigInt(front) << 32n) | BigInt(back - 1) : (BigInt(front + 1) << 32n) | BigInt(back);
    if (Atomics.compareExchange(claims, 0, word, BigInt.asIntN(64, next)) === word) return fromBack ? back - 1 : front;
  }
}

/** The next file from the front (the worker's side), or undefined when every file is taken. */
export function claimFront(claims: BigInt64Array): number | undefined {
  return take(claims, false);
}

/** The next file from the back (the main thread's side), or undefined when every file is taken. */
export function claimBack(claims: BigInt64Array): number | undefined {
  return take(claims, true);
}

/**
 * Files taken from the front so far: after both sides are done, the worker hashed [0, front), the main thread the
 * rest.
 */
export function frontTaken(claims: BigInt64Array): number {
  return Number(BigInt.asUintN(64, Atomics.load(claims, 0)) >> 32n);
}
