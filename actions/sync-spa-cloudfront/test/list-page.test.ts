import { describe, expect, test } from 'vitest';
import { parseListPage } from '../src/list-page';

const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
const contents = (key: string, etag = '&quot;9b2cf535f27731c974343645a3985328&quot;', size = '12') =>
  `<Contents><Key>${key}</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified><ETag>${etag}</ETag><Size>${size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
const page = (body: string, truncated = 'false', extra = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult ${NS}><Name>b</Name><Prefix>site/</Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>${truncated}</IsTruncated>${extra}${body}</ListBucketResult>`;

describe('parseListPage (a ListObjectsV2 page, or undefined for the SDK to parse)', () => {
  test('objects with key, quoted ETag, size and LastModified; the last page', () => {
    expect(
      parseListPage(page(contents('site/a &amp; b &lt;1&gt;.html') + contents('site/x.js', '"abc-2"', '0'))),
    ).toEqual({
      objects: [
        {
          key: 'site/a & b <1>.html',
          etag: '"9b2cf535f27731c974343645a3985328"',
          size: 12,
          lastModified: Date.parse('2026-01-02T03:04:05.000Z'),
        },
        { key: 'site/x.js', etag: '"abc-2"', size: 0, lastModified: Date.parse('2026-01-02T03:04:05.000Z') },
      ],
      isTruncated: false,
      nextContinuationToken: undefined,
    });
  });

  test('a truncated page names the next token (after the objects, as S3 writes it, or before)', () => {
    const after = page(
      `${contents('k')}<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>`,
      'true',
    );
    expect(parseListPage(after)).toMatchObject({
      isTruncated: true,
      nextContinuationToken: '1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=',
    });
    const before = page(contents('k'), 'true', '<NextContinuationToken>t&amp;1</NextContinuationToken>');
    expect(parseListPage(before)?.nextContinuationToken).toBe('t&1');
  });

  test('an empty prefix: no objects', () => {
    expect(parseListPage(page(''))).toEqual({ objects: [], isTruncated: false, nextContinuationToken: undefined });
  });

  test.each<[string, string]>([
    ['not a listing (an error body)', '<Error><Code>AccessDenied</Code></Error>'],
    ['cut off', page(contents('k')).slice(0, -30)],
    ['truncated without a token', page(contents('k'), 'true')],
    ['no IsTruncated', page(contents('k')).replace(/<IsTruncated>false<\/IsTruncated>/, '')],
    ['keys URL-encoded', page(contents('a%20b'), 'false', '<EncodingType>url</EncodingType>')],
    ['an object without an ETag', page('<Contents><Key>k</Key><Size>1</Size></Contents>')],
    ['a size that is not a number', page(contents('k', '"e"', '-1'))],
    ['a key with markup inside', page(contents('a<b/>c'))],
    ['an unknown entity', page(contents('a&nbsp;b'))],
    ['a bare ampersand', page(contents('a & b'))],
    ['a date that does not parse', page(contents('k')).replace('2026-01-02T03:04:05.000Z', 'yesterday')],
  ])('%s: undefined (the SDK parses it)', (_name, xml) => {
    expect(parseListPage(xml)).toBeUndefined();
  });
});

describe('text as XML decodes it (saxes)', () => {
  const keyOf = (raw: string) => parseListPage(page(contents(raw)))?.objects[0]?.key;
  test.each<[string, string]>([
    ['plain', 'plain'],
    ['&amp;&lt;&gt;&quot;&apos;', '&<>"\''],
    ['&amp;quot;', '&quot;'],
    ['line&#13;&#10;break &#x1F600;', 'line\r\nbreak 😀'],
    ['literal\r\nand\rcr', 'literal\nand\ncr'],
    ['<![CDATA[a <b> & c]]>', 'a <b> & c'],
    ['  spaced  ', '  spaced  '],
  ])('%s', (raw, key) => {
    expect(keyOf(raw)).toBe(key);
  });

  test.each(['&#x110000;', '&copy;', 'a & b'])('%s: not well-formed, undefined', (raw) => {
    expect(parseListPage(page(contents(raw)))).toBeUndefined();
  });
});

test('nested elements the sync does not read (Owner, CommonPrefixes) are skipped', () => {
  const owner = '<Owner><ID>abc</ID><DisplayName>me</DisplayName></Owner>';
  const xml = page(
    `${contents('a').replace('</Contents>', `${owner}</Contents>`)}<CommonPrefixes><Prefix>site/x/</Prefix></CommonPrefixes>${contents('b')}`,
  );
  expect(parseListPage(xml)?.objects.map((o) => o.key)).toEqual(['a', 'b']);
});
