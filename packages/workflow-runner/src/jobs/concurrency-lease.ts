// Evaluate a `concurrency:` value (string or {group, cancel-in-progress}) and take its group for a job or a called
// workflow, detecting GitHub's deadlock (the group is already held by the run or a calling job).
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import { evaluateString, evaluateToken, type TokenScope } from '../expressions/index.ts';
import { isMappingToken, prop } from '../parse/tokens.ts';
import type { Invocation, RunRuntime } from './runtime.ts';

export interface GroupLease {
  group: string;
  release(): void;
}

export function evaluateConcurrency(
  token: TemplateToken,
  scope: TokenScope,
): { group: string; cancelInProgress: boolean } {
  if (isMappingToken(token)) {
    return {
      group: evaluateString(prop(token, 'group'), scope),
      cancelInProgress: evaluateToken(prop(token, 'cancel-in-progress'), scope) === true,
    };
  }
  return { group: evaluateString(token, scope), cancelInProgress: false };
}

/** undefined = cancelled while waiting (a newer request for the group). Throws on a deadlock. */
export async function acquireGroup(
  rt: RunRuntime,
  inv: Invocation,
  token: TemplateToken,
  scope: TokenScope,
  label: string,
  onCancelled: (reason: string) => void,
): Promise<GroupLease | undefined> {
  const { group, cancelInProgress } = evaluateConcurrency(token, scope);
  if (!group) return { group: '', release: () => {} };
  const held = inv.heldGroups.find((h) => h.group === group);
  if (held) {
    throw new Error(
      `Canceling since a deadlock for concurrency group '${group}' was detected between '${held.holder}' and '${label}'`,
    );
  }
  const release = await rt.concurrency.acquire(
    group,
    { label, cancel: onCancelled },
    cancelInProgress,
    (runningLabel) => rt.log.line(label, `waiting for concurrency group '${group}' (held by ${runningLabel})`),
  );
  return release ? { group, release } : undefined;
}
