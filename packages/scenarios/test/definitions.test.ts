// The scenario definitions themselves (no emulator): the fifteen seed workflows are all there, the failure scenarios
// of #11 are covered, and every repository variable an example's workflows read is provided by its system.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { AppHost, type Probe, SYSTEMS } from '../src/index.ts';
import { EXAMPLES } from '../src/systems/common.ts';

const all = SYSTEMS.flatMap((s) => s.scenarios.map((sc) => ({ system: s, scenario: sc })));

test('five seed systems, one per example, in seed order', () => {
  expect(SYSTEMS.map((s) => [s.seed, s.app])).toEqual([
    ['000', 'pikaia-django'],
    ['001', 'kaapi-fastapi'],
    ['002', 'agent-saas-starter'],
    ['003', 'alva-platform'],
    ['004', 'expense-app'],
  ]);
});

test('the fifteen seed workflows: staging on a push to main, production on a v* tag, rollback by dispatch', () => {
  const seeds = all.filter((x) => x.scenario.kind === 'seed');
  expect(seeds.map((x) => `${x.system.app}/${x.scenario.workflow}:${x.scenario.event}`).sort()).toEqual(
    SYSTEMS.flatMap((s) => [
      `${s.app}/production.yml:tag`,
      `${s.app}/rollback.yml:dispatch`,
      `${s.app}/staging.yml:push`,
    ]).sort(),
  );
  for (const x of seeds) if (x.scenario.event === 'tag') expect(x.scenario.ref).toMatch(/^v\d+\.\d+\.\d+$/);
});

test('the failure scenarios of #11 are covered', () => {
  const failures = all.filter((x) => x.scenario.kind === 'failure').map((x) => x.scenario);
  const ids = failures.map((s) => s.id);
  expect(ids).toEqual(
    expect.arrayContaining([
      'alva/crash-loop',
      'kaapi/migration-fails',
      'pikaia/spa-build-fails',
      'kaapi/hotfix-tag',
      'expense-app/smoke-test-fails',
    ]),
  );
  // a crash loop, a failed migration, a failed SPA build and a failed smoke test fail the run with a root cause
  for (const s of failures.filter((f) => f.id !== 'kaapi/hotfix-tag')) {
    expect(s.expect.conclusion, s.id).toBe('failure');
    expect(s.expect.rootCause, s.id).toBeInstanceOf(RegExp);
  }
  // a tag on a commit staging never built is not a failure
  expect(failures.find((s) => s.id === 'kaapi/hotfix-tag')?.expect.conclusion).toBe('success');
  // dispatch rollbacks of ECS and of the SPA
  const rollbacks = all.filter((x) => x.scenario.workflow === 'rollback.yml').map((x) => x.scenario);
  expect(rollbacks.some((s) => s.inputs?.['spa-release'] === 'previous')).toBe(true);
  expect(rollbacks.filter((s) => s.inputs?.['rollback-to']).length).toBeGreaterThanOrEqual(5);
});

test('scenario ids are unique and each expects something of the AWS end state', () => {
  const ids = all.map((x) => x.scenario.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const x of all) {
    expect(x.scenario.id.startsWith(`${x.system.app.split('-')[0]}`), x.scenario.id).toBe(true);
    expect(x.scenario.expect.checks.length, x.scenario.id).toBeGreaterThan(0);
  }
});

describe.each(SYSTEMS.map((s) => [s.app, s] as const))('%s', (app, system) => {
  test('every vars.X its workflows read is set, and every URL variable points at a site of the app host', () => {
    const host = new AppHost({} as Probe);
    host.url = 'http://127.0.0.1:1';
    const vars = system.vars(host);
    for (const file of ['staging.yml', 'production.yml', 'rollback.yml']) {
      const text = readFileSync(join(EXAMPLES, app, '.github', 'workflows', file), 'utf8');
      for (const m of text.matchAll(/\bvars\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
        expect(Object.keys(vars), `${file} reads vars.${m[1]}`).toContain(m[1]);
      }
    }
    const sites = new Set(system.sites.map((s) => s.name));
    for (const [k, v] of Object.entries(vars)) {
      if (!v.startsWith(host.url)) continue;
      const name = v.slice(host.url.length + 1);
      if (name.includes('{0}')) {
        for (const s of sites) if (new RegExp(`^${name.replace('{0}', '[a-z]+')}$`).test(s)) expect(s).toBeTruthy();
        expect(
          [...sites].some((s) => new RegExp(`^${name.replace('{0}', '[a-z]+')}$`).test(s)),
          k,
        ).toBe(true);
      } else expect(sites, k).toContain(name);
    }
  });
});
