import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, test } from 'vitest';
import type { ReleaseManifest } from '../src/release-record';
import { getJsonObject } from '../src/s3-objects';
import { putJsonObject } from '../src/s3-writes';
import {
  BUCKET,
  DIST_ID,
  emulatorClock,
  expectRefused,
  mutating,
  ops,
  requests,
  runMain,
  tempDir,
  useEmu,
  writeSpa,
} from './helpers';

// Finding 5 of issue #14: a site at the bucket root pruned `admin/index.html` and all of `preview/pr-12/`, that
// site's release records included. Prune now deletes only what this prefix's own releases created, and never
// anything under another site's prefix (found from the `.deploy-actions/` records in the listing it already makes).

const e = useEmu();

const DAY = 86_400_000;
const PRUNE = { delete: 'prune', 'keep-releases': 1, retention: '1d', 'max-delete-percent': 100 } as const;

async function deploySite(
  prefix: string,
  id: string,
  version: string,
  extra: Record<string, string> = {},
  offsetMs = 0,
  inputs: Record<string, string | number> = {},
) {
  const dir = await tempDir(`site-${prefix.replace(/\W/g, '_') || 'root'}`);
  await writeSpa(dir, { version });
  for (const [path, body] of Object.entries(extra)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), body);
  }
  return runMain(
    { source: dir, prefix, 'distribution-id': DIST_ID, 'release-id': id, ...inputs },
    { clock: emulatorClock(e.control, offsetMs) },
  );
}

interface Snapshot {
  key: string;
  etag: string;
  size: number;
  body: string;
}

/** Every object under these prefixes: key, ETag, size and body (base64), as the emulator returns them. */
async function snapshot(prefixes: readonly string[]): Promise<Snapshot[]> {
  const out: Snapshot[] = [];
  for (const prefix of prefixes) {
    let token: string | undefined;
    do {
      const page = await e.s3.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        const got = await e.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: o.Key }));
        const body = Buffer.from(await got.Body!.transformToByteArray()).toString('base64');
        out.push({ key: o.Key!, etag: o.ETag!, size: o.Size!, body });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

describe('a site never writes or prunes another site in the same bucket', () => {
  test.each([
    ['the bucket root', '', ['admin/', 'preview/pr-12/']],
    ['preview/ (the parent of preview/pr-12/)', 'preview', ['admin/', 'preview/pr-12/']],
  ])('a site at %s: deploy and prune leave admin/ and preview/pr-12/ byte for byte', async (_n, prefix, others) => {
    // the other sites, each with two releases (so each has stale files of its own and several records)
    expect((await deploySite('admin', 'a1', 'admin-v1')).error).toBeUndefined();
    expect((await deploySite('admin', 'a2', 'admin-v2')).error).toBeUndefined();
    expect((await deploySite('preview/pr-12', 'p1', 'pr12-v1')).error).toBeUndefined();
    expect((await deploySite('preview/pr-12', 'p2', 'pr12-v2')).error).toBeUndefined();
    const before = await snapshot(others);
    expect(before.map((o) => o.key)).toEqual(
      expect.arrayContaining([
        'admin/index.html',
        expect.stringMatching(/^admin\/\.deploy-actions\/releases\/.*_a2\.json$/),
        'preview/pr-12/index.html',
        expect.stringMatching(/^preview\/pr-12\/\.deploy-actions\/releases\/.*_p1\.json$/),
      ]),
    );

    // this site: a release, then a new one 30 days later with a prune that keeps nothing old
    expect((await deploySite(prefix, 'r1', 'root-v1')).error).toBeUndefined();
    await e.control.clearRequests();
    const r2 = await deploySite(prefix, 'r2', 'root-v2', {}, 30 * DAY, PRUNE);
    expect(r2.error).toBeUndefined();
    expect(r2.outputs.deleted).toBe('1'); // its own stale chunk (root-v1's app chunk): the prune did run
    expect(r2.summary).toContain('left alone');
    for (const other of others.filter((o) => o.startsWith(prefix))) {
      expect(r2.summary).toMatch(new RegExp(`site \`${other.replace(/\//g, '\\/')}\` \\(\\d+ objects\\) left alone`));
    }
    expect(await snapshot(others)).toEqual(before);
    // no request touched them (DeleteObjects names keys in its body: the snapshot is what proves those)
    const writes = mutating(await requests(e.control)).map((x) => x.path);
    for (const other of others) expect(writes.filter((p) => p.includes(`/${other}`))).toEqual([]);

    // a third deploy, forced, with a tiny guard: still nothing of theirs
    const r3 = await deploySite(prefix, 'r3', 'root-v3', {}, 60 * DAY, { ...PRUNE, 'force-delete': 'true' });
    expect(r3.error).toBeUndefined();
    expect(await snapshot(others)).toEqual(before);
  });

  test('a build that would write into another site is refused before any write', async () => {
    expect((await deploySite('admin', 'a1', 'admin-v1')).error).toBeUndefined();
    const before = await snapshot(['admin/']);
    await e.control.clearRequests();
    const r = await deploySite('', 'r1', 'root-v1', { 'admin/index.html': '<p>not the admin app</p>\n' });
    await expectRefused(
      r,
      e.control,
      'source',
      /^admin\/index\.html would be written to s3:\/\/spa-site\/admin\/index\.html, inside another site \(admin\/, with its own release records under admin\/\.deploy-actions\/\)/,
    );
    expect(await snapshot(['admin/'])).toEqual(before);
  });
});

describe('only what this site created is pruned', () => {
  test('objects another tool put under the prefix are never deleted, and are listed', async () => {
    expect((await deploySite('site', 'r1', 'v1')).error).toBeUndefined();
    await e.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'site/uploads/avatar.png', Body: 'png' }));
    await e.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'site/robots-old.txt', Body: 'x' }));
    const r = await deploySite('site', 'r2', 'v2', {}, 30 * DAY, PRUNE);
    expect(r.error).toBeUndefined();
    expect(r.outputs.deleted).toBe('2'); // v1's two chunks
    expect(await e.listKeys('site/uploads/')).toEqual(['site/uploads/avatar.png']);
    expect(await e.listKeys('site/robots-old.txt')).toEqual(['site/robots-old.txt']);
    expect(r.summary).toMatch(/2 not created by this site left alone/);
    expect(r.summary).toContain('`site/robots-old.txt`');
  });

  test('records from before the inventory: all read once by the first prune, then never again', async () => {
    const v1 = await deploySite('site', 'r1', 'v1');
    expect(v1.error).toBeUndefined();
    expect((await deploySite('site', 'r2', 'v2')).error).toBeUndefined();
    await e.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'site/foreign.js', Body: 'x' }));
    // make both records look like the previous version's (no inventory)
    const recordKeys = await e.listKeys('site/.deploy-actions/releases/');
    expect(recordKeys).toHaveLength(2);
    for (const key of recordKeys) {
      const record = await getJsonObject<ReleaseManifest>(e.s3, BUCKET, key);
      expect(record.ownedEarlier).toBeDefined();
      delete record.ownedEarlier;
      await putJsonObject(e.s3, BUCKET, key, record, { gzip: true });
    }
    // a deploy without prune keeps the old format (it cannot know the full inventory without reading every record)
    expect((await deploySite('site', 'r3', 'v3', {}, DAY)).error).toBeUndefined();
    const r3Key = (await e.listKeys('site/.deploy-actions/releases/')).find((k) => k.endsWith('_r3.json'))!;
    expect((await getJsonObject<ReleaseManifest>(e.s3, BUCKET, r3Key)).ownedEarlier).toBeUndefined();

    await e.control.clearRequests();
    const r4 = await deploySite('site', 'r4', 'v3', {}, 30 * DAY, PRUNE);
    expect(r4.error).toBeUndefined();
    // v1's app chunk and css, v2's app chunk (known from the old records) go; foreign.js stays
    expect(r4.outputs.deleted).toBe('3');
    expect(await e.listKeys('site/foreign.js')).toEqual(['site/foreign.js']);
    expect(ops(await requests(e.control), 'GetObject')).toHaveLength(3); // every record, once
    // r4's inventory still names what its prune deleted (in case the prune had failed half-way) ...
    const recordOf = async (id: string) => {
      const key = (await e.listKeys('site/.deploy-actions/releases/')).find((k) => k.endsWith(`_${id}.json`))!;
      return getJsonObject<ReleaseManifest>(e.s3, BUCKET, key);
    };
    expect((await recordOf('r4')).ownedEarlier).toHaveLength(3);

    await e.control.clearRequests();
    const r5 = await deploySite('site', 'r5', 'v3', {}, 31 * DAY, PRUNE);
    expect(r5.error).toBeUndefined();
    expect(ops(await requests(e.control), 'GetObject')).toHaveLength(1); // the newest record only
    expect((await recordOf('r5')).ownedEarlier).toEqual([]); // ... and the next drops them, being gone
  });

  test('the inventory survives a rollback: files only the inventory knows stay owned and are pruned later', async () => {
    expect((await deploySite('site', 'r1', 'v1')).error).toBeUndefined();
    expect((await deploySite('site', 'r2', 'v2', {}, DAY)).error).toBeUndefined();
    expect((await deploySite('site', 'r3', 'v3', {}, 2 * DAY)).error).toBeUndefined();
    // back to r1: v3's files are the rollback's `extra`; v2's app chunk is in neither r1 nor r3, only in r3's inventory
    const back = await runMain(
      { prefix: 'site', 'rollback-to': 'r1', 'distribution-id': DIST_ID },
      { clock: emulatorClock(e.control, 3 * DAY) },
    );
    expect(back.error).toBeUndefined();
    expect(await e.listKeys('site/assets/')).toHaveLength(6); // v1 app + css + vendor, v2 app, v3 app, v2/v3 css
    const r = await deploySite('site', 'r1', 'v1', {}, 40 * DAY, PRUNE);
    expect(r.error).toBeUndefined();
    expect(r.outputs.deleted).toBe('3');
    expect(await e.listKeys('site/assets/')).toHaveLength(3);
    expect(r.summary).not.toMatch(/not created by this site/);
  });
});
