// Concurrency groups within one run, as GitHub documents them ("Control the concurrency of workflows and jobs"):
// at most one running and one pending holder per group; a newer pending holder cancels the older pending one; with
// cancel-in-progress the newcomer cancels the running one. A group that a job's own caller (or the workflow run)
// already holds is a deadlock, which GitHub reports and cancels: "Canceling since a deadlock for concurrency group
// 'x' was detected between 'top level workflow' and 'job'".
export interface Holder {
  label: string;
  /** Called when this holder is cancelled by the group (pending replaced, or running and cancel-in-progress). */
  cancel(reason: string): void;
}

interface Group {
  running?: Holder;
  pending?: { holder: Holder; resolve: (granted: boolean) => void };
}

export class ConcurrencyManager {
  private readonly groups = new Map<string, Group>();

  /**
   * Wait for `group`; resolves to a release function, or undefined when this holder was cancelled while pending.
   * `onWait` is told once when it has to wait.
   */
  async acquire(
    group: string,
    holder: Holder,
    cancelInProgress: boolean,
    onWait: (running: string) => void,
  ): Promise<(() => void) | undefined> {
    const key = group;
    let g = this.groups.get(key);
    if (!g) {
      g = {};
      this.groups.set(key, g);
    }
    const release = () => {
      const cur = this.groups.get(key);
      if (!cur || cur.running !== holder) return;
      cur.running = undefined;
      const next = cur.pending;
      cur.pending = undefined;
      if (next) {
        cur.running = next.holder;
        next.resolve(true);
      } else this.groups.delete(key);
    };
    if (!g.running) {
      g.running = holder;
      return release;
    }
    if (g.pending) {
      const old = g.pending;
      g.pending = undefined;
      old.holder.cancel(`Canceling since a higher priority waiting request for '${group}' exists`);
      old.resolve(false);
    }
    if (cancelInProgress) {
      g.running.cancel(`Canceling since a higher priority waiting request for '${group}' exists`);
    }
    onWait(g.running.label);
    const granted = await new Promise<boolean>((resolve) => {
      (g as Group).pending = { holder, resolve };
    });
    return granted ? release : undefined;
  }
}
