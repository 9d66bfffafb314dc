import { DeployFailure } from '../../runtime/errors';
import { TAG_KNOWN_GOOD } from './known-good';
import type { DeployReport } from './model';
import { shortTaskDef } from './rollout-verdict';

// A deploy that succeeded but whose known-good tag could not be written (#16 defect 5). Without the tag a later
// auto-rollback or `rollback-to: known-good` skips that revision, so this must not pass as a warning on a green
// step: the step fails after the deploy, saying the deploy itself succeeded and which revision is live.

/** What runs now: `api → web:2, worker → web:2` (pure). */
function liveRevisions(report: DeployReport): string {
  return report.services.map((r) => `${r.service} → ${shortTaskDef(r.taskDefinitionArn)}`).join(', ');
}

/** The step's failure when the deploy succeeded but a known-good tag is missing, else undefined (pure). */
export function knownGoodFailure(report: DeployReport): DeployFailure | undefined {
  const errors = report.knownGoodErrors ?? [];
  if (errors.length === 0) return undefined;
  const what = errors.map((e) => `${shortTaskDef(e.arn)} (${e.error})`).join('; ');
  return new DeployFailure(
    `The deploy itself succeeded and is live (${liveRevisions(report)}), but the ${TAG_KNOWN_GOOD} tag could not be ` +
      `written to ${what}. Until it is, auto-rollback and rollback-to: known-good skip that revision: re-run this step ` +
      `(the deploy is already done, it only tags) or tag it with ecs:TagResource.`,
  );
}

/** The job-summary paragraph for the same case ('' when every tag was written). */
export function knownGoodFailureMarkdown(report: DeployReport): string {
  const errors = report.knownGoodErrors ?? [];
  if (errors.length === 0) return '';
  return `⚠️ **Known-good tag not written** (the step fails; the deploy itself succeeded): ${errors
    .map((e) => `\`${shortTaskDef(e.arn)}\`: ${e.error}`)
    .join('; ')}\n`;
}
