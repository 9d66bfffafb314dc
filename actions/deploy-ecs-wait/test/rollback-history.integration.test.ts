// Rollback targets on the emulator: the deploy history in revision tags decides where auto-rollback and rollback-to
// go, across runs (issue #13: after a dispatched rollback, the next failed release must not return to the revision
// the operator abandoned, and rollback-to known-good must never flip back to it).
import { TAG_KNOWN_GOOD, TAG_ROLLED_BACK_FROM } from '@deploy-actions/kit/ecs/deploy';
import { ConfigurationError } from '@deploy-actions/kit/runtime';
import { describe, expect, test } from 'vitest';
import {
  deploy,
  deployImage,
  mutatingRequests,
  request,
  revisionTags,
  seedCrashLoopNoBreaker,
  seedServices,
  TD_ARN,
  useTestEmulator,
} from './helpers';

const t = useTestEmulator(100);

const rollback = (rollbackTo: NonNullable<Parameters<typeof request>[0]>['rollbackTo']) =>
  deploy(request({ services: [{ service: 'api' }], rollbackTo }));

describe('rollback targets from the deploy history', () => {
  test("the issue's story: known-good 2 → rollback to 1 → 3 crash-loops → auto-rollback to 1; known-good never picks 2", async () => {
    await seedCrashLoopNoBreaker(t.control);

    const two = await deployImage('v2');
    expect(two.report.status).toBe('success');
    expect(await revisionTags(TD_ARN(2))).toHaveProperty(TAG_KNOWN_GOOD);

    const dispatched = await rollback({ kind: 'revision', revision: 1 });
    expect(dispatched.report.status).toBe('success');
    expect(dispatched.report.services[0]).toMatchObject({ taskDefinitionArn: TD_ARN(1), status: 'completed' });
    expect(await revisionTags(TD_ARN(2))).toHaveProperty(TAG_ROLLED_BACK_FROM);

    const three = await deployImage('crash');
    expect(three.report.status).toBe('rolled-back');
    expect(three.report.services[0]).toMatchObject({
      taskDefinitionArn: TD_ARN(3),
      previousTaskDefinitionArn: TD_ARN(1),
      rollback: { outcome: 'completed', taskDefinitionArn: TD_ARN(1) },
    });
    expect(three.text).toContain('rolling back to the revision it ran before this deploy, web:1');
    expect(await revisionTags(TD_ARN(3))).toHaveProperty(TAG_ROLLED_BACK_FROM);

    // rollback-to known-good from web:1: web:2 was abandoned, web:3 failed: nowhere to go, and nothing changes
    await t.control.clearRequests();
    const err = await rollback({ kind: 'known-good' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as Error).message).toMatch(/^api: no revision other than the running web:1 is known-good/);
    expect((err as Error).message).toContain('skipped: web:2 (known-good once, rolled back from at');
    expect(await mutatingRequests(t.control)).toEqual([]);
  });

  test('rollback-to previous walks the service history and does not flip back', async () => {
    await seedServices(t.control);
    expect((await deployImage('v2')).report.status).toBe('success');
    expect((await deployImage('v3')).report.status).toBe('success');
    const back = await rollback({ kind: 'previous' });
    expect(back.report.services[0]).toMatchObject({
      previousTaskDefinitionArn: TD_ARN(3),
      taskDefinitionArn: TD_ARN(2),
      status: 'completed',
    });
    expect(back.text).toContain('rollback-to previous → revision api ran before web:3, web:2');
    // from web:2 again: web:3 was rolled back from, web:1 never ran through a deploy of ours
    await t.control.clearRequests();
    await expect(rollback({ kind: 'previous' })).rejects.toThrow(
      /^api: service api has no earlier revision to return to in its deploy history \(tags deploy-actions:ran:app\/api on its revisions\) \(skipped: web:3 \(rolled back from at /,
    );
    expect(await mutatingRequests(t.control)).toEqual([]);
  });

  test("ECS's own circuit-breaker rollback marks the revision it left", async () => {
    await seedServices(t.control);
    await t.control.behaviors({ image: '*:crash', service: 'crashloop' });
    const run = await deployImage('crash');
    expect(run.report.services[0]!.ecsRolledBack).toBe(true);
    expect(await revisionTags(TD_ARN(2))).toHaveProperty(TAG_ROLLED_BACK_FROM);
  });
});
