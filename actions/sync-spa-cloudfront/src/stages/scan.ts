import { lstat, readFile, realpath } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ConfigurationError, core } from '@deploy-actions/kit/runtime';
import { CHANGED, hashSmallFile, LARGE, type SmallFileHash } from '../checked-read';
import { mapLimit } from '../concurrency';
import type { ExcludeFilter } from '../exclude';
import { limitYoungGeneration, memory } from '../gc';
import { claimBack, frontTaken, newClaims } from '../hash-claims';
import {
  type HashWorker,
  hashWorkerFile,
  LARGE_SITE,
  startHashWorker,
  useHashWorker,
  WORKER_MIN_FILES,
} from '../hash-worker-client';
import { takeEarlyHashWorker } from '../hash-worker-early';
import type { Inputs } from '../inputs';
import { type CacheRule, decideHeaders, type HashedDetector, hashedDetector, isHtml } from '../policy';
import { type FileHashes, hashFile, SMALL_FILE } from '../s3-etag';
import type { LocalFile } from '../sync-plan';
import {
  assertUnchanged,
  changedWhileRunning,
  type ExcludedEntry,
  type FollowSymlinks,
  realPathOf,
  type WalkedFile,
  walkSource,
} from '../walk';

// Stage 1 of a deploy, local only: walk the source directory (symlinks checked, dotfiles left out: walk.ts), hash
// every file (streaming, bounded concurrency) through its checked real path and decide its headers.

export { LARGE_SITE } from '../hash-worker-client';

/** The synchronous hashing of small files gives the event loop a turn this often (signals, timers). */
const YIELD_EVERY_MS = 20;
/** Beside the worker, this thread hashes in shorter slices: its listing's pages are read between them. */
const STEAL_SLICE_MS = 4;
/** Excluded names listed one per log line (the summary lists up to its own limit, with the total). */
const EXCLUDED_LOG_LINES = 50;

/** A Vite manifest larger than this is not read (real ones are kilobytes; this is not a place to load a disk image). */
const MAX_MANIFEST_BYTES = 32 * 1024 * 1024;

/**
 * Read a build file that is not necessarily published (the Vite manifest lives in `.vite/`, which the walk never
 * enters): only when its path has no symlink in it and it is a regular file of sane size; otherwise undefined.
 */
async function readPlainFile(root: string, rel: string): Promise<string | undefined> {
  const path = join(root, ...rel.split('/'));
  try {
    const info = await lstat(path);
    if (!info.isFile() || info.size > MAX_MANIFEST_BYTES || (await realpath(path)) !== path) return undefined;
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The Vite manifest of a build (`.vite/manifest.json`, or `manifest.json` from Vite < 5 if it has Vite's shape). */
export async function readViteManifest(root: string): Promise<{ path: string; manifest: unknown } | undefined> {
  for (const rel of ['.vite/manifest.json', 'manifest.json']) {
    const text = await readPlainFile(root, rel);
    if (text === undefined) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      if (rel === 'manifest.json') continue; // a web app manifest or something else: not ours to judge
      // (V8's message quotes the text: not repeated here, the file could hold anything)
      throw new ConfigurationError('source', `${rel} is not valid JSON`);
    }
    const values = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? Object.values(parsed) : [];
    const viteShaped =
      values.length > 0 &&
      values.every((v) => v && typeof v === 'object' && typeof (v as { file?: unknown }).file === 'string');
    if (viteShaped) return { path: rel, manifest: parsed };
  }
  return undefined;
}

export interface ScanResult {
  files: LocalFile[];
  /** Names left out (dotfiles, `exclude`, special files): not hashed, not published. */
  excluded: ExcludedEntry[];
  detector: HashedDetector;
  viteManifest?: string;
}

/** A hashed file; its headers are filled in once decided (see onWalked). */
function fileOf(walkedFile: WalkedFile, hashes: FileHashes): LocalFile {
  const { path } = walkedFile;
  const file: LocalFile = {
    path,
    size: hashes.size,
    sha256: hashes.sha256,
    cacheControl: '',
    contentType: '',
    html: isHtml(path),
  };
  if (hashes.md5 !== undefined) file.md5 = hashes.md5;
  if (walkedFile.real !== undefined) file.real = walkedFile.real;
  if (hashes.partMd5s) file.partMd5s = hashes.partMd5s;
  return file;
}

/**
 * The small files hashed on this thread, synchronously (no thread-pool round trip per call), yielding to the event
 * loop every `sliceMs` so a cancellation is still seen (and, beside the worker, the listing's pages are read). `next`
 * names the file to hash, undefined when done. Each result goes to `take` at once: nothing is held per file beyond
 * what the scan keeps (the 50,000-file run's memory).
 */
async function hashInThread(
  next: () => number | undefined,
  realOf: (i: number) => string,
  maxBytes: number,
  partSize: number,
  take: (i: number, hash: SmallFileHash) => void,
  signal: AbortSignal | undefined,
  sliceMs: number,
): Promise<void> {
  const scratch = Buffer.allocUnsafe(maxBytes); // each file is hashed before the next is read into it
  let slice = Date.now();
  for (let i = next(); i !== undefined; i = next()) {
    take(i, hashSmallFile(realOf(i), maxBytes, partSize, scratch, false));
    if (Date.now() - slice >= sliceMs) {
      await yieldToEventLoop();
      signal?.throwIfAborted();
      slice = Date.now();
    }
  }
}

/** Files [0, count) in order: the in-thread path's `next`. */
function inOrder(count: number): () => number | undefined {
  let i = 0;
  return () => (i < count ? i++ : undefined);
}

/**
 * The `count` small files hashed by the worker from the front of the list and by this thread from the back, in short
 * slices between its listing's pages (hash-claims.ts); `take` gets every file's hash. A worker that fails, or answers
 * other than what it took, leaves its files to this thread.
 */
async function hashBothEnds(
  hashing: Promise<SmallFileHash[] | undefined>,
  count: number,
  claims: BigInt64Array,
  realOf: (i: number) => string,
  maxBytes: number,
  partSize: number,
  take: (i: number, hash: SmallFileHash) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  await hashInThread(() => claimBack(claims), realOf, maxBytes, partSize, take, signal, STEAL_SLICE_MS);
  const byWorker = frontTaken(claims);
  let hashes: SmallFileHash[] | undefined = [];
  if (byWorker > 0) {
    const stopped = new Promise<undefined>((resolve) => {
      if (signal?.aborted) resolve(undefined);
      else signal?.addEventListener('abort', () => resolve(undefined), { once: true });
    });
    hashes = await Promise.race([hashing, stopped]);
    signal?.throwIfAborted();
    if (hashes?.length !== byWorker) hashes = undefined; // not what it took: hash those here
  }
  core.debug(
    hashes
      ? `hashed ${byWorker} files on the worker thread, ${count - byWorker} on this one`
      : 'the hash worker failed: hashing its files here',
  );
  if (hashes) for (let i = 0; i < hashes.length; i++) take(i, hashes[i]!);
  else await hashInThread(inOrder(byWorker), realOf, maxBytes, partSize, take, signal, YIELD_EVERY_MS);
}

/**
 * Every walked file's Cache-Control and Content-Type (policy.ts), decided once `ready` settles (the listing's request
 * is on the wire: the content-type table is read after it), while the files hash. Two arrays of shared strings,
 * not an object per file (the 50,000-file run's memory).
 */
async function decideAllHeaders(
  walked: readonly WalkedFile[],
  rules: readonly CacheRule[],
  detector: HashedDetector,
  ready: Promise<void> | void,
): Promise<{ cacheControl: string[]; contentType: string[] }> {
  await ready;
  const cacheControl = new Array<string>(walked.length);
  const contentType = new Array<string>(walked.length);
  for (let i = 0; i < walked.length; i++) {
    const decided = decideHeaders(walked[i]!.path, rules, detector);
    cacheControl[i] = decided.cacheControl;
    contentType[i] = decided.contentType;
  }
  return { cacheControl, contentType };
}

export async function scanSource(
  root: string,
  rules: readonly CacheRule[],
  partSize: number,
  concurrency: number,
  exclude?: ExcludeFilter,
  followSymlinks: FollowSymlinks = 'inside',
  /** A cancel (SIGINT/SIGTERM) ends the hashing at the next yield. */
  signal?: AbortSignal,
  /**
   * Called with the files' paths once the walk has accepted the source, before the hashing: main.ts starts the S3
   * listing there (cut into segments where those paths say, list-segments.ts). The headers are decided once the
   * promise it returns settles (the listing's request is on the wire), while the files hash: nothing of that work
   * delays the request (issue #15, cold start).
   */
  onWalked?: (paths: readonly string[]) => Promise<void> | void,
): Promise<ScanResult> {
  // Small files are read and hashed on a worker thread when that pays (hash-worker-client.ts), else here. The
  // bundle starts it as it loads when a glance at the source promises enough files (hash-worker-early.ts); else it
  // is started at the walk's WORKER_MIN_FILES-th file, so its boot overlaps the rest of the walk and the listing's
  // start. It is given its job once the walk has accepted the source.
  const cores = availableParallelism();
  let worker: HashWorker | undefined = takeEarlyHashWorker();
  worker?.ref();
  if (worker) core.debug('hash worker started as the bundle loaded');
  const onFile = (found: number) => {
    if (worker || found !== WORKER_MIN_FILES || cores < 2) return;
    const file = hashWorkerFile();
    if (file) worker = startHashWorker(file);
    if (worker) core.debug(`hash worker started at the walk's file ${found}`);
  };
  let walked: Awaited<ReturnType<typeof walkSource>>;
  try {
    walked = await walkSource(root, { followSymlinks, exclude, onFile });
  } catch (err) {
    worker?.stop();
    throw err;
  }
  const excluded = walked.excluded;
  if (walked.files.length === 0) {
    const byGlob = excluded.filter((x) => x.why.startsWith('exclude')).length;
    if (byGlob > 0) {
      throw new ConfigurationError(
        'exclude',
        `excludes all ${byGlob} files of ${root} (globs: ${exclude?.globs.join(', ')}); nothing would be published`,
      );
    }
    const dots = excluded.length ? ` (only dot names, which are never published: ${excludedList(excluded, 5)})` : '';
    throw new ConfigurationError(
      'source',
      `directory ${root} contains no files${dots}; did the build write somewhere else?`,
    );
  }
  const large = walked.files.length >= LARGE_SITE;
  const smallLimit = Math.min(SMALL_FILE, partSize - 1);
  const realOf = (i: number) => realPathOf(root, walked.files[i]!);
  if (worker && !useHashWorker(walked.files.length, cores, large)) {
    worker.stop();
    worker = undefined;
  }
  const claims = newClaims(walked.files.length);
  const hashing = worker?.hash({
    reals: walked.files.map((_, i) => realOf(i)),
    claims,
    maxBytes: smallLimit,
    partSize,
    md5: false,
  });
  const readingAhead = onWalked?.(walked.files.map((f) => f.path));
  if (large) limitYoungGeneration();
  // Read even when not published (.vite/ is a dot directory): it still tells which files are hashed. A manifest that
  // is not JSON fails the run: the worker is stopped, not left hashing for nobody.
  let vite: Awaited<ReturnType<typeof readViteManifest>>;
  try {
    vite = await readViteManifest(root);
  } catch (err) {
    worker?.stop();
    throw err;
  }
  const detector = hashedDetector(vite?.manifest);
  // (paths are all the headers depend on)
  const headers = decideAllHeaders(walked.files, rules, detector, readingAhead);
  headers.catch(() => undefined); // awaited below, unless the hashing fails first (that error is the one to report)
  const files = new Array<LocalFile>(walked.files.length);
  const streamed: number[] = []; // larger files: streamed below, `concurrency` at a time
  const take = (i: number, hash: SmallFileHash) => {
    if (hash === CHANGED) throw changedWhileRunning(walked.files[i]!.path, realOf(i));
    if (hash === LARGE) streamed.push(i);
    else files[i] = fileOf(walked.files[i]!, hash);
  };
  if (!worker || !hashing) {
    await hashInThread(inOrder(walked.files.length), realOf, smallLimit, partSize, take, signal, YIELD_EVERY_MS);
  } else {
    try {
      await hashBothEnds(hashing, walked.files.length, claims, realOf, smallLimit, partSize, take, signal);
    } finally {
      worker.stop();
    }
  }
  await mapLimit(streamed, concurrency, async (i) => {
    signal?.throwIfAborted();
    const walkedFile = walked.files[i]!;
    await assertUnchanged(realOf(i), walkedFile.path);
    files[i] = fileOf(walkedFile, await hashFile(realOf(i), partSize));
  });
  const decided = await headers;
  for (let i = 0; i < files.length; i++) {
    files[i]!.cacheControl = decided.cacheControl[i]!;
    files[i]!.contentType = decided.contentType[i]!;
  }
  const result: ScanResult = { files, excluded, detector };
  if (vite) result.viteManifest = vite.path;
  return result;
}

/** `a, b, c and 7 more` for log lines and messages. */
export function excludedList(excluded: readonly ExcludedEntry[], max: number): string {
  const shown = excluded.slice(0, max).map((x) => x.name);
  return `${shown.join(', ')}${excluded.length > max ? ` and ${excluded.length - max} more` : ''}`;
}

export interface Scan extends ScanResult {
  /** Real path of `source`. */
  source: string;
  large: boolean;
}

/** The stage: scan `source` as the inputs say, and log what was found and what was left out. */
export async function scan(
  inputs: Inputs,
  signal?: AbortSignal,
  onWalked?: (paths: readonly string[]) => Promise<void> | void,
): Promise<Scan> {
  const source = inputs.source!;
  core.info(`Hashing ${source} ...`);
  const result = await scanSource(
    source,
    inputs.cacheRules,
    inputs.partSize,
    Math.max(2, Math.min(inputs.concurrency, 8)),
    inputs.exclude,
    inputs.followSymlinks,
    signal,
    onWalked,
  );
  core.info(
    `${result.files.length} local files; hashed assets detected by ${result.detector.source}${result.viteManifest ? ` (${result.viteManifest})` : ''}.`,
  );
  const { excluded } = result;
  if (excluded.length > 0) {
    core.info(`Not published (${excluded.length} name(s); remote objects matching \`exclude\` are left alone):`);
    for (const x of excluded.slice(0, EXCLUDED_LOG_LINES)) core.info(`  ${x.name} (${x.why})`);
    if (excluded.length > EXCLUDED_LOG_LINES) core.info(`  ... and ${excluded.length - EXCLUDED_LOG_LINES} more`);
  }
  const large = result.files.length >= LARGE_SITE;
  memory('hashing', large);
  return { ...result, source, large };
}
