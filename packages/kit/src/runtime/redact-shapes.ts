// Secrets recognised by the shape of a value, wherever they sit in a text: pure, no side effects. redact.ts turns the
// spans found here into `***` and registers each value with the runner.
//
// Where the line is drawn (the false-positive guards are table-tested next to the shapes):
// - Masked: URL passwords (`scheme://user:PASSWORD@host`, the userinfo ending at the authority's LAST `@`, as the
//   WHATWG URL parser reads it, so `mysql://app:p@ss@db` masks `p@ss`); the value of `name=value`, `name: value`,
//   `"name": "value"` and `--name value` pairs whose name looks secret (`Password=`, `pwd=`, `AccountKey=`,
//   `--token`, `Authorization: Bearer …`, `-u user:pass`); PEM private-key blocks; JWTs; tokens with a vendor prefix
//   (GitHub, Slack, Stripe, npm, GitLab, Google API keys, SendGrid); 40-character AWS secret access keys; any other run
//   of at least 32 base64/base62 characters that mixes upper case, lower case and digits with high entropy.
// - Never masked by shape: hexadecimal runs of any length (sha256 digests, commit SHAs, ETags, content hashes, UUIDs),
//   ARNs, anything with a dot between its parts (host names, image URIs, file names such as `index-BxK3f9aQ.js`),
//   runs made mostly of words (`assets/NotoSansJP-Regular-subset-BxK3f9aQ`, CamelCase identifiers), AWS access key
//   ids (`AKIA…`: an identifier, like AWS_ACCESS_KEY_ID). A hex or short secret is masked only by its name.

export type SecretShape =
  | 'url-password'
  | 'pair'
  | 'private-key'
  | 'jwt'
  | 'vendor-token'
  | 'aws-secret-key'
  | 'high-entropy';

/** A secret found in a text: `text.slice(start, end)` is the secret itself (never its name or delimiters). */
export interface SecretSpan {
  start: number;
  end: number;
  shape: SecretShape;
}

/** Bits of entropy per character of `text` (Shannon, by character frequency). */
export function entropyPerChar(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

// -----------------------------------------------------------------------------------------------------------------
// names in pairs (`Password=`, `--token`, `X-Api-Key:`)

/**
 * Decides whether the value after a name is a secret. redact.ts passes its `isSecretLookingName` in (this module stays
 * free of the name rules), widened here for connection-string keys that are not secret-looking names elsewhere.
 */
export type NameRule = (name: string) => boolean;

/** Connection-string and HTTP keys whose value is a credential whatever the name rules say. */
const PAIR_KEYS = new Set([
  'pwd',
  'password',
  'accountkey',
  'sharedaccesskey',
  'sharedaccesssignature',
  'sig',
  'x-amz-signature',
  'x-amz-security-token',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
]);

const HEADER_KEYS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/** A bare `key` is too common in prose and commands (`key=value`, `--key assets/x.js`) to be a secret's name. */
const AMBIGUOUS_NAMES = /^(?:keys?|auth)$/i;

function secretPairName(name: string, rule: NameRule): boolean {
  const bare = name.replace(/^-+/, '');
  if (AMBIGUOUS_NAMES.test(bare)) return false;
  return PAIR_KEYS.has(bare.toLowerCase().replace(/\s+/g, '')) || rule(bare);
}

/** `Bearer xyz` → the span of `xyz`; any other value whole. */
function credentialPart(value: string, start: number): { start: number; end: number } | undefined {
  const scheme = /^(?:Bearer|Basic|Token|Digest|Negotiate|AWS4-HMAC-SHA256|token)\s+/.exec(value);
  const offset = scheme ? scheme[0].length : 0;
  if (value.length - offset === 0) return undefined;
  return { start: start + offset, end: start + value.length };
}

/** End of an unquoted value starting at `i`: `;`-structured text ends at `;`, anything else at blank, `&` or `,`. */
function unquotedValueEnd(text: string, i: number, semicolonForm: boolean): number {
  let j = i;
  while (j < text.length) {
    const c = text[j]!;
    if (c === '\n' || c === '\r' || c === ';' || c === '&' || c === '"' || c === "'" || c === '`') break;
    if (!semicolonForm && (c === ' ' || c === '\t' || c === ',' || c === ')')) break;
    j++;
  }
  // A value ends before trailing blanks (`Password=x ;`).
  while (j > i && /\s/.test(text[j - 1]!)) j--;
  return j;
}

/** A quoted (`"…"`, `'…'`) or braced (`{…}`, ODBC) value at `i`: the span inside the delimiters. */
function delimitedValue(text: string, i: number): { start: number; end: number; after: number } | undefined {
  const open = text[i];
  const close = open === '"' ? '"' : open === "'" ? "'" : open === '{' ? '}' : undefined;
  if (!close) return undefined;
  let j = i + 1;
  while (j < text.length && text[j] !== close && text[j] !== '\n') {
    if (text[j] === '\\' && open === '"') j++;
    j++;
  }
  return { start: i + 1, end: Math.min(j, text.length), after: j + 1 };
}

// name=value (connection strings, query strings, env assignments, --flag=value)
const ASSIGNMENT = /(?<![\w.-])(--?[A-Za-z][\w-]*|[A-Za-z_][\w.-]*)\s*=\s*/g;
// name: value (HTTP headers, YAML, JSON "name": "value"). Secret-looking names count only where a key can start (line
// start, after `{`, `,` or a quote), so a sentence such as `line 3: DB_PASSWORD: looks like a value` is left alone;
// the HTTP credential headers count anywhere (`curl -H 'Authorization: Bearer …'`).
const COLON_PAIR = /(?<![\w-])["']?([A-Za-z_][\w.-]*)["']?[ \t]*:[ \t]*(?!\/\/)/g;
// `Bearer <token>` anywhere.
const BEARER = /\bBearer[ \t]+([A-Za-z0-9._~+/=-]{8,})/g;
// --name value (command lines)
const FLAG_VALUE = /(?<![\w-])(--?[A-Za-z][\w-]*)[ \t]+(?=[^\s-])/g;
// Names whose value is a reference to a secret, not the secret (`--password-stdin host`, `PASSWORD_FILE=/run/x`).
const REFERENCE_SUFFIX = /(?:[-_.](?:stdin|file|path|env|arn|id|name|ref|length|ttl|expiry|expires|header|type|url))$/i;
// curl's `-u user:password` / `--user user:password`.
const USER_FLAG = /(?<![\w-])(?:-u|--user)[ \t]+([^\s:'"]*):([^\s'"]+)/g;

function pairSpans(text: string, rule: NameRule): SecretSpan[] {
  const spans: SecretSpan[] = [];
  const push = (start: number, end: number) => {
    if (end > start) spans.push({ start, end, shape: 'pair' });
  };
  const valueAt = (i: number, semicolonForm: boolean) => {
    const quoted = delimitedValue(text, i);
    if (quoted) return quoted;
    const end = unquotedValueEnd(text, i, semicolonForm);
    return { start: i, end, after: end };
  };
  for (const m of text.matchAll(ASSIGNMENT)) {
    const name = m[1]!;
    if (REFERENCE_SUFFIX.test(name) || !secretPairName(name, rule)) continue;
    const at = m.index + m[0].length;
    // The shell's working directory (`PWD=/home/runner`) is not a password; ODBC's `PWD={…};` is.
    if (/^(?:OLD)?PWD$/.test(name) && /^[/~]/.test(text.slice(at))) continue;
    const lineEnd = text.indexOf('\n', at);
    const rest = text.slice(at, lineEnd === -1 ? undefined : lineEnd);
    const semicolonForm = text[m.index - 1] === ';' || /;/.test(rest);
    const v = valueAt(at, semicolonForm);
    const part = credentialPart(text.slice(v.start, v.end), v.start);
    if (part) push(part.start, part.end);
  }
  for (const m of text.matchAll(COLON_PAIR)) {
    const name = m[1]!;
    if (REFERENCE_SUFFIX.test(name) || !secretPairName(name, rule)) continue;
    const before = text.slice(0, m.index).replace(/[ \t]+$/, '');
    const keyStart = before === '' || /[\n{,]$/.test(before);
    // `'X-Api-Key: abc'` (a header inside a quoted argument) but not `Input 'secrets': …` (a quoted word).
    const headerInQuotes = /^["']/.test(m[0]) && !/^["'][^"']*["']/.test(m[0]);
    if (!keyStart && !headerInQuotes && !HEADER_KEYS.has(name.toLowerCase())) continue;
    const at = m.index + m[0].length;
    const quoted = delimitedValue(text, at);
    let start: number;
    let end: number;
    if (quoted) ({ start, end } = quoted);
    else {
      start = at;
      end = text.indexOf('\n', at);
      if (end === -1) end = text.length;
      // inline JSON / YAML flow (`{token: x, other: y}`) or a quoted header (`-H 'Authorization: Bearer x'`)
      const stop = /[,}\]"'`]/.exec(text.slice(at, end));
      if (stop) end = at + stop.index;
      while (end > start && /\s/.test(text[end - 1]!)) end--;
    }
    const part = credentialPart(text.slice(start, end), start);
    if (part) push(part.start, part.end);
  }
  for (const m of text.matchAll(FLAG_VALUE)) {
    const name = m[1]!;
    if (REFERENCE_SUFFIX.test(name) || AMBIGUOUS_NAMES.test(name.replace(/^-+/, ''))) continue;
    if (!rule(name.replace(/^-+/, ''))) continue;
    const at = m.index + m[0].length;
    const v = valueAt(at, false);
    push(v.start, v.end);
  }
  for (const m of text.matchAll(BEARER)) {
    const start = m.index + m[0].length - m[1]!.length;
    push(start, start + m[1]!.length);
  }
  for (const m of text.matchAll(USER_FLAG)) {
    const start = m.index + m[0].length - m[2]!.length;
    push(start, start + m[2]!.length);
  }
  return spans;
}

// -----------------------------------------------------------------------------------------------------------------
// URLs

// scheme:// then the authority, which ends at '/', a blank or a quote; the userinfo ends at the authority's last '@'.
const URL_AUTHORITY = /\b[a-z][a-z0-9+.-]*:\/\/([^\s/"'`<>]*)/gi;

function urlSpans(text: string): SecretSpan[] {
  const spans: SecretSpan[] = [];
  for (const m of text.matchAll(URL_AUTHORITY)) {
    const authority = m[1]!;
    const at = authority.lastIndexOf('@');
    if (at <= 0) continue;
    const userinfo = authority.slice(0, at);
    const base = m.index + m[0].length - authority.length;
    const colon = userinfo.indexOf(':');
    if (colon === -1) {
      // `https://<token>@github.com`: the user part is the credential when it reads like one.
      if (isHighEntropyToken(userinfo) || VENDOR_TOKEN.test(userinfo)) {
        spans.push({ start: base, end: base + at, shape: 'url-password' });
      }
      VENDOR_TOKEN.lastIndex = 0;
      continue;
    }
    if (at - colon - 1 > 0) spans.push({ start: base + colon + 1, end: base + at, shape: 'url-password' });
  }
  return spans;
}

// -----------------------------------------------------------------------------------------------------------------
// Private keys, JWTs, vendor tokens, AWS secret keys

// A PEM private key (PKCS#1, PKCS#8, EC, OpenSSH, encrypted), also with its newlines escaped inside JSON; a block cut
// short (no END line) is masked to the end of the text.
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----([\s\S]*?)(?=-----END \1PRIVATE KEY-----|$)/g;

function pemSpans(text: string): SecretSpan[] {
  const spans: SecretSpan[] = [];
  for (const m of text.matchAll(PEM_PRIVATE_KEY)) {
    const start = m.index + m[0].length - m[2]!.length;
    if (m[2]!.trim() !== '') spans.push({ start, end: m.index + m[0].length, shape: 'private-key' });
  }
  return spans;
}

// header.payload.signature, header and payload base64url JSON objects (`{"` → `eyJ`).
const JWT = /(?<![\w-])eyJ[A-Za-z0-9_-]{6,}\.eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*/g;

// Vendor tokens with a documented prefix: GitHub (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_), Slack (xoxb-…), Stripe
// secret / restricted keys and webhook secrets, npm, GitLab, Google API keys, SendGrid.
const VENDOR_TOKEN = new RegExp(
  [
    'gh[pousr]_[A-Za-z0-9]{30,}',
    'github_pat_[A-Za-z0-9_]{40,}',
    'xox[abposr]-[A-Za-z0-9-]{10,}',
    '(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}',
    'whsec_[A-Za-z0-9]{20,}',
    'npm_[A-Za-z0-9]{30,}',
    'glpat-[A-Za-z0-9_-]{20,}',
    'AIza[0-9A-Za-z_-]{35}',
    'SG\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}',
  ]
    .map((p) => `(?<![A-Za-z0-9_])${p}`)
    .join('|'),
  'g',
);

// 40 characters of base64 alphabet, standing alone: the shape of an AWS secret access key.
const AWS_SECRET_KEY = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;

function isAwsSecretKey(s: string): boolean {
  return /[a-z]/.test(s) && /[A-Z]/.test(s) && /[0-9/+]/.test(s) && !s.includes('//') && entropyPerChar(s) >= 4;
}

// -----------------------------------------------------------------------------------------------------------------
// High-entropy tokens

// A run of base64 / base64url characters (padding only at the end; `=` before it is an assignment).
const TOKEN_RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{24,}={0,2}(?![A-Za-z0-9+/=_-])/g;
/** A word: lower-case, Capitalised or CamelCase letters, optionally ending in digits or a short acronym. */
const WORD = /^(?:[A-Z]?[a-z]{2,})+(?:[A-Z]{1,3})?\d*$|^[a-z]{3,}\d*$/;
const MIN_TOKEN_LENGTH = 32;

/** Share of `s`'s characters that belong to word-like segments (split at `/ _ - +`). */
function wordCoverage(s: string): number {
  let covered = 0;
  for (const segment of s.split(/[/_+-]/)) if (segment.length >= 3 && WORD.test(segment)) covered += segment.length;
  return covered / s.length;
}

/**
 * A random-looking token: at least 32 characters (padding aside), upper and lower case and digits, not hexadecimal,
 * at least 4 bits of entropy per character, and less than a third of it made of words.
 */
export function isHighEntropyToken(s: string): boolean {
  const body = s.replace(/=+$/, '');
  if (body.length < MIN_TOKEN_LENGTH) return false;
  if (/^[0-9a-fA-F-]+$/.test(body)) return false;
  if (!(/[a-z]/.test(body) && /[A-Z]/.test(body) && /[0-9]/.test(body))) return false;
  if (entropyPerChar(body) < 4) return false;
  return wordCoverage(body) < 1 / 3;
}

function tokenSpans(text: string): SecretSpan[] {
  const spans: SecretSpan[] = [];
  for (const m of text.matchAll(TOKEN_RUN)) {
    // Slashes around a run are path or URL separators (`https://<token>@…`, `/v2/`), not part of a token.
    const lead = /^\/*/.exec(m[0])![0].length;
    const run = m[0].slice(lead).replace(/\/+$/, '');
    const index = m.index + lead;
    // A path of words with one random segment (`assets/…/chunk-…`) is judged segment by segment, so an asset name
    // stays readable while a base64 secret with '/' in it is masked whole.
    if (run.includes('/') && wordCoverage(run) >= 1 / 3) {
      let offset = 0;
      for (const segment of run.split('/')) {
        if (isHighEntropyToken(segment)) {
          spans.push({ start: index + offset, end: index + offset + segment.length, shape: 'high-entropy' });
        }
        offset += segment.length + 1;
      }
      continue;
    }
    if (isHighEntropyToken(run)) spans.push({ start: index, end: index + run.length, shape: 'high-entropy' });
  }
  return spans;
}

// -----------------------------------------------------------------------------------------------------------------

// ARNs are identifiers: their resource parts (`secret:prod/DatabaseCredentials1-AbCdEf`) are never tokens.
const ARN = /\barn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:[^\s"'`,;)]+/g;

function spansOf(re: RegExp, text: string, shape: SecretShape, keep: (s: string) => boolean = () => true) {
  const spans: SecretSpan[] = [];
  for (const m of text.matchAll(re)) if (keep(m[0])) spans.push({ start: m.index, end: m.index + m[0].length, shape });
  return spans;
}

/** Sorted, non-overlapping (overlaps merged): what to replace. */
function merge(spans: SecretSpan[]): SecretSpan[] {
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || b.end - a.end);
  const out: SecretSpan[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/**
 * Every secret in `text` by its shape (and by the names of `name=value`-style pairs, judged by `nameRule`), as
 * sorted, non-overlapping spans. Pure.
 */
export function findSecretSpans(text: string, nameRule: NameRule): SecretSpan[] {
  if (text.length < 3) return [];
  const arns = spansOf(ARN, text, 'high-entropy');
  const insideArn = (s: SecretSpan) => arns.some((a) => s.start >= a.start && s.end <= a.end);
  const strong = [
    ...pemSpans(text),
    ...urlSpans(text),
    ...pairSpans(text, nameRule),
    ...spansOf(JWT, text, 'jwt'),
    ...spansOf(VENDOR_TOKEN, text, 'vendor-token'),
  ];
  const shapes = [...spansOf(AWS_SECRET_KEY, text, 'aws-secret-key', isAwsSecretKey), ...tokenSpans(text)].filter(
    (s) => !insideArn(s),
  );
  return merge([...strong, ...shapes]);
}
