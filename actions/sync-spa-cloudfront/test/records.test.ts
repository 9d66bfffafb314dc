import { Readable } from 'node:stream';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createClient } from '@deploy-actions/kit/runtime';
import { describe, expect, test } from 'vitest';
import { readRemote } from '../src/records';
import type { Session } from '../src/session';
import { BUCKET, mutating, ops, requests, useSite, writeSpa } from './helpers';

// Issue #16, defect 7: after a failed read of the previous release record the plan silently fell back to a
// CopyObject for every file. A record that is listed but cannot be read is not the same as no record: the run stops
// before its first write, naming the record; a read that fails only for a while is retried.

const site = useSite('records');
const { e, deploy } = site;

async function recordKey(id: string): Promise<string> {
  const out = await e.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'site/.deploy-actions/releases/' }));
  const key = (out.Contents ?? []).map((o) => o.Key!).find((k) => k.endsWith(`_${id}.json`));
  if (!key) throw new Error(`no record for ${id}`);
  return key;
}

/** An S3 client whose GETs of release records answer 503 SlowDown `failures` times (real SDK retry layer above). */
function flakyRecordReads(failures: number): { s3: S3Client; attempts: () => number } {
  let seen = 0;
  const options = { action: 'sync-spa-cloudfront', region: 'us-east-1' };
  const real = createClient(S3Client, options).config.requestHandler as unknown as {
    handle(request: unknown, options?: unknown): Promise<unknown>;
  };
  const handler = {
    metadata: { handlerProtocol: 'http/1.1' },
    handle: async (request: { method: string; path: string }, handlerOptions?: unknown) => {
      if (request.method === 'GET' && request.path.includes('/.deploy-actions/releases/')) {
        seen += 1;
        if (seen <= failures) {
          const body =
            '<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';
          return {
            response: {
              statusCode: 503,
              reason: 'Slow Down',
              headers: { 'content-type': 'application/xml', 'x-amz-request-id': `flaky-${seen}` },
              body: Readable.from([Buffer.from(body)]),
            },
          };
        }
      }
      return real.handle(request, handlerOptions);
    },
  };
  const s3 = createClient(S3Client, { ...options, overrides: { requestHandler: handler as never } });
  return { s3, attempts: () => seen };
}

describe('the previous release record cannot be read', () => {
  test.each([
    ['garbage bytes', Buffer.from('not a record at all'), /cannot be used: not JSON/],
    [
      'a record of a newer format',
      Buffer.from(JSON.stringify({ version: 2, id: 'r1', files: {} })),
      /unknown record version 2/,
    ],
    ['a record without its file list', Buffer.from(JSON.stringify({ version: 1, id: 'r1' })), /no file list/],
  ])('%s: the deploy stops before any write, naming the record', async (_name, body, why) => {
    await writeSpa(site.dir, { version: 'v1' });
    expect((await deploy({ 'release-id': 'r1' })).error).toBeUndefined();
    const key = await recordKey('r1');
    await e.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    await writeSpa(site.dir, { version: 'v2' });
    await e.control.clearRequests();
    const r = await deploy({ 'release-id': 'r2' });
    expect(r.error?.message).toContain(`Release record ${key} cannot be used`);
    expect(r.error?.message).toMatch(why);
    expect(r.error?.message).toMatch(/Nothing was written/);
    const log = await requests(e.control);
    expect(mutating(log)).toEqual([]);
    expect(ops(log, 'CopyObject')).toEqual([]);
  });

  test('a read that keeps failing stops the deploy before any write; the SDK retried it', async () => {
    await writeSpa(site.dir, { version: 'v1' });
    expect((await deploy({ 'release-id': 'r1' })).error).toBeUndefined();
    const key = await recordKey('r1');
    await writeSpa(site.dir, { version: 'v2' });
    await e.control.clearRequests();
    const flaky = flakyRecordReads(1000);
    const r = await deploy({ 'release-id': 'r2' }, 0, { s3: flaky.s3 });
    expect(r.error?.message).toContain(`Release record ${key} is listed but could not be read`);
    expect(r.error?.message).toMatch(/SlowDown/);
    expect(flaky.attempts()).toBeGreaterThan(1);
    expect(mutating(await requests(e.control))).toEqual([]);
  });

  test('a read that fails for a while is retried: the deploy goes on and fixes no headers with CopyObject', async () => {
    await writeSpa(site.dir, { version: 'v1' });
    expect((await deploy({ 'release-id': 'r1' })).error).toBeUndefined();
    await writeSpa(site.dir, { version: 'v2' });
    await e.control.clearRequests();
    const flaky = flakyRecordReads(2);
    const r = await deploy({ 'release-id': 'r2' }, 0, { s3: flaky.s3 });
    expect(r.error).toBeUndefined();
    expect(flaky.attempts()).toBe(3);
    expect(r.outputs['metadata-updated']).toBe('0');
    expect(ops(await requests(e.control), 'CopyObject')).toEqual([]);
  });
});

describe('the newest record is read while the listing goes on', () => {
  test('its read starts once the segment holding the records is in, before the other segments answer', async () => {
    const paths = Array.from({ length: 1900 }, (_, i) => `assets/f${String(i).padStart(4, '0')}.js`);
    await Promise.all(paths.map((p) => e.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `site/${p}`, Body: p }))));
    const recordOf = (id: string) => JSON.stringify({ version: 1, id, files: {}, html: {} });
    const releases = 'site/.deploy-actions/releases/';
    await e.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `${releases}20260101T000000000Z_r1.json`, Body: recordOf('r1') }),
    );
    await e.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `${releases}20260102T000000000Z_r2.json`, Body: recordOf('r2') }),
    );
    // the segments after the first (their requests carry start-after) answer only once a record GET was seen
    const events: string[] = [];
    const firstPageKeys: unknown[] = [];
    let recordAsked!: () => void;
    const asked = new Promise<void>((resolve) => {
      recordAsked = resolve;
    });
    const options = { action: 'sync-spa-cloudfront', region: 'us-east-1' };
    const real = createClient(S3Client, options).config.requestHandler as unknown as {
      handle(request: unknown, options?: unknown): Promise<unknown>;
    };
    const handler = {
      metadata: { handlerProtocol: 'http/1.1' },
      handle: async (request: { method: string; path: string; query?: Record<string, unknown> }, o?: unknown) => {
        if (request.method === 'GET' && request.path.includes('/.deploy-actions/releases/')) {
          events.push(`get ${request.path.slice(request.path.lastIndexOf('_') + 1)}`);
          recordAsked();
        } else if (request.method === 'GET' && request.query?.['start-after'] === undefined) {
          firstPageKeys.push(request.query?.['max-keys']);
        } else if (request.query?.['start-after'] !== undefined) {
          await Promise.race([asked, new Promise((resolve) => setTimeout(resolve, 3000))]);
          events.push('later segment answered');
        }
        return real.handle(request, o);
      },
    };
    const s3 = createClient(S3Client, { ...options, overrides: { requestHandler: handler as never } });
    const session = { inputs: { bucket: BUCKET, prefix: 'site' }, s3, signal: new AbortController().signal };
    const remote = readRemote(session as unknown as Session, paths);
    expect((await remote.previous)?.id).toBe('r2');
    expect((await remote.listing).objects).toHaveLength(1902);
    // the records have a segment of their own (list-segments.ts withCutAfter); 1,900 files are cut in three more
    expect(events).toEqual(['get r2.json', ...Array(3).fill('later segment answered')]);
    expect(firstPageKeys).toEqual(['100']); // the records' segment asks for a short page
  });
});
