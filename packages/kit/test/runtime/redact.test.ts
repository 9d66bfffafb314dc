import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  displayCommand,
  isSecretLookingName,
  maskForms,
  maskValue,
  REDACTED,
  redactArgv,
  redactDeep,
  redactEnvironment,
  redactText,
  redactUrlCredentials,
  redactValue,
  registeredSecrets,
} from '../../src/runtime/redact';
import { findSecretSpans, isHighEntropyToken } from '../../src/runtime/redact-shapes';

// Test values are built from parts, so no test file holds a real-looking secret literal.
const AWS_SECRET = ['wJalrXUtnFEMI', 'K7MDENG', 'bPxRfiCYEXAMPLEKEY'].join('/');
const JWT = [
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
  'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ',
  'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
].join('.');
const TOKEN = 'Kx9vQ2mZ7pL4wR8tY1uN6bH3jF5gD0sA'; // 32 base62 characters
const PEM_BODY =
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n';
const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}-----END RSA PRIVATE KEY-----`;
const HEX64 = '3f2a9c1e7b4d6f8a0c2e4b6d8f1a3c5e7b9d0f2a4c6e8b1d3f5a7c9e0b2d4f6a';
const SHA1 = '0123456789abcdef0123456789abcdef01234567';

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
    // names that don't say "secret" but are (#14 finding 7)
    'STRIPE_SK',
    'stripeSk',
    'SIGNING_SALT',
    'PASSWORD_SALT',
    'HASH_PEPPER',
    'WEBHOOK_HMAC',
    'BASIC_AUTH',
    'REDIS_AUTH',
    'ENCRYPTION_KEY_V2',
    'JWT_KEY_PEM',
    'API_KEY_PRIMARY',
    'SESSION_COOKIE',
    'Authorization',
    'MYAPIKEY',
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
    'OLDPWD',
    'DATABASE_URL',
    'TASK_FAMILY',
    'DISK_SIZE',
    // references to a secret, not the secret
    'DB_PASSWORD_FILE',
    'POSTGRES_PASSWORD_FILE',
    'DB_SECRET_ARN',
    'SECRET_NAME',
    'TOKEN_URL',
    'KMS_KEY_ARN',
    'KMS_KEY_ID',
    'KEY_PREFIX',
    'COOKIE_NAME',
    'AUTH_DOMAIN',
    'SECRETS_REGION',
    'TOKEN_TTL',
    'password-stdin',
  ])('%s is not', (name) => {
    expect(isSecretLookingName(name)).toBe(false);
  });
});

describe('redactText: secrets by shape', () => {
  test.each<[string, string, string]>([
    // URL userinfo, the userinfo ending at the authority's last '@' (WHATWG URL)
    ['URL password', 'postgres://app:s3cret@db.internal:5432/app', `postgres://app:${REDACTED}@db.internal:5432/app`],
    ['URL password with @ (#14)', 'mysql://app:p@ss-hhhh@db/app', `mysql://app:${REDACTED}@db/app`],
    ['URL password with several @ and a port', 'mysql://u:a@b@c@db:3306', `mysql://u:${REDACTED}@db:3306`],
    ['URL password with # and ?', 'redis://:p#w?x@cache:6379/0', `redis://:${REDACTED}@cache:6379/0`],
    ['URL password, empty user', 'redis://:pw@cache:6379', `redis://:${REDACTED}@cache:6379`],
    ['percent-encoded password', 'mysql://u:p%40ss@h/db?ssl=true', `mysql://u:${REDACTED}@h/db?ssl=true`],
    [
      'two URLs in a sentence',
      'see https://user:tok@github.com/x and amqp://a:b@mq',
      `see https://user:${REDACTED}@github.com/x and amqp://a:${REDACTED}@mq`,
    ],
    [
      'a token as the URL user',
      `https://${TOKEN}@github.com/org/repo.git`,
      `https://${REDACTED}@github.com/org/repo.git`,
    ],
    ['URL in JSON', `{"url":"postgres://app:pw1@db/x"}`, `{"url":"postgres://app:${REDACTED}@db/x"}`],
    // connection strings
    [
      'ADO.NET Password= with a space and @',
      'Server=db;Database=app;User Id=app;Password=p@ss w0rd;Encrypt=true',
      `Server=db;Database=app;User Id=app;Password=${REDACTED};Encrypt=true`,
    ],
    ['pwd= lower case', 'server=db;uid=app;pwd=hunter2;', `server=db;uid=app;pwd=${REDACTED};`],
    ['ODBC braces', 'Driver={ODBC 18};Uid=app;PWD={se;cret};', `Driver={ODBC 18};Uid=app;PWD={${REDACTED}};`],
    ['quoted value', 'Host=db;Password="a;b c";Port=5432', `Host=db;Password="${REDACTED}";Port=5432`],
    [
      'Azure AccountKey',
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=abc+def/ghi==;EndpointSuffix=core.windows.net',
      `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${REDACTED};EndpointSuffix=core.windows.net`,
    ],
    ['query string', 'https://api.example/x?api_key=abc123&page=2', `https://api.example/x?api_key=${REDACTED}&page=2`],
    ['env assignment', 'env DB_PASSWORD=hunter2 node app.js', `env DB_PASSWORD=${REDACTED} node app.js`],
    ['STRIPE_SK= assignment', 'STRIPE_SK=abc123xyz', `STRIPE_SK=${REDACTED}`],
    ['--flag=value', 'migrate --password=hunter2 --verbose', `migrate --password=${REDACTED} --verbose`],
    ['--flag value', 'migrate --token hunter2 --verbose', `migrate --token ${REDACTED} --verbose`],
    [
      'curl -u',
      'curl -fsS -u ops:hunter2 http://localhost/health',
      `curl -fsS -u ops:${REDACTED} http://localhost/health`,
    ],
    [
      'Authorization header in a health check',
      "curl -f -H 'Authorization: Bearer abc.def.ghi' http://localhost/ || exit 1",
      `curl -f -H 'Authorization: Bearer ${REDACTED}' http://localhost/ || exit 1`,
    ],
    ['X-Api-Key header line', 'X-Api-Key: k-12345', `X-Api-Key: ${REDACTED}`],
    ['YAML key', 'db:\n  password: hunter2\n  host: db', `db:\n  password: ${REDACTED}\n  host: db`],
    ['JSON key', '{"user":"app","password":"hunter2"}', `{"user":"app","password":"${REDACTED}"}`],
    ['Bearer anywhere', 'sent Bearer abcdefgh12345678 to x', `sent Bearer ${REDACTED} to x`],
    // keys and tokens
    [
      'PEM private key',
      `key:\n${PEM}\n`,
      `key:\n-----BEGIN RSA PRIVATE KEY-----${REDACTED}-----END RSA PRIVATE KEY-----\n`,
    ],
    [
      'PEM with escaped newlines (JSON)',
      JSON.stringify({ pem: PEM }),
      `{"pem":"-----BEGIN RSA PRIVATE KEY-----${REDACTED}-----END RSA PRIVATE KEY-----"}`,
    ],
    [
      'PKCS#8 cut short',
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQ',
      `-----BEGIN PRIVATE KEY-----${REDACTED}`,
    ],
    ['JWT', `token is ${JWT} ok`, `token is ${REDACTED} ok`],
    ['AWS secret access key', `aws ${AWS_SECRET} done`, `aws ${REDACTED} done`],
    ['GitHub token', `ghp_${'aBcD1234'.repeat(5)}`, REDACTED],
    ['Stripe secret key', `sk_live_${'51HqLyjWDarjtT1z'}`, REDACTED],
    ['Slack token', 'xoxb-1234567890-abcdefghij', REDACTED],
    ['npm token', `npm_${'a1B2c3D4e5'.repeat(4)}`, REDACTED],
    ['high-entropy token', `SESSION=${TOKEN}`, `SESSION=${REDACTED}`],
    ['high-entropy base64 with / and +', 'x Zm9v+YmFy/YmF6cXV4MTIzNDU2Nzg5MGFiY2Rl/Zmdo== y', `x ${REDACTED} y`],
  ])('%s', (_what, input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  // How the line is drawn: identifiers our summaries must keep readable are never masked by shape.
  test.each<[string, string]>([
    ['sha256 digest', `sha256:${HEX64}`],
    ['image pinned by digest', `123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api@sha256:${HEX64}`],
    ['image with tag', '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api:v1.4.0'],
    ['image tagged with a commit SHA', `127.0.0.1:4566/shop/web:${SHA1}`],
    ['public image', 'public.ecr.aws/nginx/nginx:1.27-alpine'],
    ['commit SHA', SHA1],
    ['S3 ETag (md5)', '"9b2cf535f27731c974343645a3985328"'],
    ['UUID', 'c9a1b2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d'],
    ['task definition ARN', 'arn:aws:ecs:us-east-1:123456789012:task-definition/web-production-service:42'],
    ['role ARN', 'arn:aws:iam::123456789012:role/GitHubActionsDeployRoleProduction2024'],
    [
      'secret ARN with a random suffix',
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:my-app/production/DatabaseCredentials1-AbCdEf',
    ],
    ['SSM parameter ARN', 'arn:aws:ssm:us-east-1:123456789012:parameter/prod/db/PasswordForTheApp2024X'],
    ['Vite asset', 'assets/index-BxK3f9aQ.js'],
    ['asset with words', 'assets/NotoSansJP-Regular-subset-BxK3f9aQ.woff2'],
    ['Next.js build id path', '_next/static/Xk9dPq2LmN8vB4tR7wYz1/_buildManifest.js'],
    ['Next.js chunk', '_next/static/chunks/pages/_app-3f9a8b7c6d5e4f3a.js'],
    ['CRA media', 'static/media/logo.6ce24c58023cc2f8fd88fe9d219db6c6.svg'],
    ['CamelCase identifier', 'DescribeTaskDefinitionCommandOutput2024'],
    ['AWS access key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['CloudFront invalidation id', 'I2J0I21PCUYOIK'],
    ['CloudWatch log stream', 'ecs/app/0f1e2d3c4b5a69788796a5b4c3d2e1f0'],
    ['error line naming a secret input', "Input 'secrets': line 3: DB_PASSWORD: this looks like a secret value"],
    ['shell PWD', 'PWD=/home/runner/work/app'],
    ['password-stdin login', 'buildah login --username AWS --password-stdin 127.0.0.1:4566'],
    ['a file reference', 'POSTGRES_PASSWORD_FILE=/run/secrets/db'],
    ['URL without password', 'https://user@host/x'],
    ['not a URL', 'not a url: a:b@c'],
    ['plain sentence', 'Deployed revision 42 of web to cluster app-staging in 93 s'],
    ['key=value in a message', "Input 'containers': line 2: expected key=value"],
    ['--key of an S3 command', 'aws s3api get-object --key assets/app.js out.js'],
    ['placeholder token', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ])('%s stays', (_what, input) => {
    expect(redactText(input)).toBe(input);
  });

  test('spans name the shape that found them', () => {
    const text = `a ${JWT} b mysql://u:pw@h c ${AWS_SECRET}`;
    expect(findSecretSpans(text, isSecretLookingName).map((s) => s.shape)).toEqual([
      'jwt',
      'url-password',
      'aws-secret-key',
    ]);
  });

  test.each([
    [TOKEN, true],
    ['Kx9vQ2mZ7pL4wR8tY1uN6bH3jF5gD0s', false], // 31 characters
    [HEX64, false],
    ['abcdefghijklmnopqrstuvwxyz012345', false], // no upper case
    ['SuperLongCamelCaseIdentifierName1', false],
  ])('isHighEntropyToken(%s) = %s', (s, expected) => {
    expect(isHighEntropyToken(s)).toBe(expected);
  });

  test('redactUrlCredentials is redactText (callers kept)', () => {
    expect(redactUrlCredentials('mysql://app:p@ss-hhhh@db')).toBe(`mysql://app:${REDACTED}@db`);
  });
});

describe('registration with the runner', () => {
  afterEach(() => vi.restoreAllMocks());

  function captureMasks(fn: () => void): string[] {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
      out.push(String(c));
      return true;
    });
    fn();
    vi.restoreAllMocks();
    return out
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('::add-mask::'))
      .map((l) => l.slice('::add-mask::'.length));
  }

  test('every value masked by shape is registered (::add-mask::), once', () => {
    const password = 'p@ss-registered-1';
    const masks = captureMasks(() => {
      redactText(`mysql://app:${password}@db`);
      redactText(`mysql://app:${password}@db`);
    });
    expect(masks.filter((m) => m === password)).toHaveLength(1);
    expect(masks).toContain(Buffer.from(password).toString('base64'));
    expect(registeredSecrets().has(password)).toBe(true);
  });

  test('values masked by name are registered; short ones are hidden but not registered', () => {
    const masks = captureMasks(() => {
      expect(redactValue('STRIPE_SK', 'sk-by-name-7')).toBe(REDACTED);
      expect(redactValue('DB_PASSWORD', 'pw')).toBe(REDACTED);
    });
    expect(masks).toContain('sk-by-name-7');
    expect(masks).not.toContain('pw');
  });

  test('registered values are hidden wherever they appear later', () => {
    captureMasks(() => maskValue('build-arg-value-xyz'));
    expect(redactText('echo build-arg-value-xyz done')).toBe(`echo ${REDACTED} done`);
  });

  test('registers the value, its base64 forms and its JSON-escaped form', () => {
    const masks = captureMasks(() => maskValue('s3cr3t?>"q'));
    expect(masks).toContain('s3cr3t?>"q');
    expect(masks).toContain(Buffer.from('s3cr3t?>"q').toString('base64'));
    expect(masks).toContain(Buffer.from('s3cr3t?>"q').toString('base64url'));
    expect(masks).toContain('s3cr3t?>\\"q');
  });

  test.each([[''], [undefined], [null]])('ignores %j', (v) => {
    expect(captureMasks(() => maskValue(v))).toEqual([]);
  });

  test('multi-line secrets: each line too, never a line break inside ::add-mask::', () => {
    expect(maskForms('-----BEGIN KEY-----\nabcdef\n-----END KEY-----')).toEqual(
      expect.arrayContaining(['-----BEGIN KEY-----', 'abcdef', '-----END KEY-----']),
    );
    const masks = captureMasks(() => maskValue('line-one-x\nline-two-y'));
    expect(masks).toEqual(expect.arrayContaining(['line-one-x', 'line-two-y']));
    expect(masks.some((m) => m.includes('\n'))).toBe(false);
  });
});

describe('argv and structures', () => {
  test.each<[string, string[], string[]]>([
    ['--password value', ['migrate', '--password', 'hunter2', '--fast'], ['migrate', '--password', REDACTED, '--fast']],
    ['--db-token value', ['x', '--db-token', 'abc'], ['x', '--db-token', REDACTED]],
    ['-u user:pass', ['curl', '-u', 'ops:hunter2', 'http://x'], ['curl', '-u', `ops:${REDACTED}`, 'http://x']],
    ['--password=value', ['x', '--password=hunter2'], ['x', `--password=${REDACTED}`]],
    ['URL word', ['psql', 'postgres://u:pw1@h/db'], ['psql', `postgres://u:${REDACTED}@h/db`]],
    ['sh -c string', ['sh', '-c', 'PGPASSWORD=hunter2 psql -h db'], ['sh', '-c', `PGPASSWORD=${REDACTED} psql -h db`]],
    ['--password-stdin is a switch', ['login', '--password-stdin', 'host'], ['login', '--password-stdin', 'host']],
    ['-p is not a password flag', ['serve', '-p', '8080'], ['serve', '-p', '8080']],
  ])('%s', (_what, argv, expected) => {
    expect(redactArgv(argv)).toEqual(expected);
  });

  test('displayCommand quotes the redacted words', () => {
    expect(displayCommand(['sh', '-c', 'curl -u ops:hunter2 http://x'])).toBe(
      `sh -c 'curl -u ops:${REDACTED} http://x'`,
    );
  });

  test('ECS environment array', () => {
    const env = [
      { name: 'NODE_ENV', value: 'production' },
      { name: 'DB_PASSWORD', value: 'hunter2' },
      { name: 'DATABASE_URL', value: 'postgres://app:hunter2@db/app' },
      { name: 'EMPTY_TOKEN', value: '' },
      { name: 'STRIPE_SK', value: 'abc' },
      { name: 'SQL', value: 'Server=db;Password=pw;' },
    ];
    expect(redactEnvironment(env)).toEqual([
      { name: 'NODE_ENV', value: 'production' },
      { name: 'DB_PASSWORD', value: REDACTED },
      { name: 'DATABASE_URL', value: `postgres://app:${REDACTED}@db/app` },
      { name: 'EMPTY_TOKEN', value: '' },
      { name: 'STRIPE_SK', value: REDACTED },
      { name: 'SQL', value: `Server=db;Password=${REDACTED};` },
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
          image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:${HEX64}`,
          environment: [
            { name: 'SESSION_SECRET', value: 'abc' },
            { name: 'MODE', value: 'x' },
          ],
          secrets: [{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:us-east-1:1:secret:db' }],
          dockerLabels: { 'traefik.auth.token': 'zzz', team: 'a' },
          command: ['run', '--db', 'postgres://u:pw@h/db', '--api-token', 'tok'],
          healthCheck: { command: ['CMD-SHELL', 'curl -u ops:hunter2 http://localhost/ || exit 1'] },
        },
      ],
    };
    const out = redactDeep(td);
    const c = out.containerDefinitions[0]!;
    expect(c.image).toBe(td.containerDefinitions[0]!.image);
    expect(c.environment).toEqual([
      { name: 'SESSION_SECRET', value: REDACTED },
      { name: 'MODE', value: 'x' },
    ]);
    expect(c.secrets[0]!.valueFrom).toBe('arn:aws:secretsmanager:us-east-1:1:secret:db'); // a reference, not a secret
    expect(c.dockerLabels).toEqual({ 'traefik.auth.token': REDACTED, team: 'a' });
    expect(c.command).toEqual(['run', '--db', `postgres://u:${REDACTED}@h/db`, '--api-token', REDACTED]);
    expect(c.healthCheck.command[1]).toBe(`curl -u ops:${REDACTED} http://localhost/ || exit 1`);
    expect(td.containerDefinitions[0]!.environment[0]!.value).toBe('abc');
  });
});
