import { describe, expect, test } from 'vitest';
import { cleanupSummaryLine, cleanupTargets, planRevisionCleanup } from '../../../src/ecs/deploy/revision-cleanup';

const arn = (rev: number, family = 'web') => `arn:aws:ecs:us-east-1:000000000000:task-definition/${family}:${rev}`;
const newestFirst = [9, 8, 7, 6, 5, 4].map((r) => arn(r));

describe('planRevisionCleanup', () => {
  test.each([
    { name: 'keep 2, nothing protected', keep: 2, protect: [], candidates: [7, 6, 5, 4] },
    { name: 'keep 2, the previous revision protected', keep: 2, protect: [5], candidates: [7, 6, 4] },
    { name: 'keep more than there are', keep: 10, protect: [], candidates: [] },
    { name: 'keep 1 and protected running revisions', keep: 1, protect: [9, 4], candidates: [8, 7, 6, 5] },
  ])('$name', ({ keep, protect, candidates }) => {
    const plan = planRevisionCleanup(newestFirst, keep, new Set(protect.map((r) => arn(r))));
    expect(plan.filter((c) => !c.keptBecause).map((c) => c.arn)).toEqual(candidates.map((r) => arn(r)));
    expect(
      plan.slice(0, Math.min(keep, plan.length)).every((c) => c.keptBecause?.startsWith('one of the newest')),
    ).toBe(true);
  });
});

describe('cleanupTargets', () => {
  test('one entry per family, protecting what each service runs now and ran before', () => {
    const targets = cleanupTargets([
      { taskDefinitionArn: arn(9), previousTaskDefinitionArn: arn(8) },
      { taskDefinitionArn: arn(9), previousTaskDefinitionArn: arn(5) },
      { taskDefinitionArn: arn(3, 'worker'), previousTaskDefinitionArn: arn(3, 'worker') },
      { previousTaskDefinitionArn: arn(1, 'cron') }, // nothing deployed: not a target
    ]);
    expect([...targets.keys()]).toEqual(['web', 'worker']);
    expect([...targets.get('web')!]).toEqual([arn(9), arn(8), arn(5)]);
    expect([...targets.get('worker')!]).toEqual([arn(3, 'worker')]);
  });
});

test('cleanupSummaryLine says what went, what stayed and what failed', () => {
  expect(cleanupSummaryLine('web', { deregistered: [], keptKnownGood: [], deferred: 0, errors: [] })).toBe(
    'web: nothing to deregister',
  );
  expect(
    cleanupSummaryLine('web', {
      deregistered: [arn(4)],
      keptKnownGood: [arn(3)],
      deferred: 12,
      errors: ['web: AccessDeniedException'],
    }),
  ).toBe(
    'web: deregistered web:4; kept known-good web:3; 12 more left for later runs; failed: web: AccessDeniedException',
  );
});
