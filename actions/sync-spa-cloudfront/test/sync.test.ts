import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
} from '@aws-sdk/client-cloudfront';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createClient, DeployFailure } from '@deploy-actions/kit/runtime';
import { describe, expect, test, vi } from 'vitest';
import { decideHeaders, hashedDetector, IMMUTABLE } from '../src/policy';

import type { ReleaseManifest } from '../src/release-record';
import { getJsonObject } from '../src/s3-objects';
import { putJsonObject } from '../src/s3-writes';
import {
  BUCKET,
  DIST_ID,
  emulatorClock,
  getText,
  head,
  mutating,
  ops,
  requests,
  resetEmu,
  runEnv,
  runMain,
  useSite,
  writeSpa,
} from './helpers';

const site = useSite('sync');
const { e, base, deploy } = site;

async function readRecord(id: string): Promise<ReleaseManifest> {
  const key = (await e.listKeys('site/.deploy-actions/releases/')).findLast((k) => k.endsWith(`_${id}.json`));
  if (!key) throw new Error(`no record for ${id}`);
  return getJsonObject<ReleaseManifest>(e.s3, BUCKET, key);
}

describe('first deploy and redeploys', () => {
  test('first deploy: every file uploaded with headers from the policy, HTML last, release recorded', async () => {
    const files = await writeSpa(site.dir);
    const r = await deploy({ 'release-id': 'r1' });
    expect(r.error).toBeUndefined();
    expect(r.outputs).toMatchObject({
      uploaded: '7', // .vite/manifest.json is excluded by default
      'metadata-updated': '0',
      unchanged: '0',
      deleted: '0',
      'release-id': 'r1',
    });
    expect(r.outputs['invalidation-id']).toMatch(/^I/);

    const js = Object.keys(files).find((f) => f.endsWith('.js'))!;
    const jsHead = await head(e.s3, `site/${js}`);
    expect(jsHead.CacheControl).toBe(IMMUTABLE);
    expect(jsHead.ContentType).toBe('text/javascript; charset=utf-8');
    expect(jsHead.Metadata?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const html = await head(e.s3, 'site/index.html');
    expect(html.CacheControl).toBe('no-cache');
    expect(html.ContentType).toBe('text/html; charset=utf-8');
    expect((await head(e.s3, 'site/robots.txt')).CacheControl).toBe('no-cache');
    expect(await getText(e.s3, 'site/index.html')).toBe(files['index.html']);

    // request order: every asset PUT before the first live HTML PUT; the release record after the HTML
    const log = await requests(e.control);
    const puts = ops(log, 'PutObject').map((x) => x.path);
    const isLiveHtml = (p: string) => p.endsWith('.html') && !p.includes('/.deploy-actions/');
    const firstHtml = puts.findIndex(isLiveHtml);
    const lastAsset = puts.findLastIndex((p) => !isLiveHtml(p) && !p.includes('/.deploy-actions/releases/'));
    expect(firstHtml).toBeGreaterThan(lastAsset);
    expect(puts.at(-1)).toMatch(/^\/spa-site\/site\/\.deploy-actions\/releases\/\d{8}T\d{9}Z_r1\.json$/);
    // small HTML is kept inside the release record: no separate copies
    expect(puts.filter((p) => p.includes('/.deploy-actions/html/'))).toEqual([]);
    const record = await readRecord('r1');
    expect(record.htmlInline).toEqual({
      'about/index.html': { encoding: 'utf8', data: files['about/index.html'] },
      'index.html': { encoding: 'utf8', data: files['index.html'] },
    });
    expect(record.html).toEqual({});

    // invalidation: only the non-immutable files, directory aliases included, hashed chunks not
    const inv = await new CloudFrontClient({}).send(
      new GetInvalidationCommand({ DistributionId: DIST_ID, Id: r.outputs['invalidation-id'] }),
    );
    expect(inv.Invalidation?.InvalidationBatch?.Paths?.Items?.sort()).toEqual([
      '/site',
      '/site/',
      '/site/about',
      '/site/about/',
      '/site/about/index.html',
      '/site/favicon.svg',
      '/site/index.html',
      '/site/robots.txt',
    ]);
    expect(r.summary).toContain('of the 1,000 free per month');
  });

  test('no-change redeploy (same release) makes zero PUTs, no copies, no invalidation', async () => {
    await writeSpa(site.dir);
    await deploy({ 'release-id': 'r1' });
    await e.control.clearRequests();
    const r = await deploy({ 'release-id': 'r1' });
    expect(r.error).toBeUndefined();
    expect(r.outputs).toMatchObject({
      uploaded: '0',
      'metadata-updated': '0',
      unchanged: '7',
      deleted: '0',
      'invalidation-id': '',
    });
    const log = await requests(e.control);
    expect(mutating(log)).toEqual([]);
    expect(log.map((x) => x.operation).sort()).toEqual(['GetObject', 'ListObjectsV2']);
  });

  test('same-size index.html change is uploaded (content, not size or mtime, decides)', async () => {
    const files = await writeSpa(site.dir);
    await deploy({ 'release-id': 'r1' });
    const changed = files['index.html']!.replace('<div id="app">', '<div id="APP">');
    expect(changed.length).toBe(files['index.html']!.length);
    await writeFile(join(site.dir, 'index.html'), changed);
    await e.control.clearRequests();
    const r = await deploy({ 'release-id': 'r2' });
    expect(r.outputs).toMatchObject({ uploaded: '1', unchanged: '6' });
    const puts = ops(await requests(e.control), 'PutObject').map((x) => x.path);
    expect(puts.filter((p) => !p.includes('/.deploy-actions/'))).toEqual(['/spa-site/site/index.html']);
    expect(ops(await requests(e.control), 'HeadObject')).toEqual([]); // MD5 ETags: no HEAD needed
    expect(await getText(e.s3, 'site/index.html')).toBe(changed);
  });

  test('Cache-Control rule change fixes headers with CopyObject, not a re-upload', async () => {
    await writeSpa(site.dir);
    await deploy({ 'release-id': 'r1' });
    await e.control.clearRequests();
    const r = await deploy({
      'release-id': 'r2',
      'cache-control': 'robots.txt=public, max-age=3600\n*.svg=public, max-age=86400',
    });
    expect(r.error).toBeUndefined();
    expect(r.outputs).toMatchObject({ uploaded: '0', 'metadata-updated': '2', unchanged: '5' });
    const log = await requests(e.control);
    expect(
      ops(log, 'CopyObject')
        .map((x) => x.path)
        .sort(),
    ).toEqual(['/spa-site/site/favicon.svg', '/spa-site/site/robots.txt']);
    expect(ops(log, 'PutObject').filter((x) => !x.path.includes('/.deploy-actions/'))).toEqual([]);
    expect((await head(e.s3, 'site/robots.txt')).CacheControl).toBe('public, max-age=3600');
    expect((await head(e.s3, 'site/favicon.svg')).ContentType).toBe('image/svg+xml');
    expect(await getText(e.s3, 'site/robots.txt')).toBe('User-agent: *\n');
    // a third run knows the new headers from the release record: nothing to do
    await e.control.clearRequests();
    const again = await deploy({
      'release-id': 'r2',
      'cache-control': 'robots.txt=public, max-age=3600\n*.svg=public, max-age=86400',
    });
    expect(again.outputs).toMatchObject({ 'metadata-updated': '0', unchanged: '7' });
    expect(mutating(await requests(e.control))).toEqual([]);
  });

  test('objects uploaded by another tool with wrong headers are fixed by copy, not re-uploaded', async () => {
    const files = await writeSpa(site.dir);
    for (const [path, body] of Object.entries(files)) {
      await e.s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: `site/${path}`, Body: body, ContentType: 'text/plain' }),
      );
    }
    await e.control.clearRequests();
    const r = await deploy({ 'release-id': 'r1' });
    expect(r.outputs).toMatchObject({ uploaded: '0', 'metadata-updated': '7' });
    expect((await head(e.s3, 'site/index.html')).ContentType).toBe('text/html; charset=utf-8');
  });
});

describe('exclude', () => {
  test('default: .vite/ and .DS_Store are never PUT; remote matches survive delete: prune; hashing still uses the manifest', async () => {
    const files = await writeSpa(site.dir);
    await writeFile(join(site.dir, '.DS_Store'), 'finder');
    await writeFile(join(site.dir, 'assets/.DS_Store'), 'finder');
    // Published by an earlier deploy (or another tool): old, unreferenced — prune would delete them if not excluded.
    const legacy = ['site/.vite/manifest.json', 'site/.vite/ssr-manifest.json', 'site/assets/.DS_Store'];
    for (const key of [...legacy, 'site/stale.txt']) {
      await e.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'old' }));
    }
    await e.control.clearRequests();
    const prune = { delete: 'prune', 'keep-releases': 1, retention: '1d', 'max-delete-percent': 100 } as const;
    const stdout = vi.spyOn(process.stdout, 'write');
    const r = await deploy({ 'release-id': 'r1', ...prune }, 30 * 86_400_000);
    const logged = stdout.mock.calls.map((c) => String(c[0])).join('');
    stdout.mockRestore();
    expect(r.error).toBeUndefined();
    // the dot-named objects an earlier tool published are public: said once, as a warning
    expect(logged).toContain(
      '::warning::3 object(s) with dot names are public in s3://spa-site/site/: site/.vite/manifest.json, site/.vite/ssr-manifest.json, site/assets/.DS_Store.',
    );
    // the 7 site files; stale.txt was put there by another tool: not this site's, never pruned
    expect(r.outputs).toMatchObject({ uploaded: '7', deleted: '0' });

    const log = await requests(e.control);
    const puts = [...ops(log, 'PutObject'), ...ops(log, 'CreateMultipartUpload')].map((x) => x.path);
    expect(puts.length).toBeGreaterThan(7);
    expect(puts.filter((p) => p.includes('.vite/') || p.includes('.DS_Store'))).toEqual([]);
    expect(ops(log, 'CopyObject')).toEqual([]);
    expect(ops(log, 'HeadObject')).toEqual([]); // excluded remote objects are not compared either
    const keys = await e.listKeys('site/');
    expect(keys).toEqual(expect.arrayContaining([...legacy, 'site/stale.txt']));
    expect(await getText(e.s3, 'site/.vite/manifest.json')).toBe('old'); // left alone, not overwritten
    // the (unpublished) Vite manifest still decided which files are hashed
    const chunk = Object.keys(files).find((p) => p.startsWith('assets/vendor-'))!;
    expect((await head(e.s3, `site/${chunk}`)).CacheControl).toBe(IMMUTABLE);
    expect(r.summary).toMatch(/hashed assets detected by vite-manifest/);
    expect(r.summary).toMatch(
      /3 name\(s\) not published \(dotfiles and dot directories except `\.well-known\/`; `exclude`: `\.vite\/\*\*`, `\*\*\/\.DS_Store`/,
    );
    expect(r.summary).toMatch(/3 excluded left alone, 1 not created by this site left alone/);

    // exclude: none turns the globs off, not the dot rule: dot names are still never published
    await e.control.clearRequests();
    const all = await deploy({ 'release-id': 'r2', exclude: 'none' }, 30 * 86_400_000);
    expect(all.error).toBeUndefined();
    const writes = mutating(await requests(e.control)).map((x) => x.path);
    expect(writes.filter((p) => p.includes('.vite/') || p.includes('.DS_Store'))).toEqual([]);
    expect(await getText(e.s3, 'site/.vite/manifest.json')).toBe('old');
  });
});

describe('safe publish order', () => {
  test('a failure mid-assets leaves the old HTML live and publishes no HTML', async () => {
    const v1 = await writeSpa(site.dir, { version: 'v1' });
    await deploy({ 'release-id': 'r1' });
    const v2 = await writeSpa(site.dir, { version: 'v2' });
    const failing = Object.keys(v2).find((p) => p.startsWith('assets/index-') && p.endsWith('.css'))!;
    // An S3 client whose PutObject of one new asset fails with a non-retryable error.
    const s3 = createClient(S3Client, { action: 'test', maxAttempts: 1 });
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Key?: string };
        if (context.commandName === 'PutObjectCommand' && input.Key === `site/${failing}`) {
          throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failOne' },
    );
    await e.control.clearRequests();
    const r = await deploy({ 'release-id': 'r2', concurrency: 1 }, 0, { s3 });
    expect(r.error).toBeInstanceOf(DeployFailure);
    expect(r.error?.message).toMatch(
      /1 assets write\(s\) failed\. No HTML was published: the live site still serves the previous release/,
    );
    const log = await requests(e.control);
    expect(log.filter((x) => x.mutating && x.path.endsWith('.html') && !x.path.includes('.deploy-actions'))).toEqual(
      [],
    );
    expect(ops(log, 'DeleteObjects')).toEqual([]);
    expect(ops(log, 'CreateInvalidation')).toEqual([]);
    expect(await getText(e.s3, 'site/index.html')).toBe(v1['index.html']);
    // the next successful run finishes the job
    const ok = await deploy({ 'release-id': 'r2' });
    expect(ok.error).toBeUndefined();
    expect(await getText(e.s3, 'site/index.html')).toBe(v2['index.html']);
  });
});

describe('prune with retention and guard', () => {
  test('keeps files of recent releases and young files; deletes the rest only inside the prefix', async () => {
    await e.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'other/keep.js', Body: 'x' }));
    await e.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'site2/keep.js', Body: 'x' }));
    await e.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'site.txt', Body: 'x' }));
    const v1 = await writeSpa(site.dir, { version: 'v1' });
    await deploy({ 'release-id': 'r1' });
    const v2 = await writeSpa(site.dir, { version: 'v2' });
    const v1Only = Object.keys(v1).filter((p) => !(p in v2));
    expect(v1Only.length).toBe(2); // the app chunk and the css

    // default retention (7d) and keep-releases 3: v1's chunks stay (open tabs still load them)
    await e.control.clearRequests();
    const r2 = await deploy({ 'release-id': 'r2', delete: 'prune' });
    expect(r2.outputs.deleted).toBe('0');
    expect(ops(await requests(e.control), 'DeleteObjects')).toEqual([]);
    expect(r2.summary).toMatch(/referenced by release r1/);

    // 30 days later, keeping only the current release: v1's chunks go, nothing outside site/ is touched
    await e.control.clearRequests();
    const r3 = await deploy(
      { 'release-id': 'r3', delete: 'prune', 'keep-releases': 1, retention: '1d', 'max-delete-percent': 50 },
      30 * 86_400_000,
    );
    expect(r3.error).toBeUndefined();
    expect(r3.outputs.deleted).toBe('2');
    const keys = await e.listKeys();
    for (const p of v1Only) expect(keys).not.toContain(`site/${p}`);
    for (const p of Object.keys(v2).filter((p) => !p.startsWith('.vite/'))) expect(keys).toContain(`site/${p}`);
    expect(keys).toEqual(expect.arrayContaining(['other/keep.js', 'site2/keep.js', 'site.txt']));
    const deletes = ops(await requests(e.control), 'DeleteObjects');
    expect(deletes).toHaveLength(1);
    expect(deletes.every((d) => d.path.startsWith('/spa-site'))).toBe(true);
  });

  test('guard: refusing a large deletion changes nothing; force-delete overrides', async () => {
    await writeSpa(site.dir, { version: 'v1', extraPages: 10 });
    await deploy({ 'release-id': 'r1' });
    await writeSpa(site.dir, { version: 'v1' }); // the 10 pages disappear: 10 of 17 objects
    await e.control.clearRequests();
    const args = { 'release-id': 'r2', delete: 'prune', 'keep-releases': 1, retention: '0s' } as const;
    const refused = await deploy(args, 86_400_000);
    expect(refused.error).toBeInstanceOf(DeployFailure);
    expect(refused.error?.message).toMatch(
      /Refusing to delete 10 of 17 objects \(58\.8% > max-delete-percent 25\)\. Nothing was changed/,
    );
    expect(mutating(await requests(e.control))).toEqual([]);
    const forced = await deploy({ ...args, 'force-delete': true }, 86_400_000);
    expect(forced.error).toBeUndefined();
    expect(forced.outputs.deleted).toBe('10');
    expect((await e.listKeys('site/pages/')).length).toBe(0);
  });

  test('dry-run plans the prune but writes nothing', async () => {
    await writeSpa(site.dir, { version: 'v1' });
    await deploy({ 'release-id': 'r1' });
    await writeSpa(site.dir, { version: 'v2' });
    await e.control.clearRequests();
    const r = await deploy(
      {
        'release-id': 'r2',
        delete: 'prune',
        'keep-releases': 1,
        retention: '0s',
        'max-delete-percent': 100,
        'dry-run': true,
      },
      86_400_000,
    );
    expect(r.error).toBeUndefined();
    expect(r.outputs).toMatchObject({ uploaded: '4', deleted: '2', 'invalidation-id': '' }); // new chunks, HTML
    expect(r.summary).toMatch(/Dry run/);
    expect(mutating(await requests(e.control))).toEqual([]);
  });
});

describe('multipart files and checksums', () => {
  const big = (seed: number, size = 12 * 1000 * 1000) => {
    const b = Buffer.alloc(size);
    for (let i = 0; i < b.length; i += 997) b[i] = (i + seed) % 251;
    return b;
  };

  test('a 12 MB file goes multipart with our part size and compares equal on the next run', async () => {
    await writeSpa(site.dir);
    await writeFile(join(site.dir, 'assets/model-Ab12Cd34.bin'), big(1));
    const r1 = await deploy({ 'release-id': 'r1', 'part-size': 5 });
    expect(r1.error).toBeUndefined();
    const log1 = await requests(e.control);
    expect(ops(log1, 'CreateMultipartUpload')).toHaveLength(1);
    expect(ops(log1, 'UploadPart')).toHaveLength(3);
    const listed = await e.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'site/assets/model' }));
    expect(listed.Contents?.[0]?.ETag).toMatch(/-3"$/);
    await e.control.clearRequests();
    const r2 = await deploy({ 'release-id': 'r1', 'part-size': 5 });
    expect(r2.outputs).toMatchObject({ uploaded: '0', unchanged: '8' });
    expect(mutating(await requests(e.control))).toEqual([]);
    // another part size: the ETag no longer proves it, the release record does (no HEAD, no upload)
    await e.control.clearRequests();
    const r3 = await deploy({ 'release-id': 'r1', 'part-size': 8 });
    expect(r3.outputs).toMatchObject({ uploaded: '0', unchanged: '8' });
    expect(ops(await requests(e.control), 'HeadObject')).toEqual([]);
    // a changed big file of the same size is uploaded again
    await writeFile(join(site.dir, 'assets/model-Ab12Cd34.bin'), big(2));
    const r4 = await deploy({ 'release-id': 'r4', 'part-size': 5 });
    expect(r4.outputs).toMatchObject({ uploaded: '1' });
  });

  test('a multipart object from another uploader (other part size) is confirmed by one HEAD', async () => {
    await writeSpa(site.dir);
    const body = big(3, 6 * 1024 * 1024);
    await writeFile(join(site.dir, 'assets/model-Ab12Cd34.bin'), body);
    await e.control.seed({
      buckets: [
        {
          name: BUCKET,
          objects: [
            { key: 'site/assets/model-Ab12Cd34.bin', bodyBase64: body.toString('base64'), partSize: 3 * 1024 * 1024 },
          ],
        },
      ],
    });
    await e.control.clearRequests();
    const r = await deploy({ 'release-id': 'r1', 'part-size': 5 });
    expect(r.error).toBeUndefined();
    const log = await requests(e.control);
    expect(ops(log, 'HeadObject').map((x) => x.path)).toEqual(['/spa-site/site/assets/model-Ab12Cd34.bin']);
    // no sha256 metadata of ours on it: cannot be proven equal, so it is uploaded (once)
    expect(ops(log, 'CreateMultipartUpload')).toHaveLength(1);
  });

  test.each(['when_supported', 'when_required'])(
    'checksum-mode %s: streamed, buffered and multipart uploads arrive intact',
    async (mode) => {
      await writeSpa(site.dir);
      const mid = Buffer.alloc(2 * 1024 * 1024 + 17, 'm'); // > 1 MiB: streamed (aws-chunked with the default checksums)
      await writeFile(join(site.dir, 'assets/mid-Ab12Cd34.js'), mid);
      await writeFile(join(site.dir, 'assets/model-Ab12Cd34.bin'), big(4, 6 * 1024 * 1024)); // 2 parts of 5 MiB
      const r = await deploy({ 'release-id': `c-${mode}`, 'checksum-mode': mode, 'part-size': 5 });
      expect(r.error).toBeUndefined();
      expect(r.outputs.uploaded).toBe('9');
      expect((await getText(e.s3, 'site/assets/mid-Ab12Cd34.js')).length).toBe(mid.length);
      const again = await deploy({ 'release-id': `c-${mode}`, 'checksum-mode': mode, 'part-size': 5 });
      expect(again.outputs).toMatchObject({ uploaded: '0', unchanged: '9' });
    },
  );
});

describe('rollback', () => {
  test('rollback-to restores the previous release HTML in one step, with invalidation', async () => {
    const v1 = await writeSpa(site.dir, { version: 'v1' });
    await deploy({ 'release-id': 'r1' });
    const v2 = await writeSpa(site.dir, { version: 'v2' });
    await deploy({ 'release-id': 'r2' });
    expect(await getText(e.s3, 'site/index.html')).toBe(v2['index.html']);
    await e.control.clearRequests();
    const r = await runMain(
      { prefix: 'site', 'distribution-id': DIST_ID, 'rollback-to': 'r1' },
      { clock: emulatorClock(e.control) },
    );
    expect(r.error).toBeUndefined();
    // the HTML comes from r1's record (one GET), written back with its recorded headers
    expect(r.outputs).toMatchObject({ 'release-id': 'r1', 'metadata-updated': '0', uploaded: '2' });
    expect(await getText(e.s3, 'site/index.html')).toBe(v1['index.html']);
    expect(await getText(e.s3, 'site/about/index.html')).toBe(v1['about/index.html']);
    const restored = await head(e.s3, 'site/index.html');
    expect(restored.CacheControl).toBe('no-cache');
    expect(restored.ContentType).toBe('text/html; charset=utf-8');
    expect(restored.Metadata?.sha256).toBe(createHash('sha256').update(v1['index.html']!).digest('hex'));
    const log = await requests(e.control);
    expect(ops(log, 'CopyObject')).toEqual([]);
    expect(
      ops(log, 'PutObject')
        .map((x) => x.path)
        .sort(),
    ).toEqual([
      expect.stringMatching(/releases\/\d+T\d+Z_r1\.json$/),
      '/spa-site/site/about/index.html',
      '/spa-site/site/index.html',
    ]);
    expect(ops(log, 'CreateInvalidation')).toHaveLength(1);
    expect(r.summary).toMatch(/Rolled back from `r2`/);
    // the next deploy of v2 knows the live state from the re-activated r1 record
    await writeSpa(site.dir, { version: 'v2' });
    await e.control.clearRequests();
    const redo = await deploy({ 'release-id': 'r2' });
    // only the HTML differs from the live state; the v2 chunks are known from the rollback record (no copies)
    expect(redo.outputs).toMatchObject({ uploaded: '2', 'metadata-updated': '0', unchanged: '5' });
    expect(await getText(e.s3, 'site/index.html')).toBe(v2['index.html']);
  });

  test('rollback to a release whose assets are gone fails before changing anything', async () => {
    const v1 = await writeSpa(site.dir, { version: 'v1' });
    await deploy({ 'release-id': 'r1' });
    await writeSpa(site.dir, { version: 'v2' });
    await deploy({ 'release-id': 'r2' });
    const chunk = Object.keys(v1).find((p) => p.startsWith('assets/index-') && p.endsWith('.js'))!;
    await e.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `site/${chunk}` })); // e.g. a lifecycle rule
    await e.control.clearRequests();
    const r = await runMain({ prefix: 'site', 'rollback-to': 'r1' }, { clock: emulatorClock(e.control) });
    expect(r.error?.message).toMatch(/Release r1 cannot be restored: 1 of its files were pruned\. Nothing was changed/);
    expect(mutating(await requests(e.control))).toEqual([]);
  });

  test('large HTML is kept as a stored copy and restored by CopyObject; non-UTF-8 HTML round-trips', async () => {
    const big = `<!doctype html><p>${'x'.repeat(70 * 1024)}</p>\n`; // over the 64 KiB inline limit
    const latin1 = Buffer.from('<!doctype html><p>caf\xe9 v1</p>\n', 'latin1'); // not valid UTF-8
    await writeSpa(site.dir, { version: 'v1' });
    await writeFile(join(site.dir, 'docs.html'), big);
    await writeFile(join(site.dir, 'latin1.html'), latin1);
    await deploy({ 'release-id': 'r1' });
    const r1 = await readRecord('r1');
    expect(Object.keys(r1.html)).toEqual(['docs.html']);
    expect(r1.htmlInline?.['latin1.html']).toEqual({ encoding: 'base64', data: latin1.toString('base64') });

    await writeSpa(site.dir, { version: 'v2' });
    await writeFile(join(site.dir, 'docs.html'), big.replace('<p>', '<p>v2 '));
    await writeFile(join(site.dir, 'latin1.html'), Buffer.from('<!doctype html><p>caf\xe9 v2</p>\n', 'latin1'));
    await deploy({ 'release-id': 'r2' });
    await e.control.clearRequests();
    const r = await runMain({ prefix: 'site', 'rollback-to': 'r1' }, { clock: emulatorClock(e.control) });
    expect(r.error).toBeUndefined();
    expect(r.outputs).toMatchObject({ uploaded: '3', 'metadata-updated': '1' });
    expect(await getText(e.s3, 'site/docs.html')).toBe(big);
    const restored = await e.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'site/latin1.html' }));
    expect(Buffer.from(await restored.Body!.transformToByteArray())).toEqual(latin1);
    const log = await requests(e.control);
    expect(ops(log, 'CopyObject').map((x) => x.path)).toEqual(['/spa-site/site/docs.html']);
  });

  test('a record whose HTML copy does not match its sha256 is refused before anything changes', async () => {
    await writeSpa(site.dir, { version: 'v1' });
    await deploy({ 'release-id': 'r1' });
    await writeSpa(site.dir, { version: 'v2' });
    await deploy({ 'release-id': 'r2' });
    const key = (await e.listKeys('site/.deploy-actions/releases/')).find((k) => k.endsWith('_r1.json'))!;
    const record = await getJsonObject<ReleaseManifest>(e.s3, BUCKET, key);
    record.htmlInline!['index.html']!.data += '<script src="https://evil.example/x.js"></script>';
    await putJsonObject(e.s3, BUCKET, key, record, { gzip: true });
    await e.control.clearRequests();
    const r = await runMain({ prefix: 'site', 'rollback-to': 'r1' }, { clock: emulatorClock(e.control) });
    expect(r.error?.message).toMatch(
      /is damaged: the copy of index\.html in it does not match its sha256\. Nothing was changed/,
    );
    expect(mutating(await requests(e.control))).toEqual([]);
  });

  test('a release pruned past retention is no longer known', async () => {
    await writeSpa(site.dir, { version: 'v1' });
    await deploy({ 'release-id': 'r1' });
    await writeSpa(site.dir, { version: 'v2' });
    await deploy(
      { 'release-id': 'r2', delete: 'prune', 'keep-releases': 1, retention: '0s', 'max-delete-percent': 100 },
      86_400_000,
    );
    await e.control.clearRequests();
    const r = await runMain({ prefix: 'site', 'rollback-to': 'r1' }, { clock: emulatorClock(e.control) });
    expect(r.error?.message).toBe('no release "r1" under s3://spa-site/site/ (known: r2)');
    expect(mutating(await requests(e.control))).toEqual([]);
  });
});

describe('invalidation', () => {
  test('the same run attempt and paths reuse the CallerReference (same invalidation); a new attempt does not', async () => {
    await writeSpa(site.dir);
    const a = await deploy({ 'release-id': 'r1', invalidation: 'all' });
    const b = await deploy({ 'release-id': 'r1', invalidation: 'all' });
    expect(b.outputs['invalidation-id']).toBe(a.outputs['invalidation-id']);
    const c = await deploy({ 'release-id': 'r1', invalidation: 'all' }, 0, {
      env: runEnv({ GITHUB_RUN_ATTEMPT: '2' }),
    });
    expect(c.outputs['invalidation-id']).not.toBe(a.outputs['invalidation-id']);
    const creates = ops(await requests(e.control), 'CreateInvalidation');
    expect(creates).toHaveLength(3);
  });

  test('issue #13: a deploy and a rollback of the same paths in one run get one invalidation each; re-runs create none', async () => {
    await writeSpa(site.dir, { version: 'v1' });
    expect((await deploy({ 'release-id': 'r1' })).error).toBeUndefined();
    await writeSpa(site.dir, { version: 'v2' });
    const cf = new CloudFrontClient({});
    const invalidations = async () =>
      (await cf.send(new ListInvalidationsCommand({ DistributionId: DIST_ID }))).InvalidationList?.Items ?? [];
    const before = (await invalidations()).length;
    // the same run and attempt throughout (runMain's GITHUB_RUN_ID 1000, attempt 1)
    const d = await deploy({ 'release-id': 'r2' });
    const r = await runMain(
      { ...base(), source: undefined, 'rollback-to': 'r1' },
      { clock: emulatorClock(e.control, 1000) },
    );
    expect(d.error).toBeUndefined();
    expect(r.error).toBeUndefined();
    const pathsOf = async (id: string) =>
      (
        await cf.send(new GetInvalidationCommand({ DistributionId: DIST_ID, Id: id }))
      ).Invalidation?.InvalidationBatch?.Paths?.Items?.sort();
    // the HTML the deploy changed is the HTML the rollback restores: the same paths, two invalidations
    expect(await pathsOf(r.outputs['invalidation-id']!)).toEqual(await pathsOf(d.outputs['invalidation-id']!));
    expect(r.outputs['invalidation-id']).not.toBe(d.outputs['invalidation-id']);
    expect((await invalidations()).length).toBe(before + 2);

    // re-runs of both steps: the deploy finds r1 live again (a new publish of r2 after the rollback: its own
    // invalidation); the rollback, once finished, is a no-op. With invalidation: all both always invalidate /*:
    const all = { invalidation: 'all' } as const;
    const rollbackAll = () =>
      runMain({ ...base(), source: undefined, 'rollback-to': 'r1', ...all }, { clock: emulatorClock(e.control, 2000) });
    const first = await rollbackAll();
    const again = await rollbackAll();
    expect(again.error).toBeUndefined();
    expect(again.outputs['invalidation-id']).toBe(first.outputs['invalidation-id']);
    expect(again.outputs).toMatchObject({ uploaded: '0', 'metadata-updated': '0', unchanged: '2' });
    expect((await invalidations()).length).toBe(before + 3);
  });

  test('many changed pages collapse into a wildcard; off and missing distribution make no CloudFront call', async () => {
    await writeSpa(site.dir, { extraPages: 12 });
    await writeFile(join(site.dir, 'site.webmanifest'), '{}\n'); // one more unhashed file: 10 to collapse at /site/
    const first = await deploy({ 'release-id': 'r1' });
    const cf = new CloudFrontClient({});
    const paths = async (id: string | undefined) =>
      (await cf.send(new GetInvalidationCommand({ DistributionId: DIST_ID, Id: id }))).Invalidation?.InvalidationBatch
        ?.Paths?.Items;
    expect(await paths(first.outputs['invalidation-id'])).toEqual(['/site*']); // 22 paths under /site: one wildcard is cheaper
    for (let i = 0; i < 12; i++) await writeFile(join(site.dir, `pages/p${i}.html`), `<p>changed ${i}</p>\n`);
    const second = await deploy({ 'release-id': 'r2' });
    expect(await paths(second.outputs['invalidation-id'])).toEqual(['/site/pages/*']);
    await resetEmu(e);
    await deploy({ 'release-id': 'r1', invalidation: 'off' });
    await runMain({ source: site.dir, prefix: 'site', 'release-id': 'r2' });
    expect((await requests(e.control)).filter((x) => x.service === 'cloudfront')).toEqual([]);
  });

  test('backs off on TooManyInvalidationsInProgress, then waits for completion without real sleeping', async () => {
    await writeSpa(site.dir);
    const cf = new CloudFrontClient({});
    for (let i = 0; i < 15; i++) {
      await cf.send(
        new CreateInvalidationCommand({
          DistributionId: DIST_ID,
          InvalidationBatch: { CallerReference: `fill-${i}`, Paths: { Quantity: 1, Items: [`/w${i}/*`] } },
        }),
      );
    }
    const clock = emulatorClock(e.control);
    const started = Date.now();
    const r = await runMain(
      {
        ...base(),
        'release-id': 'r1',
        invalidation: 'all',
        'wait-for-invalidation': true,
        'invalidation-timeout': '10m',
      },
      { clock },
    );
    expect(r.error).toBeUndefined();
    expect(clock.sleeps.length).toBeGreaterThanOrEqual(2);
    expect(Date.now() - started).toBeLessThan(20_000);
    const creates = ops(await requests(e.control), 'CreateInvalidation');
    expect(creates.filter((x) => x.status === 400).length).toBeGreaterThanOrEqual(1);
    const inv = await cf.send(
      new GetInvalidationCommand({ DistributionId: DIST_ID, Id: r.outputs['invalidation-id'] }),
    );
    expect(inv.Invalidation?.Status).toBe('Completed');
    expect(r.summary).toMatch(/\(Completed\)/);
  });
});

test('non-MD5 ETags (as SSE-KMS gives): confirmed once by sha256 metadata (HEAD), then by the release record', async () => {
  const files = await writeSpa(site.dir);
  const detector = hashedDetector(JSON.parse(files['.vite/manifest.json']!));
  const objects = Object.entries(files).map(([path, body]) => {
    const h = decideHeaders(path, [], detector);
    return {
      key: `site/${path}`,
      body,
      partSize: 8, // tiny parts: the ETag is a multipart one, not an MD5 of the body
      cacheControl: path === 'robots.txt' ? 'max-age=60' : h.cacheControl,
      contentType: h.contentType,
      metadata: { sha256: createHash('sha256').update(body).digest('hex') },
    };
  });
  await e.control.seed({ buckets: [{ name: BUCKET, objects }] });
  await e.control.clearRequests();
  const r = await deploy({ 'release-id': 'r1' });
  expect(r.error).toBeUndefined();
  expect(r.outputs).toMatchObject({ uploaded: '0', 'metadata-updated': '1', unchanged: '6' }); // robots.txt headers fixed
  const log = await requests(e.control);
  expect(ops(log, 'HeadObject')).toHaveLength(7); // not the excluded .vite/manifest.json
  expect(ops(log, 'CopyObject').map((x) => x.path)).toEqual(['/spa-site/site/robots.txt']);
  await e.control.clearRequests();
  const again = await deploy({ 'release-id': 'r1' });
  expect(again.outputs).toMatchObject({ uploaded: '0', 'metadata-updated': '0', unchanged: '7' });
  expect(ops(await requests(e.control), 'HeadObject')).toEqual([]);
});

describe('MD5s: the scan hashes small files without them (issue #15)', () => {
  const md5Of = (text: string) => createHash('md5').update(text).digest('hex');

  test('every record entry still has the MD5 of its bytes: uploads, files unchanged, files whose headers were fixed', async () => {
    const v1 = await writeSpa(site.dir);
    expect((await deploy({ 'release-id': 'r1' })).error).toBeUndefined();
    const r1 = await readRecord('r1');
    for (const [path, entry] of Object.entries(r1.files)) expect(entry.md5, path).toBe(md5Of(v1[path]!));
    // v2: new chunks uploaded, index.html at a new size, the rest unchanged (the record vouches: no MD5 hashed)
    const v2 = await writeSpa(site.dir, { version: 'v2' });
    const r = await deploy({ 'release-id': 'r2', 'cache-control': 'robots.txt=max-age=60' });
    expect(r.error).toBeUndefined();
    expect(r.outputs['metadata-updated']).toBe('1'); // robots.txt: a header fix
    const r2 = await readRecord('r2');
    expect(Object.keys(r2.files).sort()).toEqual(
      Object.keys(v2)
        .filter((p) => !p.startsWith('.'))
        .sort(),
    );
    for (const [path, entry] of Object.entries(r2.files)) expect(entry.md5, path).toBe(md5Of(v2[path]!));
  });

  test.each([
    ['SSE-S3: the ETag S3 answers is recorded as the MD5', 'AES256', true],
    ['SSE-KMS: the ETag is not an MD5, the bytes sent are hashed', 'aws:kms', false],
  ])('%s', async (_name, encryption, etagIsMd5) => {
    // every PutObject answer (the SDK's and the shortcut's: both go through the request handler) says `encryption`,
    // with an ETag that is not the body's MD5, as an SSE-KMS object's is not
    const inner = createClient(S3Client, { action: 'test' }).config.requestHandler as {
      handle(
        request: { method: string; query: Record<string, unknown>; headers: Record<string, string> },
        o?: unknown,
      ): Promise<{ response: { statusCode: number; headers: Record<string, string> } }>;
    };
    let answered = 0;
    const requestHandler = {
      async handle(request: Parameters<typeof inner.handle>[0], options?: unknown) {
        const out = await inner.handle(request, options);
        const put = request.method === 'PUT' && !('uploadId' in request.query) && !request.headers['x-amz-copy-source'];
        if (put && out.response.statusCode === 200) {
          out.response.headers['x-amz-server-side-encryption'] = encryption;
          out.response.headers.etag = `"${String(answered++).padStart(32, 'f')}"`;
        }
        return out;
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs: () => ({}),
    };
    const s3 = createClient(S3Client, { action: 'test', overrides: { requestHandler: requestHandler as never } });
    const files = await writeSpa(site.dir);
    const r = await runMain(
      { source: site.dir, prefix: 'site', 'release-id': 'r1' },
      { s3, clock: emulatorClock(e.control) },
    );
    expect(r.error).toBeUndefined();
    expect(answered).toBeGreaterThanOrEqual(7);
    const r1 = await readRecord('r1');
    for (const [path, entry] of Object.entries(r1.files)) {
      expect(entry.md5, path).toBe(etagIsMd5 ? entry.etag : md5Of(files[path]!));
      expect(entry.etag, path).toMatch(/^f+\d+$/);
    }
  });

  test('objects no record vouches for (another tool uploaded them): their MD5s are hashed, equal ones kept', async () => {
    const files = await writeSpa(site.dir);
    for (const [path, body] of Object.entries(files)) {
      if (!path.startsWith('.'))
        await e.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `site/${path}`, Body: body }));
    }
    await e.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'site/robots.txt', Body: 'User-agent: X\n' })); // same size
    await e.control.clearRequests();
    const r = await deploy({ 'release-id': 'r1' });
    expect(r.error).toBeUndefined();
    expect(r.outputs).toMatchObject({ uploaded: '1', 'metadata-updated': '6' }); // robots.txt's bytes; the rest headers
    expect(ops(await requests(e.control), 'HeadObject')).toEqual([]); // the MD5s decided, not a HEAD each
    const r1 = await readRecord('r1');
    for (const [path, entry] of Object.entries(r1.files)) expect(entry.md5, path).toBe(md5Of(files[path]!));
  });
});
