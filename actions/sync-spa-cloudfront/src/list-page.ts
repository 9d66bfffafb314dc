import { SaxesParser } from 'saxes';
import { type ObjectText, type PageText, readCompactPage } from './list-page-compact';

// A ListObjectsV2 page read from its XML by saxes, a streaming XML parser (see listAllObjects in s3-objects.ts for
// why not the SDK's deserializer). Only the fields the sync needs: each object's key, ETag, size and LastModified,
// IsTruncated, NextContinuationToken. The response shape is S3's documented one
// (docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html): `<Contents>` elements of simple text children,
// keys XML-escaped (we never ask for EncodingType=url). saxes is strict: a page that is not well-formed XML (an
// unknown entity, a bare `&`, a cut-off body) is an error, and like anything else this reader is not sure of it
// answers undefined: the caller hands the page to the SDK's own parser instead.
//
// Most pages never reach saxes: list-page-compact.ts reads the compact form S3 writes, several times faster, and
// hands anything else here.
//
// Why saxes and not fast-xml-parser (which the emulator uses): on a 1,000-object page in a fresh process,
// fast-xml-parser 5.12 took 120–200 ms of CPU, more than the SDK's whole deserializer this reader exists to skip;
// saxes took about a third of that (measured in #15's note). saxes also does the XML decoding (entities, character
// references, line ends) this file once did by hand.

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

/** The fields of a `<Contents>` element the sync reads. */
const OBJECT_FIELDS = new Set(['Key', 'ETag', 'Size', 'LastModified']);

interface Open {
  name: string;
  /** No child element so far: its text is its value. */
  leaf: boolean;
}

class NotAListPage extends Error {}

/** A ListObjectsV2 result page, or undefined when it is not one this reader is sure of. */
export function parseListPage(xml: string): ListPage | undefined {
  try {
    return pageOf(readCompactPage(xml) ?? readWithSaxes(xml));
  } catch {
    return undefined; // not well-formed, or not the shape above: the SDK parses it
  }
}

/** The page's text read by saxes (exported for the tests that hold list-page-compact.ts to it). */
export function readWithSaxes(xml: string): PageText {
  const parser = new SaxesParser({ position: false });
  const stack: Open[] = [];
  const objects: ObjectText[] = [];
  const head = new Map<string, string>(); // the result's own leaf fields (outside every <Contents>), first wins
  let fields: Map<string, string> | undefined; // the <Contents> being read
  let text = '';

  parser.on('opentag', (tag) => {
    const parent = stack.at(-1);
    if (parent) parent.leaf = false;
    else if (tag.name !== 'ListBucketResult') throw new NotAListPage(tag.name);
    if (stack.length === 1 && tag.name === 'Contents') fields = new Map();
    else if (stack.length === 1) fields = undefined;
    stack.push({ name: tag.name, leaf: true });
    text = '';
  });
  parser.on('text', (t) => {
    text += t;
  });
  parser.on('cdata', (t) => {
    text += t;
  });
  parser.on('closetag', () => {
    const closed = stack.pop()!;
    if (stack.length === 1) {
      if (closed.name === 'Contents') {
        objects.push({
          key: fields!.get('Key'),
          etag: fields!.get('ETag'),
          size: fields!.get('Size'),
          lastModified: fields!.get('LastModified'),
        });
        fields = undefined;
      } else if (closed.leaf && !head.has(closed.name)) head.set(closed.name, text);
    } else if (stack.length === 2 && fields && OBJECT_FIELDS.has(closed.name)) {
      if (!closed.leaf) throw new NotAListPage(`markup inside ${closed.name}`);
      if (!fields.has(closed.name)) fields.set(closed.name, text);
    }
    text = '';
  });
  parser.write(xml).close(); // errors (not well-formed, cut off) are thrown
  return { head, objects };
}

/** The page the sync reads from the page's text, or NotAListPage. */
export function pageOf({ head, objects }: PageText): ListPage {
  if (head.has('EncodingType')) throw new NotAListPage('keys URL-encoded: not what we asked for');
  const truncated = head.get('IsTruncated');
  if (truncated !== 'true' && truncated !== 'false') throw new NotAListPage('IsTruncated');
  const next = head.get('NextContinuationToken');
  if (truncated === 'true' && !next) throw new NotAListPage('a truncated page without a token');
  return { objects: objects.map(objectOf), isTruncated: truncated === 'true', nextContinuationToken: next };
}

function objectOf({ key, etag, size, lastModified: modified }: ObjectText): ListPageObject {
  if (key === undefined || etag === undefined || size === undefined || !/^\d+$/.test(size)) {
    throw new NotAListPage('an object without key, ETag or size');
  }
  const lastModified = modified === undefined ? 0 : Date.parse(modified);
  if (Number.isNaN(lastModified)) throw new NotAListPage('LastModified');
  return { key, etag, size: Number(size), lastModified };
}
