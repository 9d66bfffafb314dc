// STS conformance (query protocol): SDK v3 at default settings and the AWS CLI v2.

import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { describe, expect, test } from 'vitest';
import { EmulatorControl, sdkClientConfig } from '../src/index.ts';
import { useHarness } from './ecs-helpers.ts';

const h = useHarness({ reset: false });

const jwt = (claims: Record<string, unknown>) =>
  ['{"alg":"RS256"}', JSON.stringify(claims), 'sig'].map((p) => Buffer.from(p).toString('base64url')).join('.');

describe('sts', () => {
  test('GetCallerIdentity with any key: account 000000000000 and an assumed-role ARN', async () => {
    const id = await h.sts.send(new GetCallerIdentityCommand({}));
    expect(id.Account).toBe('000000000000');
    expect(id.Arn).toBe('arn:aws:sts::000000000000:assumed-role/emulator-role/emulator-session');
    expect(id.UserId).toMatch(/^AROA[A-Z0-9]+:emulator-session$/);
  });

  test('AssumeRole credentials identify as the assumed role', async () => {
    const out = await h.sts.send(
      new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::123456789012:role/deploy', RoleSessionName: 'gha-run-1' }),
    );
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.Credentials?.Expiration).toBeInstanceOf(Date);
    expect(out.AssumedRoleUser?.Arn).toBe('arn:aws:sts::123456789012:assumed-role/deploy/gha-run-1');
    const as = new STSClient({
      endpoint: h.emu.url,
      region: 'us-east-1',
      credentials: {
        accessKeyId: out.Credentials?.AccessKeyId as string,
        secretAccessKey: out.Credentials?.SecretAccessKey as string,
        sessionToken: out.Credentials?.SessionToken as string,
      },
    });
    const id = await as.send(new GetCallerIdentityCommand({}));
    expect(id).toMatchObject({
      Account: '123456789012',
      Arn: 'arn:aws:sts::123456789012:assumed-role/deploy/gha-run-1',
    });
    as.destroy();
  });

  test('AssumeRoleWithWebIdentity (query form) accepts any token and reads its claims', async () => {
    const token = jwt({ sub: 'repo:org/app:ref:refs/heads/main', aud: 'sts.amazonaws.com' });
    const body = new URLSearchParams({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: 'arn:aws:iam::000000000000:role/gha-deploy',
      RoleSessionName: 'GitHubActions',
      WebIdentityToken: token,
    });
    const res = await fetch(h.emu.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        authorization:
          'AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0',
      },
      body,
    });
    const xml = await res.text();
    expect(res.status).toBe(200);
    expect(xml).toContain(
      '<SubjectFromWebIdentityToken>repo:org/app:ref:refs/heads/main</SubjectFromWebIdentityToken>',
    );
    expect(xml).toContain('<Arn>arn:aws:sts::000000000000:assumed-role/gha-deploy/GitHubActions</Arn>');
    expect(xml).toMatch(/<AccessKeyId>ASIA[A-Z2-7]{16}<\/AccessKeyId>/);
  });

  // The SDK sends AssumeRoleWithWebIdentity unsigned (noAuth); the router sends unsigned form posts to STS.
  test('AssumeRoleWithWebIdentity through the SDK (unsigned)', async () => {
    const token = jwt({
      sub: 'repo:org/app:environment:production',
      aud: 'sts.amazonaws.com',
      iss: 'https://token.actions.githubusercontent.com',
    });
    // unsigned call, as configure-aws-credentials makes it
    const anon = new STSClient({
      endpoint: h.emu.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const out = await anon.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: 'arn:aws:iam::000000000000:role/gha-deploy',
        RoleSessionName: 'GitHubActions',
        WebIdentityToken: token,
      }),
    );
    expect(out.SubjectFromWebIdentityToken).toBe('repo:org/app:environment:production');
    expect(out.Audience).toBe('sts.amazonaws.com');
    expect(out.Provider).toBe('token.actions.githubusercontent.com');
    expect(out.AssumedRoleUser?.Arn).toBe('arn:aws:sts::000000000000:assumed-role/gha-deploy/GitHubActions');
    expect(out.Credentials?.SessionToken).toBeTruthy();
    anon.destroy();
  });

  test('invalid role ARN is a ValidationError; Throttling is a 400 query error', async () => {
    const bad = await h.sts
      .send(new AssumeRoleCommand({ RoleArn: 'not-an-arn', RoleSessionName: 's1' }))
      .catch((e) => e);
    expect(bad.name).toBe('ValidationError');
    await h.control('faults', { throttle: 1, services: ['sts'] });
    const once = new STSClient({
      endpoint: h.emu.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
      maxAttempts: 1,
    });
    const err = await once.send(new GetCallerIdentityCommand({})).catch((e) => e);
    expect(err.name).toBe('Throttling');
    expect(err.$metadata.httpStatusCode).toBe(400);
    once.destroy();
    await h.control('faults', { throttle: 0 });
  });

  test('aws sts get-caller-identity', async () => {
    const out = await h.aws(['sts', 'get-caller-identity']);
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout)).toMatchObject({
      Account: '000000000000',
      Arn: 'arn:aws:sts::000000000000:assumed-role/emulator-role/emulator-session',
    });
  });

  test('every credential handed out is listed for leak scans, and stays listed after a reset', async () => {
    const out = await h.sts.send(
      new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/deploy', RoleSessionName: 'scan' }),
    );
    const ecr = new ECRClient(sdkClientConfig(h.emu.url));
    const auth = await ecr.send(new GetAuthorizationTokenCommand({}));
    ecr.destroy();
    const password = Buffer.from(auth.authorizationData?.[0]?.authorizationToken ?? '', 'base64')
      .toString()
      .replace(/^AWS:/, '');
    await h.control('reset');
    const issued = await new EmulatorControl(h.emu.url).issuedCredentials();
    expect(issued).toEqual(
      expect.arrayContaining([out.Credentials?.SecretAccessKey, out.Credentials?.SessionToken, password]),
    );
    expect(issued).not.toContain(out.Credentials?.AccessKeyId);
  });
});
