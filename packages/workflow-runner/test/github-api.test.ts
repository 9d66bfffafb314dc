// The stand-in GitHub API: the calls tag-release-deploy makes answer in GitHub's shapes, and a request or a response
// that does not match GitHub's OpenAPI description fails loudly (422 / 500, a violation that fails the run).
import { describe, expect, test } from 'vitest';
import { GitHubApi } from '../src/github-api/server.ts';
import { startGitHubApiStandIn } from '../src/github-api/standalone.ts';
import { REPOSITORY_DEFAULT } from '../src/jobs/permissions.ts';
import { prepareAppRepo } from '../src/repo/app-repo.ts';
import { OidcIssuer } from '../src/standins/oidc-token.ts';
import { appRepo, run, tempDir } from './helpers.ts';

async function api() {
  const dir = appRepo({ 'a.txt': 'a\n' });
  const app = prepareAppRepo({ dir, stateDir: tempDir(), ref: 'v1.0.0', refType: 'tag' });
  const gh = new GitHubApi({ repository: 'acme/app', app, oidc: new OidcIssuer() });
  await gh.start();
  const token = gh.issueToken({ ...REPOSITORY_DEFAULT, contents: 'write', deployments: 'write' });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${gh.url}${path}`, {
      method,
      headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & Array<Record<string, unknown>> };
  };
  return { gh, app, call };
}

describe('GitHub API stand-in', () => {
  test('tags, deployments and statuses, releases in GitHub shapes', async () => {
    const { gh, app, call } = await api();
    const tags = await call('GET', '/repos/acme/app/tags?per_page=100');
    expect(tags.body.map((t) => [t.name, (t.commit as { sha: string }).sha])).toEqual([['v1.0.0', app.sha]]);
    expect((await call('GET', '/repos/acme/app/git/ref/tags/v1.0.0')).body.object).toMatchObject({ sha: app.sha });
    const d = await call('POST', '/repos/acme/app/deployments', {
      ref: 'v1.0.0',
      environment: 'production',
      auto_merge: false,
      required_contexts: [],
    });
    expect(gh.violations).toEqual([]);
    expect(d.status).toBe(201);
    const s = await call('POST', `/repos/acme/app/deployments/${d.body.id}/statuses`, {
      state: 'success',
      environment_url: 'https://app.example.com',
    });
    expect([s.status, gh.violations]).toEqual([201, []]);
    const notes = await call('POST', '/repos/acme/app/releases/generate-notes', { tag_name: 'v1.0.0' });
    const created = await call('POST', '/repos/acme/app/releases', {
      tag_name: 'v1.0.0',
      name: 'v1.0.0',
      body: notes.body.body,
    });
    expect(created.status).toBe(201);
    expect((await call('POST', '/repos/acme/app/releases', { tag_name: 'v1.0.0' })).status).toBe(422);
    expect((await call('GET', '/repos/acme/app/releases/tags/v1.0.0')).body.id).toBe(created.body.id);
    expect((await call('GET', '/repos/acme/app/releases/tags/v9.9.9')).status).toBe(404);
    expect((await call('PATCH', `/repos/acme/app/releases/${created.body.id}`, { body: 'new' })).body.body).toBe('new');
    const cmp = await call('GET', `/repos/acme/app/compare/${app.sha}...${app.sha}`);
    expect([cmp.body.status, gh.violations]).toEqual(['identical', []]);
    expect(gh.violations).toEqual([]);
    await gh.stop();
  });

  test('a request that does not match the description is refused (422) and recorded', async () => {
    const { gh, call } = await api();
    const r = await call('POST', '/repos/acme/app/deployments', { ref: 'v1.0.0', required_contexts: 'none' });
    expect(r.status).toBe(422);
    expect(r.body.message).toContain(
      "repos/create-deployment request does not match GitHub's OpenAPI description: request body: /required_contexts must be array",
    );
    expect((await call('GET', '/repos/acme/app/tags?colour=blue')).status).toBe(422);
    expect(gh.violations).toHaveLength(2);
    await gh.stop();
  });

  test('a response that does not match the description is refused (500) and recorded', async () => {
    const { gh, call } = await api();
    gh.overrides.set('repos/list-tags', () => ({ status: 200, body: [{ name: 'v1.0.0' }] }));
    const r = await call('GET', '/repos/acme/app/tags');
    expect(r.status).toBe(500);
    expect(r.body.message).toContain(
      "repos/list-tags response does not match GitHub's OpenAPI description: response 200 body:",
    );
    expect(r.body.message).toContain("/0 must have required property 'commit'");
    gh.overrides.set('repos/get-release-by-tag', () => ({ status: 418, body: {} }));
    expect((await call('GET', '/repos/acme/app/releases/tags/v1')).body.message).toContain(
      'status 418 is not a documented response',
    );
    expect(gh.violations).toHaveLength(2);
    await gh.stop();
  });

  test('the job token carries its permissions; unknown paths are violations', async () => {
    const { gh } = await api();
    const readOnly = gh.issueToken(REPOSITORY_DEFAULT);
    const res = await fetch(`${gh.url}/repos/acme/app/releases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${readOnly}` },
      body: JSON.stringify({ tag_name: 'v1.0.0' }),
    });
    expect(res.status).toBe(403);
    const unknown = await fetch(`${gh.url}/repos/acme/app/not-an-endpoint`, {
      headers: { authorization: `Bearer ${readOnly}` },
    });
    expect(unknown.status).toBe(404);
    expect(gh.violations).toEqual([
      "GET /repos/acme/app/not-an-endpoint: no such operation in GitHub's REST API description",
    ]);
    await gh.stop();
  });

  test('pull request comments: list, create, update in place; issues or pull-requests write needed', async () => {
    const standin = await startGitHubApiStandIn('acme/app');
    try {
      const call = async (token: string, method: string, path: string, body?: unknown) => {
        const res = await fetch(`${standin.url}${path}`, {
          method,
          headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        return {
          status: res.status,
          body: (await res.json()) as Record<string, unknown> & Array<Record<string, unknown>>,
        };
      };
      const writer = standin.token({ 'pull-requests': 'write' });
      const created = await call(writer, 'POST', '/repos/acme/app/issues/7/comments', { body: 'plan v1' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ body: 'plan v1', user: { login: 'github-actions[bot]' } });
      expect(created.body.html_url).toMatch(/\/pull\/7#issuecomment-\d+$/);
      await call(writer, 'POST', '/repos/acme/app/issues/8/comments', { body: 'other PR' });
      const listed = await call(writer, 'GET', '/repos/acme/app/issues/7/comments?per_page=100');
      expect(listed.body.map((c) => c.body)).toEqual(['plan v1']);
      const updated = await call(writer, 'PATCH', `/repos/acme/app/issues/comments/${created.body.id}`, {
        body: 'plan v2',
      });
      expect([updated.status, updated.body.body, updated.body.id]).toEqual([200, 'plan v2', created.body.id]);
      expect(standin.api.state.comments.map((c) => [c.issueNumber, c.body])).toEqual([
        [7, 'plan v2'],
        [8, 'other PR'],
      ]);
      // issues: write works as well; contents: read only does not
      expect(
        (await call(standin.token({ issues: 'write' }), 'POST', '/repos/acme/app/issues/7/comments', { body: 'b' }))
          .status,
      ).toBe(201);
      const refused = await call(standin.token(), 'POST', '/repos/acme/app/issues/7/comments', { body: 'c' });
      expect(refused.status).toBe(403);
      expect(refused.body.message).toContain('needs issues: write or pull-requests: write');
      // a body GitHub would refuse is a violation
      expect((await call(writer, 'POST', '/repos/acme/app/issues/7/comments', { text: 'no body' })).status).toBe(422);
      expect(standin.api.violations).toHaveLength(1);
    } finally {
      await standin.stop();
    }
  });

  test('a violation made by a step fails the run', async () => {
    const dir = appRepo({
      '.github/workflows/w.yml': `on: push
permissions: { contents: write }
jobs:
  a:
    runs-on: x
    steps:
      - env:
          TOKEN: \${{ github.token }}
        run: |
          curl -s -o /dev/null -w '%{http_code}\\n' -H "Authorization: token $TOKEN" -X POST "$GITHUB_API_URL/repos/$GITHUB_REPOSITORY/releases" -d '{"tag_name": 5}'
`,
    });
    const r = await run(dir, 'w.yml');
    expect(r.log).toContain('[a] 422');
    expect(r.conclusion).toBe('failure');
    expect(r.violations?.[0]).toContain('repos/create-release request does not match');
  });
});
