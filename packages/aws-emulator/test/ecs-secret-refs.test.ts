// secrets[].valueFrom as the ECS agent parses it (getASMParametersFromInput): a table.
import { expect, test } from 'vitest';
import { parseSecretRef } from '../src/services/ecs-secret-refs.ts';

const SECRET = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/db-AbCdEf';

test.each([
  ['the whole secret', SECRET, { kind: 'secretsmanager', secretId: SECRET }],
  ['a json key', `${SECRET}:password::`, { kind: 'secretsmanager', secretId: SECRET, jsonKey: 'password' }],
  [
    'json key, stage and version id',
    `${SECRET}:password:AWSPREVIOUS:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`,
    {
      kind: 'secretsmanager',
      secretId: SECRET,
      jsonKey: 'password',
      versionStage: 'AWSPREVIOUS',
      versionId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    },
  ],
  [
    'a stage without a json key',
    `${SECRET}::AWSCURRENT:`,
    { kind: 'secretsmanager', secretId: SECRET, versionStage: 'AWSCURRENT' },
  ],
  [
    'a partial ARN (no random suffix) with a key',
    'arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/db:password::',
    {
      kind: 'secretsmanager',
      secretId: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/db',
      jsonKey: 'password',
    },
  ],
  ['an SSM path', '/app/prod/db-url', { kind: 'ssm' }],
  ['an SSM name', 'legacy_redis_url', { kind: 'ssm' }],
  ['an SSM ARN', 'arn:aws:ssm:us-east-1:000000000000:parameter/app/prod/db-url', { kind: 'ssm' }],
])('%s', (_name, valueFrom, expected) => {
  expect(parseSecretRef(valueFrom)).toEqual({ valueFrom, ...expected });
});

test.each([`${SECRET}:password`, `${SECRET}:password:AWSCURRENT`, `${SECRET}:a:b:c:d`])(
  '%s has the wrong number of fields: an invalid ARN format',
  (valueFrom) => {
    const ref = parseSecretRef(valueFrom);
    expect(ref.kind).toBe('invalid');
    expect(ref.kind === 'invalid' && ref.error).toContain(
      'an invalid ARN format for the AWS Secrets Manager secret was specified. Specify a valid ARN and try again.',
    );
  },
);
