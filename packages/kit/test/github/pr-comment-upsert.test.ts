import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { commentBody, commentFailureText, commentMarker, upsertPullRequestComment } from '../../src/github/pr-comment';
import { type FakeGitHub, startFakeGitHub } from '../../src/testing/fake-github';

// upsertPullRequestComment against a local stand-in of GitHub's three comment endpoints (list paginated with a Link
// header, create, update): one comment per marker, found again on any page, never a second one.

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
  const upsert = (text: string, marker = commentMarker('step A')) =>
    upsertPullRequestComment({
      token: 'ghs_token',
      apiUrl: gh.url,
      pr: { owner: 'o', repo: 'r', number: 5 },
      marker,
      body: commentBody(marker, text),
      userAgent: 'deploy-actions/test',
    });

  test('created once, then updated in place; never duplicated; another marker gets its own', async () => {
    const first = await upsert('plan 1');
    expect(first.action).toBe('created');
    const second = await upsert('plan 2');
    expect(second).toMatchObject({ action: 'updated', id: first.id });
    expect(gh.comments.get(5)).toHaveLength(1);
    expect(gh.comments.get(5)![0]!.body).toBe(`${commentMarker('step A')}\nplan 2`);
    expect(gh.requests.every((r) => r.authorization === 'token ghs_token')).toBe(true);
    await upsert('other', commentMarker('step B'));
    expect(gh.comments.get(5)).toHaveLength(2);
  });

  test('the marked comment is found on a later page (25 comments, 10 a page)', async () => {
    for (let i = 0; i < 24; i++) await upsert(`someone else ${i}`, commentMarker(`x${i}`));
    await upsert('plan 1');
    gh.requests.length = 0;
    const again = await upsert('plan 2');
    expect(again.action).toBe('updated');
    expect(gh.comments.get(5)).toHaveLength(25);
    expect(gh.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/o/r/issues/5/comments?per_page=100',
      'GET /repos/o/r/issues/5/comments?per_page=100&page=2',
      'GET /repos/o/r/issues/5/comments?per_page=100&page=3',
      `PATCH /repos/o/r/issues/comments/${again.id}`,
    ]);
  });

  test('a read-only token: the failure text names the status and the permission', async () => {
    gh.failWith(403);
    const err = await upsert('plan').catch((e) => e);
    expect(commentFailureText(err)).toMatch(
      /^HTTP 403 Resource not accessible by integration.*permissions: pull-requests: write/,
    );
    expect(gh.comments.size).toBe(0);
  });
});
