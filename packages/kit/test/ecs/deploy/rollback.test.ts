import { describe, expect, test } from 'vitest';
import type { ServiceReport, ServiceStatus } from '../../../src/ecs/deploy/model';
import { chooseRollbackTarget, type RollbackFacts, rollbackCandidates } from '../../../src/ecs/deploy/rollback';

const arn = (rev: number) => `arn:aws:ecs:us-east-1:000000000000:task-definition/web:${rev}`;

describe('chooseRollbackTarget', () => {
  test.each<[string, RollbackFacts, ReturnType<typeof chooseRollbackTarget>]>([
    [
      'known-good wins over the previous revision',
      { failedArn: arn(3), previousArn: arn(2), knownGoodArn: arn(1) },
      { arn: arn(1), why: 'last known-good revision web:1' },
    ],
    [
      'known-good that is also the previous revision',
      { failedArn: arn(3), previousArn: arn(2), knownGoodArn: arn(2) },
      { arn: arn(2), why: 'last known-good revision web:2' },
    ],
    [
      'no known-good: the revision it ran before',
      { failedArn: arn(3), previousArn: arn(2) },
      { arn: arn(2), why: 'previous PRIMARY revision web:2 (no known-good revision found)' },
    ],
    [
      'no known-good and the previous revision is the failed one (a redeploy)',
      { failedArn: arn(3), previousArn: arn(3) },
      { skip: 'no rollback target: no known-good revision and no different previous revision' },
    ],
    [
      'nothing ran before (a new service)',
      { failedArn: arn(1) },
      { skip: 'no rollback target: no known-good revision and no different previous revision' },
    ],
  ])('%s', (_name, facts, choice) => {
    expect(chooseRollbackTarget(facts)).toEqual(choice);
  });
});

describe('rollbackCandidates', () => {
  const svc = (service: string, status: ServiceStatus, ecsRolledBack = false) =>
    ({ service, status, ecsRolledBack }) as ServiceReport;
  const services = [
    svc('failed', 'failed'),
    svc('timeout', 'timeout'),
    svc('completed', 'completed'),
    svc('unchanged', 'unchanged'),
    svc('not-started', 'not-started'),
    svc('breaker', 'failed', true),
  ];
  test('services this run changed that ECS did not roll back itself', () => {
    expect(rollbackCandidates(services, true).map((s) => s.service)).toEqual(['failed', 'timeout', 'completed']);
  });
  test('none with auto-rollback off', () => {
    expect(rollbackCandidates(services, false)).toEqual([]);
  });
});
