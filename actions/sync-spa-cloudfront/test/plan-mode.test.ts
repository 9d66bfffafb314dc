import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type FakeGitHub, startFakeGitHub } from '@deploy-actions/kit/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { DIST_ID, getText, mutating, ops, requests, runEnv, runMain, tempDir, useSite, writeSpa } from './helpers';

// Plan mode (issue #13): everything up to the first mutating call, then what a real run would change — uploads,
// header fixes, deletes, invalidation paths — in the job summary and, on a pull request, in one comment updated in
// place. Zero mutating AWS calls, asserted from the emulator's request log.

const site = useSite('plan');
const { e } = site;
let gh: FakeGitHub;
beforeAll(async () => {
  gh = await startFakeGitHub();
});
afterAll(async () => {
  await gh.stop();
});
beforeEach(() => {
  gh.comments.clear();
  gh.requests.length = 0;
  gh.failWith(undefined);
});

const DAY = 86_400_000;
/** A deploy whose env adds `env` (a pull request's, a push's) to the usual run's. */
const deploy = (inputs: Record<string, string | number | boolean> = {}, offsetMs = 0, env: NodeJS.ProcessEnv = {}) =>
  site.deploy(inputs, offsetMs, { env: runEnv(env) });

/** The env of a pull_request run of PR #42 of o/r, against the fake GitHub. */
async function pullRequestEnv(): Promise<NodeJS.ProcessEnv> {
  const event = join(await tempDir('event'), 'event.json');
  await writeFile(event, JSON.stringify({ number: 42, pull_request: { number: 42 } }));
  return {
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: event,
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_API_URL: gh.url,
  };
}

/** v1 live with prune, then v2 built: a plan with uploads, a header fix, deletes and invalidation paths. */
async function liveV1ThenBuildV2(): Promise<void> {
  await writeSpa(site.dir, { version: 'v1' });
  expect((await deploy({ 'release-id': 'r1' })).error).toBeUndefined();
  await writeSpa(site.dir, { version: 'v2' });
  await e.control.clearRequests();
}

const PRUNE = { delete: 'prune', 'keep-releases': 1, retention: '0s', 'max-delete-percent': 100 } as const;

describe('plan: true', () => {
  test('reads everything, writes nothing; the summary lists uploads, header fixes, deletes and invalidation paths', async () => {
    await liveV1ThenBuildV2();
    const r = await deploy(
      { 'release-id': 'r2', plan: true, ...PRUNE, 'cache-control': 'robots.txt=public, max-age=60' },
      DAY,
    );
    expect(r.error).toBeUndefined();
    const log = await requests(e.control);
    expect(mutating(log)).toEqual([]);
    // read-only calls up to the first write: the listing, the previous record, the distribution
    expect(ops(log, 'ListObjectsV2')).toHaveLength(1);
    expect(ops(log, 'GetObject')).toHaveLength(1);
    expect(ops(log, 'GetDistribution')).toHaveLength(1);
    expect(r.outputs).toMatchObject({ uploaded: '4', 'metadata-updated': '1', deleted: '2', 'invalidation-id': '' });
    expect(r.summary).toContain('Plan: sync of s3://spa-site/site/ (release `r2`)');
    expect(r.summary).toMatch(/Dry run.*nothing was written, deleted or invalidated/);
    expect(r.summary).toMatch(/upload 4 files/);
    expect(r.summary).toMatch(/fix the headers of 1 file \(CopyObject/);
    expect(r.summary).toMatch(/delete 2 stale objects/);
    expect(r.summary).toMatch(/<summary>Uploads \(4\)<\/summary>/);
    expect(r.summary).toMatch(/\| `site\/robots\.txt` \| Cache-Control "no-cache" → "public, max-age=60" \|/);
    expect(r.summary).toMatch(/<summary>Deletes \(2\)<\/summary>/);
    expect(r.summary).toMatch(/<summary>Invalidation paths \(\d+\)<\/summary>[\s\S]*`\/site\/index\.html`/);
  });

  test('dry-run is the older name of plan', async () => {
    await liveV1ThenBuildV2();
    const r = await deploy({ 'release-id': 'r2', 'dry-run': true });
    expect(r.error).toBeUndefined();
    expect(r.summary).toContain('Plan: sync of');
    expect(mutating(await requests(e.control))).toEqual([]);
  });

  test('a rollback plan writes nothing and names the HTML it would restore', async () => {
    await writeSpa(site.dir, { version: 'v1' });
    await deploy({ 'release-id': 'r1' });
    const v2 = await writeSpa(site.dir, { version: 'v2' });
    await deploy({ 'release-id': 'r2' });
    await e.control.clearRequests();
    const r = await runMain({ prefix: 'site', 'distribution-id': DIST_ID, 'rollback-to': 'r1', plan: true });
    expect(r.error).toBeUndefined();
    expect(mutating(await requests(e.control))).toEqual([]);
    expect(r.summary).toContain('Plan: rollback of s3://spa-site/site/ to release `r1`');
    expect(r.summary).toMatch(/restore 2 HTML files of release `r1`/);
    expect(r.summary).toMatch(/<summary>Restores \(2\)<\/summary>/);
    expect(await getText(e.s3, 'site/index.html')).toBe(v2['index.html']);
  });
});

describe('comment: true on a pull request', () => {
  test('one comment, updated in place on the next run (never duplicated); still zero mutating AWS calls', async () => {
    await liveV1ThenBuildV2();
    const env = await pullRequestEnv();
    const first = await deploy({ 'release-id': 'r2', plan: true, comment: true, 'github-token': 'ghs_abc' }, 0, env);
    expect(first.error).toBeUndefined();
    const comments = () => gh.comments.get(42) ?? [];
    expect(comments()).toHaveLength(1);
    const body = comments()[0]!.body;
    expect(body.split('\n')[0]).toBe('<!-- deploy-actions: sync-spa-cloudfront s3://spa-site/site/ -->');
    expect(body).toContain('Plan: sync of s3://spa-site/site/ (release `r2`)');
    expect(body).toMatch(/upload 4 files/);

    // a new push to the pull request: the same comment, now with the new plan
    await writeFile(join(site.dir, 'robots.txt'), 'User-agent: *\nDisallow: /private\n');
    const second = await deploy({ 'release-id': 'r3', plan: true, comment: true, 'github-token': 'ghs_abc' }, 0, env);
    expect(second.error).toBeUndefined();
    expect(comments()).toHaveLength(1);
    expect(comments()[0]!.body).toContain('(release `r3`)');
    expect(comments()[0]!.body).toMatch(/upload 5 files/);
    expect(gh.requests.map((x) => x.method)).toEqual(['GET', 'POST', 'GET', 'PATCH']);
    expect(gh.requests.every((x) => x.authorization === 'token ghs_abc')).toBe(true);
    expect(mutating(await requests(e.control))).toEqual([]);
  });

  test('two sites planned in one pull request: a comment each', async () => {
    await writeSpa(site.dir, { version: 'v1' });
    const env = await pullRequestEnv();
    for (const prefix of ['site', 'admin']) {
      const r = await deploy({ prefix, plan: true, comment: true, 'github-token': 't' }, 0, env);
      expect(r.error).toBeUndefined();
    }
    expect((gh.comments.get(42) ?? []).map((c) => c.body.split('\n')[0])).toEqual([
      '<!-- deploy-actions: sync-spa-cloudfront s3://spa-site/site/ -->',
      '<!-- deploy-actions: sync-spa-cloudfront s3://spa-site/admin/ -->',
    ]);
  });

  test('not a pull request (push), or comment without plan: no GitHub call', async () => {
    await writeSpa(site.dir, { version: 'v1' });
    const push = { ...(await pullRequestEnv()), GITHUB_EVENT_NAME: 'push' };
    expect((await deploy({ plan: true, comment: true, 'github-token': 't' }, 0, push)).error).toBeUndefined();
    const pr = await pullRequestEnv();
    expect((await deploy({ 'release-id': 'r1', comment: true, 'github-token': 't' }, 0, pr)).error).toBeUndefined();
    expect(gh.requests).toEqual([]);
  });

  test('a read-only token (a fork): a warning, the plan still succeeds and is in the job summary', async () => {
    await writeSpa(site.dir, { version: 'v1' });
    gh.failWith(403);
    const r = await deploy({ plan: true, comment: true, 'github-token': 't' }, 0, await pullRequestEnv());
    expect(r.error).toBeUndefined();
    expect(r.summary).toContain('Plan: sync of');
    expect(gh.comments.size).toBe(0);
  });

  test('an empty github-token on a pull request is one error naming the input, nothing written', async () => {
    await writeSpa(site.dir, { version: 'v1' });
    const r = await deploy({ plan: true, comment: true, 'github-token': '' }, 0, await pullRequestEnv());
    expect(r.error?.message).toMatch(/comment: true needs a token/);
    expect((r.error as { input?: string }).input).toBe('github-token');
    expect(mutating(await requests(e.control))).toEqual([]);
  });
});
