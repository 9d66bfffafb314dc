import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteServiceCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import {
  cleanupRevisions,
  createEcsClients,
  deployOutputs,
  TAG_COMMIT,
  TAG_KNOWN_GOOD,
} from '@deploy-actions/kit/ecs/deploy';
import { ConfigurationError } from '@deploy-actions/kit/runtime';
import { describe, expect, test } from 'vitest';
import {
  deploy,
  deployImage,
  fileTaskDef,
  IMAGE,
  markKnownGood,
  mutatingRequests,
  REGION,
  request,
  revisionTags,
  seedCrashLoopNoBreaker,
  seedServices,
  TD_ARN,
  taskDefWith,
  useTestEmulator,
} from './helpers';

const t = useTestEmulator(100);

describe('deploy-ecs-wait on the emulator', () => {
  test('healthy single service: registers, waits on the PRIMARY deployment, marks known-good', async () => {
    await seedServices(t.control);
    const run = await deploy(request());
    expect(run.report.status).toBe('success');
    const svc = run.report.services[0]!;
    expect(svc).toMatchObject({
      status: 'completed',
      taskDefinitionArn: TD_ARN(2),
      previousTaskDefinitionArn: TD_ARN(1),
      registered: true,
    });
    expect(svc.deploymentId).toMatch(/^ecs-svc\//);
    expect(run.text).toContain('deployment COMPLETED');
    const tags = await revisionTags(TD_ARN(2));
    expect(tags[TAG_COMMIT]).toBe('abc123');
    expect(tags[TAG_KNOWN_GOOD]).toMatch(/^\d{4}-\d\d-\d\dT/);
    const outputs = deployOutputs(run.report);
    expect(outputs).toMatchObject({
      'task-definition-arn': TD_ARN(2),
      'previous-task-definition-arn': TD_ARN(1),
      status: 'success',
    });
    expect(JSON.parse(outputs.deployments!).api).toMatchObject({ status: 'completed', deploymentId: svc.deploymentId });
    expect(run.summary).toContain('web:1 → web:2 (new)');
    expect(run.summary).toContain('Task definition diff');
    expect(run.summary).toContain('console.aws.amazon.com/ecs/v2/clusters/app/services/api/deployments');
  });

  test('healthy 4-service deploy: one registration, batched DescribeServices', async () => {
    const names = ['api', 'worker', 'web', 'cron'];
    await seedServices(t.control, { services: names });
    const td = fileTaskDef(IMAGE('v2'));
    const run = await deploy(request({ services: names.map((service) => ({ service, taskDefinition: td })) }));
    expect(run.report.status).toBe('success');
    expect(run.report.services.map((s) => s.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    const log = await t.control.requests();
    expect(log.filter((r) => r.operation === 'RegisterTaskDefinition')).toHaveLength(1);
    expect(log.filter((r) => r.operation === 'UpdateService')).toHaveLength(4);
    const describes = log.filter((r) => r.operation === 'DescribeServices');
    expect(describes.length).toBe(run.report.describeCalls + 1); // + the read-only prepare call
  });

  test('unchanged template reuses the latest revision and reports already running', async () => {
    await seedServices(t.control);
    const run = await deployImage('v1');
    expect(run.report.status).toBe('unchanged');
    expect(run.report.services[0]).toMatchObject({
      status: 'unchanged',
      taskDefinitionArn: TD_ARN(1),
      registered: false,
    });
    expect(run.text).toContain('reusing it (no new revision)');
    expect(run.text).toContain('already running');
    const ops = (await t.control.requests()).map((r) => r.operation);
    expect(ops).not.toContain('RegisterTaskDefinition');
    expect(ops.filter((o) => o === 'DescribeServices')).toHaveLength(1);
  });

  test('crash loop with circuit breaker + rollback: fails, says ECS rolled back, names exit code and log lines', async () => {
    await seedServices(t.control);
    await t.control.behaviors({ image: '*:crash', service: 'crashloop' });
    const run = await deployImage('crash');
    expect(run.report.status).toBe('rolled-back');
    const svc = run.report.services[0]!;
    expect(svc.status).toBe('failed');
    expect(svc.ecsRolledBack).toBe(true);
    expect(run.report.message).toContain('ECS rolled back to web:1');
    expect(run.text).toMatch(/app exit 1/);
    expect(run.text).toContain('RuntimeError: required setting DATABASE_URL is not set');
    expect(run.summary).toContain('RuntimeError: required setting DATABASE_URL is not set');
    expect(run.summary).toContain('ECS rolled back to web:1');
    // ECS rolled back itself: we did not issue a second UpdateService
    const updates = (await t.control.requests()).filter((r) => r.operation === 'UpdateService');
    expect(updates).toHaveLength(1);
  });

  test('crash loop without circuit breaker: declared failed, auto-rollback to the revision it ran before, still fails', async () => {
    await seedCrashLoopNoBreaker(t.control);
    const run = await deployImage('crash');
    expect(run.report.status).toBe('rolled-back');
    const svc = run.report.services[0]!;
    expect(svc.status).toBe('failed');
    expect(svc.reason).toContain('consecutive tasks of the new deployment failed');
    expect(svc.rollback).toMatchObject({ outcome: 'completed', taskDefinitionArn: TD_ARN(1) });
    expect(run.report.message).toContain('deployment of web:2 failed');
    expect(run.report.message).toContain('rolled back to web:1 (rollback succeeded)');
    expect(run.text).toContain(
      'rolling back to the revision it ran before this deploy, web:1 (its deployment had COMPLETED)',
    );
    expect(await revisionTags(TD_ARN(2))).not.toHaveProperty(TAG_KNOWN_GOOD);

    // re-running the good deploy after the rollback reuses the running revision (web:2 is the latest, and broken)
    await t.control.clearRequests();
    const again = await deployImage('v1');
    expect(again.report.status).toBe('unchanged');
    expect(again.report.services[0]!.taskDefinitionArn).toBe(TD_ARN(1));
    expect((await t.control.requests()).map((r) => r.operation)).not.toContain('RegisterTaskDefinition');
  });

  test('pull error: CannotPullContainerError in the root causes', async () => {
    await seedServices(t.control);
    await t.control.behaviors({ image: '*:nopull', service: 'pullError' });
    const run = await deployImage('nopull');
    expect(run.report.status).toBe('rolled-back');
    expect(run.text).toContain('CannotPullContainerError');
    expect(run.summary).toContain('CannotPullContainerError');
  });

  test('missing secret key: the ResourceInitializationError text reaches the log and the summary', async () => {
    await seedServices(t.control);
    await t.control.behaviors({ image: '*:nosecret', service: 'missingSecret' });
    const run = await deployImage('nosecret');
    expect(run.report.services[0]!.status).toBe('failed');
    expect(run.text).toContain('ResourceInitializationError');
    expect(run.text).toContain('did not contain json key DJANGO_SECRET_KEY');
    expect(run.summary).toContain('ResourceInitializationError');
  });

  test('unhealthy behind a load balancer: ELB health check failures reach the root causes', async () => {
    await seedServices(t.control, { loadBalancer: true });
    await t.control.behaviors({ image: '*:sick', service: 'unhealthy' });
    const run = await deployImage('sick');
    expect(run.report.services[0]!.status).toBe('failed');
    expect(run.text).toMatch(/stopped: Task failed ELB health checks/);
    expect(run.summary).toContain('Task failed ELB health checks');
  });

  test('failing health URL after COMPLETED: rolls back to the previous revision and fails', async () => {
    await seedServices(t.control);
    const server: Server = createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('database unavailable');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/health`;
    try {
      const run = await deploy(
        request({ healthChecks: [{ url, expectStatus: 200, bodyContains: 'ok' }], healthCheckTimeoutMs: 500 }),
      );
      expect(run.report.status).toBe('rolled-back');
      expect(run.report.healthChecks[0]).toMatchObject({ ok: false });
      expect(run.report.message).toContain('health check failed');
      expect(run.report.message).toContain('HTTP 503');
      expect(run.report.services[0]!.rollback).toMatchObject({ outcome: 'completed', taskDefinitionArn: TD_ARN(1) });
      expect(run.report.knownGood).toEqual([]);
    } finally {
      server.close();
    }
  });

  test('passing health URL with body text marks known-good', async () => {
    await seedServices(t.control);
    const server: Server = createServer((_req, res) => res.end('{"status": "ok"}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
    try {
      const run = await deploy(request({ healthChecks: [{ url, expectStatus: 200, bodyContains: '"ok"' }] }));
      expect(run.report.status).toBe('success');
      expect(run.report.knownGood).toEqual([TD_ARN(2)]);
    } finally {
      server.close();
    }
  });

  test('timeout: says where the deployment stands', async () => {
    await seedServices(t.control);
    await t.control.behaviors({ image: '*:slow', service: 'slowStart' });
    const run = await deployImage('slow', { waitTimeoutMs: 400, autoRollback: false });
    expect(run.report.status).toBe('timeout');
    expect(run.report.services[0]!.status).toBe('timeout');
    expect(run.report.message).toMatch(/timed out: not COMPLETED within .*last status: api: new web:2/);
    expect(run.report.message).toContain('auto-rollback is off');
  });

  test('rollback-to known-good skips revisions that never became known-good', async () => {
    await seedServices(t.control, { extraImages: [IMAGE('v2'), IMAGE('v3')] });
    await markKnownGood(TD_ARN(1));
    await t.control.clearRequests();
    // web:1 runs and is the only known-good revision: a rollback has nowhere to go (read-only failure)
    await expect(
      deploy(request({ services: [{ service: 'api' }], rollbackTo: { kind: 'known-good' } })),
    ).rejects.toThrow(/other than the running web:1/);
    expect(await mutatingRequests(t.control)).toEqual([]);

    // now move the service to web:3 (never known-good), then roll back
    const moved = await deploy(
      request({
        services: [{ service: 'api', taskDefinition: { kind: 'arn', arn: TD_ARN(3) } }],
        markKnownGood: false,
      }),
    );
    expect(moved.report.status).toBe('success');
    const back = await deploy(request({ services: [{ service: 'api' }], rollbackTo: { kind: 'known-good' } }));
    expect(back.report.status).toBe('success');
    expect(back.report.rollbackMode).toBe(true);
    expect(back.report.services[0]).toMatchObject({
      previousTaskDefinitionArn: TD_ARN(3),
      taskDefinitionArn: TD_ARN(1),
      status: 'completed',
    });
  });

  test('a task definition that does not fit the load balancer fails before anything is registered', async () => {
    await seedServices(t.control, { services: ['api', 'worker'], loadBalancer: true });
    const renamed = taskDefWith(IMAGE('v2'));
    renamed.containerDefinitions[0].name = 'web';
    const err = await deploy(
      request({
        services: [
          { service: 'api', taskDefinition: fileTaskDef(IMAGE('v2')) },
          { service: 'worker', taskDefinition: { kind: 'file', path: 'worker.json', taskDefinition: renamed } },
        ],
      }),
    ).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as Error).message).toBe(
      'the web task definition cannot run service worker: its load balancer routes to container "app", which the task definition does not have (containers: web)',
    );
    expect(await mutatingRequests(t.control)).toEqual([]);
  });

  test('UpdateService rejected for the second service: the first is reverted, the rest left alone', async () => {
    const names = ['api', 'worker', 'cron'];
    await seedServices(t.control, { services: names });
    const td = fileTaskDef(IMAGE('v2'));
    const { ecs } = createEcsClients('test', REGION);
    const run = await deploy(request({ services: names.map((service) => ({ service, taskDefinition: td })) }), {
      // someone deletes the worker service after we prepared (ECS then rejects its UpdateService)
      hooks: {
        beforeUpdate: async () =>
          void (await ecs.send(new DeleteServiceCommand({ cluster: 'app', service: 'worker', force: true }))),
      },
    });
    expect(run.report.status).toBe('rolled-back');
    const [api, worker, cron] = run.report.services;
    expect(worker).toMatchObject({ status: 'failed', updateRejected: true });
    expect(worker!.reason).toMatch(
      /^AWS ECS UpdateService failed: ServiceNotActiveException: Service was not ACTIVE\./,
    );
    expect(api!.rollback).toMatchObject({ outcome: 'completed', taskDefinitionArn: TD_ARN(1) });
    expect(cron).toMatchObject({ status: 'not-started' });
    expect(run.report.message).toContain('worker: AWS ECS UpdateService failed: ServiceNotActiveException');
    expect(run.report.message).toContain('api: reverted to web:1 (revert completed)');
    const updates = (await t.control.requests()).filter((r) => r.operation === 'UpdateService');
    expect(updates.map((u) => JSON.parse(u.body ?? '{}'))).toEqual([
      expect.objectContaining({ service: 'api', taskDefinition: TD_ARN(2) }),
      expect.objectContaining({ service: 'worker', taskDefinition: TD_ARN(2) }),
      expect.objectContaining({ service: 'api', taskDefinition: TD_ARN(1) }),
    ]);
    const after = await ecs.send(new DescribeServicesCommand({ cluster: 'app', services: ['api', 'cron'] }));
    expect(after.services?.map((s) => s.taskDefinition)).toEqual([TD_ARN(1), TD_ARN(1)]);
    expect(await revisionTags(TD_ARN(2))).not.toHaveProperty(TAG_KNOWN_GOOD);
    expect(api!.status).toBe('reverted');
    expect(run.summary).toContain('| api | ↩️ reverted to web:1 (another service failed) |');
  });

  test('UpdateService rejected for the first service: nothing changed; auto-rollback off leaves others as they are', async () => {
    await seedServices(t.control, { services: ['api', 'worker'] });
    const td = fileTaskDef(IMAGE('v2'));
    const { ecs } = createEcsClients('test', REGION);
    const remove = (service: string) => async () =>
      void (await ecs.send(new DeleteServiceCommand({ cluster: 'app', service, force: true })));
    const first = await deploy(
      request({
        services: [
          { service: 'api', taskDefinition: td },
          { service: 'worker', taskDefinition: td },
        ],
      }),
      {
        hooks: { beforeUpdate: remove('api') },
      },
    );
    expect(first.report.status).toBe('failed');
    expect(first.report.message).toMatch(
      /^api: AWS ECS UpdateService failed: .*\(it still runs web:1\)\. Nothing was changed$/,
    );

    await seedServices(t.control, { services: ['api', 'worker'] });
    const second = await deploy(
      request({
        autoRollback: false,
        services: [
          { service: 'api', taskDefinition: td },
          { service: 'worker', taskDefinition: td },
        ],
      }),
      { hooks: { beforeUpdate: remove('worker') } },
    );
    expect(second.report.status).toBe('failed');
    expect(second.report.message).toContain('already updated and left deploying (auto-rollback is off): api → web:2');
    expect((await t.control.requests()).filter((r) => r.operation === 'UpdateService')).toHaveLength(2);
  });

  test('keep-revisions: old revisions deregistered, never the running, previous or known-good ones', async () => {
    // web:1 runs; web:2..web:6 registered later (never deployed); web:2 known-good
    await seedServices(t.control, { extraImages: ['v2', 'v3', 'v4', 'v5', 'v6'].map(IMAGE) });
    await markKnownGood(TD_ARN(2));
    const run = await deployImage('v7', { keepRevisions: 2 });
    expect(run.report.status).toBe('success');
    expect(run.report.services[0]!.taskDefinitionArn).toBe(TD_ARN(7));
    const { ecs } = createEcsClients('test', REGION);
    const status = async (rev: number) =>
      (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: TD_ARN(rev) }))).taskDefinition?.status;
    // newest 2 = web:7, web:6; web:1 runs before this deploy (a rollback target); web:2 is known-good
    expect(await Promise.all([1, 2, 3, 4, 5, 6, 7].map(status))).toEqual([
      'ACTIVE',
      'ACTIVE',
      'INACTIVE',
      'INACTIVE',
      'INACTIVE',
      'ACTIVE',
      'ACTIVE',
    ]);
    expect(run.report.revisionCleanup).toEqual(['web: deregistered web:5, web:4, web:3; kept known-good web:2']);
    expect(run.summary).toContain('- web: deregistered web:5, web:4, web:3; kept known-good web:2');
    // rollback-to known-good (newest known-good other than the running web:7) still finds the kept web:2
    const back = await deploy(request({ rollbackTo: { kind: 'known-good' } }));
    expect(back.report.status).toBe('success');
    expect(back.report.services[0]!.taskDefinitionArn).toBe(TD_ARN(2));
  });

  test('revision cleanup is bounded per run: the rest is deferred, a failure is reported, not thrown', async () => {
    await seedServices(t.control, { extraImages: ['v2', 'v3', 'v4'].map(IMAGE) });
    const { ecs } = createEcsClients('test', REGION);
    const first = await cleanupRevisions(ecs, 'web', { keep: 1, protect: new Set([TD_ARN(1)]), maxPerRun: 1 });
    expect(first).toEqual({ deregistered: [TD_ARN(3)], keptKnownGood: [], deferred: 1, errors: [] });
    const second = await cleanupRevisions(ecs, 'web', { keep: 1, protect: new Set([TD_ARN(1)]), maxPerRun: 1 });
    expect(second).toMatchObject({ deregistered: [TD_ARN(2)], deferred: 0 });
    const missing = await cleanupRevisions(ecs, 'web', { keep: 0, protect: new Set(), signal: AbortSignal.abort() });
    expect(missing.deregistered).toEqual([]);
    expect(missing.errors).toHaveLength(1);
  });

  test('cancellation mid-wait stops within 2 s and says where each deployment stands', async () => {
    await seedServices(t.control, { services: ['api', 'worker'] });
    await t.control.behaviors({ image: '*:slow', service: 'slowStart' });
    const controller = new AbortController();
    const td = fileTaskDef(IMAGE('slow'));
    setTimeout(() => controller.abort(new Error('received SIGINT')), 400);
    const started = Date.now();
    const run = await deploy(
      request({ services: ['api', 'worker'].map((service) => ({ service, taskDefinition: td })) }),
      { signal: controller.signal },
    );
    expect(Date.now() - started).toBeLessThan(2400);
    expect(run.report.status).toBe('cancelled');
    expect(run.text).toContain('Where each deployment stands');
    expect(run.text).toMatch(/api: cancelled — api: new web:2/);
    expect(run.text).toMatch(/worker: cancelled — worker: new web:2/);
  });
});
