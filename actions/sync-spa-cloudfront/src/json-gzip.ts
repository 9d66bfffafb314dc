import { once } from 'node:events';
import { constants, createGzip, gzipSync } from 'node:zlib';

// gzip-compressed JSON written piece by piece, so a large record (a release with 50,000 files, ~13 MB of JSON) never
// exists in memory as one string plus one Buffer: only its compressed bytes (~4x smaller) are kept. A record of a
// few thousand files is compressed in one synchronous call instead: streaming it cost a 2,000-file redeploy ~40 ms
// (in a fresh process) where one gzipSync takes ~20 ms, and its text is well under a megabyte.

/** Objects and arrays with more entries than this are written entry by entry; smaller values in one piece. */
const PIECEWISE_ENTRIES = 256;
/** Up to this many entries in large objects and arrays, the text is built whole and compressed in one call. */
const WHOLE_MAX_ENTRIES = 10_000;
/**
 * zlib's fastest level: a record is mostly hex hashes, which no level compresses much (a 2,000-file record: 185 KB at
 * level 1 vs 178 KB at the default 6, in ~8.5 vs ~13 ms on the bench machine).
 */
const GZIP = { level: constants.Z_BEST_SPEED };
/** Text is handed to gzip in chunks of about this many characters. */
const CHUNK = 64 * 1024;

/**
 * The JSON text of `value` in pieces: large objects and arrays entry by entry, anything else in one piece. A
 * synchronous generator: the caller awaits only when it hands a full chunk to gzip (an `await` per entry cost a
 * 2,000-file record ~20 ms, twice what compressing it takes).
 */
function* pieces(value: unknown): Generator<string, void, undefined> {
  if (Array.isArray(value) && value.length > PIECEWISE_ENTRIES) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ',';
      const item = value[i];
      // as JSON.stringify: undefined and functions in arrays become null
      if (item === undefined || typeof item === 'function') yield 'null';
      else yield* pieces(item);
    }
    yield ']';
    return;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !('toJSON' in value)) {
    const entries = Object.entries(value);
    if (entries.length > PIECEWISE_ENTRIES || entries.some(([, v]) => isLarge(v))) {
      yield '{';
      let first = true;
      for (const [key, v] of entries) {
        if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue; // skipped, as JSON.stringify
        yield `${first ? '' : ','}${JSON.stringify(key)}:`;
        first = false;
        yield* pieces(v);
      }
      yield '}';
      return;
    }
  }
  yield JSON.stringify(value) ?? 'null';
}

/**
 * Entries of the large objects and arrays in `value`: what the streaming path writes one by one. Counted without
 * allocating (no Object.values per object: a 2,000-file record has 2,000 small objects to look into).
 */
function streamedEntries(value: unknown): number {
  if (value === null || typeof value !== 'object' || 'toJSON' in value) return 0;
  let count = 0;
  let inside = 0;
  if (Array.isArray(value)) {
    for (const child of value) {
      count += 1;
      if (child !== null && typeof child === 'object') inside += streamedEntries(child);
    }
  } else {
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      count += 1;
      const child = (value as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') inside += streamedEntries(child);
    }
  }
  return (count > PIECEWISE_ENTRIES ? count : 0) + inside;
}

function isLarge(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > PIECEWISE_ENTRIES;
  return value !== null && typeof value === 'object' && Object.keys(value).length > PIECEWISE_ENTRIES;
}

/**
 * `gzip(JSON.stringify(value) + '\n')` for plain data (objects, arrays, strings, numbers, booleans, null). Beyond
 * `wholeMaxEntries` (tests lower it) it is produced without building the whole JSON text: large objects and arrays
 * are serialised entry by entry into the compressor.
 */
export async function gzipJson(value: unknown, wholeMaxEntries = WHOLE_MAX_ENTRIES): Promise<Buffer> {
  if (streamedEntries(value) <= wholeMaxEntries) return gzipSync(`${JSON.stringify(value) ?? 'null'}\n`, GZIP);
  const gzip = createGzip(GZIP);
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = once(gzip, 'end');
  let pending = '';
  for (const piece of pieces(value)) {
    pending += piece;
    if (pending.length < CHUNK) continue;
    const ok = gzip.write(pending);
    pending = '';
    if (!ok) await once(gzip, 'drain');
  }
  gzip.end(`${pending}\n`);
  await ended;
  return Buffer.concat(chunks);
}
