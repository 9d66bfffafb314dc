// @deploy-actions/kit/github: GitHub REST helpers shared by actions (a plan's pull request comment, updated in place).
export {
  commentBody,
  commentFailureText,
  commentMarker,
  MAX_COMMENT_CHARS,
  type PullRequestRef,
  pullRequestOfEvent,
  type UpsertOptions,
  type UpsertResult,
  upsertPullRequestComment,
} from './pr-comment';
