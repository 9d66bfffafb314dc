// Simulated time. Real elapsed time is multiplied by `timeScale`; tests jump ahead with advance(). Services read
// `now()` and register timers with `at()` so rollouts progress both by real time and by explicit advances.

export interface Clock {
  /** Simulated epoch milliseconds. */
  now(): number;
  /** Jump simulated time forward and fire every timer that became due. */
  advance(seconds: number): void;
  /** Run `fn` once simulated time reaches `atMs` (checked on every tick, every request and every advance). */
  at(atMs: number, fn: () => void): void;
  /** Fire due timers now; services call this before reading state so it is current. */
  tick(): void;
  readonly timeScale: number;
  stop(): void;
}

export function createClock(timeScale: number, startMs = Date.now()): Clock {
  const realStart = Date.now();
  let offset = 0;
  // While a timer fires, "now" is that timer's due time, so chains of timers (task PENDING -> RUNNING -> ...)
  // keep their simulated spacing even when one advance() jumps over all of them.
  let firingAt: number | undefined;
  const timers: { atMs: number; seq: number; fn: () => void }[] = [];
  let seq = 0;
  const wallNow = () => startMs + (Date.now() - realStart) * timeScale + offset;
  const now = () => firingAt ?? wallNow();
  const tick = () => {
    if (firingAt !== undefined) return; // re-entrant call from inside a timer
    try {
      for (;;) {
        const t = wallNow();
        timers.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
        const first = timers[0];
        if (!first || first.atMs > t) return;
        timers.shift();
        firingAt = first.atMs;
        try {
          first.fn();
        } catch (err) {
          // A failing simulated event must not take the emulator down (tick also runs from a timer) or fail an
          // unrelated request: report it and keep going.
          process.stderr.write(`aws-emulator: simulated event failed: ${(err as Error)?.stack ?? String(err)}\n`);
        }
        firingAt = undefined;
      }
    } finally {
      firingAt = undefined;
    }
  };
  const interval = setInterval(tick, 50);
  interval.unref();
  return {
    now,
    tick,
    advance(seconds: number) {
      offset += seconds * 1000;
      tick();
    },
    at(atMs, fn) {
      timers.push({ atMs, seq: seq++, fn });
    },
    timeScale,
    stop() {
      clearInterval(interval);
      timers.length = 0;
    },
  };
}
