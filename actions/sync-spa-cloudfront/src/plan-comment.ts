import * as core from '@actions/core';
import {
  ConfigurationError,
  commentMarker,
  errorMessage,
  pullRequestFromEvent,
  upsertPullRequestComment,
} from '@deploy-actions/kit/runtime';
import { ACTION, type Session } from './session';

// Plan mode on a pull request (`comment: true`): the plan as one comment, updated in place on every run. The marker
// names this step's target, so two sites planned in one pull request get a comment each. A comment that cannot be
// written (a fork's read-only token, a missing permission) is a warning: the plan itself is in the job summary.

export async function commentPlan(session: Session, markdown: string): Promise<void> {
  const { inputs, env } = session;
  if (!inputs.comment) return;
  const pr = pullRequestFromEvent(env);
  if (!pr) {
    core.info(
      `comment: not a pull_request event (${env.GITHUB_EVENT_NAME ?? 'none'}): the plan is in the job summary only.`,
    );
    return;
  }
  if (!inputs.githubToken) {
    throw new ConfigurationError('github-token', 'is empty: comment: true needs a token (the default is github.token)');
  }
  const target = `s3://${inputs.bucket}/${inputs.prefix ? `${inputs.prefix}/` : ''}`;
  try {
    const done = await upsertPullRequestComment({
      ...pr,
      token: inputs.githubToken,
      ...(env.GITHUB_API_URL ? { apiUrl: env.GITHUB_API_URL } : {}),
      marker: commentMarker(`${ACTION} ${target}`),
      text: markdown,
      userAgent: `deploy-actions/${ACTION}`,
    });
    core.info(
      `Plan ${done.action === 'created' ? 'posted on' : `${done.action} on`} pull request #${pr.number}: ${done.url}`,
    );
  } catch (err) {
    core.warning(
      `The plan could not be written on pull request #${pr.number}: ${errorMessage(err)}. It is in the job summary.`,
    );
  }
}
