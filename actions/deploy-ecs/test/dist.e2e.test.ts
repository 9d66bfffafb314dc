import { describe, expect, test } from 'vitest';
import { IMAGE, runBundle, seedServices, TD_ARN, useTestEmulator } from './helpers';

const t = useTestEmulator(100);
const MIGRATE = { 'migration-command': 'python manage.py migrate' };

describe('deploy-ecs dist', () => {
  test('render + migration + deploy: exit 0, outputs, summary', async () => {
    await seedServices(t.control);
    await t.control.behaviors({ image: '*:v2', run: { logs: ['Operations to perform:', 'No migrations to apply.'] } });
    const res = await runBundle(t, { containers: `app=${IMAGE('v2')}`, ...MIGRATE }, { env: { GITHUB_SHA: 'e2e' } });
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

  test('a deploy without a migration, given every action.yml default as the runner passes it, deploys', async () => {
    // The runner passes `default:` for every input a workflow omits; a default for an input that is only valid with
    // migration-command (migration-when had `before`) failed every call without a migration.
    await seedServices(t.control);
    const res = await runBundle(t, { containers: `app=${IMAGE('v2')}` });
    expect(res.errors).toEqual([]);
    expect(res.code).toBe(0);
    expect(res.outputs.status).toBe('success');
    expect(res.outputs['migration-exit-code'] ?? '').toBe('');
  });

  test('crash loop with breaker: exit 1 naming the ECS rollback and the exit code', async () => {
    await seedServices(t.control);
    await t.control.behaviors({ image: '*:crash', service: 'crashloop' });
    const res = await runBundle(t, { containers: `app=${IMAGE('crash')}` });
    expect(res.code).toBe(1);
    expect(res.errors[0]).toContain('ECS rolled back to web:1');
    expect(res.stdout).toMatch(/app exit 1/);
    expect(res.outputs.status).toBe('rolled-back');
    expect(res.summary).toContain('RuntimeError');
  });

  test('plan: true renders, prepares the migration, runs the preflight and stops: zero mutating calls', async () => {
    await seedServices(t.control);
    const res = await runBundle(t, {
      containers: `app=${IMAGE('v2')}`,
      ...MIGRATE,
      plan: 'true',
    });
    expect(res.errors).toEqual([]);
    expect(res.code).toBe(0);
    expect(res.mutating).toEqual([]);
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
    const res = await runBundle(t, {
      containers: `app=${IMAGE('v4')}`,
      ...MIGRATE,
    });
    expect(res.code).toBe(1);
    expect(res.errors[0]).toMatch(
      /^Input 'containers': Preflight, nothing changed: container app: tag v4 not found in ECR repository web/,
    );
    expect(res.mutating).toEqual([]);
  });
});
