// #16 defect 6: RegisterTaskDefinition has no idempotency token. When AWS registered the revision and the response
// was lost, the SDK's retry registered a duplicate revision nobody mentioned. The emulator's `after` faults apply the
// call and lose its response, as a proxy dropping it would.
import {
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { createEcsClients, prepareDeploy, registerRevisions } from '@deploy-actions/kit/ecs/deploy';
import { beforeEach, describe, expect, test } from 'vitest';
import { IMAGE, REGION, request, seedServices, TD_ARN, taskDefWith, useTestEmulator } from './helpers';

const t = useTestEmulator(100);
beforeEach(async () => {
  await seedServices(t.control);
});

async function revisions(): Promise<string[]> {
  const { ecs } = createEcsClients('test', REGION);
  const out = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web', sort: 'ASC' }));
  return out.taskDefinitionArns ?? [];
}

async function register(clients = createEcsClients('deploy-ecs-wait', REGION)) {
  const lines: string[] = [];
  const log = { info: (m: string) => lines.push(m), warning: (m: string) => lines.push(`WARNING ${m}`) };
  const deps = { ...clients, log };
  const prepared = await prepareDeploy(request(), deps);
  const registered = await registerRevisions(prepared, deps);
  return { arn: registered.arnByService.get('api'), text: lines.join('\n') };
}

const registerCalls = async () => (await t.control.requests()).filter((e) => e.operation === 'RegisterTaskDefinition');

describe('RegisterTaskDefinition applied, response lost', () => {
  test('the revision it registered is found and used: no orphan duplicate', async () => {
    // Every answer is lost: without the lookup each of the SDK's attempts registers another revision.
    await t.control.faults({ after: 1, services: ['ecs'], operations: ['RegisterTaskDefinition'] });
    const { arn, text } = await register();
    await t.control.faults({});
    expect(arn).toBe(TD_ARN(2));
    expect(await revisions()).toEqual([TD_ARN(1), TD_ARN(2)]);
    expect(await registerCalls()).toHaveLength(1);
    expect(text).toContain(`after registering ${TD_ARN(2)}; using that revision instead of registering again`);
    expect(text).not.toContain('WARNING');
  });

  test('a 5xx instead of the answer (a proxy): the same', async () => {
    await t.control.faults({
      after: 1,
      afterFailure: 'error',
      services: ['ecs'],
      operations: ['RegisterTaskDefinition'],
    });
    const { arn } = await register();
    await t.control.faults({});
    expect(arn).toBe(TD_ARN(2));
    expect(await revisions()).toEqual([TD_ARN(1), TD_ARN(2)]);
  });

  test('a duplicate that appears anyway (the lookup itself failed) is named', async () => {
    const clients = createEcsClients('deploy-ecs-wait', REGION);
    // The first lookup fails (as when ListTaskDefinitions is unreachable too): the SDK retries the registration.
    let lists = 0;
    clients.ecs.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ListTaskDefinitionsCommand' && ++lists === 1) {
          throw Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'testFailFirstList' },
    );
    // Only the first registration's answer is lost.
    let registrations = 0;
    clients.ecs.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'RegisterTaskDefinitionCommand' && ++registrations === 1) {
          await t.control.faults({ after: 1, services: ['ecs'], operations: ['RegisterTaskDefinition'] });
        }
        return next(args);
      },
      { step: 'initialize', name: 'testLoseFirstAnswer' },
    );
    const retryAfterFirst = (async () => {
      // Turn the fault off once the first (lost) attempt is in the log, so the retry gets its answer.
      for (let i = 0; i < 200 && (await registerCalls()).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      await t.control.faults({});
    })();
    const { arn, text } = await register(clients);
    await retryAfterFirst;
    await t.control.faults({});
    expect(await revisions()).toEqual([TD_ARN(1), TD_ARN(2), TD_ARN(3)]);
    expect(arn).toBe(TD_ARN(3));
    expect(text).toContain(`WARNING ${TD_ARN(2)} is an unused duplicate of ${TD_ARN(3)}`);
  });
});

describe('a revision that only looks the same is not taken', () => {
  test('the same content registered by another run meanwhile: ours is registered and used', async () => {
    const clients = createEcsClients('deploy-ecs-wait', REGION);
    const deps = { ...clients, log: { info: () => {}, warning: () => {} } };
    const prepared = await prepareDeploy(request(), deps);
    // Between our prepare and our registration, another run registers the very same content (its own run tag).
    await clients.ecs.send(
      new RegisterTaskDefinitionCommand({
        ...(taskDefWith(IMAGE('v2')) as RegisterTaskDefinitionCommandInput),
        tags: [{ key: 'deploy-actions:run', value: 'https://github.com/o/r/actions/runs/999' }],
      }),
    );
    await t.control.faults({ after: 1, services: ['ecs'], operations: ['RegisterTaskDefinition'] });
    const registered = await registerRevisions(prepared, deps);
    await t.control.faults({});
    expect(registered.arnByService.get('api')).toBe(TD_ARN(3));
    expect(await revisions()).toEqual([TD_ARN(1), TD_ARN(2), TD_ARN(3)]);
  });
});
