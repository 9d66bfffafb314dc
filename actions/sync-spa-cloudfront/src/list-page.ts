// A ListObjectsV2 page read straight from its XML (see listAllObjects in s3-objects.ts for why). Only the fields the
// sync needs: each object's key, ETag, size and LastModified, IsTruncated, NextContinuationToken. The response
// shape is S3's documented one (docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html): `<Contents>`
// elements of simple text children, keys XML-escaped (we never ask for EncodingType=url). Anything this reader is
// not sure of answers undefined, and the caller hands the page to the SDK's own parser instead.

export interface ListPageObject {
  key: string;
  /** As listed, quotes included (normalizeEtag strips them). */
  etag: string;
  size: number;
  /** Epoch ms. */
  lastModified: number;
}

export interface ListPage {
  objects: ListPageObject[];
  isTruncated: boolean;
  nextContinuationToken: string | undefined;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * XML text content: line ends normalised as every XML parser does (a literal CR is LF; S3 writes a CR in a key as
 * `&#13;`, which stays CR), the five named entities and numeric character references; undefined for anything else.
 */
export function decodeXmlText(raw: string): string | undefined {
  let text = raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw;
  if (!text.includes('&')) return text;
  text = text.replaceAll('&quot;', '"'); // every ETag: "…" is written &quot;…&quot;
  if (!text.includes('&')) return text;
  let bad = false;
  const out = text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);|&/g, (whole, name: string | undefined) => {
    if (name === undefined) {
      bad = true;
      return whole;
    }
    if (name.startsWith('#')) {
      const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      if (!(code >= 0 && code <= 0x10ffff)) bad = true;
      return bad ? whole : String.fromCodePoint(code);
    }
    const value = ENTITIES[name];
    if (value === undefined) bad = true;
    return value ?? whole;
  });
  return bad ? undefined : out;
}

/** The text of `<tag>…</tag>` in `xml` (the first one), undefined when absent or not plain text. */
function child(xml: string, tag: string): string | undefined {
  const open = xml.indexOf(`<${tag}>`);
  if (open < 0) return undefined;
  const start = open + tag.length + 2;
  const end = xml.indexOf(`</${tag}>`, start);
  if (end < 0) return undefined;
  const raw = xml.slice(start, end);
  return raw.includes('<') ? undefined : decodeXmlText(raw);
}

/** A ListObjectsV2 result page, or undefined when it is not one this reader is sure of. */
export function parseListPage(xml: string): ListPage | undefined {
  const root = xml.indexOf('<ListBucketResult');
  if (root < 0 || !xml.trimEnd().endsWith('</ListBucketResult>')) return undefined;
  if (xml.includes('<EncodingType>')) return undefined; // keys URL-encoded: not what we asked for
  const objects: ListPageObject[] = [];
  let rest = root;
  let head = ''; // the result's own fields (outside every <Contents>)
  for (;;) {
    const open = xml.indexOf('<Contents>', rest);
    if (open < 0) {
      head += xml.slice(rest);
      break;
    }
    head += xml.slice(rest, open);
    const close = xml.indexOf('</Contents>', open);
    if (close < 0) return undefined;
    const block = xml.slice(open + 10, close);
    const key = child(block, 'Key');
    const etag = child(block, 'ETag');
    const size = child(block, 'Size');
    const modified = child(block, 'LastModified');
    if (key === undefined || etag === undefined || size === undefined || !/^\d+$/.test(size)) return undefined;
    const lastModified = modified === undefined ? 0 : Date.parse(modified);
    if (Number.isNaN(lastModified)) return undefined;
    objects.push({ key, etag, size: Number(size), lastModified });
    rest = close + 11;
  }
  const truncated = child(head, 'IsTruncated');
  if (truncated !== 'true' && truncated !== 'false') return undefined;
  const next = child(head, 'NextContinuationToken');
  if (truncated === 'true' && !next) return undefined;
  return { objects, isTruncated: truncated === 'true', nextContinuationToken: next };
}
