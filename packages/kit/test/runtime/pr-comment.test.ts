import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  commentBody,
  commentMarker,
  GitHubApiError,
  MAX_COMMENT_CHARS,
  pullRequestFromEvent,
  upsertPullRequestComment,
} from '../../src/runtime/pr-comment';
import { type FakeGitHub, startFakeGitHub } from '../../src/testing/fake-github';

// One pull-request comment per step, updated in place (plan mode, issue #13), against a local stand-in of GitHub's
// comment endpoints (pagination included).

describe('pullRequestFromEvent', () => {
  const env = (name: string) => ({ GITHUB_EVENT_NAME: name, GITHUB_REPOSITORY: 'o/r', GITHUB_EVENT_PATH: '/e.json' });
  test.each([
    ['pull_request', { pull_request: { number: 12 } }, { owner: 'o', repo: 'r', number: 12 }],
    ['pull_request_target', { number: 7, pull_request: { number: 7 } }, { owner: 'o', repo: 'r', number: 7 }],
    ['push', { pull_request: { number: 12 } }, undefined],
    ['pull_request', { pull_request: {} }, undefined],
    ['workflow_dispatch', {}, undefined],
  ])('%s %j', (name, event, expected) => {
    expect(pullRequestFromEvent(env(name), () => JSON.stringify(event))).toEqual(expected);
  });
  test('an unreadable event file is no pull request', () => {
    expect(
      pullRequestFromEvent(env('pull_request'), () => {
        throw new Error('ENOENT');
      }),
    ).toBeUndefined();
  });
});

describe('commentBody', () => {
  test('marker first, hidden; a long text is cut under the limit with a note', () => {
    const marker = commentMarker('sync-spa-cloudfront s3://b/site');
    expect(marker).toBe('<!-- deploy-actions:sync-spa-cloudfront s3://b/site -->');
    expect(commentBody(marker, 'hello')).toBe(`${marker}\nhello`);
    const long = commentBody(marker, 'x'.repeat(200_000));
    expect(long.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(long).toMatch(/cut to fit a comment; the job summary has it all/);
    expect(commentMarker('a -- b')).toBe('<!-- deploy-actions:a - b -->'); // `--` would end the HTML comment
  });
});

describe('upsertPullRequestComment', () => {
  let gh: FakeGitHub;
  beforeAll(async () => {
    gh = await startFakeGitHub({ perPage: 10 });
  });
  afterAll(() => gh.stop());
  beforeEach(() => {
    gh.comments.clear();
    gh.requests.length = 0;
    gh.failWith(undefined);
  });
  const options = (text: string, marker = commentMarker('step A')) => ({
    owner: 'o',
    repo: 'r',
    number: 5,
    token: 'ghs_token',
    apiUrl: gh.url,
    marker,
    text,
  });

  test('created once, then updated in place; never duplicated', async () => {
    const first = await upsertPullRequestComment(options('plan 1'));
    expect(first.action).toBe('created');
    const second = await upsertPullRequestComment(options('plan 2'));
    expect(second).toMatchObject({ action: 'updated', id: first.id });
    const third = await upsertPullRequestComment(options('plan 2'));
    expect(third.action).toBe('unchanged');
    expect(gh.comments.get(5)).toHaveLength(1);
    expect(gh.comments.get(5)![0]!.body).toBe(`${commentMarker('step A')}\nplan 2`);
    expect(gh.requests.every((r) => r.authorization === 'Bearer ghs_token')).toBe(true);
    // another step's marker: its own comment
    await upsertPullRequestComment(options('other', commentMarker('step B')));
    expect(gh.comments.get(5)).toHaveLength(2);
  });

  test('the marked comment is found on a later page (25 comments, 10 a page)', async () => {
    for (let i = 0; i < 24; i++) await upsertPullRequestComment(options(`someone else ${i}`, commentMarker(`x${i}`)));
    await upsertPullRequestComment(options('plan 1'));
    gh.requests.length = 0;
    const again = await upsertPullRequestComment(options('plan 2'));
    expect(again.action).toBe('updated');
    expect(gh.comments.get(5)).toHaveLength(25);
    expect(gh.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/o/r/issues/5/comments?per_page=100',
      'GET /repos/o/r/issues/5/comments?per_page=100&page=2',
      'GET /repos/o/r/issues/5/comments?per_page=100&page=3',
      `PATCH /repos/o/r/issues/comments/${again.id}`,
    ]);
  });

  test('a read-only token: one error naming the call and the permission', async () => {
    gh.failWith(403);
    const err = await upsertPullRequestComment(options('plan')).catch((e) => e);
    expect(err).toBeInstanceOf(GitHubApiError);
    expect((err as Error).message).toMatch(
      /^GitHub list comments failed: HTTP 403 Resource not accessible by integration \(the job needs permissions: pull-requests: write/,
    );
  });
});
