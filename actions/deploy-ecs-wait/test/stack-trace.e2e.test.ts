import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runActionBundle } from '@deploy-actions/kit/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

// The bundles are minified (scripts/bundle-one.mjs: terser with compress). With step debug on, a failure's stack trace
// must still be readable: frames name their functions (keep_fnames) and point into dist/index.js, and the error keeps
// its class name (keep_classnames). An endpoint that answers every call with a ClientException provokes one.
let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'req-stack-1' });
    res.end(JSON.stringify({ __type: 'com.amazonaws.ecs#ClientException', message: 'stack trace probe' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('deploy-ecs-wait dist: a stack trace from the minified bundle', () => {
  test('names functions and the bundle file, and the error class', async () => {
    const res = await runActionBundle({
      action: 'deploy-ecs-wait',
      inputs: {
        cluster: 'app',
        services: 'api',
        'task-definition': 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1',
      },
      env: {
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: url,
        AWS_EC2_METADATA_DISABLED: 'true',
        RUNNER_DEBUG: '1',
      },
      timeoutMs: 30_000,
    });
    expect(res.code).toBe(1);
    expect(res.errors.join('\n')).toContain('ClientException');
    const frames = res.stdout.split('\n').filter((l) => /^\s+at .*dist\/index\.js:\d+:\d+\)?$/.test(l));
    expect(frames.length).toBeGreaterThan(0);
    // Named frames: `at <name> (…/dist/index.js:1:123)`, with names as written in the sources, not mangled to 1–2
    // letters.
    const names = frames.map((l) => /^\s+at (?:async )?([\w$.<>]+) \(/.exec(l)?.[1]).filter((n) => n !== undefined);
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => n.split('.').at(-1)!.length > 2)).toBe(true);
    expect(res.stdout).toMatch(/^ClientException: stack trace probe$/m);
  });
});
