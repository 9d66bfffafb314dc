import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  commentBody,
  commentFailureText,
  commentMarker,
  MAX_COMMENT_CHARS,
  pullRequestOfEvent,
} from '../../src/github/pr-comment';

function eventFile(payload: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'event-')), 'event.json');
  writeFileSync(path, JSON.stringify(payload));
  return path;
}

describe('pull request comments', () => {
  test('the pull request of a pull_request / pull_request_target event, or why there is none', () => {
    const path = eventFile({ number: 5, pull_request: { number: 5 } });
    const env = { GITHUB_REPOSITORY: 'acme/app', GITHUB_EVENT_PATH: path };
    expect(pullRequestOfEvent({ ...env, GITHUB_EVENT_NAME: 'pull_request' })).toEqual({
      owner: 'acme',
      repo: 'app',
      number: 5,
    });
    expect(pullRequestOfEvent({ ...env, GITHUB_EVENT_NAME: 'pull_request_target' })).toMatchObject({ number: 5 });
    expect(pullRequestOfEvent({ ...env, GITHUB_EVENT_NAME: 'push' })).toEqual({
      none: 'the event is push, not pull_request',
    });
    expect(pullRequestOfEvent({ ...env, GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventFile({}) })).toEqual(
      {
        none: 'the event payload names no pull request',
      },
    );
    expect(pullRequestOfEvent({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: '/nope' })).toMatchObject({
      none: expect.stringContaining('cannot be read'),
    });
  });

  test("marker first, body cut to GitHub's limit with a note", () => {
    const marker = commentMarker('plan deploy-ecs-wait app api --> x');
    expect(marker).toBe('<!-- deploy-actions: plan deploy-ecs-wait app api  x -->');
    expect(commentBody(marker, 'short')).toBe(`${marker}\nshort`);
    const long = commentBody(marker, 'x'.repeat(70_000));
    expect(long.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(long.startsWith(marker)).toBe(true);
    expect(long.endsWith('_(cut: the whole plan is in the job summary)_')).toBe(true);
  });

  test('failure text names the permission on 403', () => {
    expect(
      commentFailureText(Object.assign(new Error('Resource not accessible by integration'), { status: 403 })),
    ).toBe(
      'HTTP 403 Resource not accessible by integration (the job needs `permissions: pull-requests: write`; pull requests from forks get a read-only token)',
    );
  });
});
