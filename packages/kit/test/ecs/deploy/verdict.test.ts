import { describe, expect, test } from 'vitest';
import type { HealthCheckResult } from '../../../src/ecs/deploy/health-check';
import type { RollbackReport, ServiceReport, ServiceStatus } from '../../../src/ecs/deploy/model';
import { deployFailed, deployVerdict, revertVerdict, type VerdictInput } from '../../../src/ecs/deploy/verdict';
import { serviceReport, tdArn } from './service-report';

function svc(service: string, status: ServiceStatus, over: Partial<ServiceReport> = {}): ServiceReport {
  return serviceReport(service, { status, ...over });
}

const rb = (outcome: RollbackReport['outcome'], reason = 'last known-good revision web:1', to = tdArn(1)) => ({
  rollback: { taskDefinitionArn: to, outcome, reason },
});
const check = (ok: boolean): HealthCheckResult => ({
  url: 'https://app.example/health',
  ok,
  attempts: 3,
  last: ok ? 'HTTP 200' : 'HTTP 503 (expected 200)',
  elapsedMs: 4000,
});
const input = (services: ServiceReport[], over: Partial<VerdictInput> = {}): VerdictInput => ({
  services,
  healthChecks: [],
  autoRollback: true,
  waited: true,
  ...over,
});

describe('deployVerdict', () => {
  test.each<[string, VerdictInput, string, string | RegExp]>([
    [
      'every service completed',
      input([svc('api', 'completed'), svc('worker', 'completed')]),
      'success',
      'Deployed api → web:2, worker → web:2',
    ],
    [
      'one completed, one already running',
      input([svc('api', 'completed'), svc('worker', 'unchanged')]),
      'success',
      'Deployed api → web:2, worker → web:2',
    ],
    [
      'all already running',
      input([svc('api', 'unchanged'), svc('worker', 'unchanged')]),
      'unchanged',
      'All services already run web:2',
    ],
    [
      'all already running, two revisions',
      input([svc('api', 'unchanged'), svc('w', 'unchanged', { taskDefinitionArn: tdArn(5) })]),
      'unchanged',
      'All services already run web:2, web:5',
    ],
    [
      'completed and health checks passed',
      input([svc('api', 'completed')], { healthChecks: [check(true)] }),
      'success',
      'Deployed api → web:2',
    ],
    [
      'wait: false, started',
      input([svc('api', 'started'), svc('w', 'started')], { waited: false }),
      'started',
      'Started 2 deployment(s); not waiting (wait: false)',
    ],
    [
      'wait: false, nothing to start',
      input([svc('api', 'unchanged')], { waited: false }),
      'unchanged',
      'All services already run the requested revision',
    ],
    [
      'cancelled while waiting: names the services still deploying',
      input([svc('api', 'cancelled', { progress: 'api: new web:2 IN_PROGRESS running 1/2' }), svc('w', 'completed')], {
        cancelledDuring: 'wait',
      }),
      'cancelled',
      'Cancelled while waiting: api api: new web:2 IN_PROGRESS running 1/2',
    ],
    [
      'cancelled during health checks',
      input([svc('api', 'completed')], { cancelledDuring: 'health-checks' }),
      'cancelled',
      'Cancelled during health checks',
    ],
    [
      'failed and rolled back',
      input([svc('api', 'failed', { reason: 'tasks failed to start', ...rb('completed') })]),
      'rolled-back',
      'api: deployment of web:2 failed: tasks failed to start. api: rolled back to web:1 (rollback succeeded)',
    ],
    [
      'ECS circuit breaker rolled back by itself',
      input([
        svc('api', 'failed', {
          reason: 'breaker',
          ecsRolledBack: true,
          ...rb('ecs', 'ECS circuit breaker rolled back to web:1'),
        }),
      ]),
      'rolled-back',
      'api: deployment of web:2 failed: breaker',
    ],
    [
      'failed, rollback failed',
      input([svc('api', 'failed', { reason: 'crash loop', ...rb('failed', 'UpdateService failed: denied') })]),
      'failed',
      'api: deployment of web:2 failed: crash loop. api: rollback to web:1 failed (UpdateService failed: denied)',
    ],
    [
      'failed, no rollback target',
      input([
        svc('api', 'failed', { reason: 'crash loop', rollback: { outcome: 'skipped', reason: 'no rollback target' } }),
      ]),
      'failed',
      'api: deployment of web:2 failed: crash loop. api: not rolled back (no rollback target)',
    ],
    [
      'failed with auto-rollback off',
      input([svc('api', 'failed', { reason: 'crash loop' })], { autoRollback: false }),
      'failed',
      'api: deployment of web:2 failed: crash loop. auto-rollback is off',
    ],
    [
      'timed out, rolled back: still a timeout',
      input([svc('api', 'timeout', { reason: 'not COMPLETED within 30m', ...rb('completed') })]),
      'timeout',
      'api: deployment of web:2 timed out: not COMPLETED within 30m. api: rolled back to web:1 (rollback succeeded)',
    ],
    [
      'one timed out, one failed: failed',
      input([svc('api', 'timeout', { reason: 't' }), svc('w', 'failed', { reason: 'f' })], { autoRollback: false }),
      'failed',
      /^api: deployment of web:2 timed out: t\. w: deployment of web:2 failed: f\. auto-rollback is off$/,
    ],
    [
      'health check failed after COMPLETED, rolled back',
      input([svc('api', 'completed', { ...rb('completed') })], { healthChecks: [check(false)] }),
      'rolled-back',
      /^health check failed: FAILED https:\/\/app\.example\/health: HTTP 503 \(expected 200\) after 3 attempt\(s\) in 4s\. api: rolled back to web:1/,
    ],
    [
      'timed out and health failed: not a plain timeout',
      input([svc('api', 'timeout', { reason: 't' })], { healthChecks: [check(false)], autoRollback: false }),
      'failed',
      /timed out: t\. health check failed/,
    ],
    [
      'cancelled while rolling back',
      input([svc('api', 'failed', { reason: 'crash', ...rb('cancelled') })], { cancelledDuring: 'rollback' }),
      'cancelled',
      /api: rollback to web:1 cancelled \(.*\)\. cancelled while rolling back$/,
    ],
  ])('%s', (_name, v, status, message) => {
    const verdict = deployVerdict(v);
    expect(verdict.status).toBe(status);
    if (typeof message === 'string') expect(verdict.message).toBe(message);
    else expect(verdict.message).toMatch(message);
  });

  test.each<[string, ServiceReport[], HealthCheckResult[], boolean]>([
    ['completed', [svc('a', 'completed')], [], false],
    ['unchanged', [svc('a', 'unchanged')], [], false],
    ['failed', [svc('a', 'completed'), svc('b', 'failed')], [], true],
    ['timeout', [svc('a', 'timeout')], [], true],
    ['health check failed', [svc('a', 'completed')], [check(true), check(false)], true],
    ['health checks passed', [svc('a', 'completed')], [check(true)], false],
  ])('deployFailed: %s', (_name, services, checks, failed) => {
    expect(deployFailed(services, checks)).toBe(failed);
  });
});

describe('revertVerdict', () => {
  const rejected = svc('worker', 'failed', {
    updateRejected: true,
    reason: 'AWS ECS UpdateService failed: ServiceNotActiveException',
  });
  test.each<[string, Parameters<typeof revertVerdict>[0], string, string]>([
    [
      'rejected first: nothing changed',
      { rejected, started: [], autoRollback: true, cancelled: false },
      'failed',
      'worker: AWS ECS UpdateService failed: ServiceNotActiveException (it still runs web:1). Nothing was changed',
    ],
    [
      'auto-rollback off: the started ones are left deploying',
      { rejected, started: [svc('api', 'started')], autoRollback: false, cancelled: false },
      'failed',
      'worker: AWS ECS UpdateService failed: ServiceNotActiveException (it still runs web:1). already updated and left deploying (auto-rollback is off): api → web:2',
    ],
    [
      'every started service reverted',
      {
        rejected,
        started: [svc('api', 'reverted', rb('completed', 'reverted because UpdateService failed for worker'))],
        autoRollback: true,
        cancelled: false,
      },
      'rolled-back',
      'worker: AWS ECS UpdateService failed: ServiceNotActiveException (it still runs web:1). api: reverted to web:1 (revert completed)',
    ],
    [
      'a revert that did not complete',
      {
        rejected,
        started: [svc('api', 'reverted', rb('timeout', 'reverted because UpdateService failed for worker'))],
        autoRollback: true,
        cancelled: false,
      },
      'failed',
      'worker: AWS ECS UpdateService failed: ServiceNotActiveException (it still runs web:1). api: revert to web:1 timeout (reverted because UpdateService failed for worker)',
    ],
    [
      'cancelled while reverting',
      { rejected, started: [svc('api', 'reverted', rb('cancelled', 'r'))], autoRollback: true, cancelled: true },
      'cancelled',
      'worker: AWS ECS UpdateService failed: ServiceNotActiveException (it still runs web:1). api: revert to web:1 cancelled (r). cancelled while reverting',
    ],
  ])('%s', (_name, v, status, message) => {
    expect(revertVerdict(v)).toEqual({ status, message });
  });
});
