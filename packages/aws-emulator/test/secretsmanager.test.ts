// Secrets Manager conformance: SDK v3 at default settings and the AWS CLI v2.
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, test } from 'vitest';
import { useHarness } from './ecs-helpers.ts';

const h = useHarness();

describe('secretsmanager', () => {
  test('seeded JSON secrets by name, full ARN and partial ARN', async () => {
    await h.control('seed', {
      secrets: [{ name: 'prod/db', value: { username: 'app', password: 's3cret' }, description: 'database' }],
    });
    const byName = await h.sm.send(new GetSecretValueCommand({ SecretId: 'prod/db' }));
    expect(JSON.parse(byName.SecretString as string)).toEqual({ username: 'app', password: 's3cret' });
    expect(byName.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:prod\/db-[A-Za-z0-9]{6}$/);
    expect(byName.VersionStages).toEqual(['AWSCURRENT']);
    expect(byName.CreatedDate).toBeInstanceOf(Date);
    const byArn = await h.sm.send(new DescribeSecretCommand({ SecretId: byName.ARN }));
    expect(byArn).toMatchObject({ Name: 'prod/db', Description: 'database' });
    expect(Object.values(byArn.VersionIdsToStages ?? {})).toEqual([['AWSCURRENT']]);
    const partial = await h.sm.send(new GetSecretValueCommand({ SecretId: (byName.ARN as string).slice(0, -7) }));
    expect(partial.Name).toBe('prod/db');
  });

  test('a seeded arnSuffix makes the full ARN a task definition names (…:secret:app-AbCdEf); a wrong suffix is not found', async () => {
    await h.control('seed', { secrets: [{ name: 'prod/app', value: { KEY: 'v' }, arnSuffix: 'AbCdEf' }] });
    const arn = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/app-AbCdEf';
    expect((await h.sm.send(new GetSecretValueCommand({ SecretId: arn }))).ARN).toBe(arn);
    const wrong = await h.sm.send(new GetSecretValueCommand({ SecretId: `${arn.slice(0, -6)}XyZ123` })).catch((e) => e);
    expect(wrong.name).toBe('ResourceNotFoundException');
    const bad = await h.control('seed', { secrets: [{ name: 'x', arnSuffix: 'short' }] }).catch((e: Error) => e);
    expect(String(bad)).toContain('arnSuffix must be 6 letters or digits');
  });

  test('CreateSecret, ResourceExistsException, PutSecretValue rotates stages, ResourceNotFoundException', async () => {
    const c = await h.sm.send(new CreateSecretCommand({ Name: 'api/key', SecretString: '{"API_KEY":"one"}' }));
    expect(c.VersionId).toBeTruthy();
    const dup = await h.sm.send(new CreateSecretCommand({ Name: 'api/key', SecretString: 'x' })).catch((e) => e);
    expect(dup.name).toBe('ResourceExistsException');
    await h.sm.send(new PutSecretValueCommand({ SecretId: 'api/key', SecretString: '{"API_KEY":"two"}' }));
    expect((await h.sm.send(new GetSecretValueCommand({ SecretId: 'api/key' }))).SecretString).toBe(
      '{"API_KEY":"two"}',
    );
    const prev = await h.sm.send(new GetSecretValueCommand({ SecretId: 'api/key', VersionStage: 'AWSPREVIOUS' }));
    expect(prev.SecretString).toBe('{"API_KEY":"one"}');
    const missing = await h.sm.send(new GetSecretValueCommand({ SecretId: 'nope' })).catch((e) => e);
    expect(missing.name).toBe('ResourceNotFoundException');
    expect(missing.message).toBe("Secrets Manager can't find the specified secret.");
  });

  test('throttling and aws secretsmanager get-secret-value', async () => {
    await h.control('seed', { secrets: [{ name: 'prod/db', secretString: '{"password":"p"}' }] });
    const cli = h.aws(['secretsmanager', 'get-secret-value', '--secret-id', 'prod/db']);
    const out = await cli;
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout)).toMatchObject({
      Name: 'prod/db',
      SecretString: '{"password":"p"}',
      VersionStages: ['AWSCURRENT'],
    });
    await h.control('faults', { throttle: 1, services: ['secretsmanager'] });
    const once = new SecretsManagerClient({
      endpoint: h.emu.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
      maxAttempts: 1,
    });
    const err = await once.send(new GetSecretValueCommand({ SecretId: 'prod/db' })).catch((e) => e);
    expect(err.name).toBe('ThrottlingException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    once.destroy();
  });
});
