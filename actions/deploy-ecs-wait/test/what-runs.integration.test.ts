// COMPLETED is checked against what runs: an ECS endpoint (here a tiny proxy in front of the emulator) that reports
// the new deployment COMPLETED while its PRIMARY deployment runs the old revision fails the deploy with both ARNs
// named, and the revision is never marked known-good.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TAG_KNOWN_GOOD, whatRunsProblem } from '@deploy-actions/kit/ecs/deploy';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deployImage, revisionTags, seedServices, TD_ARN, useTestEmulator } from './helpers';

const t = useTestEmulator(100);

/** Forwards everything to the emulator; DescribeServices answers name `from` where the emulator says `to`. */
function lyingProxy(target: () => string, rewrite: { from: string; to: string }): Server {
  return createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)),
    ) as Record<string, string>;
    const upstream = await fetch(`${target()}${req.url}`, {
      method: req.method ?? 'POST',
      headers,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    let body = Buffer.from(await upstream.arrayBuffer());
    if (String(req.headers['x-amz-target']).endsWith('.DescribeServices')) {
      const json = JSON.parse(body.toString('utf8'));
      for (const svc of json.services ?? []) {
        if (svc.taskDefinition === rewrite.from) svc.taskDefinition = rewrite.to;
        for (const d of svc.deployments ?? []) if (d.taskDefinition === rewrite.from) d.taskDefinition = rewrite.to;
      }
      body = Buffer.from(JSON.stringify(json));
    }
    const out: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k)) out[k] = v;
    });
    res.writeHead(upstream.status, { ...out, 'content-length': String(body.length) });
    res.end(body);
  });
}

describe('what runs after COMPLETED', () => {
  let proxy: Server;
  let saved: string | undefined;
  beforeAll(async () => {
    proxy = lyingProxy(() => t.url, { from: TD_ARN(2), to: TD_ARN(1) });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await new Promise<void>((r) => proxy.close(() => r()));
  });

  test('COMPLETED on the old revision: failed, both ARNs named, never known-good', async () => {
    await seedServices(t.control);
    saved = process.env.AWS_ENDPOINT_URL_ECS;
    process.env.AWS_ENDPOINT_URL_ECS = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    let run: Awaited<ReturnType<typeof deployImage>>;
    try {
      run = await deployImage('v2', { autoRollback: false });
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_ECS;
      else process.env.AWS_ENDPOINT_URL_ECS = saved;
    }
    expect(run.report.status).toBe('failed');
    const svc = run.report.services[0]!;
    expect(svc.status).toBe('failed');
    expect(svc.reason).toMatch(
      new RegExp(
        `^reported COMPLETED, but its PRIMARY deployment ecs-svc/\\d+ runs ${TD_ARN(1)}, not the requested ${TD_ARN(2)}$`,
      ),
    );
    expect(run.report.message).toContain(`runs ${TD_ARN(1)}, not the requested ${TD_ARN(2)}`);
    expect(run.report.knownGood).toEqual([]);
    expect(await revisionTags(TD_ARN(2))).not.toHaveProperty(TAG_KNOWN_GOOD); // straight to the emulator
  });

  test.each<[string, object | undefined, string | undefined]>([
    ['the requested revision at its count', { taskDefinition: TD_ARN(2), runningCount: 2, desiredCount: 2 }, undefined],
    [
      'the old revision',
      { id: 'ecs-svc/1', taskDefinition: TD_ARN(1), runningCount: 2, desiredCount: 2 },
      `reported COMPLETED, but its PRIMARY deployment ecs-svc/1 runs ${TD_ARN(1)}, not the requested ${TD_ARN(2)}`,
    ],
    [
      'fewer tasks than desired',
      { taskDefinition: TD_ARN(2), runningCount: 1, desiredCount: 2 },
      `reported COMPLETED, but its PRIMARY deployment runs 1 of 2 tasks of ${TD_ARN(2)}`,
    ],
    [
      'no PRIMARY deployment',
      undefined,
      `reported COMPLETED, but the service has no PRIMARY deployment (requested ${TD_ARN(2)})`,
    ],
  ])('whatRunsProblem: %s', (_name, primary, problem) => {
    const service = { deployments: primary ? [{ status: 'PRIMARY', ...primary }] : [] };
    expect(whatRunsProblem(service, TD_ARN(2))).toBe(problem);
  });
});
