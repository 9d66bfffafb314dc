// #16 defect 5: a known-good tag that cannot be written used to be a warning on a green step; the next auto-rollback
// then skipped that revision. Now the step fails after the deploy, saying the deploy itself succeeded and what is live.
import { describe, expect, test } from 'vitest';
import { runMain, seedServices, TD_ARN, taskDefFile, useTestEmulator } from './helpers';

const t = useTestEmulator(100);

describe('known-good tag that cannot be written', () => {
  test('the step fails after the deploy, saying it succeeded and what is live', async () => {
    await seedServices(t.control, { services: ['api', 'worker'] });
    await t.control.faults({ error: 1, services: ['ecs'], operations: ['TagResource'] });
    const r = await runMain({ services: 'api\nworker', 'task-definition': taskDefFile('v2') });
    await t.control.faults({});
    expect(r.error).toBeDefined();
    expect(r.message).toMatch(
      /^The deploy itself succeeded and is live \(api → web:2, worker → web:2\), but the deploy-actions:known-good tag could not be written to web:2 \(/,
    );
    expect(r.message).toContain('re-run this step');
    // The deploy's own outputs stay true: it succeeded, and the next steps may use them.
    expect(r.outputs).toMatchObject({ status: 'success', 'task-definition-arn': TD_ARN(2) });
    expect(r.summary).toContain('Deploy succeeded');
    expect(r.summary).toContain('Known-good tag not written');
    const tags = (await t.control.requests()).filter((e) => e.operation === 'TagResource');
    expect(tags.length).toBeGreaterThan(0);
    expect(tags.every((e) => e.status >= 500)).toBe(true);
  });

  test('written: the step succeeds', async () => {
    await seedServices(t.control);
    const r = await runMain({ 'task-definition': taskDefFile('v2') });
    expect(r.error).toBeUndefined();
    expect(r.summary).not.toContain('Known-good tag not written');
  });
});
