// Decoder for S3's `aws-chunked` content encoding, as sent by the SDKs for streaming uploads:
//   <hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n ... 0[;chunk-signature=<sig>]\r\n
//   [<trailer name>:<value>\r\n]* [x-amz-trailer-signature:<sig>\r\n] \r\n
// Used for `x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER` (the JS SDK v3 default for stream bodies),
// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]` and `STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD[-TRAILER]`.
// Chunk signatures are parsed, never verified (the emulator accepts any credentials).

export interface DecodedChunked {
  body: Buffer;
  /** Trailer headers, lower-cased names (e.g. `x-amz-checksum-crc32`). */
  trailers: Record<string, string>;
}

export class ChunkedDecodeError extends Error {}

const CRLF = Buffer.from('\r\n');

export function isAwsChunked(headers: Record<string, string>): boolean {
  const sha = headers['x-amz-content-sha256'] ?? '';
  if (sha.startsWith('STREAMING-')) return true;
  const enc = headers['content-encoding'] ?? '';
  return enc
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .includes('aws-chunked');
}

export function decodeAwsChunked(raw: Buffer): DecodedChunked {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = raw.indexOf(CRLF, pos);
    if (eol < 0) throw new ChunkedDecodeError('chunk header is not terminated by CRLF');
    const header = raw.subarray(pos, eol).toString('latin1');
    const sizeText = header.split(';')[0]?.trim() ?? '';
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new ChunkedDecodeError(`bad chunk size "${sizeText}"`);
    const size = Number.parseInt(sizeText, 16);
    pos = eol + 2;
    if (size === 0) break;
    if (pos + size > raw.length) throw new ChunkedDecodeError('chunk is longer than the body');
    parts.push(raw.subarray(pos, pos + size));
    pos += size;
    if (raw[pos] !== 0x0d || raw[pos + 1] !== 0x0a) throw new ChunkedDecodeError('chunk data is not followed by CRLF');
    pos += 2;
  }
  const trailers: Record<string, string> = {};
  while (pos < raw.length) {
    const eol = raw.indexOf(CRLF, pos);
    const line = raw.subarray(pos, eol < 0 ? raw.length : eol).toString('latin1');
    pos = eol < 0 ? raw.length : eol + 2;
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ChunkedDecodeError(`bad trailer line "${line}"`);
    trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(parts), trailers };
}

/** `gzip,aws-chunked` → `gzip`; `aws-chunked` → undefined (S3 does not store aws-chunked). */
export function stripAwsChunked(contentEncoding: string | undefined): string | undefined {
  if (contentEncoding === undefined) return undefined;
  const rest = contentEncoding
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s.toLowerCase() !== 'aws-chunked');
  return rest.length > 0 ? rest.join(',') : undefined;
}
