import { once } from 'node:events';
import { createGzip } from 'node:zlib';

// gzip-compressed JSON written piece by piece, so a large record (a release with 50,000 files, ~13 MB of JSON) never
// exists in memory as one string plus one Buffer: only its compressed bytes (~4x smaller) are kept.

/** Objects and arrays with more entries than this are written entry by entry; smaller values in one piece. */
const PIECEWISE_ENTRIES = 256;
/** Text is handed to gzip in chunks of about this many characters. */
const CHUNK = 64 * 1024;

type Write = (text: string) => Promise<void>;

async function writeValue(value: unknown, write: Write): Promise<void> {
  if (Array.isArray(value) && value.length > PIECEWISE_ENTRIES) {
    await write('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) await write(',');
      const item = value[i];
      // as JSON.stringify: undefined and functions in arrays become null
      if (item === undefined || typeof item === 'function') await write('null');
      else await writeValue(item, write);
    }
    await write(']');
    return;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !('toJSON' in value)) {
    const entries = Object.entries(value);
    if (entries.length > PIECEWISE_ENTRIES || entries.some(([, v]) => isLarge(v))) {
      await write('{');
      let first = true;
      for (const [key, v] of entries) {
        if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue; // skipped, as JSON.stringify
        await write(`${first ? '' : ','}${JSON.stringify(key)}:`);
        first = false;
        await writeValue(v, write);
      }
      await write('}');
      return;
    }
  }
  await write(JSON.stringify(value) ?? 'null');
}

function isLarge(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > PIECEWISE_ENTRIES;
  return value !== null && typeof value === 'object' && Object.keys(value).length > PIECEWISE_ENTRIES;
}

/**
 * `gzip(JSON.stringify(value) + '\n')` for plain data (objects, arrays, strings, numbers, booleans, null), produced
 * without building the whole JSON text: large objects and arrays are serialised entry by entry into the compressor.
 */
export async function gzipJson(value: unknown): Promise<Buffer> {
  const gzip = createGzip();
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = once(gzip, 'end');
  let pending = '';
  const write: Write = async (text) => {
    pending += text;
    if (pending.length < CHUNK) return;
    const ok = gzip.write(pending);
    pending = '';
    if (!ok) await once(gzip, 'drain');
  };
  await writeValue(value, write);
  gzip.end(`${pending}\n`);
  await ended;
  return Buffer.concat(chunks);
}
