import { runActionBundle } from '@deploy-actions/kit/testing';
import {
  IMAGE,
  mutatingRequests,
  seedServices,
  TD_ARN,
  taskDefWith,
  useTestEmulator,
  writeTaskDef,
} from '@deploy-actions/kit/testing/ecs-deploy';
import { beforeAll, describe, expect, test } from 'vitest';

const t = useTestEmulator(100);
let template: string;
beforeAll(() => {
  template = writeTaskDef(taskDefWith(IMAGE('v1')));
});

describe('deploy-ecs dist', () => {
  test('render + migration + deploy: exit 0, outputs, summary', async () => {
    await seedServices(t.control);
    await t.control.behaviors({ image: '*:v2', run: { logs: ['Operations to perform:', 'No migrations to apply.'] } });
    const res = await runActionBundle({
      action: 'deploy-ecs',
      inputs: {
        cluster: 'app',
        services: 'api',
        template,
        containers: `app=${IMAGE('v2')}`,
        'migration-command': 'python manage.py migrate',
      },
      env: { ...t.env, GITHUB_SHA: 'e2e' },
      timeoutMs: 30_000,
    });
    expect(res.errors).toEqual([]);
    expect(res.code).toBe(0);
    expect(res.outputs).toMatchObject({
      'task-definition-arn': TD_ARN(2),
      status: 'success',
      'migration-exit-code': '0',
    });
    expect(res.stdout).toContain('No migrations to apply.');
    expect(res.summary).toContain('One-off task');
    expect(res.summary).toContain('web:1 → web:2 (new)');
  });

  test('crash loop with breaker: exit 1 naming the ECS rollback and the exit code', async () => {
    await seedServices(t.control);
    await t.control.behaviors({ image: '*:crash', service: 'crashloop' });
    const res = await runActionBundle({
      action: 'deploy-ecs',
      inputs: { cluster: 'app', services: 'api', template, containers: `app=${IMAGE('crash')}` },
      env: t.env,
      timeoutMs: 30_000,
    });
    expect(res.code).toBe(1);
    expect(res.errors[0]).toContain('ECS rolled back to web:1');
    expect(res.stdout).toMatch(/app exit 1/);
    expect(res.outputs.status).toBe('rolled-back');
    expect(res.summary).toContain('RuntimeError');
  });

  test('plan: true renders, prepares the migration, runs the preflight and stops: zero mutating calls', async () => {
    await seedServices(t.control);
    await t.control.clearRequests();
    const res = await runActionBundle({
      action: 'deploy-ecs',
      inputs: {
        cluster: 'app',
        services: 'api',
        template,
        containers: `app=${IMAGE('v2')}`,
        'migration-command': 'python manage.py migrate',
        plan: 'true',
      },
      env: t.env,
      timeoutMs: 30_000,
    });
    expect(res.errors).toEqual([]);
    expect(res.code).toBe(0);
    expect(await mutatingRequests(t.control)).toEqual([]);
    expect(res.outputs.status).toBe('planned');
    expect(res.outputs['migration-task-arn']).toBeUndefined();
    expect(res.summary).toContain('## 📋 Plan (deploy-ecs): deploy to app');
    expect(res.summary).toContain(
      'Migration: would run `python manage.py migrate` on the revision being deployed, before the services are updated (network of api).',
    );
    expect(res.summary).toMatch(
      /\| app +\| 000000000000\.dkr\.ecr\.us-east-1\.amazonaws\.com\/web:v2 \| sha256:[0-9a-f]{64} \| linux\/amd64 \|/,
    );
  });

  test('a preflight problem stops before the migration: no RunTask, no registration', async () => {
    await seedServices(t.control);
    await t.control.clearRequests();
    const res = await runActionBundle({
      action: 'deploy-ecs',
      inputs: {
        cluster: 'app',
        services: 'api',
        template,
        containers: `app=${IMAGE('v4')}`,
        'migration-command': 'python manage.py migrate',
      },
      env: t.env,
      timeoutMs: 30_000,
    });
    expect(res.code).toBe(1);
    expect(res.errors[0]).toMatch(
      /^Input 'containers': Preflight, nothing changed: container app: tag v4 not found in ECR repository web/,
    );
    expect(await mutatingRequests(t.control)).toEqual([]);
  });
});
