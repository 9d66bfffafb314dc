import { DeregisterTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { errorMessage } from '../../runtime/errors';
import { describeRevision, familyOf, listFamilyRevisions, TAG_KNOWN_GOOD } from './known-good';
import { shortTaskDef } from './rollout-verdict';

// Deregistering old task definition revisions after a good deploy (`keep-revisions`), so a family does not grow by
// one revision per deploy forever. A deregistered (INACTIVE) revision keeps running the tasks that use it, but no
// service can be updated to it any more: so revisions a rollback could want are never touched — the newest `keep`,
// the revisions the deployed services run now and ran before this deploy, and every known-good revision.

export interface CleanupCandidate {
  arn: string;
  /** Why it stays (undefined: it may go, if not known-good). */
  keptBecause?: string;
}

/**
 * Pure: walk the family's ACTIVE revisions newest first; the newest `keep` and the protected ones stay, the rest are
 * candidates (each still checked for the known-good tag before it goes).
 */
export function planRevisionCleanup(
  arnsNewestFirst: readonly string[],
  keep: number,
  protectedArns: ReadonlySet<string>,
): CleanupCandidate[] {
  return arnsNewestFirst.map((arn, i) => {
    if (i < keep) return { arn, keptBecause: `one of the newest ${keep}` };
    if (protectedArns.has(arn)) return { arn, keptBecause: 'running now or before this deploy' };
    return { arn };
  });
}

export interface CleanupResult {
  deregistered: string[];
  keptKnownGood: string[];
  /** Candidates left for a later run (at most `maxPerRun` are deregistered per family and run). */
  deferred: number;
  errors: string[];
}

/**
 * Deregister old revisions of `family`. Never throws: a failure is reported (the deploy itself already succeeded).
 * At most `maxPerRun` revisions go per run, so a family with thousands of revisions is trimmed over several deploys
 * instead of one long step.
 */
export async function cleanupRevisions(
  ecs: ECSClient,
  family: string,
  options: { keep: number; protect: ReadonlySet<string>; maxPerRun?: number; signal?: AbortSignal },
): Promise<CleanupResult> {
  const maxPerRun = options.maxPerRun ?? 25;
  const result: CleanupResult = { deregistered: [], keptKnownGood: [], deferred: 0, errors: [] };
  try {
    // Enough revisions to find maxPerRun removable ones behind the kept and known-good ones.
    const arns = await listFamilyRevisions(
      ecs,
      family,
      options.keep + options.protect.size + maxPerRun * 4,
      options.signal,
    );
    for (const c of planRevisionCleanup(arns, options.keep, options.protect)) {
      if (c.keptBecause) continue;
      if (result.deregistered.length >= maxPerRun) {
        result.deferred += 1;
        continue;
      }
      const info = await describeRevision(ecs, c.arn, options.signal);
      if (info.tags[TAG_KNOWN_GOOD]) {
        result.keptKnownGood.push(c.arn);
        continue;
      }
      await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: c.arn }), { abortSignal: options.signal });
      result.deregistered.push(c.arn);
    }
  } catch (err) {
    result.errors.push(`${family}: ${errorMessage(err)}`);
  }
  return result;
}

export function cleanupSummaryLine(family: string, r: CleanupResult): string {
  const short = (arns: string[]) => arns.map((a) => shortTaskDef(a)).join(', ');
  const parts = [r.deregistered.length ? `deregistered ${short(r.deregistered)}` : 'nothing to deregister'];
  if (r.keptKnownGood.length) parts.push(`kept known-good ${short(r.keptKnownGood)}`);
  if (r.deferred) parts.push(`${r.deferred} more left for later runs`);
  if (r.errors.length) parts.push(`failed: ${r.errors.join('; ')}`);
  return `${family}: ${parts.join('; ')}`;
}

/** Families of the deployed revisions, each with the revisions to protect (what the services run now and before). */
export function cleanupTargets(
  services: readonly { taskDefinitionArn?: string | undefined; previousTaskDefinitionArn?: string | undefined }[],
): Map<string, Set<string>> {
  const byFamily = new Map<string, Set<string>>();
  for (const s of services) {
    if (!s.taskDefinitionArn) continue;
    const family = familyOf(s.taskDefinitionArn);
    const protect = byFamily.get(family) ?? new Set<string>();
    protect.add(s.taskDefinitionArn);
    if (s.previousTaskDefinitionArn) protect.add(s.previousTaskDefinitionArn);
    byFamily.set(family, protect);
  }
  return byFamily;
}
