// What a run of an action's bundle comes to, normalised so a faulted run can be compared with the fault-free
// baseline: exit code, outputs (run-specific values such as deployment ids replaced by their shape), AWS end state
// and, for migrations, the container's log lines (each must appear exactly once, in order).
import type { RunActionBundleResult } from '@deploy-actions/kit/testing';
import type { EndState } from './end-state';

export interface Outcome {
  exitCode: number | null;
  outputs: Record<string, unknown>;
  endState: EndState;
  /** The container's log lines as printed (migrations): compared as a list, so a lost or doubled line shows. */
  lines?: string[];
}

/** Every difference between two outcomes, as `path: baseline → run` lines (empty when equal). Pure. */
export function compareOutcomes(baseline: Outcome, run: Outcome): string[] {
  const out: string[] = [];
  diff(baseline, run, '', out);
  return out;
}

function diff(a: unknown, b: unknown, path: string, out: string[]): void {
  if (Object.is(a, b)) return;
  const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object';
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) {
    out.push(`${path || '(root)'}: ${show(a)} → ${show(b)}`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) {
    out.push(`${path}: ${a.length} items → ${b.length} items`);
  }
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  for (const k of keys) {
    diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k, out);
  }
}

function show(v: unknown): string {
  const text = JSON.stringify(v) ?? 'undefined';
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** Replace run-specific parts of a value by their shape (ids, ARNs of tasks, durations). */
export function shapeOf(value: string): string {
  return value
    .replace(/:task\/([^/\s"]+)\/[0-9a-f]{32}/g, ':task/$1/<task-id>')
    .replace(/\/[0-9a-f]{32}\b/g, '/<task-id>')
    .replace(/ecs-svc\/\d+/g, 'ecs-svc/<id>')
    .replace(/\bI[A-Z0-9]{12,}\b/g, '<invalidation-id>');
}

/** Outputs with the named keys reduced to whether they are set (durations, ids that differ per run). */
export function normaliseOutputs(
  outputs: Record<string, string>,
  o: { presentOnly?: string[]; json?: Record<string, (v: unknown) => unknown> } = {},
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(outputs)) {
    if (o.presentOnly?.includes(k)) result[k] = v === '' ? '' : '<set>';
    else if (o.json?.[k]) result[k] = o.json[k]!(JSON.parse(v));
    else result[k] = shapeOf(v);
  }
  return result;
}

/** The `::error::` line of a failed run, for messages when a run differs. */
export function errorsOf(r: RunActionBundleResult): string {
  return r.errors.map((e) => decodeURIComponent(e.replace(/%0A/g, '\n'))).join('\n') || '(no ::error:: line)';
}
