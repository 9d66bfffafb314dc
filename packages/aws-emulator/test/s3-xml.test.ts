import { XMLBuilder } from 'fast-xml-parser';
import { describe, expect, test } from 'vitest';
import { prng } from '../src/faults.ts';
import { buildXml, parseXml, writeElement } from '../src/services/s3-xml.ts';

// The emulator's XML writer against fast-xml-parser's builder, which wrote every response before it (with these
// options): same bytes for every shape the services write, and for generated trees of them.

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false });
const byBuilder = (root: string, body: Record<string, unknown>, xmlns?: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: xmlns ? { '@_xmlns': xmlns, ...body } : body })}`;

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

describe('writes what fast-xml-parser wrote', () => {
  test.each<[string, Record<string, unknown>]>([
    [
      'a list page',
      {
        Name: 'site',
        Prefix: 'p/',
        MaxKeys: 1000,
        KeyCount: 2,
        IsTruncated: true,
        NextContinuationToken: 'abc==',
        Contents: [
          {
            Key: 'p/a&b <c> "d" \'e\'.html',
            LastModified: '2026-12-05T21:34:26.000Z',
            ETag: '"0123"',
            Size: 12,
            StorageClass: 'STANDARD',
          },
          { Key: 'p/ünï €', ETag: '"x"', Size: 0, Owner: { ID: 'id', DisplayName: 'me' }, StorageClass: 'STANDARD' },
        ],
        CommonPrefixes: [],
      },
    ],
    ['an error', { Code: 'NoSuchKey', Message: 'The specified key does not exist.', Key: ' spaced ', RequestId: 'r' }],
    [
      'empty members',
      { Deleted: [], Empty: '', Nested: {}, False: false, Zero: 0, Gone: undefined, Null: null, Nulls: [null, 'x'] },
    ],
    [
      'nested arrays of objects',
      {
        TagSet: {
          Tag: [
            { Key: 'k', Value: 'v&' },
            { Key: 'k2', Value: '' },
          ],
        },
      },
    ],
    ['text only', { '#text': 'eu-west-1' }],
    ['empty text', { '#text': '' }],
    ['one item as an object', { Deleted: { Key: 'a' } }],
    ['white space and line ends kept', { Key: '  a\n\tb  ' }],
  ])('%s', (_, body) => {
    expect(buildXml('Root', body, NS)).toBe(byBuilder('Root', body, NS));
    expect(buildXml('Root', body)).toBe(byBuilder('Root', body));
  });
});

const CHARS = ['a', 'Z', '0', ' ', '&', '<', '>', '"', "'", '/', 'é', '€', '😀', '\n', '\t', '=', ';', '#'];

function tree(random: () => number, depth: number): Record<string, unknown> {
  const node: Record<string, unknown> = {};
  const members = Math.floor(random() * 5);
  for (let i = 0; i < members; i++) {
    const name = `E${Math.floor(random() * 6)}`;
    const pick = random();
    const text = () =>
      Array.from({ length: Math.floor(random() * 8) }, () => CHARS[Math.floor(random() * CHARS.length)]).join('');
    if (pick < 0.35) node[name] = text();
    else if (pick < 0.45) node[name] = Math.floor(random() * 1e6) - 500;
    else if (pick < 0.5) node[name] = random() < 0.5;
    else if (pick < 0.75 && depth > 0) node[name] = tree(random, depth - 1);
    else if (depth > 0)
      node[name] = Array.from({ length: Math.floor(random() * 3) }, () =>
        random() < 0.5 ? text() : tree(random, depth - 1),
      );
  }
  return node;
}

test('generated trees: the same bytes as the builder, and they parse back', () => {
  const random = prng(15);
  for (let i = 0; i < 500; i++) {
    const body = tree(random, 3);
    const xml = buildXml('Root', body, NS);
    expect(xml).toBe(byBuilder('Root', body, NS));
    expect(() => parseXml(xml)).not.toThrow();
  }
});

test('a key with every escaped character reads back as written', () => {
  const key = `a&b<c>"d"'e' &amp; ]]>`;
  const parsed = parseXml(writeElement('Key', key)) as { Key: string };
  expect(parsed.Key).toBe(key);
});
