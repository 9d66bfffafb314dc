// The app host's answers (pure) and its HTTP server over a stub probe: 200 only while the PRIMARY deployment runs
// healthy tasks, 503 with the reason otherwise, the scenario's app behaviour for a broken release, path routing.
import type { Deployment } from '@aws-sdk/client-ecs';
import { describe, expect, test } from 'vitest';
import { AppHost, answer, type Probe, routeFor } from '../src/index.ts';
import type { ServiceView } from '../src/probe.ts';

function view(primary: Partial<Deployment> | undefined, over: Partial<ServiceView> = {}): ServiceView {
  const p = primary ? ({ status: 'PRIMARY', ...primary } as Deployment) : undefined;
  return {
    status: 'ACTIVE',
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/api:3',
    revision: 'api:3',
    family: 'api',
    revisionNumber: 3,
    desiredCount: 2,
    runningCount: 2,
    deployments: p ? [p] : [],
    primary: p,
    containers: [{ name: 'api', image: '127.0.0.1:4566/api@sha256:aaa', essential: true }],
    tags: { 'deploy-actions:version': 'v1.2.0' },
    ...over,
  };
}

describe('answer', () => {
  test.each([
    ['no service', undefined, 503, 'no active service'],
    [
      'inactive service',
      view({ rolloutState: 'COMPLETED', runningCount: 2 }, { status: 'INACTIVE' }),
      503,
      'no active service',
    ],
    ['no PRIMARY', view(undefined), 503, 'no PRIMARY deployment'],
    ['PRIMARY FAILED', view({ rolloutState: 'FAILED', runningCount: 0 }), 503, 'the PRIMARY deployment FAILED'],
    [
      'crash loop',
      view({ rolloutState: 'IN_PROGRESS', runningCount: 1, failedTasks: 2 }),
      503,
      'tasks keep failing (2 failed)',
    ],
    [
      'stopped (desired 0)',
      view({ rolloutState: 'COMPLETED', runningCount: 0, desiredCount: 0 }),
      503,
      'no running tasks (desired 0)',
    ],
    ['healthy', view({ rolloutState: 'COMPLETED', runningCount: 2 }), 200, undefined],
    ['rolling out, no failures', view({ rolloutState: 'IN_PROGRESS', runningCount: 1 }), 200, undefined],
  ] as const)('%s → %i', (_, service, status, reason) => {
    const a = answer(service as ServiceView | undefined, '/health', []);
    expect(a.status).toBe(status);
    if (reason) expect(a.body.reason).toBe(reason);
    else
      expect(a.body).toMatchObject({
        status: 'ok',
        revision: 'api:3',
        version: 'v1.2.0',
        image: '127.0.0.1:4566/api@sha256:aaa',
      });
  });

  test('an app behaviour answers for its image and paths only', () => {
    const healthy = view({ rolloutState: 'COMPLETED', runningCount: 2 });
    const broken = [{ image: '*/api@sha256:aaa', paths: ['/api/profile'], status: 500, body: 'KeyError' }];
    expect(answer(healthy, '/api/profile', broken)).toMatchObject({ status: 500, body: { error: 'KeyError' } });
    expect(answer(healthy, '/api/profile/avatar', broken).status).toBe(500);
    expect(answer(healthy, '/api/profiles', broken).status).toBe(200);
    expect(answer(healthy, '/api/health', broken).status).toBe(200);
    const other = [{ image: '*/api@sha256:bbb', paths: ['/api/profile'], status: 500, body: 'x' }];
    expect(answer(healthy, '/api/profile', other).status).toBe(200);
  });
});

test('routeFor: the longest matching prefix, as ALB path rules', () => {
  const site = {
    name: 'app',
    routes: [
      { prefix: '/', region: 'r', cluster: 'c', service: 'frontend' },
      { prefix: '/api/', region: 'r', cluster: 'c', service: 'backend' },
    ],
  };
  expect(routeFor(site, '/api/health')?.service).toBe('backend');
  expect(routeFor(site, '/api')?.service).toBe('backend');
  expect(routeFor(site, '/')?.service).toBe('frontend');
  expect(routeFor(site, '/settings')?.service).toBe('frontend');
});

test('the server routes /<site>/<path> to the service and records each request', async () => {
  const asked: string[] = [];
  const probe = {
    service: async (region: string, cluster: string, name: string) => {
      asked.push(`${region}/${cluster}/${name}`);
      return view({ rolloutState: 'COMPLETED', runningCount: 2 });
    },
  } as unknown as Probe;
  const host = new AppHost(probe);
  await host.start();
  try {
    host.addSite({ name: 'shop', routes: [{ prefix: '/', region: 'eu-north-1', cluster: 'shop', service: 'web' }] });
    const ok = await fetch(`${host.site('shop')}/health`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'ok', path: '/health' });
    const post = await fetch(`${host.site('shop')}/api/auth/login`, { method: 'POST', body: '{"email":"a@b"}' });
    expect(post.status).toBe(200);
    expect((await fetch(`${host.url}/nowhere/health`)).status).toBe(404);
    expect(asked).toEqual(['eu-north-1/shop/web', 'eu-north-1/shop/web']);
    expect(host.requests).toEqual([
      'GET /shop/health → 200',
      'POST /shop/api/auth/login → 200',
      'GET /nowhere/health → 404',
    ]);
  } finally {
    await host.stop();
  }
});
