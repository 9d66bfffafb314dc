import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createClock } from '../src/clock.ts';
import { parseBehavior } from '../src/control.ts';
import { FaultInjector, parseFaultConfig } from '../src/faults.ts';
import { startEmulator, useEmulator } from '../src/index.ts';
import { parseSigV4Scope, routeService, virtualHostBucket } from '../src/routing.ts';

const auth = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-1/${service}/aws4_request, SignedHeaders=host, Signature=abc`;

describe('routing', () => {
  test.each([
    ['/', { 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.DescribeServices' }, 'ecs', 'ecs'],
    ['/', { 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.PutImage' }, 'ecr', 'ecr'],
    ['/', { 'x-amz-target': 'Logs_20140328.GetLogEvents' }, 'logs', 'logs'],
    ['/', { 'x-amz-target': 'secretsmanager.GetSecretValue' }, 'secretsmanager', 'secretsmanager'],
    ['/', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, 'sts', 'sts'],
    ['/', { 'content-type': 'application/x-www-form-urlencoded' }, 'elasticloadbalancing', 'elasticloadbalancing'],
    ['/2020-05-31/distribution/E1/invalidation', {}, 'cloudfront', 'cloudfront'],
    ['/2020-05-31/distribution', {}, undefined, 'cloudfront'],
    ['/v2/', {}, undefined, 'registry'],
    ['/v2/app/api/manifests/latest', {}, undefined, 'registry'],
    ['/bucket/key', {}, 's3', 's3'],
    ['/bucket/v2/key', {}, 's3', 's3'],
    ['/bucket/key', {}, undefined, 's3'],
  ])('%s %j signed for %s → %s', (path, headers, service, expected) => {
    const scope = service ? parseSigV4Scope(auth(service), new URLSearchParams()) : undefined;
    expect(routeService({ path, headers: headers as Record<string, string>, scope })).toBe(expected);
  });

  test.each([
    ['POST', '/', 'sts'],
    ['PUT', '/bucket/key.txt', 's3'],
    ['POST', '/bucket/key.txt', 's3'],
    ['PUT', '/', 's3'],
  ])('unsigned form-encoded %s %s → %s (only POST / is STS AssumeRoleWithWebIdentity)', (method, path, expected) => {
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    expect(routeService({ path, headers, scope: undefined, method })).toBe(expected);
  });

  test('an anonymous S3 PUT with a form content type reaches S3 (end to end)', async () => {
    const emu = await startEmulator({ port: 0 });
    try {
      await fetch(`${emu.url}/forms`, { method: 'PUT' });
      const put = await fetch(`${emu.url}/forms/a.txt`, {
        method: 'PUT',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'a=1',
      });
      expect(put.status).toBe(200);
      expect(await (await fetch(`${emu.url}/forms/a.txt`)).text()).toBe('a=1');
    } finally {
      await emu.stop();
    }
  });

  test('credential scope from header and presigned query', () => {
    expect(parseSigV4Scope(auth('s3'), new URLSearchParams())).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      region: 'eu-west-1',
      service: 's3',
    });
    const q = new URLSearchParams({ 'X-Amz-Credential': 'AK/20260101/us-west-2/s3/aws4_request' });
    expect(parseSigV4Scope(undefined, q)?.region).toBe('us-west-2');
    expect(parseSigV4Scope(undefined, new URLSearchParams())).toBeUndefined();
  });

  test.each([
    ['site.localhost:4566', 'site'],
    ['my.bucket.s3.localhost', 'my.bucket'],
    ['localhost:4566', undefined],
    ['127.0.0.1:4566', undefined],
    ['s3.localhost:4566', undefined],
  ])('virtual host %s → %s', (host, bucket) => {
    expect(virtualHostBucket(host)).toBe(bucket);
  });
});

describe('clock', () => {
  test('chained timers keep their simulated spacing across one big advance', () => {
    const clock = createClock(1, 0);
    const seen: number[] = [];
    const step = (n: number) => {
      seen.push(Math.round(clock.now() / 1000));
      if (n < 3) clock.at(clock.now() + 10_000, () => step(n + 1));
    };
    clock.at(clock.now() + 5_000, () => step(0));
    clock.advance(100);
    clock.stop();
    expect(seen).toEqual([5, 15, 25, 35]);
  });
});

describe('clock robustness', () => {
  test('a throwing timer is reported and the timers after it still fire', () => {
    const clock = createClock(1, 0);
    const seen: string[] = [];
    const write = process.stderr.write;
    const errors: string[] = [];
    process.stderr.write = ((chunk: string) => {
      errors.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      clock.at(1_000, () => {
        throw new Error('boom');
      });
      clock.at(2_000, () => seen.push('after'));
      clock.advance(5);
    } finally {
      process.stderr.write = write;
      clock.stop();
    }
    expect(seen).toEqual(['after']);
    expect(errors.join('')).toContain('boom');
  });
});

describe('faults', () => {
  test('the same seed replays the same decisions', () => {
    const config = parseFaultConfig({ seed: 7, throttle: 0.3, error: 0.1, reset: 0.05, latencyMs: [0, 10] });
    const a = new FaultInjector();
    const b = new FaultInjector();
    a.configure(config);
    b.configure(config);
    const seqA = Array.from({ length: 200 }, () => a.decide('ecs').kind);
    const seqB = Array.from({ length: 200 }, () => b.decide('ecs').kind);
    expect(seqA).toEqual(seqB);
    const throttled = seqA.filter((k) => k === 'throttle').length;
    expect(throttled).toBeGreaterThan(30);
    expect(throttled).toBeLessThan(90);
  });

  test('faults limited to some services leave the others alone', () => {
    const f = new FaultInjector();
    f.configure(parseFaultConfig({ throttle: 1, services: ['s3'] }));
    expect(f.decide('ecs').kind).toBe('none');
    expect(f.decide('s3').kind).toBe('throttle');
  });

  test.each([[{ throttle: 2 }], [{ error: -1 }], [{ latencyMs: [1] }], [{ services: 's3' }]])('rejects %j', (body) => {
    expect(() => parseFaultConfig(body)).toThrow();
  });
});

describe('behaviors', () => {
  test.each([
    [{ image: '*', service: 'crashloop' }, true],
    [{ image: 'app:*', run: { logs: ['a'], exitCode: 1, durationSeconds: 3 } }, true],
    [{ image: '*', service: 'explode' }, false],
    [{ service: 'healthy' }, false],
    [{ image: '*' }, false],
    [{ image: '*', run: { logs: 'nope' } }, false],
  ])('%j valid=%s', (rule, ok) => {
    if (ok) expect(parseBehavior(rule).image).toBe((rule as { image: string }).image);
    else expect(() => parseBehavior(rule)).toThrow();
  });
});

describe('control API over HTTP', () => {
  const emu = useEmulator({}, { beforeAll, afterAll });

  test('health lists every service', async () => {
    const res = await fetch(`${emu.url}/_emulator/health`);
    const body = (await res.json()) as { services: string[] };
    expect(body.services).toEqual(
      expect.arrayContaining(['ecs', 'ecr', 'registry', 's3', 'cloudfront', 'logs', 'sts', 'secretsmanager']),
    );
  });

  test('time advances by the requested simulated seconds', async () => {
    const before = (await (await fetch(`${emu.url}/_emulator/time`)).json()) as { nowMs: number };
    const after = await emu.control.advance(3600);
    expect(after.nowMs - before.nowMs).toBeGreaterThanOrEqual(3600_000);
    expect(after.nowMs - before.nowMs).toBeLessThan(3700_000);
  });

  test('behaviors accumulate, validate and reset', async () => {
    await emu.control.reset();
    await emu.control.behaviors({ image: '*:bad', service: 'crashloop' });
    const rules = await emu.control.behaviors([{ image: 'migrate*', run: { exitCode: 3 } }]);
    expect(rules).toHaveLength(2);
    const bad = await fetch(`${emu.url}/_emulator/behaviors`, {
      method: 'POST',
      body: '{"image":"x","service":"nope"}',
    });
    expect(bad.status).toBe(400);
    await emu.control.reset();
    expect(await (await fetch(`${emu.url}/_emulator/behaviors`)).json()).toEqual([]);
  });

  test('requests are logged in arrival order with the fixed shape; control calls are not', async () => {
    await emu.control.reset();
    await fetch(`${emu.url}/some-bucket/some/key.txt`, { headers: { authorization: auth('s3') } });
    await fetch(`${emu.url}/v2/`);
    const log = await emu.control.requests();
    expect(log.map((e) => [e.service, e.path])).toEqual([
      ['s3', '/some-bucket/some/key.txt'],
      ['registry', '/v2/'],
    ]);
    for (const e of log) {
      expect(Object.keys(e)).toEqual(
        expect.arrayContaining(['service', 'operation', 'path', 'mutating', 'status', 'time']),
      );
      expect(Number.isNaN(Date.parse(e.time))).toBe(false);
    }
  });

  test('injected throttling answers with the service error and is logged as such', async () => {
    await emu.control.reset();
    await emu.control.faults({ seed: 3, throttle: 1 });
    const res = await fetch(`${emu.url}/`, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters', authorization: auth('ecs') },
      body: '{}',
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    const [entry] = await emu.control.requests();
    expect(entry?.fault).toBe('throttle');
    await emu.control.reset();
  });

  test('unknown control calls are 404', async () => {
    expect((await fetch(`${emu.url}/_emulator/nope`)).status).toBe(404);
  });
});
