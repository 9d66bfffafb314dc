import {
  commentBody,
  commentFailureText,
  commentMarker,
  pullRequestOfEvent,
  upsertPullRequestComment,
} from '@deploy-actions/kit/github';
import { ConfigurationError, core } from '@deploy-actions/kit/runtime';
import { ACTION, type Session } from './session';

// Plan mode on a pull request (`comment: true`): the plan as one comment, updated in place on every run (the kit's
// github/pr-comment.ts, shared with deploy-ecs and deploy-ecs-wait). The marker names this step's target, so two
// sites planned in one pull request get a comment each. A comment that cannot be written (a fork's read-only token,
// a missing permission) is a warning: the plan itself is in the job summary.

export async function commentPlan(session: Session, markdown: string): Promise<void> {
  const { inputs, env } = session;
  if (!inputs.comment) return;
  const pr = pullRequestOfEvent(env);
  if ('none' in pr) {
    core.info(`comment: no pull request comment (${pr.none}); the plan is in the job summary only.`);
    return;
  }
  if (!inputs.githubToken) {
    throw new ConfigurationError('github-token', 'is empty: comment: true needs a token (the default is github.token)');
  }
  const target = `s3://${inputs.bucket}/${inputs.prefix ? `${inputs.prefix}/` : ''}`;
  const marker = commentMarker(`${ACTION} ${target}`);
  try {
    const done = await upsertPullRequestComment({
      token: inputs.githubToken,
      apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
      pr,
      marker,
      body: commentBody(marker, markdown),
      userAgent: `deploy-actions/${ACTION}`,
    });
    core.info(`Plan ${done.action === 'created' ? 'posted on' : 'updated on'} pull request #${pr.number}: ${done.url}`);
  } catch (err) {
    core.warning(
      `The plan could not be written on pull request #${pr.number}: ${commentFailureText(err)}. It is in the job summary.`,
    );
  }
}
