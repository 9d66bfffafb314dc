// The task-start realism switches (POST /_emulator/realism, startEmulator({realism}), --realism).
import type { Realism } from './types.ts';

/**
 * Task-start checks off by default: fixtures across the repository (the demo, the deploy tests) reference secrets,
 * registry images and log groups they never create, and pass today because ECS's checks were not emulated. Turn them
 * on per test with POST /_emulator/realism, per emulator with `realism`, or `--realism all` on the command line.
 */
export const DEFAULT_REALISM: Realism = { secrets: false, images: false, logGroups: true };
export const ALL_REALISM: Realism = { secrets: true, images: true, logGroups: true };

/** Validate a realism request: booleans for known keys, or `all: true|false` for every switch. */
export function parseRealism(body: unknown, base: Realism): Realism {
  const b = (body ?? {}) as Record<string, unknown>;
  const out: Realism = { ...base };
  for (const [k, v] of Object.entries(b)) {
    if (typeof v !== 'boolean') throw new Error(`realism.${k} must be true or false`);
    if (k === 'all') {
      for (const key of Object.keys(out) as Array<keyof Realism>) out[key] = v;
    } else if (k in out) {
      out[k as keyof Realism] = v;
    } else {
      throw new Error(`realism: unknown switch "${k}" (secrets, images, logGroups, all)`);
    }
  }
  return out;
}
