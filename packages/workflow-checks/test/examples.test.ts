import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  checkCallerRoles,
  checkLeastPrivilege,
  checkRoleIsolation,
  checkRoleTrust,
  checkRollbackConcurrency,
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
  const text = (name: string) => readFileSync(join(dir, '.github', 'workflows', name), 'utf8');
  // the roles: iam/<prefix>-<environment>-deploy
  const roles = readdirSync(join(dir, 'iam')).flatMap((name) => {
    const m = /^(.+)-(staging|production)-deploy$/.exec(name);
    return m?.[2] ? [{ name, environment: m[2] }] : [];
  });
  const repository =
    /^repo:([^:]+):/.exec(
      String(
        asRecord(
          asRecord(
            asRecord(
              (asRecord(json(join(dir, 'iam', roles[0]?.name ?? '', 'trust-policy.json'))).Statement as unknown[])[0],
            ).Condition,
          ).StringEquals,
        )['token.actions.githubusercontent.com:sub'],
      ),
    )?.[1] ?? '';
  /**
   * Task definitions as registered for an environment: committed templates (`task-definitions/<env>/`) or, where
   * infrastructure code owns them (CDK, Terraform), what it registers (`<iac folder>/task-definitions/<env>/`).
   */
  const taskDefinitions = (environment?: string): string[] =>
    walk(dir).filter((f) => {
      const rel = f.slice(dir.length + 1);
      return (
        !rel.startsWith('.github/') &&
        f.endsWith('.json') &&
        (environment ? rel.includes(`task-definitions/${environment}/`) : /(^|\/)task-definitions\//.test(rel))
      );
    });
  /** The actions the workflows run with this environment's role (deploy workflows, rollback, SPA, release). */
  const actionsRunIn = (environment: string): string[] => {
    const deploy = text(environment === 'staging' ? 'staging.yml' : 'production.yml');
    const used = ['render-task-def', 'deploy-ecs', 'deploy-ecs-wait'];
    // staging builds; production promotes and builds what staging never did (build-push-ecr's skip-existing)
    if (deploy.includes('build-context:')) used.push('build-push-ecr');
    if (deploy.includes('migration-command:')) used.push('run-migration-task');
    if (deploy.includes('spa-bucket:') || text('rollback.yml').includes('spa-bucket:'))
      used.push('sync-spa-cloudfront');
    if (deploy.includes('/deploy-release.yml@') && deploy.includes('ecr-repositories:'))
      used.push('tag-release-deploy');
    return used;
  };

  test('has the three caller workflows, a README, task definitions and one IAM role per environment', () => {
    for (const f of ['staging.yml', 'production.yml', 'rollback.yml'])
      expect(existsSync(join(dir, '.github', 'workflows', f)), f).toBe(true);
    expect(existsSync(join(dir, 'README.md'))).toBe(true);
    expect(taskDefinitions('staging').length).toBeGreaterThan(0);
    expect(taskDefinitions('production').length).toBeGreaterThan(0);
    // iam/<prefix>-<environment>-deploy/{trust-policy,deploy-role-policy}.json, nothing else (no shared role)
    expect(readdirSync(join(dir, 'iam')).sort()).toEqual(roles.map((r) => r.name).sort());
    for (const role of roles) {
      expect(readdirSync(join(dir, 'iam', role.name)).sort()).toEqual(['deploy-role-policy.json', 'trust-policy.json']);
    }
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
    for (const j of calls) {
      // production may also release the tag (deploy-release.yml, after its deploy)
      const allowed = [callee, ...(file === 'production.yml' ? ['deploy-release.yml'] : [])];
      expect(allowed.map((c) => `deploy-actions/deploy-actions/.github/workflows/${c}@v1`)).toContain(j.uses);
    }
    expect(calls.some((j) => j.uses === `deploy-actions/deploy-actions/.github/workflows/${callee}@v1`)).toBe(true);
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

  test('task-definition-family inputs name families registered for that environment', () => {
    for (const [file, environment] of [
      ['staging.yml', 'staging'],
      ['production.yml', 'production'],
    ] as const) {
      const families = new Set(taskDefinitions(environment).map((f) => String(asRecord(json(f)).family)));
      for (const job of jobsOf(wf(file).doc)) {
        const family = asRecord(job.raw.with)['task-definition-family'];
        if (typeof family !== 'string') continue;
        for (const name of expand(family, asRecord(asRecord(job.raw.strategy).matrix))) {
          expect(families, `${file}: ${name}`).toContain(name);
        }
      }
    }
  });

  test('URLs of the environments come from repository variables, not literals (forks and local runs set them)', () => {
    for (const file of ['staging.yml', 'production.yml', 'rollback.yml']) {
      for (const job of jobsOf(wf(file).doc)) {
        for (const key of ['health-check-url', 'smoke-test-env']) {
          const value = asRecord(job.raw.with)[key];
          if (typeof value !== 'string') continue;
          expect(value, `${file} jobs.${job.id} ${key}`).toMatch(/\$\{\{[^}]*\bvars\./);
          expect(value, `${file} jobs.${job.id} ${key}`).not.toMatch(/https?:\/\//);
        }
      }
    }
  });

  test('task definitions are Fargate + awslogs + secrets from ARNs + health checks', () => {
    for (const file of taskDefinitions()) {
      const findings = checkTaskDefinition(json(file), file);
      expect(findings, formatFindings(findings)).toEqual([]);
    }
  });

  describe.each(['staging', 'production'])('the %s role', (environment) => {
    const role = roles.find((r) => r.environment === environment)!;
    const others = roles.filter((r) => r !== role);
    const file = (name: string) => join(dir, 'iam', role.name, name);

    test('trust policy: GitHub OIDC, aud sts.amazonaws.com, exactly this environment', () => {
      const policy = json(file('trust-policy.json'));
      const findings = [
        ...checkTrustPolicy(policy, 'trust-policy.json'),
        ...checkRoleTrust(policy, 'trust-policy.json', environment),
      ];
      expect(findings, formatFindings(findings)).toEqual([]);
      expect(trustAllows(policy, expectedSub({ repository, environment, event: 'push' }))).toBe(true);
      // the other environment, a job without an environment (sub ref:refs/heads/main), another repository: refused
      for (const other of others) {
        expect(trustAllows(policy, expectedSub({ repository, environment: other.environment }))).toBe(false);
      }
      expect(trustAllows(policy, expectedSub({ repository, ref: 'refs/heads/main' }))).toBe(false);
      expect(trustAllows(policy, expectedSub({ repository: 'evil/fork', environment }))).toBe(false);
    });

    test('permissions: least privilege, only this environment, PassRole on its task roles, the actions it runs', () => {
      const policy = json(file('deploy-role-policy.json'));
      const taskRoles = new Set<string>();
      for (const td of taskDefinitions(environment)) {
        taskRoles.add(String(asRecord(json(td)).taskRoleArn));
        taskRoles.add(String(asRecord(json(td)).executionRoleArn));
      }
      const findings = [
        ...checkLeastPrivilege(policy, 'deploy-role-policy.json', [...taskRoles]),
        ...checkRoleIsolation(
          policy,
          'deploy-role-policy.json',
          environment,
          others.map((o) => ({
            environment: o.environment,
            policy: json(join(dir, 'iam', o.name, 'deploy-role-policy.json')),
          })),
        ),
      ];
      expect(findings, formatFindings(findings)).toEqual([]);
      const passed = (asRecord(policy).Statement as unknown[])
        .map(asRecord)
        .filter((st) => st.Action === 'iam:PassRole')
        .flatMap((st) => [st.Resource].flat().map(String));
      expect(new Set(passed)).toEqual(taskRoles);
      // every action this environment's callers run needs its calls in the role
      const granted = policyActions(policy);
      for (const action of actionsRunIn(environment)) {
        for (const a of policyActions(json(join(examplesDir, 'iam', `${action}.json`)))) {
          expect(granted, `${action} needs ${a}`).toContain(a);
        }
      }
    });
  });

  test.each(['staging.yml', 'production.yml', 'rollback.yml'])('%s passes each environment its own role', (name) => {
    const findings = checkCallerRoles(wf(name), dir);
    expect(findings, formatFindings(findings)).toEqual([]);
  });

  test('a rollback shares its concurrency groups with the deploys of its environment', () => {
    const findings = checkRollbackConcurrency(
      ['staging.yml', 'production.yml', 'rollback.yml'].map((f) => wf(f)),
      root,
    );
    expect(findings, formatFindings(findings)).toEqual([]);
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
  const apps = join(import.meta.dirname, 'fixtures', 'apps');
  const app = (name: string, file: string) => loadYaml(join(apps, name, '.github', 'workflows', file));

  test('a trust policy naming two environments, or a branch, is not one role per environment', () => {
    const two = checkRoleTrust(json(join(fixtures, 'trust-two-environments.json')), 'x.json', 'staging');
    expect(two.map((f) => f.message)).toEqual([
      'trusts environment(s) production, staging: the staging role trusts exactly repo:<owner>/<repo>:environment:staging (one role per environment)',
    ]);
    const branch = checkRoleTrust(json(join(fixtures, 'trust-branch.json')), 'x.json', 'staging');
    expect(branch.map((f) => f.message)).toEqual([
      'sub repo:acme/app:ref:refs/heads/main is not one environment: a job outside staging could assume the role',
    ]);
    expect(checkRoleTrust(json(join(fixtures, 'trust-two-environments.json')), 'x.json', 'production')).toHaveLength(1);
  });

  test('a staging policy that names a production resource is reported', () => {
    const findings = checkRoleIsolation(
      json(join(fixtures, 'staging-policy-names-production.json')),
      'x.json',
      'staging',
      [{ environment: 'production', policy: { Statement: [] } }],
    );
    expect(findings.map((f) => `${f.where}: ${f.message}`)).toEqual([
      "Statement[0] (UpdateServices): arn:aws:ecs:us-east-1:123456789012:service/app-production/app-production-api names production ('production'): the staging role names only staging",
      "Statement[1] (ListTasks): arn:aws:ecs:us-east-1:123456789012:cluster/app-prod names production ('prod'): the staging role names only staging",
    ]);
  });

  test("a resource of the production role planted in an example's staging role is reported", () => {
    const iam = join(examplesDir, 'pikaia-django', 'iam');
    const staging = asRecord(json(join(iam, 'pikaia-staging-deploy', 'deploy-role-policy.json')));
    const production = json(join(iam, 'pikaia-production-deploy', 'deploy-role-policy.json'));
    const planted = structuredClone(staging);
    const invalidate = (planted.Statement as Record<string, unknown>[]).find((st) => st.Sid === 'SpaInvalidate')!;
    invalidate.Resource = [invalidate.Resource, 'arn:aws:cloudfront::123456789012:distribution/E2PIKAIAPROD'].flat();
    const others = [{ environment: 'production', policy: production }];
    expect(checkRoleIsolation(staging, 'x.json', 'staging', others)).toEqual([]);
    expect(checkRoleIsolation(planted, 'x.json', 'staging', others).map((f) => f.message)).toEqual([
      "arn:aws:cloudfront::123456789012:distribution/E2PIKAIAPROD is also in the production role: each environment's resources in one role only",
    ]);
  });

  test('a caller that hands the production role to staging, or one role to both, is reported', () => {
    const dir = join(apps, 'wrong-role');
    expect(checkCallerRoles(app('wrong-role', 'staging.yml'), dir).map((f) => f.message)).toEqual([
      'environment staging gets role app-production-deploy: expected the staging role (<prefix>-staging-deploy)',
      'environment staging gets role app-production-deploy, whose trust policy names production',
    ]);
    expect(checkCallerRoles(app('wrong-role', 'rollback.yml'), dir).map((f) => f.message)).toEqual([
      'environment production gets role app-staging-deploy: expected the production role (<prefix>-production-deploy)',
      'environment production gets role app-staging-deploy, whose trust policy names staging',
    ]);
  });

  test('a rollback with its own concurrency groups is reported (the agent-saas-starter / expense-app bug)', () => {
    const findings = checkRollbackConcurrency(
      [app('rollback-own-group', 'staging.yml'), app('rollback-own-group', 'rollback.yml')],
      root,
    );
    expect(findings.map((f) => f.message)).toEqual([
      'the staging rollback runs under app-rollback-staging, the staging deploys under app-staging-pipeline: share one group so a rollback never runs during a deploy',
      "the staging rollback holds deploy-actions-staging-rollback, which no staging deploy holds (deploy-actions-staging-api, deploy-actions-staging-web): pass the deploy's concurrency-key",
    ]);
  });

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
