import { readFileSync } from 'node:fs';
import mime from 'mime-types';
import { describe, expect, test } from 'vitest';
// @ts-expect-error: a plain .mjs script (its own tests are these)
import { contentTypeTable, generatedSource } from '../scripts/content-types.mjs';
import { CONTENT_TYPES_JSON } from '../src/content-types.generated';
import { contentTypeFor } from '../src/policy';

// The content-type table is mime-types' answers, made at build time (scripts/content-types.mjs): these fail when
// mime-types or mime-db changes until the table is generated again.

describe('the generated content-type table (scripts/content-types.mjs)', () => {
  test('is what the script writes from the installed mime-types and mime-db', () => {
    const committed = readFileSync(new URL('../src/content-types.generated.ts', import.meta.url), 'utf8');
    expect(committed, 'run: node actions/sync-spa-cloudfront/scripts/content-types.mjs').toBe(generatedSource());
  });

  test('holds every extension mime-types knows, with its contentType() answer, and nothing else', () => {
    const table = JSON.parse(CONTENT_TYPES_JSON) as Record<string, string>;
    expect(table).toEqual(contentTypeTable());
    const extensions = Object.keys(mime.types);
    expect(extensions.length).toBeGreaterThan(1000);
    expect(Object.keys(table).sort()).toEqual([...extensions].sort());
    for (const ext of extensions) expect(table[ext], ext).toBe(mime.contentType(ext));
  });

  test('contentTypeFor answers as mime-types for every extension, any case, any directory', () => {
    for (const ext of Object.keys(mime.types)) {
      const want = mime.contentType(ext) || 'application/octet-stream';
      expect(contentTypeFor(`a/b/file.${ext}`), ext).toBe(want);
      expect(contentTypeFor(`FILE.${ext.toUpperCase()}`), ext).toBe(want);
    }
  });

  test.each(['README', 'a.', 'a.nosuchext', 'a.constructor', 'a.__proto__', 'a.toString', 'a.hasOwnProperty', '.env'])(
    '%s: what mime-types does not know is application/octet-stream',
    (path) => {
      expect(mime.contentType(path.slice(path.lastIndexOf('.') + 1)) || 'application/octet-stream').toBe(
        'application/octet-stream',
      );
      expect(contentTypeFor(path)).toBe('application/octet-stream');
    },
  );
});
