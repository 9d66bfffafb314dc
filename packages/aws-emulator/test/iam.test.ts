// IAM GetRole (the one call a preflight needs to check that an execution role exists), SDK v3 at default settings.
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { useEmulator } from '../src/index.ts';

const emu = useEmulator({ timeScale: 1 }, { beforeAll, afterAll, beforeEach });
let iam: IAMClient;
beforeAll(() => {
  iam = new IAMClient(emu.clientConfig);
});
afterAll(() => iam?.destroy());

test('GetRole of a seeded role (by name or ARN in the seed): ARN, path, URL-encoded trust policy', async () => {
  await emu.control.seed({
    roles: ['pikaia-execution', { arn: 'arn:aws:iam::000000000000:role/service-role/deploy-staging' }],
  });
  const role = (await iam.send(new GetRoleCommand({ RoleName: 'pikaia-execution' }))).Role;
  expect(role).toMatchObject({
    RoleName: 'pikaia-execution',
    Path: '/',
    Arn: 'arn:aws:iam::000000000000:role/pikaia-execution',
    MaxSessionDuration: 3600,
  });
  expect(role?.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
  expect(JSON.parse(decodeURIComponent(role?.AssumeRolePolicyDocument ?? ''))).toMatchObject({
    Statement: [{ Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  });
  expect((await iam.send(new GetRoleCommand({ RoleName: 'deploy-staging' }))).Role?.Arn).toBe(
    'arn:aws:iam::000000000000:role/service-role/deploy-staging',
  );
});

test('a role that does not exist is NoSuchEntity (404); the request log says GetRole, not mutating', async () => {
  await expect(iam.send(new GetRoleCommand({ RoleName: 'nope' }))).rejects.toMatchObject({
    name: 'NoSuchEntityException',
    message: 'The role with name nope cannot be found.',
    $metadata: { httpStatusCode: 404 },
  });
  const log = (await emu.control.requests()).filter((e) => e.service === 'iam');
  expect(log.map((e) => [e.operation, e.mutating, e.status])).toEqual([['GetRole', false, 404]]);
});
