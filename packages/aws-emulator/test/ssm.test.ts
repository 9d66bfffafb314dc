// SSM Parameter Store with the SDK v3 at default settings and the AWS CLI v2: the operations a deploy and its
// preflight use, seeding, errors in SSM's wire form.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  DeleteParameterCommand,
  DescribeParametersCommand,
  type DescribeParametersCommandInput,
  GetParameterCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { awsCliEnv, peerTool, useEmulator } from '../src/index.ts';

const run = promisify(execFile);
const emu = useEmulator({ timeScale: 1 }, { beforeAll, afterAll, beforeEach });
let ssm: SSMClient;
beforeAll(() => {
  ssm = new SSMClient(emu.clientConfig);
});
afterAll(() => ssm?.destroy());

const ARN = (name: string) => `arn:aws:ssm:us-east-1:000000000000:parameter${name.startsWith('/') ? '' : '/'}${name}`;

describe('parameters', () => {
  test('PutParameter / GetParameter by name, ARN and version; Overwrite makes versions', async () => {
    expect(
      await ssm.send(new PutParameterCommand({ Name: '/pikaia/prod/db-url', Value: 'postgres://a', Type: 'String' })),
    ).toMatchObject({
      Version: 1,
      Tier: 'Standard',
    });
    await expect(
      ssm.send(new PutParameterCommand({ Name: '/pikaia/prod/db-url', Value: 'postgres://b', Type: 'String' })),
    ).rejects.toMatchObject({
      name: 'ParameterAlreadyExists',
      message:
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    });
    expect(
      (await ssm.send(new PutParameterCommand({ Name: '/pikaia/prod/db-url', Value: 'postgres://b', Overwrite: true })))
        .Version,
    ).toBe(2);
    const got = await ssm.send(new GetParameterCommand({ Name: '/pikaia/prod/db-url' }));
    expect(got.Parameter).toMatchObject({
      Name: '/pikaia/prod/db-url',
      Type: 'String',
      Value: 'postgres://b',
      Version: 2,
      ARN: ARN('/pikaia/prod/db-url'),
      DataType: 'text',
    });
    expect(got.Parameter?.LastModifiedDate).toBeInstanceOf(Date);
    expect((await ssm.send(new GetParameterCommand({ Name: ARN('/pikaia/prod/db-url') }))).Parameter?.Value).toBe(
      'postgres://b',
    );
    expect((await ssm.send(new GetParameterCommand({ Name: '/pikaia/prod/db-url:1' }))).Parameter).toMatchObject({
      Value: 'postgres://a',
      Version: 1,
      Selector: ':1',
    });
    // a flat name has no leading slash; its ARN has one after "parameter"
    await ssm.send(new PutParameterCommand({ Name: 'legacy_redis_url', Value: 'redis://r', Type: 'String' }));
    expect((await ssm.send(new GetParameterCommand({ Name: ARN('legacy_redis_url') }))).Parameter?.Name).toBe(
      'legacy_redis_url',
    );
  });

  test('SecureString: ciphertext without WithDecryption, the value with it; KeyId defaults to alias/aws/ssm', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/app/secret-key', Value: 's3cr3t', Type: 'SecureString' }));
    const hidden = await ssm.send(new GetParameterCommand({ Name: '/app/secret-key' }));
    expect(hidden.Parameter?.Value).not.toContain('s3cr3t');
    const shown = await ssm.send(new GetParameterCommand({ Name: '/app/secret-key', WithDecryption: true }));
    expect(shown.Parameter?.Value).toBe('s3cr3t');
    const described = await ssm.send(new DescribeParametersCommand({}));
    expect(described.Parameters?.[0]).toMatchObject({
      Name: '/app/secret-key',
      Type: 'SecureString',
      KeyId: 'alias/aws/ssm',
    });
  });

  test('GetParameters: found ones and InvalidParameters; at most 10 names', async () => {
    await emu.control.seed({
      parameters: [
        { name: '/a/one', value: '1' },
        { name: '/a/two', value: '2' },
      ],
    });
    const out = await ssm.send(new GetParametersCommand({ Names: ['/a/one', '/a/missing', ARN('/a/two')] }));
    expect(out.Parameters?.map((p) => [p.Name, p.Value])).toEqual([
      ['/a/one', '1'],
      ['/a/two', '2'],
    ]);
    expect(out.InvalidParameters).toEqual(['/a/missing']);
    await expect(
      ssm.send(new GetParametersCommand({ Names: Array.from({ length: 11 }, (_, i) => `/p${i}`) })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('DescribeParameters: ParameterFilters by Name (Equals, BeginsWith), Path, Type; pagination', async () => {
    await emu.control.seed({
      parameters: [
        { name: '/pikaia/prod/db-url', value: 'x', type: 'SecureString' },
        { name: '/pikaia/prod/redis-url', value: 'x' },
        { name: '/pikaia/staging/db-url', value: 'x' },
        { name: 'flat', value: 'x' },
      ],
    });
    const names = async (input: DescribeParametersCommandInput) =>
      ((await ssm.send(new DescribeParametersCommand(input))).Parameters ?? []).map((p) => p.Name);
    expect(
      await names({ ParameterFilters: [{ Key: 'Name', Values: ['/pikaia/prod/db-url', 'flat', '/nope'] }] }),
    ).toEqual(['/pikaia/prod/db-url', 'flat']);
    expect(
      await names({ ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: ['/pikaia/prod/'] }] }),
    ).toEqual(['/pikaia/prod/db-url', '/pikaia/prod/redis-url']);
    expect(await names({ ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/pikaia'] }] })).toHaveLength(
      3,
    );
    expect(await names({ ParameterFilters: [{ Key: 'Path', Values: ['/pikaia'] }] })).toEqual([]);
    expect(await names({ ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }] })).toEqual([
      '/pikaia/prod/db-url',
    ]);
    const first = await ssm.send(new DescribeParametersCommand({ MaxResults: 3 }));
    expect(first.Parameters).toHaveLength(3);
    const second = await ssm.send(new DescribeParametersCommand({ MaxResults: 3, NextToken: first.NextToken }));
    expect(second.Parameters).toHaveLength(1);
    expect(second.NextToken).toBeUndefined();
  });

  test('DeleteParameter; unknown names are ParameterNotFound', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/x', Value: 'v', Type: 'String' }));
    await ssm.send(new DeleteParameterCommand({ Name: '/x' }));
    for (const cmd of [new GetParameterCommand({ Name: '/x' }), new DeleteParameterCommand({ Name: '/x' })]) {
      await expect(ssm.send(cmd as GetParameterCommand)).rejects.toMatchObject({ name: 'ParameterNotFound' });
    }
  });

  test.each([
    ['aws-prefixed', '/aws/thing', /can't be prefixed with "aws" or "ssm"/],
    ['bad character', '/app/db url', /can't be prefixed with "aws" or "ssm"/],
    ['a path without its leading slash', 'app/db', /fully qualified name/],
  ])('PutParameter refuses %s names (ValidationException)', async (_n, Name, message) => {
    await expect(ssm.send(new PutParameterCommand({ Name, Value: 'v', Type: 'String' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(message),
    });
  });

  test('the request log names SSM operations; writes are mutating; throttling is ThrottlingException', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/l', Value: 'v', Type: 'String' }));
    await ssm.send(new GetParameterCommand({ Name: '/l' }));
    const log = (await emu.control.requests()).filter((e) => e.service === 'ssm');
    expect(log.map((e) => [e.operation, e.mutating])).toEqual([
      ['PutParameter', true],
      ['GetParameter', false],
    ]);
    await emu.control.faults({ seed: 3, throttle: 1, services: ['ssm'] });
    await expect(ssm.send(new GetParameterCommand({ Name: '/l' }))).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
    await emu.control.faults({});
  });
});

const awsCli = peerTool('aws');

describe.skipIf(awsCli.skip)(awsCli.title('AWS CLI v2'), () => {
  beforeAll(awsCli.require);
  const cli = (...args: string[]) =>
    run('/usr/bin/aws', [...args, '--endpoint-url', emu.url, '--output', 'json'], { env: awsCliEnv() }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({
        code: e.code ?? 1,
        stdout: e.stdout ?? '',
        stderr: e.stderr ?? '',
      }),
    );

  test('ssm put-parameter / get-parameter --with-decryption; a missing parameter is ParameterNotFound', async () => {
    // CLI start-up dominates: the independent calls run in parallel
    const [put, missing] = await Promise.all([
      cli('ssm', 'put-parameter', '--name', '/cli/token', '--value', 'abc', '--type', 'SecureString'),
      cli('ssm', 'get-parameter', '--name', '/cli/nope'),
    ]);
    expect(put.code, put.stderr).toBe(0);
    const got = JSON.parse((await cli('ssm', 'get-parameter', '--name', '/cli/token', '--with-decryption')).stdout);
    expect(got.Parameter).toMatchObject({ Name: '/cli/token', Value: 'abc', Type: 'SecureString', Version: 1 });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('An error occurred (ParameterNotFound) when calling the GetParameter operation');
  });
});
