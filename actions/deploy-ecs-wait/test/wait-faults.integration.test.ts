// #16 defect 3: a DescribeServices poll that runs out of the SDK's retries used to end the wait with nothing
// reported (no outputs, no summary, no rollback) while the deployments went on. A failed poll now spends time from
// the wait's budget and never ends the wait; the report always says where each deployment stands.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { deployImage, markKnownGood, seedCrashLoopNoBreaker, seedServices, TD_ARN, useTestEmulator } from './helpers';

const t = useTestEmulator(100);
const THREE = ['api', 'worker', 'admin'];
const describeFails = () => t.control.faults({ error: 1, services: ['ecs'], operations: ['DescribeServices'] });

/** Deploy image web:<tag> with DescribeServices failing from just before the first UpdateService for `ms`, then healed. */
async function deployWhileDescribeFails(ms: number, tag: string, services = ['api']) {
  let healed: Promise<void> | undefined;
  const beforeUpdate = async () => {
    await describeFails();
    healed = new Promise((resolve) => setTimeout(resolve, ms)).then(() => t.control.faults({}));
  };
  const run = await deployImage(tag, { services }, { hooks: { beforeUpdate } });
  await healed;
  return run;
}

describe('DescribeServices failing during the wait', () => {
  // What is under test is the wait when a poll has run out of the SDK's retries. With the kit's 8 attempts one poll's
  // retries can outlast a 2.5 s outage (up to ~6 s of backoff) and never fail; a user's AWS_MAX_ATTEMPTS=3 keeps each
  // poll's retries short, so polls do run out of them inside the outage.
  beforeEach(() => {
    vi.stubEnv('AWS_MAX_ATTEMPTS', '3');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  test('failing for a while: the wait goes on and ends COMPLETED, the failures said once', async () => {
    await seedServices(t.control, { services: THREE });
    const run = await deployWhileDescribeFails(2500, 'v2', THREE);
    expect(run.report.status).toBe('success');
    expect(run.report.services.map((s) => s.status)).toEqual(['completed', 'completed', 'completed']);
    expect(run.text).toMatch(/WARNING Could not read the deployment status \(AWS ECS DescribeServices failed/);
    expect(run.text.match(/Could not read the deployment status/g)).toHaveLength(1);
    expect(run.text).toMatch(/Reading the deployment status works again after \d+ failed poll/);
  });

  test('failing until the timeout: a report of where each deployment stands, and the rollback is tried', async () => {
    await seedServices(t.control, { services: THREE });
    await markKnownGood(TD_ARN(1));
    const run = await deployImage(
      'v2',
      { services: THREE, waitTimeoutMs: 3000 },
      { hooks: { beforeUpdate: describeFails } },
    );
    await t.control.faults({});
    expect(run.report.services.map((s) => s.status)).toEqual(['timeout', 'timeout', 'timeout']);
    for (const s of run.report.services) {
      expect(s.reason).toMatch(
        /^not COMPLETED within 3s; last status: .*; status unknown for the last \d+s: \d+ polls failed \(last: AWS ECS DescribeServices failed: ServerException/,
      );
      expect(s.rollback).toMatchObject({ taskDefinitionArn: TD_ARN(1) });
    }
    expect(run.report.status).toBe('timeout');
    expect(run.summary).toContain('timed out');
    expect(run.summary).toContain('status unknown');
  });

  test('failing for a while during a crash loop without breaker: the failure is still seen and rolled back', async () => {
    await seedCrashLoopNoBreaker(t.control);
    const run = await deployWhileDescribeFails(1500, 'crash');
    expect(run.report.status).toBe('rolled-back');
    expect(run.report.services[0]).toMatchObject({
      status: 'failed',
      rollback: { taskDefinitionArn: TD_ARN(1), outcome: 'completed' },
    });
  });
});
