// The end-state checks report what differs (a check that cannot fail proves nothing): fed a stub probe with the
// wrong state, each says so.
import { expect, test } from 'vitest';
import { ecrImage, jobs, service, spa } from '../src/checks.ts';
import type { AppRepo, Probe } from '../src/index.ts';
import type { CheckContext } from '../src/types.ts';

const svc = (revisionNumber: number, image: string, primaryId: string) => ({
  status: 'ACTIVE',
  revision: `api:${revisionNumber}`,
  family: 'api',
  revisionNumber,
  desiredCount: 1,
  runningCount: 1,
  primary: { id: primaryId, rolloutState: 'COMPLETED' },
  containers: [{ name: 'api', image, essential: true, environment: [{ name: 'A', value: '1' }] }],
  tags: {},
});

function ctx(state: { service: unknown; digests: Record<string, string>; keys?: string[]; releases?: string[] }) {
  const probe = {
    service: async () => state.service,
    imageDigest: async (_r: string, repo: string, tag: string) => state.digests[`${repo}:${tag}`],
    spa: async () => ({
      keys: state.keys ?? [],
      releases: state.releases ?? [],
      live: state.releases?.[0],
      indexHtml: undefined,
    }),
  } as unknown as Probe;
  const repo = { sha: (l: string) => (l === 'c1' ? 'a'.repeat(40) : 'b'.repeat(40)) } as unknown as AppRepo;
  return { probe, repo, registry: 'r', buildah: true, result: { jobs: [] } } as unknown as CheckContext;
}

test('service: revision, image digest, known-good, environment and untouched are each checked', async () => {
  const check = service('us-east-1', 'c', 'api', {
    revision: 2,
    image: { repository: 'api', tag: { commit: 'c1' } },
    knownGood: true,
    environment: { A: '2' },
    untouched: true,
  });
  const before = ctx({ service: svc(1, 'r/api@sha256:old', 'd1'), digests: {} });
  await check.before?.(before);
  const after = ctx({
    service: svc(1, 'r/api@sha256:old', 'd2'),
    digests: { [`api:${'a'.repeat(40)}`]: 'sha256:new' },
  });
  const problem = await check.verify(after);
  expect(problem).toContain('runs api:1');
  expect(problem).toContain('expected …/api@sha256:new');
  expect(problem).toContain('is not marked known-good');
  expect(problem).toContain('env A=1');
  expect(problem).toContain('changed: api:1/d1 → api:1/d2');
  const good = ctx({
    service: { ...svc(2, 'r/api@sha256:new', 'd1'), revision: 'api:1', tags: { 'deploy-actions:known-good': 't' } },
    digests: { [`api:${'a'.repeat(40)}`]: 'sha256:new' },
  });
  const fine = service('us-east-1', 'c', 'api', {
    revision: 2,
    image: { repository: 'api', tag: { commit: 'c1' } },
    knownGood: true,
  });
  expect(await fine.verify(good)).toBeUndefined();
});

test('ecrImage: a promotion that rebuilt, or a build that found the tag already there, is reported', async () => {
  const promoted = ecrImage('us-east-1', 'api', 'v1', { pushedByRun: false });
  await promoted.before?.(ctx({ service: undefined, digests: { 'api:v1': 'sha256:a' } }));
  expect(await promoted.verify(ctx({ service: undefined, digests: { 'api:v1': 'sha256:b' } }))).toBe(
    'api:v1 was sha256:a before the run, now sha256:b',
  );
  const built = ecrImage('us-east-1', 'api', 'v2', { pushedByRun: true });
  await built.before?.(ctx({ service: undefined, digests: { 'api:v2': 'sha256:a' } }));
  expect(await built.verify(ctx({ service: undefined, digests: { 'api:v2': 'sha256:a' } }))).toContain(
    'existed before the run',
  );
  expect(await built.verify(ctx({ service: undefined, digests: {} }))).toBe('api:v2 is not in ECR');
});

test('spa: a new object after a failed build, or another live release, is reported', async () => {
  const check = spa('us-east-1', 'site', { live: 'v1', unchanged: true });
  await check.before?.(ctx({ service: undefined, digests: {}, keys: ['index.html'] }));
  const problem = await check.verify(
    ctx({ service: undefined, digests: {}, keys: ['assets/app-1.js', 'index.html'], releases: ['v2'] }),
  );
  expect(problem).toContain('live release is v2');
  expect(problem).toContain('objects changed (new: assets/app-1.js)');
});

test('jobs: a matrix leg is named by its first value', async () => {
  const result = {
    jobs: [
      {
        path: 'deploy (backend, /api/health, )',
        result: 'success',
        jobs: [{ path: 'deploy (backend, /api/health, )/smoke-test', result: 'failure' }],
      },
    ],
  };
  const c = { ...ctx({ service: undefined, digests: {} }), result } as unknown as CheckContext;
  expect(await jobs({ 'deploy (backend)/smoke-test': 'failure' }).verify(c)).toBeUndefined();
  expect(await jobs({ 'deploy (backend)/smoke-test': 'success' }).verify(c)).toBe(
    'deploy (backend)/smoke-test failure',
  );
});
