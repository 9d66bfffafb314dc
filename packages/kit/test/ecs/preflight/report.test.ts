import { describe, expect, test } from 'vitest';
import type { PreparedDeploy } from '../../../src/ecs/deploy/model';
import { deployPlanMarkdown, planOutputs, serviceChange } from '../../../src/ecs/deploy/plan';
import type { PreflightReport, TaskDefPreflight } from '../../../src/ecs/preflight/model';
import {
  preflightFailure,
  preflightInputOf,
  preflightMarkdown,
  skippedNotices,
} from '../../../src/ecs/preflight/report';
import { ConfigurationError, DeployFailure } from '../../../src/runtime/errors';

const arn = (rev: number) => `arn:aws:ecs:us-east-1:000000000000:task-definition/web:${rev}`;

const td = (checks: TaskDefPreflight['checks']): TaskDefPreflight => ({
  taskDefinition: 'web (new revision)',
  services: ['api'],
  platform: { os: 'linux', architecture: 'amd64', label: 'X86_64/LINUX (default)' },
  checks,
  images: [{ container: 'app', image: 'web:v2', digest: `sha256:${'a'.repeat(64)}`, platforms: ['linux/amd64'] }],
});

describe('preflight report', () => {
  const secretMissing = {
    check: 'secret' as const,
    container: 'app',
    subject: 'A ← arn:…:secret:db',
    outcome: 'failed' as const,
    message: 'Secrets Manager secret arn:…:secret:db does not exist',
    fix: 'create it',
  };
  test('the failure: every problem once, the first in the error line, all in the details', () => {
    const report: PreflightReport = {
      taskDefinitions: [
        td([
          { check: 'image', container: 'app', subject: 'web:v2', outcome: 'ok', message: 'found' },
          secretMissing,
          { ...secretMissing, subject: 'B ← arn:…:secret:db' }, // a second key of the same secret: one problem
          {
            check: 'execution-role',
            subject: 'executionRoleArn',
            outcome: 'failed',
            message: 'Fargate needs an execution role',
            fix: 'set it',
          },
        ]),
      ],
      notices: [],
    };
    const failure = preflightFailure(report);
    if (!(failure instanceof DeployFailure)) throw new Error('expected a DeployFailure');
    expect(failure.message).toBe(
      'Preflight, nothing changed: container app: Secrets Manager secret arn:…:secret:db does not exist. Fix: create it (and 1 more problem(s), listed above)',
    );
    expect(failure.details?.split('\n')).toEqual([
      'Preflight found, before any change:',
      '  - container app: Secrets Manager secret arn:…:secret:db does not exist. Fix: create it',
      '  - task definition web (new revision): Fargate needs an execution role. Fix: set it',
    ]);
    expect(preflightFailure({ taskDefinitions: [td([])], notices: [] })).toBeUndefined();
  });

  test.each([
    // [check, container, subject, expected input]: a problem in what an input wrote names that input
    ['secret', 'app', 'DB_PASSWORD ← /app/db-passwrod', 'secrets'],
    ['secret-key', 'app', 'DB_PASSWORD ← arn:…:secret:db:password::', 'secrets'],
    ['secret', 'app', 'FROM_TEMPLATE ← arn:…:secret:db', undefined],
    ['image', 'app', 'web:v2', 'containers'],
    ['platform', 'app', 'web:v2', 'containers'],
    ['image', 'sidecar', 'envoy:1', undefined],
    ['log-group', 'app', '/ecs/web', undefined],
    ['execution-role', undefined, 'executionRoleArn', undefined],
  ] as const)('input of a failed %s check on %s (%s): %s', (check, container, subject, input) => {
    const inputOf = preflightInputOf({
      secrets: [{ target: undefined, line: 1, entries: [{ key: 'DB_PASSWORD', value: '/app/db-passwrod', line: 1 }] }],
      images: [{ container: 'app', value: { repository: 'web', tag: 'v2' } as never, line: 1 }],
    } as never);
    const failed = { check, subject, outcome: 'failed', message: 'm', fix: 'f', ...(container ? { container } : {}) };
    expect(inputOf(failed as never)).toBe(input);
    const failure = preflightFailure({ taskDefinitions: [td([failed as never])], notices: [] }, inputOf);
    if (input) {
      expect(failure).toBeInstanceOf(ConfigurationError);
      expect((failure as ConfigurationError).input).toBe(input);
    } else expect(failure).toBeInstanceOf(DeployFailure);
  });

  test('skipped checks: one notice per reason', () => {
    const skipped = (check: 'secret' | 'log-group', subject: string) =>
      ({ check, subject, outcome: 'skipped', message: 'not checked: the role may not call x:Y' }) as const;
    expect(skippedNotices([td([skipped('secret', 'a'), skipped('secret', 'b'), skipped('log-group', 'c')])])).toEqual([
      'Preflight: secret, log-group not checked: the role may not call x:Y',
    ]);
  });

  test('markdown: the checks with icons and fixes, the images with digest and platforms', () => {
    const md = preflightMarkdown({ taskDefinitions: [td([secretMissing])], notices: ['Preflight: n'] });
    expect(md).toContain(
      '**web (new revision)** for api, runs on linux/amd64 (X86_64/LINUX (default)): 0 ok, 1 failed',
    );
    expect(md).toContain(
      '| ❌ | secret | app | A ← arn:…:secret:db | Secrets Manager secret arn:…:secret:db does not exist — fix: create it |',
    );
    expect(md).toContain(`| app | web:v2 | sha256:${'a'.repeat(64)} | linux/amd64 |`);
    expect(md).toContain('- Preflight: n');
  });
});

describe('plan', () => {
  const service = (name: string, previous: number, target: PreparedDeploy['services'][number]['target']) =>
    ({
      service: name,
      current: {},
      previousTaskDefinitionArn: arn(previous),
      target,
      diffText: '',
    }) as PreparedDeploy['services'][number];
  const prepared = (rollback: boolean): PreparedDeploy =>
    ({
      request: { cluster: 'app', ...(rollback ? { rollbackTo: { kind: 'known-good' } } : {}) },
      services: [
        service('api', 1, { kind: 'register', key: 'k', json: {}, family: 'web' }),
        service('worker', 2, { kind: 'existing', arn: arn(2), reused: true }),
        service('cron', 1, { kind: 'existing', arn: arn(2), reused: true }),
      ],
    }) as unknown as PreparedDeploy;

  test.each<[string, boolean, number, { wouldRun: string; change: string }]>([
    [
      'a rendered definition that differs',
      false,
      0,
      { wouldRun: 'web (new revision)', change: 'register a new revision and deploy it' },
    ],
    ['the revision it already runs', false, 1, { wouldRun: 'web:2', change: 'nothing: it already runs it' }],
    ['an existing revision', false, 2, { wouldRun: 'web:2', change: 'deploy web:2 (existing revision)' }],
    ['a rollback', true, 2, { wouldRun: 'web:2', change: 'roll back to web:2' }],
  ])('serviceChange: %s', (_n, rollback, i, expected) => {
    expect(serviceChange(prepared(rollback).services[i]!, rollback)).toEqual(expected);
  });

  test('outputs and markdown without a preflight', () => {
    const out = planOutputs(prepared(false));
    expect(out.status).toBe('planned');
    expect(out['task-definition-arn']).toBe('');
    expect(JSON.parse(out.deployments!).cron).toMatchObject({
      taskDefinitionArn: arn(2),
      change: 'deploy web:2 (existing revision)',
    });
    const md = deployPlanMarkdown({ action: 'deploy-ecs-wait', prepared: prepared(false), notes: ['Migration: x'] });
    expect(md).toContain('Preflight: off (`verify: false`).');
    expect(md).toContain('Migration: x');
    expect(md).toContain('No task definition change.');
  });
});
