import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { type ConfigurationError, createClient } from '@deploy-actions/kit/runtime';
import { describe, expect, test } from 'vitest';
import { originWarning } from '../src/preflight';
import { emulatorClock, expectRefused, getText, mutating, ops, requests, runMain, useSite, writeSpa } from './helpers';

// Finding 6 of issue #14: a well-formed but nonexistent distribution-id failed after four S3 writes. Named resources
// are now read before the first write.

describe('originWarning (pure)', () => {
  const s3 = (domainName: string, originPath = '') => ({ domainName, originPath });
  test.each([
    [[s3('spa-site.s3.amazonaws.com')], '', undefined],
    [[s3('spa-site.s3.eu-west-1.amazonaws.com', '/site')], '/site', undefined],
    [[s3('spa-site.s3-website-us-east-1.amazonaws.com', '/')], '', undefined],
    [[s3('api.example.com'), s3('spa-site.s3.amazonaws.com')], '', undefined],
    [[s3('other.s3.amazonaws.com')], '', /has no S3 origin for bucket spa-site \(origins: other\.s3\.amazonaws\.com\)/],
    [[], '', /has no S3 origin for bucket spa-site \(origins: none\)/],
    [[s3('spa-site.s3.amazonaws.com', '/site')], '', /OriginPath "\/site", but origin-path is ""/],
    [[s3('spa-site.s3.amazonaws.com')], '/site', /OriginPath "", but origin-path is "\/site"/],
  ])('%j with origin-path %j', (origins, originPath, expected) => {
    const w = originWarning('E1', origins, 'spa-site', originPath);
    if (expected === undefined) expect(w).toBeUndefined();
    else expect(w).toMatch(expected);
  });
});

describe('distribution-id and bucket are read before the first write', () => {
  const site = useSite('preflight', { spa: true });
  const { e } = site;
  const deploy = (inputs: Record<string, string> = {}, deps = {}) =>
    site.deploy({ 'release-id': 'r1', ...inputs }, 0, deps);

  test.each([
    ['a deploy', {}],
    ['a dry run', { 'dry-run': 'true' }],
    ['a deploy with invalidation: all', { invalidation: 'all' }],
  ])('%s with a well-formed but nonexistent distribution-id writes nothing', async (_n, inputs) => {
    const r = await deploy({ 'distribution-id': 'E0NOSUCHDIST99', ...inputs });
    const log = await expectRefused(
      r,
      e.control,
      'distribution-id',
      'there is no CloudFront distribution E0NOSUCHDIST99 in this account (GetDistribution: NoSuchDistribution); nothing was written',
    );
    expect(ops(log, 'GetDistribution')).toHaveLength(1);
  });

  test('a rollback with a nonexistent distribution-id changes nothing', async () => {
    expect((await deploy()).error).toBeUndefined();
    await writeSpa(site.dir, { version: 'v2' });
    expect((await deploy({ 'release-id': 'r2' })).error).toBeUndefined();
    const live = await getText(e.s3, 'site/index.html');
    await e.control.clearRequests();
    const r = await runMain(
      { prefix: 'site', 'rollback-to': 'r1', 'distribution-id': 'E0NOSUCHDIST99' },
      { clock: emulatorClock(e.control) },
    );
    expect((r.error as ConfigurationError).input).toBe('distribution-id');
    expect(mutating(await requests(e.control))).toEqual([]);
    expect(await getText(e.s3, 'site/index.html')).toBe(live);
  });

  test('a nonexistent bucket is one error naming bucket, from the first (read-only) call', async () => {
    const r = await deploy({ bucket: 'no-such-bucket-here' });
    const log = await expectRefused(
      r,
      e.control,
      'bucket',
      'there is no S3 bucket "no-such-bucket-here" (ListObjectsV2: NoSuchBucket); nothing was written',
    );
    expect(log.map((x) => x.operation)).toEqual(['ListObjectsV2']);
  });

  test('GetDistribution comes before the first write; a run that changes nothing does not need it', async () => {
    expect((await deploy()).error).toBeUndefined();
    const log = await requests(e.control);
    const check = log.findIndex((x) => x.operation === 'GetDistribution');
    expect(check).toBeGreaterThanOrEqual(0);
    expect(check).toBeLessThan(log.findIndex((x) => x.mutating));
    expect(ops(log, 'GetDistribution')).toHaveLength(1);
    await e.control.clearRequests();
    expect((await deploy()).error).toBeUndefined();
    expect(ops(await requests(e.control), 'GetDistribution')).toEqual([]);
  });

  test('a file edited in place at the same size: the record tells of the upload, the distribution is read first', async () => {
    expect((await deploy()).error).toBeUndefined();
    await writeFile(join(site.dir, 'robots.txt'), 'User-agent: X\n'); // the size the listing shows: only the record can tell
    await e.control.clearRequests();
    const refused = await deploy({ 'release-id': 'r2', 'distribution-id': 'E0NOSUCHDIST99' });
    const log = await expectRefused(
      refused,
      e.control,
      'distribution-id',
      'there is no CloudFront distribution E0NOSUCHDIST99 in this account (GetDistribution: NoSuchDistribution); nothing was written',
    );
    expect(ops(log, 'GetDistribution')).toHaveLength(1);
    await e.control.clearRequests();
    const r = await deploy({ 'release-id': 'r2' });
    expect(r.error).toBeUndefined();
    const again = await requests(e.control);
    expect(ops(again, 'GetDistribution')).toHaveLength(1);
    expect(again.findIndex((x) => x.operation === 'GetDistribution')).toBeLessThan(again.findIndex((x) => x.mutating));
    expect(await getText(e.s3, 'site/robots.txt')).toBe('User-agent: X\n');
  });

  test('a role without cloudfront:GetDistribution gets a notice and the deploy goes on', async () => {
    const cloudfront = createClient(CloudFrontClient, { action: 'test', maxAttempts: 1 });
    cloudfront.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetDistributionCommand') {
          throw Object.assign(new Error('User is not authorized to perform: cloudfront:GetDistribution'), {
            name: 'AccessDenied',
            $metadata: { httpStatusCode: 403 },
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'denyGetDistribution' },
    );
    const r = await deploy({}, { cloudfront });
    expect(r.error).toBeUndefined();
    expect(r.outputs['invalidation-id']).toMatch(/^I/);
  });
});
