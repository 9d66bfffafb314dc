import { ConfigurationError } from '@deploy-actions/kit/runtime';
import { CONTENT_TYPES_JSON } from './content-types.generated';
import { compileGlob } from './glob';

// Header policy (pure): which Cache-Control and Content-Type each file gets.

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const NO_CACHE = 'no-cache';

export interface CacheRule {
  /** The glob as written (relative to the source directory, e.g. `assets/**`, `*.html`). */
  glob: string;
  /** Cache-Control header value. */
  value: string;
  /** 1-based line of the rule in the input, for messages. */
  line: number;
  match: (path: string) => boolean;
}

/** Cache-Control directives (RFC 9111 §5.2.2, RFC 8246 immutable, RFC 5861 stale-*). */
const DIRECTIVES = new Set([
  'public',
  'private',
  'no-cache',
  'no-store',
  'no-transform',
  'must-revalidate',
  'proxy-revalidate',
  'must-understand',
  'immutable',
  'max-age',
  's-maxage',
  'stale-while-revalidate',
  'stale-if-error',
]);
const VALUED = new Set(['max-age', 's-maxage', 'stale-while-revalidate', 'stale-if-error']);

/**
 * True when what stands before the first `=` is the start of a Cache-Control value rather than a glob: the
 * `aws s3 sync --cache-control "public, max-age=31536000"` habit (and `Cache-Control: …` pasted whole), which
 * would otherwise be a glob that matches nothing. Every comma-separated part is a directive and the last one takes
 * a value, so a file really named `public` (`public=no-cache`) is still a glob.
 */
export function looksLikeHeaderValue(beforeEq: string): boolean {
  const parts = directiveParts(beforeEq);
  return parts.every((p) => DIRECTIVES.has(p)) && VALUED.has(parts.at(-1)!);
}

/** A whole line without `=` made of directives only (`no-cache`, `public, immutable`). */
function directivesOnly(line: string): boolean {
  return directiveParts(line).every((p) => DIRECTIVES.has(p));
}

function directiveParts(text: string): string[] {
  return text
    .replace(/^\s*cache-control\s*:/i, '')
    .split(',')
    .map((p) => p.trim().toLowerCase());
}

/** The header value part of a mistaken line, for the example in the error. */
function headerPart(line: string): string {
  return line.replace(/^\s*cache-control\s*:\s*/i, '');
}

/**
 * `cache-control` input: one `glob=header` rule per line, first match wins; blank lines and `#` comments skipped.
 * The glob is everything before the first `=` (header values contain `=`, globs cannot). Files no rule matches get
 * the default policy (hashed → immutable, everything else → no-cache).
 */
export function parseCacheRules(input: string, raw: string): CacheRule[] {
  const rules: CacheRule[] = [];
  raw.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.trim();
    const lineNo = index + 1;
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const headerLike = eq > 0 ? looksLikeHeaderValue(line.slice(0, eq)) : directivesOnly(line);
    if (eq <= 0 || headerLike) {
      const example = headerLike
        ? `${JSON.stringify(`**=${headerPart(line)}`)} for every file, or *.html=no-cache`
        : '*.html=no-cache or assets/**=public, max-age=31536000, immutable';
      throw new ConfigurationError(
        input,
        `line ${lineNo}: expected GLOB=VALUE, got ${JSON.stringify(line)}${headerLike ? ' (a Cache-Control value without a glob)' : ''}; write e.g. ${example}`,
      );
    }
    const glob = line
      .slice(0, eq)
      .trim()
      .replace(/^\.?\//, '');
    const value = line.slice(eq + 1).trim();
    if (glob === '') throw new ConfigurationError(input, `line ${lineNo}: missing glob before '='`);
    if (value === '')
      throw new ConfigurationError(
        input,
        `line ${lineNo}: missing Cache-Control value after '=' for ${JSON.stringify(glob)}`,
      );
    if (/[\r\n\u0000-\u001f\u007f]/.test(value) || !/^[\x20-\x7e]+$/.test(value)) {
      throw new ConfigurationError(
        input,
        `line ${lineNo}: Cache-Control value must be printable ASCII, got ${JSON.stringify(value)}`,
      );
    }
    let matcher: (path: string) => boolean;
    try {
      // compiled (and so validated) once; with strictBrackets an unbalanced [ or { throws.
      matcher = compileGlob(glob, { basename: !glob.includes('/') });
    } catch (err) {
      throw new ConfigurationError(
        input,
        `line ${lineNo}: invalid glob ${JSON.stringify(glob)}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    rules.push({ glob, value, line: lineNo, match: matcher });
  });
  return rules;
}

const HASH_EXTENSIONS =
  /\.(m?js|cjs|css|map|json|wasm|woff2?|ttf|otf|eot|svg|png|jpe?g|gif|webp|avif|ico|bmp|mp3|mp4|webm|ogg|wav|txt|html?)$/i;

/**
 * Hash-in-the-name heuristic for builds without a Vite manifest: a `-` or `.` followed by 8+ characters of
 * base64url/hex that contain a digit or both cases (Vite `index-BdX3kq9a.js`, webpack `main.3f2a9c1e7b.js`,
 * `chunk.8c4e2f1a.css`), followed only by known extensions. Plain words (`jquery-datepicker.js`) never match, so a
 * false positive (an unhashed file cached for a year) is unlikely; a false negative only costs a revalidation.
 */
export function looksHashed(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (!HASH_EXTENSIONS.test(base) || /\.html?$/i.test(base)) return false;
  const stem = base.replace(/(\.(map|gz|br))?$/i, '').replace(/\.[^.]+$/, '');
  const m = /[.-]([A-Za-z0-9_]{8,})$/.exec(stem) ?? /[.-]([A-Za-z0-9_-]{8,})$/.exec(stem);
  if (!m) return false;
  const token = m[1]!;
  const hasDigit = /\d/.test(token);
  const mixedCase = /[a-z]/.test(token) && /[A-Z]/.test(token);
  return hasDigit || mixedCase;
}

interface ViteManifestChunk {
  file?: unknown;
  css?: unknown;
  assets?: unknown;
}

/**
 * Files a Vite manifest (`.vite/manifest.json`, or `manifest.json` from Vite < 5) says are emitted with hashes:
 * every chunk's `file`, `css[]` and `assets[]` (HTML entries excluded: Vite never hashes them).
 */
export function hashedFromViteManifest(manifest: unknown): Set<string> {
  const out = new Set<string>();
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) return out;
  const add = (v: unknown) => {
    if (typeof v === 'string' && v !== '' && !/\.html?$/i.test(v)) out.add(v.replace(/^\.?\//, ''));
  };
  for (const chunk of Object.values(manifest as Record<string, ViteManifestChunk>)) {
    if (!chunk || typeof chunk !== 'object') continue;
    add(chunk.file);
    for (const list of [chunk.css, chunk.assets]) if (Array.isArray(list)) list.forEach(add);
  }
  return out;
}

export interface HashedDetector {
  source: 'vite-manifest' | 'name-pattern';
  isHashed(path: string): boolean;
}

/**
 * With a Vite manifest: files it lists, plus hash-looking names in the same directories (fonts and images referenced
 * only from CSS are not always listed). Without: the name pattern alone.
 */
export function hashedDetector(viteManifest: unknown | undefined): HashedDetector {
  if (viteManifest === undefined) return { source: 'name-pattern', isHashed: looksHashed };
  const listed = hashedFromViteManifest(viteManifest);
  const dirs = new Set([...listed].map((p) => p.slice(0, p.lastIndexOf('/') + 1)));
  return {
    source: 'vite-manifest',
    isHashed: (path) => listed.has(path) || (dirs.has(path.slice(0, path.lastIndexOf('/') + 1)) && looksHashed(path)),
  };
}

export function isHtml(path: string): boolean {
  return /\.html?$/i.test(path);
}

/**
 * Content-Type by extension: mime-types' answers, tabled at build time (content-types.generated.ts, held to the
 * library by test/content-types.test.ts). Read on first use: a Map, so no extension can name an inherited property.
 */
let contentTypes: Map<string, string> | undefined;

/** Content-Type from the mime-types database (never the OS registry), with `charset=utf-8` for text types. */
export function contentTypeFor(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (!base.includes('.') || (base.startsWith('.') && base.indexOf('.', 1) === -1)) return 'application/octet-stream';
  const ext = base.slice(base.lastIndexOf('.') + 1).toLowerCase();
  contentTypes ??= new Map(Object.entries(JSON.parse(CONTENT_TYPES_JSON) as Record<string, string>));
  return contentTypes.get(ext) ?? 'application/octet-stream';
}

export interface HeaderDecision {
  cacheControl: string;
  contentType: string;
  hashed: boolean;
  /** `rule <line>` or `default:hashed` / `default:html` / `default:unhashed`. */
  reason: string;
}

/** First matching rule wins; else hashed (never HTML) → immutable, else no-cache. */
export function decideHeaders(path: string, rules: readonly CacheRule[], detector: HashedDetector): HeaderDecision {
  const contentType = contentTypeFor(path);
  const hashed = !isHtml(path) && detector.isHashed(path);
  for (const rule of rules) {
    if (rule.match(path))
      return { cacheControl: rule.value, contentType, hashed, reason: `rule line ${rule.line} (${rule.glob})` };
  }
  if (hashed)
    return {
      cacheControl: IMMUTABLE,
      contentType,
      hashed,
      reason:
        detector.source === 'vite-manifest' ? 'default: hashed (vite-manifest)' : 'default: hashed (name-pattern)',
    };
  return { cacheControl: NO_CACHE, contentType, hashed, reason: isHtml(path) ? 'default: html' : 'default: unhashed' };
}

/** True when browsers/CDN may keep the file forever, so a change to it never needs an invalidation. */
export function isImmutable(cacheControl: string): boolean {
  return /(^|[\s,])immutable($|[\s,])/i.test(cacheControl);
}
