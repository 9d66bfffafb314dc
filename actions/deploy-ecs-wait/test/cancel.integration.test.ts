// #16 defect 4: SIGINT during the UpdateService loop used to leave a half-applied release (api on the new revision,
// worker and admin on the old one) with only "Cancelled: Request aborted", no outputs, no summary. Now the services
// this run updated are put back (auto-rollback) or reported as left, the untouched ones are named, and outputs and
// the summary are written; a cancel before anything changed says so plainly.
//
// The cancel is triggered at an exact point of the loop by a middleware on the real ECS client (no timing): when the
// n-th UpdateService is sent (ECS applies it; its response is cut off) or just before it is sent (never applied).
import { DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { createEcsClients } from '@deploy-actions/kit/ecs/deploy';
import { beforeEach, describe, expect, test } from 'vitest';
import { REGION, runMain, seedServices, TD_ARN, taskDefFile, useTestEmulator } from './helpers';

const t = useTestEmulator(100);
const SERVICES = ['api', 'worker', 'admin'];
beforeEach(async () => {
  await seedServices(t.control, { services: SERVICES });
});

/** Abort `controller` at the `nth` call of `operation`: once it is on the wire (`sent`) or just before (`before`). */
function abortAt(ecs: ECSClient, controller: AbortController, operation: string, nth: number, when: 'sent' | 'before') {
  let calls = 0;
  ecs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === `${operation}Command` && ++calls === nth) {
        if (when === 'before') controller.abort(abortError());
        else {
          const pending = next(args);
          // The emulator holds the call (latency below) and applies it after the client gave up on the response.
          setTimeout(() => controller.abort(abortError()), 50);
          return pending;
        }
      }
      return next(args);
    },
    { step: 'build', name: 'testAbortAt' },
  );
}

function abortError(): Error {
  const err = new Error('received SIGINT');
  err.name = 'AbortError';
  return err;
}

/**
 * Deploy SERVICES with a cancel at the `nth` `operation` (see abortAt); `latencyMs`: the emulator holds each
 * UpdateService that long first.
 */
async function cancelledRun(
  at: { operation: string; nth: number; when: 'sent' | 'before'; latencyMs?: number },
  inputs: Record<string, string> = {},
) {
  const clients = createEcsClients('deploy-ecs-wait', REGION);
  const controller = new AbortController();
  abortAt(clients.ecs, controller, at.operation, at.nth, at.when);
  if (at.latencyMs) await t.control.faults({ latencyMs: [at.latencyMs, at.latencyMs], operations: ['UpdateService'] });
  const r = await runMain(
    { services: SERVICES.join('\n'), 'task-definition': taskDefFile('v2'), ...inputs },
    { clients, signal: controller.signal },
  );
  await t.control.faults({});
  return r;
}

async function revisions(): Promise<Record<string, string | undefined>> {
  const { ecs } = createEcsClients('test', REGION);
  const out = await ecs.send(new DescribeServicesCommand({ cluster: 'app', services: SERVICES }));
  return Object.fromEntries((out.services ?? []).map((s) => [s.serviceName, s.taskDefinition]));
}

describe('SIGINT during the UpdateService loop', () => {
  test('the in-flight update was applied: both updated services are reverted, the third untouched', async () => {
    const r = await cancelledRun({ operation: 'UpdateService', nth: 2, when: 'sent', latencyMs: 300 });
    expect(r.message).toBe(
      'Cancelled (received SIGINT) during the update. api: updated to web:2, revert to web:1 started (not waited for). ' +
        'worker: updated to web:2, revert to web:1 started (not waited for). not updated: admin (still on web:1)',
    );
    expect(r.outputs.status).toBe('cancelled');
    const deployments = JSON.parse(r.outputs.deployments!);
    expect(deployments.api).toMatchObject({ status: 'reverted', rollback: { taskDefinitionArn: TD_ARN(1) } });
    expect(deployments.worker).toMatchObject({ status: 'reverted', rollback: { taskDefinitionArn: TD_ARN(1) } });
    expect(deployments.admin).toMatchObject({ status: 'not-started' });
    expect(r.summary).toContain('Deploy cancelled');
    expect(r.summary).toContain('revert to web:1 started, not waited for');
    expect(await revisions()).toEqual({ api: TD_ARN(1), worker: TD_ARN(1), admin: TD_ARN(1) });
  });

  test('an in-flight update with no answer within the grace: reverted all the same, the rest untouched', async () => {
    // Longer than the 2 s an UpdateService on the wire may take after a cancel: its answer never comes.
    const r = await cancelledRun({ operation: 'UpdateService', nth: 1, when: 'sent', latencyMs: 2500 });
    expect(r.message).toBe(
      'Cancelled (received SIGINT) during the update. api: updated to web:2, revert to web:1 started (not waited for). ' +
        'not updated: worker (still on web:1), admin (still on web:1)',
    );
    expect(await revisions()).toEqual({ api: TD_ARN(1), worker: TD_ARN(1), admin: TD_ARN(1) });
  });

  test('auto-rollback off: what was left deploying is named exactly', async () => {
    const r = await cancelledRun(
      { operation: 'UpdateService', nth: 2, when: 'sent', latencyMs: 300 },
      { 'auto-rollback': 'false' },
    );
    expect(r.message).toBe(
      'Cancelled (received SIGINT) during the update. api: left deploying web:2 (auto-rollback is off). ' +
        'worker: left deploying web:2 (auto-rollback is off). not updated: admin (still on web:1)',
    );
    expect(await revisions()).toEqual({ api: TD_ARN(2), worker: TD_ARN(2), admin: TD_ARN(1) });
  });

  test('a cancel before anything changed says so plainly, with outputs and a summary', async () => {
    const r = await cancelledRun({ operation: 'RegisterTaskDefinition', nth: 1, when: 'before' });
    expect(r.message).toBe('Cancelled (received SIGINT) before any service was updated: nothing was deployed.');
    expect(r.outputs.status).toBe('cancelled');
    expect(Object.values(JSON.parse(r.outputs.deployments!)).map((d: any) => d.status)).toEqual([
      'not-started',
      'not-started',
      'not-started',
    ]);
    expect(r.summary).toContain('Deploy cancelled');
    expect((await t.control.requests()).filter((e) => e.operation === 'UpdateService')).toEqual([]);
  });
});
