import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  checkLeastPrivilege,
  checkTaskDefinition,
  checkTrustPolicy,
  expectedSub,
  findRepoRoot,
  formatFindings,
  listActionDirs,
  loadYaml,
  policyActions,
  readmeIamActions,
  trustAllows,
} from '../src/index';
import { asRecord } from '../src/types';
import { jobsOf, triggersOf } from '../src/workflow';

// examples/<app>/: one pipeline per seed system. Caller workflows, task definition templates, IAM policies.
const root = findRepoRoot();
const examplesDir = join(root, 'examples');
const examples = readdirSync(examplesDir).filter((n) => n !== 'iam' && statSync(join(examplesDir, n)).isDirectory());
const fixtures = join(import.meta.dirname, 'fixtures', 'iam');
const json = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

/** The values a `with:` value takes over the job's matrix (`${{ matrix.x }}` expanded; other expressions kept). */
function expand(value: string, matrix: Record<string, unknown>): string[] {
  if (!value.includes('${{ matrix.')) return [value];
  const rows: Record<string, unknown>[] = Array.isArray(matrix.include) ? matrix.include.map(asRecord) : [];
  for (const [k, v] of Object.entries(matrix))
    if (k !== 'include' && Array.isArray(v)) for (const x of v) rows.push({ [k]: x });
  return rows.map((row) => value.replace(/\$\{\{\s*matrix\.([\w-]+)\s*\}\}/g, (_, k: string) => String(row[k] ?? '')));
}

test('one example per seed system (5 seeds)', () => {
  expect(examples.sort()).toEqual([
    'agent-saas-starter',
    'alva-platform',
    'expense-app',
    'kaapi-fastapi',
    'pikaia-django',
  ]);
});

describe.each(examples)('examples/%s', (app) => {
  const dir = join(examplesDir, app);
  const wf = (name: string) => loadYaml(join('examples', app, '.github', 'workflows', name), root);

  test('has the three caller workflows, a README, task definitions and both IAM policies', () => {
    for (const f of ['staging.yml', 'production.yml', 'rollback.yml'])
      expect(existsSync(join(dir, '.github', 'workflows', f)), f).toBe(true);
    for (const f of ['README.md', 'iam/deploy-role-policy.json', 'iam/trust-policy.json'])
      expect(existsSync(join(dir, f)), f).toBe(true);
    expect(walk(join(dir, 'task-definitions')).filter((f) => f.endsWith('.json')).length).toBeGreaterThan(0);
  });

  test.each([
    ['staging.yml', 'deploy-staging.yml'],
    ['production.yml', 'deploy-production.yml'],
    ['rollback.yml', 'rollback.yml'],
  ])('%s triggers right and calls %s', (file, callee) => {
    const w = wf(file);
    const on = triggersOf(w.doc);
    if (file === 'staging.yml') expect(asRecord(on.push).branches).toContain('main');
    if (file === 'production.yml') expect(asRecord(on.push).tags).toEqual(['v*']);
    if (file === 'rollback.yml') expect(Object.keys(on)).toEqual(['workflow_dispatch']);
    const calls = jobsOf(w.doc).filter((j) => j.uses);
    expect(calls.length).toBeGreaterThan(0);
    for (const j of calls) expect(j.uses).toBe(`deploy-actions/deploy-actions/.github/workflows/${callee}@v1`);
  });

  test('task-definition inputs name template files that exist', () => {
    for (const file of ['staging.yml', 'production.yml']) {
      for (const job of jobsOf(wf(file).doc)) {
        const td = asRecord(job.raw.with)['task-definition'];
        if (typeof td !== 'string') continue;
        for (const path of expand(td, asRecord(asRecord(job.raw.strategy).matrix))) {
          expect(existsSync(join(dir, path)), `${file}: ${path}`).toBe(true);
        }
      }
    }
  });

  test('task definitions are Fargate + awslogs + secrets from ARNs + health checks', () => {
    for (const file of walk(join(dir, 'task-definitions')).filter((f) => f.endsWith('.json'))) {
      const findings = checkTaskDefinition(json(file), file);
      expect(findings, formatFindings(findings)).toEqual([]);
    }
  });

  test('trust policy: GitHub OIDC, aud sts.amazonaws.com, exact environment subs', () => {
    const policy = json(join(dir, 'iam', 'trust-policy.json'));
    const findings = checkTrustPolicy(policy, 'trust-policy.json');
    expect(findings, formatFindings(findings)).toEqual([]);
    const subs = asRecord(asRecord(asRecord((asRecord(policy).Statement as unknown[])[0]).Condition).StringEquals)[
      'token.actions.githubusercontent.com:sub'
    ] as string[];
    const repository = /^repo:([^:]+):/.exec(subs[0] ?? '')?.[1] ?? '';
    for (const environment of ['staging', 'production']) {
      expect(trustAllows(policy, expectedSub({ repository, environment, event: 'push' })), environment).toBe(true);
    }
    // a job without an environment (sub ref:refs/heads/main) or another repository cannot assume the role
    expect(trustAllows(policy, expectedSub({ repository, ref: 'refs/heads/main' }))).toBe(false);
    expect(trustAllows(policy, expectedSub({ repository: 'evil/fork', environment: 'production' }))).toBe(false);
  });

  test('deploy role policy: least privilege, PassRole only on the task definitions roles, covers the actions used', () => {
    const policy = json(join(dir, 'iam', 'deploy-role-policy.json'));
    const roles = new Set<string>();
    for (const file of walk(join(dir, 'task-definitions')).filter((f) => f.endsWith('.json'))) {
      const td = asRecord(json(file));
      roles.add(String(td.taskRoleArn));
      roles.add(String(td.executionRoleArn));
    }
    const findings = checkLeastPrivilege(policy, 'deploy-role-policy.json', [...roles]);
    expect(findings, formatFindings(findings)).toEqual([]);
    const passRole = asRecord(
      (asRecord(policy).Statement as unknown[]).map(asRecord).find((s) => s.Action === 'iam:PassRole'),
    ).Resource as string[];
    expect(new Set(passRole)).toEqual(roles);
    // every action the reusable workflows use here needs its calls in the role
    // (deploy workflows: render-task-def + deploy-ecs; rollback: deploy-ecs-wait; SPA: sync-spa-cloudfront)
    const text = ['staging.yml', 'production.yml']
      .map((f) => readFileSync(join(dir, '.github', 'workflows', f), 'utf8'))
      .join('\n');
    const used = ['render-task-def', 'deploy-ecs', 'deploy-ecs-wait'];
    if (text.includes('migration-command:')) used.push('run-migration-task');
    if (text.includes('spa-bucket:')) used.push('sync-spa-cloudfront');
    const granted = policyActions(policy);
    for (const action of used) {
      for (const a of policyActions(json(join(examplesDir, 'iam', `${action}.json`)))) {
        expect(granted, `${action} needs ${a}`).toContain(a);
      }
    }
  });
});

describe('examples/iam/<action>.json: one least-privilege policy per action', () => {
  const actions = listActionDirs(root);
  test.each(actions)('%s', (action) => {
    const file = join(examplesDir, 'iam', `${action}.json`);
    expect(existsSync(file), file).toBe(true);
    const policy = json(file);
    const findings = checkLeastPrivilege(policy, `examples/iam/${action}.json`);
    expect(findings, formatFindings(findings)).toEqual([]);
    const readme = join(root, 'actions', action, 'README.md');
    const documented = existsSync(readme) ? readmeIamActions(readFileSync(readme, 'utf8')) : undefined;
    if (documented) expect([...policyActions(policy)].sort()).toEqual([...documented].sort());
  });
});

describe('negative fixtures', () => {
  test('a bad trust policy is reported', () => {
    const messages = checkTrustPolicy(json(join(fixtures, 'bad-trust.json')), 'bad-trust.json').map((f) => f.message);
    expect(messages.some((m) => m.includes('ForAllValues'))).toBe(true);
    expect(messages.some((m) => m.includes('aud'))).toBe(true);
    expect(messages.some((m) => m.includes('wildcard'))).toBe(true);
    expect(messages.some((m) => m.includes('must name one repository'))).toBe(true);
  });
  test('a broad deploy policy is reported', () => {
    const messages = checkLeastPrivilege(json(join(fixtures, 'bad-policy.json')), 'bad-policy.json', [
      'arn:aws:iam::123456789012:role/app-task-role',
    ]).map((f) => f.message);
    expect(messages).toEqual([
      'action ecs:* is a wildcard',
      'iam:PassRole must name the task and execution roles, not *',
      'iam:PassRole on *, which no task definition uses',
      'iam:PassRole needs Condition StringEquals iam:PassedToService = ecs-tasks.amazonaws.com',
      'iam:PassRole on arn:aws:iam::123456789012:role/admin, which no task definition uses',
      'NotAction / NotResource grant too much',
    ]);
  });
  test('a bad task definition is reported', () => {
    const where = checkTaskDefinition(json(join(fixtures, 'bad-task-definition.json')), 'bad.json').map((f) => f.where);
    for (const w of [
      'requiresCompatibilities',
      'networkMode',
      'cpu/memory',
      'executionRoleArn',
      'taskRoleArn',
      'containerDefinitions[web].secrets[API_TOKEN]',
      'containerDefinitions[web].environment[DB_PASSWORD]',
    ]) {
      expect(where).toContain(w);
    }
    expect(where.filter((w) => w === 'containerDefinitions[web]').length).toBe(2); // awslogs + healthCheck
  });
  test('expectedSub follows GitHub: environment first, then pull_request, then ref; immutable form', () => {
    expect(expectedSub({ repository: 'o/r', environment: 'production', ref: 'refs/tags/v1.0.0' })).toBe(
      'repo:o/r:environment:production',
    );
    expect(expectedSub({ repository: 'o/r', event: 'pull_request' })).toBe('repo:o/r:pull_request');
    expect(expectedSub({ repository: 'o/r', ref: 'refs/tags/v1.0.0' })).toBe('repo:o/r:ref:refs/tags/v1.0.0');
    expect(expectedSub({ repository: 'o/r', environment: 'staging', immutable: { ownerId: '1', repoId: '2' } })).toBe(
      'repo:o@1/r@2:environment:staging',
    );
  });
  test('readmeIamActions reads the JSON block under an IAM heading', () => {
    const md =
      '# x\n\n## IAM policy\n\n```json\n{"Statement":[{"Effect":"Allow","Action":["ecs:RunTask"],"Resource":"*"}]}\n```\n\n## Next\n';
    expect([...(readmeIamActions(md) ?? [])]).toEqual(['ecs:runtask']);
    expect(readmeIamActions('# x\n\nno iam')).toBeUndefined();
  });
});
