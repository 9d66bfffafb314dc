import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  isSecretLookingName,
  maskForms,
  maskValue,
  REDACTED,
  redactDeep,
  redactEnvironment,
  redactUrlCredentials,
} from '../../src/runtime/redact';

describe('isSecretLookingName', () => {
  test.each([
    'DB_PASSWORD',
    'DB_PASSWD',
    'DB_PASS',
    'GITHUB_TOKEN',
    'NPM_TOKEN',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'CLIENT_SECRET',
    'STRIPE_API_KEY',
    'SIGNING_KEY',
    'SECRET_KEY_BASE',
    'PRIVATE_KEY_PEM',
    'JWT_PRIVATE',
    'dbPassword',
    'apiKey',
    'api-key',
    'x-api-token',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'MYSECRET',
    'PASSWORD',
  ])('%s is secret-looking', (name) => {
    expect(isSecretLookingName(name)).toBe(true);
  });

  test.each([
    'NODE_ENV',
    'PORT',
    'AWS_ACCESS_KEY_ID',
    'LOG_LEVEL',
    'PUBLIC_KEY',
    'KEYBOARD',
    'PWD',
    'DATABASE_URL',
    'TASK_FAMILY',
  ])('%s is not', (name) => {
    expect(isSecretLookingName(name)).toBe(false);
  });
});

describe('redactUrlCredentials', () => {
  test.each([
    ['postgres://app:s3cret@db.internal:5432/app', `postgres://app:${REDACTED}@db.internal:5432/app`],
    ['redis://:pw@cache:6379', `redis://:${REDACTED}@cache:6379`],
    ['mysql://u:p%40ss@h/db?ssl=true', `mysql://u:${REDACTED}@h/db?ssl=true`],
    [
      'see https://user:tok@github.com/x and amqp://a:b@mq',
      `see https://user:${REDACTED}@github.com/x and amqp://a:${REDACTED}@mq`,
    ],
    ['https://github.com/x', 'https://github.com/x'],
    ['https://user@host/x', 'https://user@host/x'],
    ['not a url: a:b@c', 'not a url: a:b@c'],
  ])('%s', (input, expected) => {
    expect(redactUrlCredentials(input)).toBe(expected);
  });
});

describe('redactEnvironment', () => {
  test('ECS environment array', () => {
    const env = [
      { name: 'NODE_ENV', value: 'production' },
      { name: 'DB_PASSWORD', value: 'hunter2' },
      { name: 'DATABASE_URL', value: 'postgres://app:hunter2@db/app' },
      { name: 'EMPTY_TOKEN', value: '' },
    ];
    expect(redactEnvironment(env)).toEqual([
      { name: 'NODE_ENV', value: 'production' },
      { name: 'DB_PASSWORD', value: REDACTED },
      { name: 'DATABASE_URL', value: `postgres://app:${REDACTED}@db/app` },
      { name: 'EMPTY_TOKEN', value: '' },
    ]);
    expect(env[1]!.value).toBe('hunter2'); // input untouched
  });

  test('plain object', () => {
    expect(redactEnvironment({ API_KEY: 'k', PORT: 8080, URL: 'https://u:p@h' })).toEqual({
      API_KEY: REDACTED,
      PORT: 8080,
      URL: `https://u:${REDACTED}@h`,
    });
  });

  test('redactDeep walks task-definition-like JSON', () => {
    const td = {
      family: 'web',
      containerDefinitions: [
        {
          name: 'app',
          environment: [
            { name: 'SESSION_SECRET', value: 'abc' },
            { name: 'MODE', value: 'x' },
          ],
          secrets: [{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:us-east-1:1:secret:db' }],
          dockerLabels: { 'traefik.auth.token': 'zzz', team: 'a' },
          command: ['run', '--db', 'postgres://u:pw@h/db'],
        },
      ],
    };
    const out = redactDeep(td);
    const c = out.containerDefinitions[0]!;
    expect(c.environment).toEqual([
      { name: 'SESSION_SECRET', value: REDACTED },
      { name: 'MODE', value: 'x' },
    ]);
    expect(c.secrets[0]!.valueFrom).toBe('arn:aws:secretsmanager:us-east-1:1:secret:db'); // a reference, not a secret
    expect(c.dockerLabels).toEqual({ 'traefik.auth.token': REDACTED, team: 'a' });
    expect(c.command[2]).toBe(`postgres://u:${REDACTED}@h/db`);
    expect(td.containerDefinitions[0]!.environment[0]!.value).toBe('abc');
  });
});

describe('maskValue', () => {
  afterEach(() => vi.restoreAllMocks());

  test('registers the value and its base64 forms with ::add-mask::', () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
      out.push(String(c));
      return true;
    });
    maskValue('s3cr3t?>');
    const masks = out.join('').split('\n').filter(Boolean);
    expect(masks).toContain('::add-mask::s3cr3t?>');
    expect(masks).toContain(`::add-mask::${Buffer.from('s3cr3t?>').toString('base64')}`);
    expect(masks).toContain(`::add-mask::${Buffer.from('s3cr3t?>').toString('base64url')}`);
  });

  test.each([[''], [undefined], [null]])('ignores %j', (v) => {
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    maskValue(v);
    expect(spy).not.toHaveBeenCalled();
  });

  test('multi-line secrets: each line too', () => {
    expect(maskForms('-----BEGIN KEY-----\nabcdef\n-----END KEY-----')).toEqual(
      expect.arrayContaining(['-----BEGIN KEY-----', 'abcdef', '-----END KEY-----']),
    );
  });
});
