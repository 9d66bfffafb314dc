import { runActionBundle } from '@deploy-actions/kit/testing';
import {
  IMAGE,
  markKnownGood,
  seedServices,
  TD_ARN,
  taskDefWith,
  useTestEmulator,
  writeTaskDef,
} from '@deploy-actions/kit/testing/ecs-deploy';
import { describe, expect, test } from 'vitest';

// The bundled dist/index.js run exactly as the runner runs it (INPUT_* env, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY).
const t = useTestEmulator(100);

const env = () => ({
  ...t.env,
  GITHUB_SHA: 'e2e0000000000000000000000000000000000000',
  GITHUB_REPOSITORY: 'org/app',
  GITHUB_RUN_ID: '42',
});

describe('deploy-ecs-wait dist', () => {
  test('healthy deploy of two services: outputs, summary, exit 0', async () => {
    await seedServices(t.control, { services: ['api', 'worker'] });
    const res = await runActionBundle({
      action: 'deploy-ecs-wait',
      inputs: { cluster: 'app', services: 'api\nworker', 'task-definition': writeTaskDef(taskDefWith(IMAGE('v2'))) },
      env: env(),
      timeoutMs: 30_000,
    });
    expect(res.errors).toEqual([]);
    expect(res.code).toBe(0);
    expect(res.outputs['task-definition-arn']).toBe(TD_ARN(2));
    expect(res.outputs['previous-task-definition-arn']).toBe(TD_ARN(1));
    expect(res.outputs.status).toBe('success');
    const deployments = JSON.parse(res.outputs.deployments!);
    expect(Object.keys(deployments)).toEqual(['api', 'worker']);
    expect(deployments.api.status).toBe('completed');
    expect(res.stdout).toContain('deployment COMPLETED');
    expect(res.summary).toContain('Deploy succeeded');
    expect(res.summary).toContain('web:1 → web:2 (new)');
  });

  test('crash loop without breaker: exit 1, root causes, auto-rollback to known-good', async () => {
    await seedServices(t.control, { breaker: false, rollback: false });
    await markKnownGood(TD_ARN(1));
    await t.control.behaviors({ image: '*:crash', service: 'crashloop' });
    const res = await runActionBundle({
      action: 'deploy-ecs-wait',
      inputs: { cluster: 'app', services: 'api', 'task-definition': writeTaskDef(taskDefWith(IMAGE('crash'))) },
      env: env(),
      timeoutMs: 30_000,
    });
    expect(res.code).toBe(1);
    expect(res.errors).toHaveLength(1);
    expect(res.errors[0]).toContain('deployment of web:2 failed');
    expect(res.errors[0]).toContain('rolled back to web:1 (rollback succeeded)');
    expect(res.stdout).toContain('RuntimeError: required setting DATABASE_URL is not set');
    expect(res.stdout).toMatch(/app exit 1/);
    expect(res.outputs.status).toBe('rolled-back');
    expect(res.summary).toContain('rolled back to web:1');
  });

  // Signalled once the wait has begun (its first line), never after a fixed delay: on a loaded machine a delay lands
  // in the preflight or the update instead (#16). Exit within the runner's 7.5 s before its SIGTERM.
  test('SIGINT mid-wait: exits non-zero before the runner escalates, printing where each deployment stands', async () => {
    await seedServices(t.control);
    await t.control.behaviors({ image: '*:slow', service: 'slowStart' });
    const res = await runActionBundle({
      action: 'deploy-ecs-wait',
      inputs: { cluster: 'app', services: 'api', 'task-definition': writeTaskDef(taskDefWith(IMAGE('slow'))) },
      env: env(),
      timeoutMs: 30_000,
      signalWhen: /Waiting up to .* for deployment: api/,
      signalAfterMs: 300,
    });
    expect(res.code).not.toBe(0);
    expect(res.signalledAtMs).toBeDefined();
    expect(res.durationMs - res.signalledAtMs!).toBeLessThan(7500);
    expect(res.stdout).toContain('Where each deployment stands');
    expect(res.outputs.status).toBe('cancelled');
    expect(res.errors[0]).toMatch(/Cancelled while waiting: api/);
  });
});
