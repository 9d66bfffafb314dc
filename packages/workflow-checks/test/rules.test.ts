import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { actionlint, checkCrossFile, checkSecurity, formatFindings, loadYaml } from '../src/index';

// Negative fixtures: each file in test/fixtures/workflows names on its first line the rule it must trip
// (`# <rule>: why`); good.yml trips none. test/fixtures/repo stands in for this repository: its package.json says
// it is fixture-owner/fixture-actions at 2.3.4, so nothing here depends on the real owner or version.
const fixtures = join(import.meta.dirname, 'fixtures');
const repo = join(fixtures, 'repo');
const load = (name: string) => loadYaml(join(fixtures, 'workflows', name));
const bad = readdirSync(join(fixtures, 'workflows'))
  .filter((f) => f !== 'good.yml' && f !== 'actionlint-errors.yml')
  .sort();

const check = (name: string) => {
  const wf = load(name);
  return [...checkSecurity(wf, repo), ...checkCrossFile(wf, repo)];
};

test('the good fixture passes every rule', () => {
  const findings = check('good.yml');
  expect(findings, formatFindings(findings)).toEqual([]);
});

test('each rule has a negative fixture', () => {
  const rules = new Set(
    bad.map((f) => /^#\s*([a-z-]+)/.exec(readFileSync(join(fixtures, 'workflows', f), 'utf8'))?.[1]),
  );
  for (const rule of [
    'pinned-uses',
    'pinned-uses-comment',
    'no-expression-in-run',
    'no-secrets-inherit',
    'dangerous-trigger',
    'permissions-declared',
    'permissions-read-only',
    'id-token-scope',
    'id-token-missing',
    'checkout-persist-credentials',
    'concurrency',
    'concurrency-distinct',
    'no-cache-in-release',
    'id-token-no-build',
    'self-reference-repo',
    'self-reference-version',
    'action-exists',
    'action-input-unknown',
    'action-input-required',
    'workflow-exists',
    'workflow-callable',
    'workflow-input-unknown',
    'workflow-input-required',
    'workflow-input-type',
    'workflow-secret-unknown',
    'workflow-secret-required',
    'deploy-task-definition-source',
    'smoke-test-env',
    'rollback-desired-count',
  ]) {
    expect(rules, rule).toContain(rule);
  }
});

describe('each negative fixture trips its rule', () => {
  test.each(bad)('%s', (name) => {
    const rule = /^#\s*([a-z-]+)/.exec(readFileSync(join(fixtures, 'workflows', name), 'utf8'))?.[1];
    expect(rule, `${name} must start with '# <rule>:'`).toBeTruthy();
    const findings = check(name);
    expect(
      findings.map((f) => f.rule),
      formatFindings(findings),
    ).toContain(rule);
  });
});

test('our own reusable workflows must name the exact release; callers may name its major', () => {
  const exact = checkSecurity(load('good.yml'), repo, { selfReferences: 'exact' }).filter(
    (f) => f.rule === 'self-reference-version',
  );
  expect(exact.map((f) => f.message)).toEqual([
    'fixture-owner/fixture-actions/.github/workflows/callee.yml@v2 is @v2; this release is v2.3.4 (package.json "version"), so use @v2.3.4',
    'fixture-owner/fixture-actions/actions/demo@v2 is @v2; this release is v2.3.4 (package.json "version"), so use @v2.3.4',
  ]);
  const other = check('self-reference-owner.yml').find((f) => f.rule === 'self-reference-repo');
  expect(other?.message).toBe(
    'org/fixture-actions/demo@v2 names org/fixture-actions, but this repository is fixture-owner/fixture-actions (package.json "repository")',
  );
});

test('a short path that was never generated is reported', () => {
  const findings = checkCrossFile(
    { path: 'x.yml', text: '', doc: { jobs: { a: { steps: [{ uses: 'fixture-owner/fixture-actions/broken@v2' }] } } } },
    repo,
  ).filter((f) => f.rule === 'action-exists');
  // actions/broken/action.yml exists, the generated broken/action.yml does not
  expect(findings.map((f) => f.message)).toEqual([
    'fixture-owner/fixture-actions/broken@v2: the short path broken/action.yml does not exist',
  ]);
});

test('the required-input rule ignores inputs that have a default', () => {
  const findings = check('action-missing-required.yml').filter((f) => f.rule === 'action-input-required');
  expect(findings.map((f) => f.message)).toEqual(["demo requires input 'cluster'"]);
});

test('actionlint reports untrusted input in a script and a bad needs', async () => {
  const name = 'actionlint-errors.yml';
  const findings = await actionlint(readFileSync(join(fixtures, 'workflows', name), 'utf8'), name);
  const kinds = findings.map((f) => f.rule);
  expect(kinds, formatFindings(findings)).toContain('actionlint:expression');
  expect(kinds, formatFindings(findings)).toContain('actionlint:job-needs');
});

test('actionlint passes the good fixture', async () => {
  const findings = await actionlint(readFileSync(join(fixtures, 'workflows', 'good.yml'), 'utf8'), 'good.yml');
  expect(findings, formatFindings(findings)).toEqual([]);
});

test('calls of our deploy workflows: one task definition source, something to deploy, a desired count that can work', () => {
  const messages = (name: string) =>
    check(name)
      .filter((f) => ['deploy-task-definition-source', 'smoke-test-env', 'rollback-desired-count'].includes(f.rule))
      .map((f) => f.message);
  expect(messages('deploy-no-task-definition.yml')).toEqual([
    'services need a task definition: pass task-definition (a template file) or task-definition-family (the family your infrastructure code registers)',
  ]);
  expect(messages('deploy-two-task-definitions.yml')).toEqual([
    'pass task-definition or task-definition-family, not both: one source of truth for the task definition',
  ]);
  expect(messages('deploy-nothing.yml')).toEqual([
    'this call deploys nothing: pass services (an ECS deploy) or spa-directory (an SPA release)',
  ]);
  expect(messages('rollback-desired-count-word.yml')).toEqual(['desired-count "none" is not a whole number ≥ 0']);
  expect(messages('rollback-desired-count-health.yml')).toEqual([
    'desired-count 0 stops every task, so health-check-url can never answer: leave it out of this call',
  ]);
  // the fixes pass
  const fixed = checkCrossFile(
    {
      path: 'x.yml',
      text: '',
      doc: {
        jobs: {
          a: {
            uses: 'fixture-owner/fixture-actions/.github/workflows/deploy-staging.yml@v2',
            with: { cluster: 'app', services: 'api', 'task-definition-family': 'app-api' },
            secrets: { role: 'r' },
          },
          b: {
            uses: 'fixture-owner/fixture-actions/.github/workflows/rollback.yml@v2',
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression
            with: { services: 'api', 'desired-count': '${{ inputs.count }}' },
            secrets: { role: 'r' },
          },
        },
      },
    },
    repo,
  );
  expect(fixed, formatFindings(fixed)).toEqual([]);
});
