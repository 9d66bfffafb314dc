import { afterEach, describe, expect, test, vi } from 'vitest';
import { checkHealth } from '../../../src/ecs/deploy/health-check';
import { maskDeployInputSecrets, parseDeployInputs } from '../../../src/ecs/deploy/inputs';
import { createFakeClock } from '../../../src/testing';

describe('health-check-headers', () => {
  afterEach(() => vi.restoreAllMocks());

  test('sent with every health-check request', async () => {
    const seen: Array<Record<string, string>> = [];
    const fetchImpl = (async (_url: string, init?: RequestInit) => {
      seen.push(Object.fromEntries(new Headers(init?.headers).entries()));
      return new Response('ok', { status: seen.length < 2 ? 503 : 200 });
    }) as typeof fetch;
    const [r] = await checkHealth(
      [{ url: 'http://app/health', expectStatus: 200, headers: [['Authorization', 'Basic b3BzOmh1bnRlcjI=']] }],
      { timeoutMs: 60_000, intervalMs: 10, clock: createFakeClock(), fetchImpl },
    );
    expect(r!.ok).toBe(true);
    expect(seen).toEqual([{ authorization: 'Basic b3BzOmh1bnRlcjI=' }, { authorization: 'Basic b3BzOmh1bnRlcjI=' }]);
  });

  test('parsed with the URLs and masked (core.setSecret) by the deploy actions', () => {
    const { request } = parseDeployInputs(
      {
        cluster: 'app',
        services: 'api',
        'task-definition': 'web:3',
        'health-check-url': 'https://app.example/health',
        'health-check-headers': 'Authorization: Bearer t0ken-value\nX-Probe: deploy',
      },
      { AWS_REGION: 'us-east-1' },
    );
    expect(request.healthChecks[0]!.headers).toEqual([
      ['Authorization', 'Bearer t0ken-value'],
      ['X-Probe', 'deploy'],
    ]);
    const writes: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    maskDeployInputSecrets(request);
    const masked = writes.join('');
    expect(masked).toContain('::add-mask::Bearer t0ken-value');
    expect(masked).toContain('::add-mask::deploy');
  });

  test('headers without a URL are a mistake', () => {
    expect(() =>
      parseDeployInputs(
        { cluster: 'app', services: 'api', 'task-definition': 'web:3', 'health-check-headers': 'X-A: 1' },
        { AWS_REGION: 'us-east-1' },
      ),
    ).toThrow(expect.objectContaining({ input: 'health-check-headers' }) as unknown as Error);
  });
});
