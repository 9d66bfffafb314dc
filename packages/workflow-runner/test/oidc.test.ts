// The permissions rule (no id-token: write → no OIDC request URL → configure-aws-credentials fails, and a called
// workflow cannot ask for more than its caller grants) and the trust-policy check of the configure-aws-credentials
// stand-in (iam/<role>/trust-policy.json; a policy for another environment fails the run naming role, sub, file),
// with credentials from the emulator's STS.
import { type AddressInfo, connect, createServer } from 'node:net';
import { type RunningEmulator, startEmulator } from '@deploy-actions/aws-emulator';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WorkflowFileError } from '../src/index.ts';
import { appRepo, run } from './helpers.ts';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(() => emu?.stop());

const ROLE = 'arn:aws:iam::123456789012:role/app-staging-deploy';
const trust = (sub: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': sub,
          },
        },
      },
    ],
  });

const job = (permissions: string, environment = 'staging') => `on: push
permissions: {}
jobs:
  deploy:
    runs-on: x
    environment: ${environment}
    permissions: ${permissions}
    steps:
      - uses: aws-actions/configure-aws-credentials@00943011d9042930efac3dcd3a170e4273319bc8
        with:
          role-to-assume: \${{ secrets.ROLE }}
          aws-region: eu-north-1
      - run: |
          test -n "$AWS_SESSION_TOKEN"
          echo "region=$AWS_REGION endpoint=$AWS_ENDPOINT_URL key=$AWS_ACCESS_KEY_ID"
`;

const opts = () => ({ emulatorUrl: emu.url, secrets: { ROLE }, repository: 'acme/app' });

describe('permissions', () => {
  test('with id-token: write and a matching trust policy the step gets emulator credentials', async () => {
    const dir = appRepo({
      '.github/workflows/w.yml': job('{ id-token: write, contents: read }'),
      'iam/app-staging-deploy/trust-policy.json': trust('repo:acme/app:environment:staging'),
    });
    const r = await run(dir, 'w.yml', opts());
    expect(r.conclusion).toBe('success');
    const line = r.log.find((l) => l.includes('region='));
    expect(line).toContain(`region=eu-north-1 endpoint=${emu.url} key=***`);
  });

  test('without id-token: write there is no OIDC token, as on GitHub', async () => {
    const dir = appRepo({
      '.github/workflows/w.yml': job('{ contents: read }'),
      'iam/app-staging-deploy/trust-policy.json': trust('repo:acme/app:environment:staging'),
    });
    const r = await run(dir, 'w.yml', opts());
    expect(r.conclusion).toBe('failure');
    expect(r.jobs[0]?.steps[0]?.error).toContain(
      'Did you mean to set the `id-token` permission? (job deploy has id-token: none)',
    );
  });

  test('a called workflow job asking for id-token: write beyond its caller job fails before the run', async () => {
    const dir = appRepo({
      '.github/workflows/caller.yml': `on: push\npermissions: {}\njobs:\n  call:\n    uses: ./.github/workflows/callee.yml\n    permissions: { contents: read }\n`,
      '.github/workflows/callee.yml': `on: workflow_call\njobs:\n  x:\n    runs-on: x\n    permissions: { id-token: write }\n    steps: [{ run: echo x }]\n`,
    });
    const err = await run(dir, 'caller.yml', opts()).catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFileError);
    expect((err as WorkflowFileError).errors).toEqual([
      expect.stringMatching(
        /caller\.yml:5:\d+: Error calling workflow '\.\/\.github\/workflows\/callee\.yml'\. The nested job 'x' is requesting 'id-token: write', but is only allowed 'id-token: none'\./,
      ),
    ]);
  });

  test("a called workflow job without permissions inherits the caller job's (no id-token → no credentials)", async () => {
    const dir = appRepo({
      '.github/workflows/caller.yml': `on: push\npermissions: {}\njobs:\n  call:\n    uses: ./.github/workflows/callee.yml\n    permissions: { contents: read }\n    secrets: inherit\n`,
      '.github/workflows/callee.yml': job('{ contents: read }')
        .replace('on: push', 'on: workflow_call')
        .replace(/ {4}permissions: .*\n/, ''),
      'iam/app-staging-deploy/trust-policy.json': trust('repo:acme/app:environment:staging'),
    });
    const r = await run(dir, 'caller.yml', opts());
    expect(r.conclusion).toBe('failure');
    expect(r.jobs[0]?.jobs?.[0]?.steps[0]?.error).toContain('(job call/deploy has id-token: none)');
  });
});

describe('trust policy', () => {
  test('a policy scoped to another environment fails the run, naming role, sub and policy file', async () => {
    const dir = appRepo({
      '.github/workflows/w.yml': job('{ id-token: write }', 'production'),
      'iam/app-staging-deploy/trust-policy.json': trust('repo:acme/app:environment:staging'),
    });
    const r = await run(dir, 'w.yml', opts());
    expect(r.conclusion).toBe('failure');
    expect(r.jobs[0]?.steps[0]?.error).toBe(
      // the role ARN came from a secret, so it is masked like any secret value
      `Could not assume role with OIDC: Not authorized to perform sts:AssumeRoleWithWebIdentity: role *** (trust policy iam/app-staging-deploy/trust-policy.json) does not allow sub 'repo:acme/app:environment:production' with aud 'sts.amazonaws.com'; it allows 'repo:acme/app:environment:staging'`,
    );
    expect(r.jobs[0]?.steps[1]?.conclusion).toBe('skipped');
  });

  test('a job without an environment gets the ref sub', async () => {
    const dir = appRepo({
      '.github/workflows/w.yml': job('{ id-token: write }').replace('    environment: staging\n', ''),
      'iam/app-staging-deploy/trust-policy.json': trust('repo:acme/app:environment:staging'),
    });
    const r = await run(dir, 'w.yml', opts());
    expect(r.jobs[0]?.steps[0]?.error).toContain("does not allow sub 'repo:acme/app:ref:refs/heads/main'");
  });

  test('a missing policy file names the path looked at', async () => {
    const dir = appRepo({ '.github/workflows/w.yml': job('{ id-token: write }'), 'iam/trust-policy.json': trust('x') });
    const r = await run(dir, 'w.yml', opts());
    expect(r.jobs[0]?.steps[0]?.error).toMatch(
      /no trust policy for role \*\*\*: looked for iam\/app-staging-deploy\/trust-policy\.json/,
    );
  });
});

describe('flaky connections', () => {
  test('a connection reset on the way to STS is tried again, as the real action retries', async () => {
    // A TCP proxy in front of the emulator that resets the first two connections.
    let resets = 0;
    const proxy = createServer((client) => {
      if (resets < 2) {
        resets++;
        client.destroy();
        return;
      }
      const upstream = connect(Number(new URL(emu.url).port), '127.0.0.1');
      client.pipe(upstream).pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close);
      upstream.on('error', close);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const dir = appRepo({
        '.github/workflows/w.yml': job('{ id-token: write, contents: read }'),
        'iam/app-staging-deploy/trust-policy.json': trust('repo:acme/app:environment:staging'),
      });
      const r = await run(dir, 'w.yml', {
        ...opts(),
        emulatorUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      });
      expect(resets).toBe(2);
      expect(r.conclusion, r.log.join('\n')).toBe('success');
    } finally {
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });
});
