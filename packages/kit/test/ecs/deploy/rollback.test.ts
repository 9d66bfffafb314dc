import { describe, expect, test } from 'vitest';
import { TAG_KNOWN_GOOD, TAG_VERSION } from '../../../src/ecs/deploy/known-good';
import type { ServiceReport, ServiceStatus } from '../../../src/ecs/deploy/model';
import { deploymentCompleted, rollbackCandidates } from '../../../src/ecs/deploy/rollback';
import {
  chooseRollbackTarget,
  isKnownGood,
  type RevisionFacts,
  type RollbackChoice,
  type RollbackTo,
  ranTagKey,
  TAG_ROLLED_BACK_FROM,
} from '../../../src/ecs/deploy/rollback-target';

const arn = (rev: number, family = 'web') => `arn:aws:ecs:us-east-1:000000000000:task-definition/${family}:${rev}`;
const API = { cluster: 'app', service: 'api' };
const WORKER = { cluster: 'app', service: 'worker' };

/**
 * A service's life as the engine records it in tags (what execute.ts, rollback.ts and history-steps.ts write), with
 * every rollback target asked of chooseRollbackTarget. Time advances one minute per step.
 */
class History {
  revisions = new Map<number, RevisionFacts>();
  current: number | undefined;
  /** Whether the deployment running now had COMPLETED (false after an auto-rollback that did not finish, say). */
  completed = true;
  private t = Date.parse('2026-01-01T00:00:00.000Z');
  readonly choices: RollbackChoice[] = [];
  constructor(readonly key = API) {}

  private now(): string {
    this.t += 60_000;
    return new Date(this.t).toISOString();
  }
  private rev(n: number): RevisionFacts {
    let r = this.revisions.get(n);
    if (!r) {
      r = { arn: arn(n), revision: n, active: true, tags: {} };
      this.revisions.set(n, r);
    }
    return r;
  }
  private tag(n: number, key: string, value: string) {
    const r = this.rev(n);
    r.tags = { ...r.tags, [key]: value };
  }
  /** A successful deploy (COMPLETED, healthy): known-good and in the history. */
  deploy(n: number, version?: string): this {
    const at = this.now();
    this.tag(n, TAG_KNOWN_GOOD, at);
    if (version) this.tag(n, TAG_VERSION, version);
    this.tag(n, ranTagKey(this.key), at);
    this.current = n;
    this.completed = true;
    return this;
  }
  /** Registered and never deployed. */
  register(n: number, version?: string): this {
    this.rev(n);
    if (version) this.tag(n, TAG_VERSION, version);
    return this;
  }
  deregister(n: number): this {
    this.rev(n).active = false;
    return this;
  }
  /** A deploy of `n` that failed: auto-rollback to wherever chooseRollbackTarget says. */
  failedDeploy(n: number): this {
    this.rev(n);
    const choice = this.ask({
      kind: 'auto',
      failedArn: arn(n),
      previousArn: this.current !== undefined ? arn(this.current) : undefined,
      previousCompleted: this.completed,
    });
    const at = this.now();
    this.tag(n, TAG_ROLLED_BACK_FROM, at);
    if ('arn' in choice) {
      this.tag(this.num(choice.arn), ranTagKey(this.key), at);
      this.current = this.num(choice.arn);
    } else this.current = n; // nowhere to go: the failed revision stays
    return this;
  }
  /** A dispatched rollback: the revision left is marked, the target deployed (and known-good again). */
  rollbackTo(want: RollbackTo): this {
    const choice = this.ask({ kind: 'rollback-to', want, currentArn: this.currentArn() });
    if (!('arn' in choice)) throw new Error(`rollback refused: ${choice.none}`);
    if (this.current !== undefined && arn(this.current) !== choice.arn)
      this.tag(this.current, TAG_ROLLED_BACK_FROM, this.now());
    return this.deploy(this.num(choice.arn));
  }
  currentArn(): string | undefined {
    return this.current !== undefined ? arn(this.current) : undefined;
  }
  ask(request: Parameters<typeof chooseRollbackTarget>[0]['request']): RollbackChoice {
    const choice = chooseRollbackTarget({ request, service: this.key, revisions: [...this.revisions.values()] });
    this.choices.push(choice);
    return choice;
  }
  target(want: RollbackTo): number | string {
    const c = this.ask({ kind: 'rollback-to', want, currentArn: this.currentArn() });
    return 'arn' in c ? this.num(c.arn) : c.none;
  }
  private num(a: string): number {
    return Number(a.split(':').pop());
  }
}

describe('chooseRollbackTarget over deploy histories', () => {
  test("the issue's story: known-good 2, dispatched rollback to 1, 3 crash-loops → back to 1, never 2 again", () => {
    const h = new History().deploy(1).deploy(2).rollbackTo({ kind: 'revision', revision: 1 });
    expect(h.current).toBe(1);
    expect(isKnownGood(h.revisions.get(2)!.tags)).toBe(false);
    h.failedDeploy(3);
    expect(h.current).toBe(1);
    expect(h.choices.at(-1)).toMatchObject({
      why: expect.stringContaining('revision it ran before this deploy, web:1'),
    });
    // known-good afterwards: 2 was rolled back from, 3 failed, 1 runs: nowhere, and the message says why 2 is not
    const kg = h.ask({ kind: 'rollback-to', want: { kind: 'known-good' }, currentArn: arn(1) });
    expect(kg).toMatchObject({ none: expect.stringContaining('no revision other than the running web:1') });
    expect(kg.skipped).toEqual([
      { arn: arn(2), reason: expect.stringMatching(/^known-good once, rolled back from at /) },
    ]);
  });

  test('the same story when the deployment running before had not COMPLETED: the newest known-good, still not 2', () => {
    const h = new History().deploy(1).deploy(2).rollbackTo({ kind: 'revision', revision: 1 });
    h.completed = false;
    h.failedDeploy(3);
    expect(h.current).toBe(1);
    expect(h.choices.at(-1)).toMatchObject({
      why: 'last known-good revision web:1',
      skipped: [
        { arn: arn(1), reason: 'its deployment had not COMPLETED before this deploy' },
        { arn: arn(2), reason: expect.stringMatching(/^known-good once, rolled back from/) },
      ],
    });
  });

  test('repeated rollback-to known-good walks back and never flips between two revisions', () => {
    const h = new History().deploy(1).deploy(2).deploy(3);
    h.rollbackTo({ kind: 'known-good' });
    expect(h.current).toBe(2);
    h.rollbackTo({ kind: 'known-good' });
    expect(h.current).toBe(1);
    expect(h.target({ kind: 'known-good' })).toMatch(/^no revision other than the running web:1 is known-good/);
  });

  test('a redeploy of a revision rolled back from makes it known-good (and previous) again', () => {
    const h = new History().deploy(1).deploy(2).rollbackTo({ kind: 'known-good' });
    expect(h.target({ kind: 'known-good' })).toMatch(/^no revision/);
    h.deploy(2); // deployed successfully again
    expect(isKnownGood(h.revisions.get(2)!.tags)).toBe(true);
    expect(h.target({ kind: 'known-good' })).toBe(1);
    expect(h.target({ kind: 'previous' })).toBe(1);
  });

  test.each<[string, (h: History) => History, RollbackTo, number | RegExp]>([
    ['previous after two deploys', (h) => h.deploy(1).deploy(2), { kind: 'previous' }, 1],
    [
      'previous skips registered-never-deployed revisions',
      (h) => h.deploy(1).register(2).deploy(3),
      { kind: 'previous' },
      1,
    ],
    [
      'previous follows the history, not the revision numbers',
      (h) => h.deploy(1).deploy(2).deploy(3).rollbackTo({ kind: 'revision', revision: 1 }).deploy(4),
      { kind: 'previous' },
      1,
    ],
    [
      'previous skips a revision rolled back from (no flip back)',
      (h) => h.deploy(1).deploy(2).rollbackTo({ kind: 'previous' }),
      { kind: 'previous' },
      /^service api has no earlier revision/,
    ],
    [
      'previous skips a deregistered revision',
      (h) => h.deploy(1).deploy(2).deploy(3).deregister(2),
      { kind: 'previous' },
      1,
    ],
    ['previous with no history at all', (h) => h.register(1).register(2), { kind: 'previous' }, /no earlier revision/],
    [
      'previous after a failed deploy: the failed revision never ran',
      (h) => h.deploy(1).deploy(2).failedDeploy(3),
      { kind: 'previous' },
      1,
    ],
    [
      'known-good skips a deregistered one',
      (h) => h.deploy(1).deploy(2).deploy(3).deregister(2),
      { kind: 'known-good' },
      1,
    ],
    ['a named revision', (h) => h.deploy(1).deploy(2).deploy(3), { kind: 'revision', revision: 1 }, 1],
    [
      'a named revision rolled back from is still allowed',
      (h) => h.deploy(1).deploy(2).rollbackTo({ kind: 'known-good' }),
      { kind: 'revision', revision: 2 },
      2,
    ],
    [
      'a named deregistered revision is refused',
      (h) => h.deploy(1).deploy(2).deregister(1),
      { kind: 'revision', revision: 1 },
      /web:1 is deregistered \(INACTIVE\)/,
    ],
    ['family:revision', (h) => h.deploy(1).deploy(2), { kind: 'arn', arn: 'web:1' }, 1],
    ['an unknown revision', (h) => h.deploy(1), { kind: 'revision', revision: 9 }, /^revision 9 not found/],
    [
      'version: known-good match first',
      (h) => h.deploy(1, 'v1').register(2, 'v1').deploy(3, 'v2'),
      { kind: 'version', version: 'v1' },
      1,
    ],
    [
      'version: else the newest match',
      (h) => h.register(1, 'v1').register(2, 'v1').deploy(3, 'v2'),
      { kind: 'version', version: 'v1' },
      2,
    ],
    [
      'version: not the running one',
      (h) => h.deploy(1, 'v1'),
      { kind: 'version', version: 'v1' },
      /no revision other than the running web:1 has version v1/,
    ],
  ])('%s', (_name, build, want, expected) => {
    const h = build(new History());
    const got = h.target(want);
    if (expected instanceof RegExp) expect(got).toMatch(expected);
    else expect(got).toBe(expected);
  });

  test("each service has its own history: a family's revisions ran in different orders", () => {
    const api = new History(API).deploy(1).deploy(2);
    // worker ran 2 first, then 1 (tags of both services on the same revisions)
    const worker = new History(WORKER);
    worker.revisions = api.revisions;
    worker.deploy(2).deploy(1);
    api.current = 2;
    expect(api.target({ kind: 'previous' })).toBe(1);
    expect(worker.target({ kind: 'previous' })).toBe(2);
  });

  test.each<[string, (h: History) => History, number | RegExp]>([
    ['auto: the revision it ran before (COMPLETED)', (h) => h.deploy(1).deploy(2), 2],
    ['auto: a redeploy of the running revision that failed: known-good other than it', (h) => h.deploy(1).deploy(2), 1],
    ['auto: nothing ran before and nothing is known-good', (h) => h.register(1), /^no rollback target/],
    ['auto: the previous revision was deregistered while it ran', (h) => h.deploy(1).deploy(2).deregister(2), 1],
  ])('%s', (name, build, expected) => {
    const h = build(new History());
    const failed = name.includes('redeploy') ? h.current! : 3;
    const c = h.ask({
      kind: 'auto',
      failedArn: arn(failed),
      previousArn: h.currentArn(),
      previousCompleted: true,
    });
    if (expected instanceof RegExp) expect('none' in c ? c.none : c.arn).toMatch(expected);
    else expect('arn' in c ? c.arn : c.none).toBe(arn(expected));
  });

  test('ran tag keys: cluster names from ARNs, long pairs hashed to fit 128 characters', () => {
    expect(ranTagKey({ cluster: 'arn:aws:ecs:us-east-1:0:cluster/app', service: 'api' })).toBe(
      'deploy-actions:ran:app/api',
    );
    const long = ranTagKey({ cluster: 'c'.repeat(100), service: 's'.repeat(100) });
    expect(long).toMatch(/^deploy-actions:ran:sha256-[0-9a-f]{64}$/);
    expect(long.length).toBeLessThanOrEqual(128);
  });

  test('known-good: a later rollback away wins; an equal time counts as rolled back', () => {
    expect(isKnownGood({ [TAG_KNOWN_GOOD]: '2026-01-02T00:00:00Z' })).toBe(true);
    expect(
      isKnownGood({ [TAG_KNOWN_GOOD]: '2026-01-02T00:00:00Z', [TAG_ROLLED_BACK_FROM]: '2026-01-02T00:00:00.000Z' }),
    ).toBe(false);
    expect(
      isKnownGood({ [TAG_KNOWN_GOOD]: '2026-01-03T00:00:00Z', [TAG_ROLLED_BACK_FROM]: '2026-01-02T00:00:00.000Z' }),
    ).toBe(true);
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
  test('deploymentCompleted: rolloutState, else one steady deployment', () => {
    const d = (x: object) => ({ deployments: [{ status: 'PRIMARY', ...x }] });
    expect(deploymentCompleted(d({ rolloutState: 'COMPLETED' }))).toBe(true);
    expect(deploymentCompleted(d({ rolloutState: 'IN_PROGRESS' }))).toBe(false);
    expect(deploymentCompleted(d({ runningCount: 2, desiredCount: 2 }))).toBe(true);
    expect(deploymentCompleted(d({ runningCount: 1, desiredCount: 2 }))).toBe(false);
    expect(deploymentCompleted(undefined)).toBe(false);
  });
});
