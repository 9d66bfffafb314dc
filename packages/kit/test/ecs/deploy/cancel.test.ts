import { describe, expect, test } from 'vitest';
import { cancelledUpdateVerdict, isCancellation } from '../../../src/ecs/deploy/cancel';
import type { ServiceReport } from '../../../src/ecs/deploy/model';
import { serviceReport, tdArn } from './service-report';

const reverted = (name: string) =>
  serviceReport(name, {
    status: 'reverted',
    rollback: { taskDefinitionArn: tdArn(1), outcome: 'skipped', reason: 'r' },
  });

describe('cancelledUpdateVerdict', () => {
  test.each<[string, ServiceReport[], boolean, string]>([
    [
      'nothing reached ECS',
      [serviceReport('api', {}), serviceReport('worker', {})],
      true,
      'Cancelled (received SIGINT) before any service was updated: nothing was deployed',
    ],
    [
      'one reverted, the rest untouched',
      [reverted('api'), serviceReport('worker', {})],
      true,
      'Cancelled (received SIGINT) during the update. api: updated to web:2, revert to web:1 started (not waited for). not updated: worker (still on web:1)',
    ],
    [
      'auto-rollback off',
      [serviceReport('api', { status: 'cancelled' }), serviceReport('worker', {})],
      false,
      'Cancelled (received SIGINT) during the update. api: left deploying web:2 (auto-rollback is off). not updated: worker (still on web:1)',
    ],
    [
      'a revert that failed',
      [
        serviceReport('api', {
          status: 'cancelled',
          rollback: { taskDefinitionArn: tdArn(1), outcome: 'failed', reason: 'revert after the cancel failed: boom' },
        }),
      ],
      true,
      'Cancelled (received SIGINT) during the update. api: left deploying web:2 (revert after the cancel failed: boom)',
    ],
    [
      'in flight, unknown',
      [serviceReport('api', { status: 'cancelled', reason: 'whether ECS applied it is unknown (x)' })],
      true,
      'Cancelled (received SIGINT) during the update. api: left deploying web:2 (whether ECS applied it is unknown (x))',
    ],
  ])('%s', (_name, services, autoRollback, message) => {
    expect(cancelledUpdateVerdict({ services, autoRollback, reason: 'received SIGINT' })).toEqual({
      status: 'cancelled',
      message,
    });
  });
});

describe('isCancellation', () => {
  test('only an abort of this signal, once it aborted', () => {
    const c = new AbortController();
    const abort = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    expect(isCancellation(abort, c.signal)).toBe(false);
    c.abort(new Error('received SIGINT'));
    expect(isCancellation(abort, c.signal)).toBe(true);
    expect(isCancellation(c.signal.reason, c.signal)).toBe(true);
    expect(isCancellation(new Error('ThrottlingException'), c.signal)).toBe(false);
  });
});
