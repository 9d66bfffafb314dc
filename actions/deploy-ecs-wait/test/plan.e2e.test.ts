// Plan mode, run as the runner runs the bundle: everything up to the first mutating call, then what a merge would
// change in the job summary and, on a pull request, in ONE comment updated in place (the workflow runner's GitHub
// API stand-in, which checks every request and response against GitHub's OpenAPI description and the token's
// permissions). The emulator's request log shows zero mutating calls.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type StandaloneGitHubApi, startGitHubApiStandIn } from '@deploy-actions/workflow-runner';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { IMAGE, markKnownGood, runBundle, seedServices, TD_ARN, taskDefFile, useTestEmulator } from './helpers';

const t = useTestEmulator(100);
let github: StandaloneGitHubApi;
beforeAll(async () => {
  github = await startGitHubApiStandIn('org/app');
});
afterAll(() => github?.stop());

function pullRequestEvent(number: number): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'pr-event-'));
  const path = join(dir, 'event.json');
  writeFileSync(path, JSON.stringify({ action: 'synchronize', number, pull_request: { number } }));
  return { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: path };
}

async function plan(inputs: Record<string, string>, extraEnv: Record<string, string> = {}) {
  const res = await runBundle(
    t,
    { services: 'api\nworker', plan: 'true', ...inputs },
    { env: { GITHUB_API_URL: github.url, ...extraEnv } },
  );
  return { res, mutating: res.mutating };
}

describe('plan: true (bundle)', () => {
  test('what a merge would change: revisions, the diff, images with digest and platform, the preflight; nothing changed', async () => {
    await seedServices(t.control, { services: ['api', 'worker'] });
    const { res, mutating } = await plan({ 'task-definition': taskDefFile('v2') });
    expect(res.errors).toEqual([]);
    expect(res.code).toBe(0);
    expect(mutating).toEqual([]);
    expect(res.outputs.status).toBe('planned');
    expect(JSON.parse(res.outputs.deployments!).api).toEqual({
      status: 'planned',
      taskDefinitionArn: null,
      previousTaskDefinitionArn: TD_ARN(1),
      change: 'register a new revision and deploy it',
    });
    expect(res.summary).toContain('## 📋 Plan (deploy-ecs-wait): deploy to app');
    expect(res.summary).toContain('Nothing was changed: this is what the deploy would do.');
    expect(res.summary).toMatch(
      /\| api +\| web:1 +\| web \(new revision\) +\| register a new revision and deploy it +\|/,
    );
    expect(res.summary).toContain('Task definition diff against what runs (api, worker)');
    expect(res.summary).toMatch(/-\s+"image": "000000000000\.dkr\.ecr\.us-east-1\.amazonaws\.com\/web:v1"/);
    expect(res.summary).toMatch(/\+\s+"image": "000000000000\.dkr\.ecr\.us-east-1\.amazonaws\.com\/web:v2"/);
    expect(res.summary).toContain('### Preflight');
    expect(res.summary).toMatch(
      /\| app +\| 000000000000\.dkr\.ecr\.us-east-1\.amazonaws\.com\/web:v2 \| sha256:[0-9a-f]{64} \| linux\/amd64 \|/,
    );
    expect(res.stdout).toContain('Plan written to the job summary: nothing was changed');
  });

  test('a preflight problem: the plan says the deploy would fail, the step fails, nothing changed', async () => {
    await seedServices(t.control, { services: ['api', 'worker'] });
    const { res, mutating } = await plan({ 'task-definition': taskDefFile('v4') });
    expect(res.code).toBe(1);
    expect(res.errors[0]).toMatch(/^Preflight, nothing changed: container app: tag v4 not found in ECR repository web/);
    expect(mutating).toEqual([]);
    expect(res.outputs.status).toBe('planned');
    expect(res.summary).toContain('❌ The preflight found 1 problem(s): this deploy would fail. Nothing was changed.');
  });

  test('a rollback plan names the revision it would return to', async () => {
    await seedServices(t.control, { services: ['api', 'worker'], extraImages: [IMAGE('v2')] });
    await markKnownGood(TD_ARN(2));
    const { res, mutating } = await plan({ 'rollback-to': 'known-good' });
    expect(res.code).toBe(0);
    expect(mutating).toEqual([]);
    expect(res.summary).toContain('## 📋 Plan (deploy-ecs-wait): rollback to app');
    expect(res.summary).toMatch(/\| api +\| web:1 +\| web:2 +\| roll back to web:2 +\|/);
  });

  test('comment: true on a pull request: one comment, created then updated in place, never duplicated', async () => {
    await seedServices(t.control, { services: ['api', 'worker'] });
    const token = github.token({ 'pull-requests': 'write' });
    const pr = pullRequestEvent(12);
    const first = await plan({ 'task-definition': taskDefFile('v2'), comment: 'true', 'github-token': token }, pr);
    expect(first.res.errors).toEqual([]);
    expect(first.mutating).toEqual([]);
    expect(first.res.stdout).toMatch(/Plan comment created on pull request #12: .*\/pull\/12#issuecomment-\d+/);
    const second = await plan({ 'task-definition': taskDefFile('v3'), comment: 'true', 'github-token': token }, pr);
    expect(second.res.stdout).toMatch(/Plan comment updated on pull request #12/);
    // another step's plan (other services) gets its own comment
    await seedServices(t.control, { services: ['api', 'worker', 'cron'] });
    await plan(
      {
        services: 'cron',
        'task-definition': taskDefFile('v2'),
        comment: 'true',
        'github-token': token,
      },
      pr,
    );
    const comments = github.api.state.comments.filter((c) => c.issueNumber === 12);
    expect(comments).toHaveLength(2);
    expect(comments[0]!.body).toMatch(/^<!-- deploy-actions: plan deploy-ecs-wait app api,worker -->\n## 📋 Plan/);
    expect(comments[0]!.body).toContain('web:v3');
    expect(comments[0]!.body).not.toContain('web:v2"');
    expect(comments[1]!.body).toMatch(/^<!-- deploy-actions: plan deploy-ecs-wait app cron -->/);
    expect(github.api.violations).toEqual([]);
    const ops = github.api.calls.map((c) => c.operationId);
    expect(ops.filter((o) => o === 'issues/create-comment')).toHaveLength(2);
    expect(ops.filter((o) => o === 'issues/update-comment')).toHaveLength(1);
    const printed = first.res.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'));
    expect(printed.join('\n')).not.toContain(token);
    expect(first.res.stdout).toContain(`::add-mask::${token}`);
  });

  test('comment: true without the permission, or not on a pull request: a warning, the plan still written', async () => {
    await seedServices(t.control, { services: ['api', 'worker'] });
    const td = taskDefFile('v2');
    const readOnly = await plan(
      { 'task-definition': td, comment: 'true', 'github-token': github.token() },
      pullRequestEvent(13),
    );
    expect(readOnly.res.code).toBe(0);
    expect(readOnly.res.stdout).toMatch(
      /::warning::Could not write the plan comment on pull request #13: HTTP 403 .*permissions: pull-requests: write/,
    );
    expect(readOnly.res.summary).toContain('📋 Plan');
    const push = await plan(
      { 'task-definition': td, comment: 'true', 'github-token': github.token({ 'pull-requests': 'write' }) },
      { GITHUB_EVENT_NAME: 'push' },
    );
    expect(push.res.code).toBe(0);
    expect(push.res.stdout).toContain(
      '::warning::comment: true, but no pull request comment was written: the event is push, not pull_request',
    );
    expect(github.api.state.comments.filter((c) => c.issueNumber === 13)).toEqual([]);
  });

  test('comment needs plan', async () => {
    await seedServices(t.control, { services: ['api', 'worker'] });
    const { res, mutating } = await plan({
      plan: 'false',
      comment: 'true',
      'task-definition': taskDefFile('v2'),
    });
    expect(res.code).toBe(1);
    expect(res.errors).toEqual([
      "Input 'comment': is true but plan is false: the comment carries the plan (set plan: true)",
    ]);
    expect(mutating).toEqual([]);
  });
});
