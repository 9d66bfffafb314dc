import { describe, expect, test } from 'vitest';
import { parseListPage, pageOf as parseListPageText, readWithSaxes } from '../src/list-page';
import { type PageText, readCompactPage } from '../src/list-page-compact';

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

// list-page-compact.ts reads the compact form S3 writes and hands anything else to saxes: where it answers, it must
// answer what saxes does.
describe('the compact reader says what saxes says', () => {
  const agree = (xml: string) => {
    const compact = readCompactPage(xml);
    let bySaxes: PageText | undefined;
    try {
      bySaxes = readWithSaxes(xml);
    } catch {
      bySaxes = undefined;
    }
    if (compact) expect(compact).toEqual(bySaxes);
    return compact;
  };

  test('S3 form: read by the compact reader, as saxes reads it', () => {
    const xml = page(
      contents('site/a &amp; b &lt;1&gt; &quot;q&quot; &apos;s&apos;.html') +
        contents('  spaced\ttab  ', '"abc-2"', '0'),
      'true',
      '<NextContinuationToken>t&amp;1</NextContinuationToken>',
    );
    expect(agree(xml)).toBeDefined();
    expect(agree(page(''))).toBeDefined();
    expect(agree(page(contents('k')).replace('?>\n', '?>'))).toBeDefined();
  });

  test.each<[string, string]>([
    ['CDATA', page(contents('<![CDATA[a <b> & c]]>'))],
    ['a character number', page(contents('line&#10;break'))],
    ['a CR', page(contents('a\rb'))],
    ['a control character', page(contents('a\u0001b'))],
    ['a lone surrogate', page(contents('a\ud800b'))],
    ['U+FFFF', page(contents('a\uffffb'))],
    [']]> in text', page(contents('a]]>b'))],
    ['an unknown entity', page(contents('a&nbsp;b'))],
    ['a bare ampersand', page(contents('a & b'))],
    ['a comment', page(`<!-- c -->${contents('k')}`)],
    ['a self-closed leaf', page(contents('k')).replace('<Prefix>site/</Prefix>', '<Prefix/>')],
    ['an attribute', page(contents('k')).replace('<Name>b</Name>', '<Name a="1">b</Name>')],
    ['Owner inside Contents', page(contents('k').replace('</Contents>', '<Owner><ID>i</ID></Owner></Contents>'))],
    ['CommonPrefixes', page(`<CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes>${contents('k')}`)],
    ['Contents as a leaf', page('<Contents>text</Contents>')],
    ['another root', '<Error><Code>AccessDenied</Code></Error>'],
    ['cut off', page(contents('k')).slice(0, -30)],
    ['a byte-order mark', `\ufeff${page(contents('k'))}`],
    ['a non-breaking space between tags', page(`\u00a0${contents('k')}`)],
  ])('%s: left to saxes', (_name, xml) => {
    expect(agree(xml)).toBeUndefined();
    expect(parseListPage(xml)).toEqual(parseWithSaxesOnly(xml));
  });

  test('generated pages: unicode, references, white space, fields in any order', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pieces = [
      'a',
      'Z',
      '9',
      '/',
      ' ',
      '\t',
      '\n',
      '&amp;',
      '&lt;',
      '&gt;',
      '&quot;',
      '&apos;',
      '>',
      '"',
      "'",
      'é',
      '€',
      '😀',
      '\ue000',
      '\ufffd',
      '%20',
      '&#65;',
      '\r',
      '<![CDATA[x]]>',
      '&bad;',
      '<b/>',
    ];
    const text = (n: number) => Array.from({ length: n }, () => pieces[Math.floor(random() * pieces.length)]).join('');
    let compact = 0;
    for (let i = 0; i < 400; i++) {
      const objects = Array.from({ length: Math.floor(random() * 4) }, () => {
        const fields = [
          `<Key>${text(1 + Math.floor(random() * 6))}</Key>`,
          '<ETag>&quot;e&quot;</ETag>',
          `<Size>${Math.floor(random() * 100)}</Size>`,
          '<LastModified>2026-01-02T03:04:05.000Z</LastModified>',
          `<StorageClass>${text(1)}</StorageClass>`,
        ];
        if (random() < 0.5) fields.reverse();
        return `<Contents>${fields.join(random() < 0.2 ? '\n ' : '')}</Contents>`;
      });
      const xml = page(objects.join(''), 'false', random() < 0.3 ? `<StartAfter>${text(3)}</StartAfter>` : '');
      if (agree(xml)) compact += 1;
    }
    expect(compact).toBeGreaterThan(40); // both paths taken
    expect(compact).toBeLessThan(360);
  });
});

/** parseListPage with the compact reader left out: what the page read before it. */
function parseWithSaxesOnly(xml: string) {
  try {
    return parseListPageText(readWithSaxes(xml));
  } catch {
    return undefined;
  }
}
