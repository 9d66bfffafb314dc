import { describe, expect, test } from 'vitest';
import { runBundle, seedCrashLoopNoBreaker, seedServices, TD_ARN, taskDefFile, useTestEmulator } from './helpers';

// The bundled dist/index.js run exactly as the runner runs it (INPUT_* env, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY).
const t = useTestEmulator(100);

describe('deploy-ecs-wait dist', () => {
  test('healthy deploy of two services: outputs, summary, exit 0', async () => {
    await seedServices(t.control, { services: ['api', 'worker'] });
    const res = await runBundle(t, { services: 'api\nworker', 'task-definition': taskDefFile('v2') });
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
    await seedCrashLoopNoBreaker(t.control);
    const res = await runBundle(t, { 'task-definition': taskDefFile('crash') });
    expect(res.code).toBe(1);
    expect(res.errors).toHaveLength(1);
    expect(res.errors[0]).toContain('deployment of web:2 failed');
    expect(res.errors[0]).toContain('rolled back to web:1 (rollback succeeded)');
    expect(res.stdout).toContain('RuntimeError: required setting DATABASE_URL is not set');
    expect(res.stdout).toMatch(/app exit 1/);
    expect(res.outputs.status).toBe('rolled-back');
    expect(res.summary).toContain('rolled back to web:1');
  });

  // The Logs and ELBv2 SDKs are lazy chunks of the bundle (kit lazyClient, #15): a failure's root causes load them.
  test('a new revision whose targets never turn healthy: the root causes read target health and the logs', async () => {
    await seedServices(t.control, { loadBalancer: true, breaker: false, rollback: false });
    await t.control.behaviors({ image: '*:sick', service: 'unhealthy' });
    await t.control.clearRequests();
    const res = await runBundle(t, { 'task-definition': taskDefFile('sick'), timeout: '10m' });
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('Root causes for api');
    // Which targets are listed depends on the moment (a replacement task may not be registered yet): the call was
    // made and answered, and nothing in the diagnostics failed (a chunk that did not load would say so there).
    const calls = (await t.control.requests()).map((r) => `${r.operation} ${r.status}`);
    expect(calls).toContain('DescribeTargetHealth 200');
    expect(calls).toContain('GetLogEvents 200');
    expect(res.stdout).not.toContain('diagnostics incomplete');
  });

  // Signalled once the wait has begun (its first line), never after a fixed delay: on a loaded machine a delay lands
  // in the preflight or the update instead (#16). Exit within the runner's 7.5 s before its SIGTERM.
  test('SIGINT mid-wait: exits non-zero before the runner escalates, printing where each deployment stands', async () => {
    await seedServices(t.control);
    await t.control.behaviors({ image: '*:slow', service: 'slowStart' });
    const res = await runBundle(
      t,
      { 'task-definition': taskDefFile('slow') },
      {
        signalWhen: /Waiting up to .* for deployment: api/,
        signalAfterMs: 300,
      },
    );
    expect(res.code).not.toBe(0);
    expect(res.signalledAtMs).toBeDefined();
    expect(res.durationMs - res.signalledAtMs!).toBeLessThan(7500);
    expect(res.stdout).toContain('Where each deployment stands');
    expect(res.outputs.status).toBe('cancelled');
    expect(res.errors[0]).toMatch(/Cancelled while waiting: api/);
  });
});
