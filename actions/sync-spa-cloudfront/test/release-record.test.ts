import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeployFailure } from '@deploy-actions/kit/runtime';
import { describe, expect, test } from 'vitest';
import { decodeInlineHtml, encodeInlineHtml, readInlineHtml, sha256Hex } from '../src/release-record';
import type { LocalFile } from '../src/sync-plan';

describe('HTML kept in a release record', () => {
  test.each([
    { name: 'UTF-8 text stays readable', bytes: Buffer.from('<p>héllo ✓</p>\n'), encoding: 'utf8' },
    { name: 'a UTF-8 BOM is kept, not stripped', bytes: Buffer.from('\ufeff<p>x</p>'), encoding: 'utf8' },
    { name: 'Latin-1 bytes go base64', bytes: Buffer.from('<p>caf\xe9</p>', 'latin1'), encoding: 'base64' },
    { name: 'a truncated UTF-8 sequence goes base64', bytes: Buffer.from([0x3c, 0xe2, 0x9c]), encoding: 'base64' },
    { name: 'empty file', bytes: Buffer.alloc(0), encoding: 'utf8' },
  ])('$name', ({ bytes, encoding }) => {
    const stored = encodeInlineHtml(bytes);
    expect(stored.encoding).toBe(encoding);
    const back = decodeInlineHtml(JSON.parse(JSON.stringify(stored)));
    expect(back.equals(bytes)).toBe(true);
    expect(sha256Hex(back)).toBe(sha256Hex(bytes));
  });

  test('a file that changed after it was hashed stops the deploy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'record-'));
    await writeFile(join(dir, 'index.html'), '<p>v1</p>');
    const file: LocalFile = {
      path: 'index.html',
      size: 9,
      md5: '',
      sha256: sha256Hex(Buffer.from('<p>v1</p>')),
      cacheControl: 'no-cache',
      contentType: 'text/html; charset=utf-8',
      html: true,
    };
    expect(await readInlineHtml(dir, [file])).toEqual({ 'index.html': { encoding: 'utf8', data: '<p>v1</p>' } });
    await writeFile(join(dir, 'index.html'), '<p>v2</p>');
    const err = await readInlineHtml(dir, [file]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeployFailure);
    expect((err as Error).message).toBe(
      'index.html changed while this deploy was running; nothing was written. Re-run.',
    );
  });
});
