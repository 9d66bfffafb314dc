// XML helpers for the rest-xml services (S3, CloudFront), on fast-xml-parser.
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false });

/** `<?xml ...?><root xmlns="ns">...</root>`; arrays become repeated elements, undefined members are dropped. */
export function buildXml(root: string, body: Record<string, unknown>, xmlns?: string): string {
  const content = xmlns ? { '@_xmlns': xmlns, ...body } : body;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: content })}`;
}

/** Serialise a value without a root or declaration (for nesting stored XML objects). */
export function buildFragment(value: Record<string, unknown>): string {
  return builder.build(value);
}

/** Parse a request body. Values stay strings (no number coercion), whitespace inside values is kept (S3 keys),
 * numeric character references are decoded. `arrays` names elements that are always arrays. */
export function parseXml(body: Buffer | string, arrays: string[] = [], trim = false): Record<string, unknown> {
  const parser = new XMLParser({
    ignoreAttributes: true,
    parseTagValue: false,
    trimValues: trim,
    htmlEntities: true,
    ignoreDeclaration: true,
    removeNSPrefix: true,
    isArray: (name) => arrays.includes(name),
  });
  return parser.parse(typeof body === 'string' ? body : body.toString('utf8')) as Record<string, unknown>;
}

/** A trimmed string member of a parsed element, or undefined. */
export function text(node: unknown, member: string): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const v = (node as Record<string, unknown>)[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') {
    const t = (v as Record<string, unknown>)['#text'];
    return typeof t === 'string' ? t.trim() : '';
  }
  return String(v).trim();
}

/** Like text() but without trimming (object keys may start or end with spaces). */
export function rawText(node: unknown, member: string): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const v = (node as Record<string, unknown>)[member];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') {
    const t = (v as Record<string, unknown>)['#text'];
    return typeof t === 'string' ? t : '';
  }
  return String(v);
}

export function asArray<T>(v: T | T[] | undefined): T[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** HTTP date (RFC 7231), as S3 sends Last-Modified. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** ISO 8601 with milliseconds, as S3 lists LastModified (second precision: `.000Z`). */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}
