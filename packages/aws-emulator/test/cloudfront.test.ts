// CloudFront conformance: SDK v3 at default settings and AWS CLI v2 (create-distribution, create-invalidation,
// wait invalidation-completed), CallerReference idempotency and the in-progress invalidation limits.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CloudFrontClient,
  CreateDistributionCommand,
  CreateInvalidationCommand,
  type DistributionConfig,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  GetInvalidationCommand,
  ListDistributionsCommand,
  ListInvalidationsCommand,
  UpdateDistributionCommand,
  waitUntilInvalidationCompleted,
} from '@aws-sdk/client-cloudfront';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { awsCliEnv, useEmulator } from '../src/index.ts';
import { invalidPathReason } from '../src/services/cloudfront.ts';

const run = promisify(execFile);

// timeScale 1: simulated time moves only with explicit advances (plus real seconds), so InProgress checks are exact.
const emu = useEmulator({ timeScale: 1 });
let cf: CloudFrontClient;

async function aws(args: string[]): Promise<unknown> {
  const { stdout } = await run('/usr/bin/aws', [...args, '--endpoint-url', emu.url, '--output', 'json'], {
    env: awsCliEnv(),
  });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}

function minimalConfig(ref: string): DistributionConfig {
  return {
    CallerReference: ref,
    Comment: 'spa',
    Enabled: true,
    DefaultRootObject: 'index.html',
    Origins: {
      Quantity: 1,
      Items: [{ Id: 's3-site', DomainName: 'site.s3.amazonaws.com', S3OriginConfig: { OriginAccessIdentity: '' } }],
    },
    DefaultCacheBehavior: {
      TargetOriginId: 's3-site',
      ViewerProtocolPolicy: 'redirect-to-https',
      CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
    },
  };
}

const invalidate = (DistributionId: string, ref: string, paths: string[]) =>
  cf.send(
    new CreateInvalidationCommand({
      DistributionId,
      InvalidationBatch: { CallerReference: ref, Paths: { Quantity: paths.length, Items: paths } },
    }),
  );

beforeAll(async () => {
  await emu.start();
  cf = new CloudFrontClient(emu.clientConfig);
});

afterAll(emu.stop);

beforeEach(emu.reset);

describe('path rules', () => {
  test.each([
    ['/index.html', undefined],
    ['/assets/*', undefined],
    ['/*', undefined],
    ['index.html', 'must begin with a slash (/)'],
    ['/a*/b', 'the * wildcard must be the last character'],
  ])('%s', (path, reason) => {
    expect(invalidPathReason(path)).toBe(reason);
  });
});

describe('SDK v3', () => {
  test('distribution: create, get, get config, list, update', async () => {
    const created = await cf.send(new CreateDistributionCommand({ DistributionConfig: minimalConfig('ref-1') }));
    const d = created.Distribution!;
    expect(d.Id).toMatch(/^E[A-Z0-9]{13}$/);
    expect(d.DomainName).toMatch(/^d[a-z0-9]{13}\.cloudfront\.net$/);
    expect(d.Status).toBe('InProgress');
    expect(created.ETag).toMatch(/^E[A-Z0-9]{13}$/);
    expect(created.Location).toContain(`/2020-05-31/distribution/${d.Id}`);
    expect(d.DistributionConfig?.Origins?.Items?.[0]?.DomainName).toBe('site.s3.amazonaws.com');

    const got = await cf.send(new GetDistributionCommand({ Id: d.Id }));
    expect(got.ETag).toBe(created.ETag);
    expect(got.Distribution?.DistributionConfig?.DefaultRootObject).toBe('index.html');
    await emu.control.advance(300);
    expect((await cf.send(new GetDistributionCommand({ Id: d.Id }))).Distribution?.Status).toBe('Deployed');

    const config = await cf.send(new GetDistributionConfigCommand({ Id: d.Id }));
    expect(config.DistributionConfig?.Enabled).toBe(true);
    const updated = await cf.send(
      new UpdateDistributionCommand({
        Id: d.Id,
        IfMatch: config.ETag,
        DistributionConfig: { ...config.DistributionConfig!, Comment: 'v2' },
      }),
    );
    expect(updated.Distribution?.DistributionConfig?.Comment).toBe('v2');
    await expect(
      cf.send(
        new UpdateDistributionCommand({
          Id: d.Id,
          IfMatch: config.ETag,
          DistributionConfig: config.DistributionConfig,
        }),
      ),
    ).rejects.toMatchObject({ name: 'PreconditionFailed' });

    const list = await cf.send(new ListDistributionsCommand({}));
    expect(list.DistributionList?.Quantity).toBe(1);
    expect(list.DistributionList?.Items?.[0]).toMatchObject({
      Id: d.Id,
      DomainName: d.DomainName,
      Comment: 'v2',
      Enabled: true,
    });

    await expect(
      cf.send(new CreateDistributionCommand({ DistributionConfig: minimalConfig('ref-1') })),
    ).rejects.toMatchObject({
      name: 'DistributionAlreadyExists',
    });
    await expect(cf.send(new GetDistributionCommand({ Id: 'ENOPE' }))).rejects.toMatchObject({
      name: 'NoSuchDistribution',
      $metadata: { httpStatusCode: 404 },
    });
  });

  test('invalidation: InProgress → Completed in simulated time; waiter; list; errors', async () => {
    await emu.control.seed({ distributions: [{ id: 'E2SEEDEDDIST01', originBucket: 'site' }] });
    const inv = await invalidate('E2SEEDEDDIST01', 'run-1', ['/index.html', '/assets/*']);
    expect(inv.Invalidation?.Id).toMatch(/^I[A-Z0-9]{13}$/);
    expect(inv.Invalidation?.Status).toBe('InProgress');
    expect(inv.Location).toContain(`/invalidation/${inv.Invalidation?.Id}`);
    const dist = await cf.send(new GetDistributionCommand({ Id: 'E2SEEDEDDIST01' }));
    expect(dist.Distribution?.InProgressInvalidationBatches).toBe(1);

    await emu.control.advance(30);
    const mid = await cf.send(
      new GetInvalidationCommand({ DistributionId: 'E2SEEDEDDIST01', Id: inv.Invalidation!.Id! }),
    );
    expect(mid.Invalidation?.Status).toBe('InProgress');
    expect(mid.Invalidation?.InvalidationBatch?.Paths?.Items).toEqual(['/index.html', '/assets/*']);
    await emu.control.advance(31);
    const started = Date.now();
    const waited = await waitUntilInvalidationCompleted(
      { client: cf, maxWaitTime: 60 },
      { DistributionId: 'E2SEEDEDDIST01', Id: inv.Invalidation!.Id! },
    );
    expect(waited.state).toBe('SUCCESS');
    expect(Date.now() - started).toBeLessThan(5000);

    const second = await invalidate('E2SEEDEDDIST01', 'run-2', ['/about.html']);
    const list = await cf.send(new ListInvalidationsCommand({ DistributionId: 'E2SEEDEDDIST01' }));
    expect(list.InvalidationList?.Items?.map((i) => [i.Id, i.Status])).toEqual([
      [second.Invalidation?.Id, 'InProgress'],
      [inv.Invalidation?.Id, 'Completed'],
    ]);

    await expect(
      cf.send(new GetInvalidationCommand({ DistributionId: 'E2SEEDEDDIST01', Id: 'INOPE' })),
    ).rejects.toMatchObject({ name: 'NoSuchInvalidation', $metadata: { httpStatusCode: 404 } });
    await expect(invalidate('ENOPE', 'x', ['/a'])).rejects.toMatchObject({ name: 'NoSuchDistribution' });
    await expect(invalidate('E2SEEDEDDIST01', 'bad-1', ['index.html'])).rejects.toMatchObject({
      name: 'InvalidArgument',
    });
    await expect(invalidate('E2SEEDEDDIST01', 'bad-2', ['/a*/b'])).rejects.toMatchObject({ name: 'InvalidArgument' });
    await expect(
      cf.send(
        new CreateInvalidationCommand({
          DistributionId: 'E2SEEDEDDIST01',
          InvalidationBatch: { CallerReference: 'bad-3', Paths: { Quantity: 2, Items: ['/a'] } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InconsistentQuantities' });
  });

  test('CallerReference: same paths return the existing invalidation, different paths are refused', async () => {
    await emu.control.seed({ distributions: [{ id: 'E2SEEDEDDIST01', originBucket: 'site' }] });
    const first = await invalidate('E2SEEDEDDIST01', 'run-42-1', ['/index.html', '/about/']);
    const again = await invalidate('E2SEEDEDDIST01', 'run-42-1', ['/about/', '/index.html']);
    expect(again.Invalidation?.Id).toBe(first.Invalidation?.Id);
    await expect(invalidate('E2SEEDEDDIST01', 'run-42-1', ['/index.html'])).rejects.toMatchObject({
      name: 'InvalidationBatchAlreadyExists',
    });
    const list = await cf.send(new ListInvalidationsCommand({ DistributionId: 'E2SEEDEDDIST01' }));
    expect(list.InvalidationList?.Quantity).toBe(1);
  });

  test('in-progress limits: 15 wildcard paths, 3,000 file paths per distribution', async () => {
    await emu.control.seed({
      distributions: [{ id: 'E2SEEDEDDIST01', originBucket: 'site' }, { id: 'E2SEEDEDDIST02' }],
    });
    const wild = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `/w${from + i}/*`);
    await invalidate('E2SEEDEDDIST01', 'w-1', wild(10));
    await invalidate('E2SEEDEDDIST01', 'w-2', wild(5, 10));
    await expect(invalidate('E2SEEDEDDIST01', 'w-3', ['/one-more/*'])).rejects.toMatchObject({
      name: 'TooManyInvalidationsInProgress',
      $metadata: { httpStatusCode: 400 },
    });
    // File paths have their own, independent limit; other distributions are unaffected.
    await invalidate(
      'E2SEEDEDDIST01',
      'f-1',
      Array.from({ length: 3000 }, (_, i) => `/f/${i}.html`),
    );
    await expect(invalidate('E2SEEDEDDIST01', 'f-2', ['/late.html'])).rejects.toMatchObject({
      name: 'TooManyInvalidationsInProgress',
    });
    await invalidate('E2SEEDEDDIST02', 'other', ['/x/*']);
    await expect(invalidate('E2SEEDEDDIST02', 'huge', wild(16))).rejects.toMatchObject({ name: 'BatchTooLarge' });
    // Once the batches complete, the capacity is back.
    await emu.control.advance(61);
    await invalidate('E2SEEDEDDIST01', 'w-3', ['/one-more/*']);
    await invalidate('E2SEEDEDDIST01', 'f-2', ['/late.html']);
  });
});

describe('AWS CLI v2', () => {
  test('create-distribution, create-invalidation, wait invalidation-completed, list', async () => {
    const created = (await aws([
      'cloudfront',
      'create-distribution',
      '--origin-domain-name',
      'site.s3.amazonaws.com',
      '--default-root-object',
      'index.html',
    ])) as { Distribution: { Id: string; DomainName: string } };
    const id = created.Distribution.Id;
    expect(id).toMatch(/^E[A-Z0-9]{13}$/);
    const inv = (await aws([
      'cloudfront',
      'create-invalidation',
      '--distribution-id',
      id,
      '--paths',
      '/index.html',
      '/assets/*',
    ])) as {
      Invalidation: { Id: string; Status: string; InvalidationBatch: { Paths: { Quantity: number } } };
    };
    expect(inv.Invalidation.Status).toBe('InProgress');
    expect(inv.Invalidation.InvalidationBatch.Paths.Quantity).toBe(2);
    // The CLI waiter polls every 20 s: advance first so its first poll sees Completed.
    await emu.control.advance(61);
    await aws(['cloudfront', 'wait', 'invalidation-completed', '--distribution-id', id, '--id', inv.Invalidation.Id]);
    const got = (await cf.send(new GetInvalidationCommand({ DistributionId: id, Id: inv.Invalidation.Id })))
      .Invalidation;
    expect(got?.Status).toBe('Completed');
    const ops = (await emu.control.requests())
      .filter((e) => e.service === 'cloudfront')
      .map((e) => [e.operation, e.mutating]);
    expect(ops).toEqual([
      ['CreateDistribution', true],
      ['CreateInvalidation', true],
      ['GetInvalidation', false],
      ['GetInvalidation', false],
    ]);
  });
});
