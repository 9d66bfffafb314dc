import * as core from '@actions/core';
import { formatCommand } from './inputs/command';
import { findSecretSpans, type SecretSpan } from './redact-shapes';

// Redaction: values are hidden by the name they are given under (`isSecretLookingName`) and by their shape wherever
// they appear (redact-shapes.ts: URL passwords, `Password=` pairs, private keys, JWTs, vendor tokens, AWS secret keys,
// long high-entropy tokens). Every value hidden is also registered with the runner (`::add-mask::`), which then hides
// it in every later line of the job log, whoever prints it.

/** What a redacted value is replaced with. */
export const REDACTED = '***';

const SECRET_WORDS = new Set([
  'SECRET',
  'SECRETS',
  'TOKEN',
  'TOKENS',
  'PASSWORD',
  'PASSWORDS',
  'PASSWD',
  'PWD',
  'PASS',
  'PASSPHRASE',
  'PRIVATE',
  'PRIVATEKEY',
  'APIKEY',
  'CREDENTIAL',
  'CREDENTIALS',
  'CREDS',
  // Values that sign or derive secrets without the word "secret" in their name: SIGNING_SALT, HASH_PEPPER, HMAC.
  'SALT',
  'PEPPER',
  'HMAC',
  // `sk` is the usual abbreviation of "secret key" (Stripe's sk_live_…): STRIPE_SK, stripeSk.
  'SK',
  'AUTHORIZATION',
  'COOKIE',
]);

/** Last words that make a name a reference to a secret, not the secret: PASSWORD_FILE, SECRET_ARN, TOKEN_URL. */
const REFERENCE_WORDS = new Set([
  'ARN',
  'ID',
  'IDS',
  'FILE',
  'PATH',
  'NAME',
  'ENV',
  'REF',
  'LENGTH',
  'TTL',
  'EXPIRY',
  'EXPIRES',
  'HEADER',
  'TYPE',
  'URL',
  'URI',
  'ENDPOINT',
  'ALIAS',
  'REGION',
  'STDIN',
  'ENABLED',
  'DISABLED',
  'REQUIRED',
  'COUNT',
  'MODE',
]);

/** Words after KEY that keep it a key: ENCRYPTION_KEY_V2, JWT_KEY_PEM, API_KEY_PRIMARY. */
const KEY_QUALIFIERS = /^(?:V\d+|\d+|NEW|OLD|CURRENT|PREVIOUS|NEXT|PRIMARY|SECONDARY|B64|BASE64|PEM|DER|HEX|RAW|JSON)$/;

/** Split a name into upper-case words: `dbPassword` → DB PASSWORD, `API-KEY` → API KEY. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
}

/**
 * Names whose values are never printed. Secret: a word SECRET, TOKEN, PASSWORD, PASSWD, PWD, PASS, PASSPHRASE,
 * PRIVATE, APIKEY, CREDENTIAL(S), CREDS, SALT, PEPPER, HMAC, SK, AUTHORIZATION or COOKIE anywhere (STRIPE_SK,
 * SIGNING_SALT); KEY/KEYS as the last word or followed only by a version or format (ENCRYPTION_KEY_V2, JWT_KEY_PEM),
 * but not PUBLIC_KEY; AUTH as the last word (BASIC_AUTH); SECRET, PASSWORD, PASSWD, TOKEN or PRIVATE inside a word
 * (MYSECRET). Not secret: names ending in a reference word (…_ARN, _ID, _FILE, _PATH, _NAME, _URL, _HEADER, _TTL,
 * _ENABLED …: the value points at a secret or describes it), and the shell's PWD / OLDPWD. Works for SNAKE_CASE,
 * kebab-case and camelCase. Errs on the side of redacting.
 */
export function isSecretLookingName(name: string): boolean {
  if (/^(OLD)?PWD$/.test(name)) return false; // the shell's working directory
  const w = words(name);
  if (w.length === 0) return false;
  const last = w[w.length - 1]!;
  if (REFERENCE_WORDS.has(last) && w.length > 1) return false;
  if (w.some((word) => SECRET_WORDS.has(word))) return true;
  if (last === 'AUTH' && w.length > 1) return true;
  const keyAt = w.findLastIndex((word) => word === 'KEY' || word === 'KEYS');
  if (keyAt !== -1 && w.slice(keyAt + 1).every((word) => KEY_QUALIFIERS.test(word))) return w[keyAt - 1] !== 'PUBLIC';
  return /SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|APIKEY/.test(name.toUpperCase());
}

// -----------------------------------------------------------------------------------------------------------------
// Registering secrets with the runner

/** Values shorter than this are hidden where we print them but not registered: they would mask ordinary text. */
export const MIN_REGISTERED_LENGTH = 4;

const registered = new Set<string>();

/** The forms of a secret that `maskValue` registers: the value, its lines, base64 / base64url and JSON-escaped. */
export function maskForms(value: string): string[] {
  if (value.trim() === '') return [];
  const forms = new Set<string>([value]);
  for (const line of value.split(/\r?\n/)) if (line.trim().length >= MIN_REGISTERED_LENGTH) forms.add(line.trim());
  const b64 = Buffer.from(value, 'utf8').toString('base64');
  forms.add(b64);
  forms.add(b64.replace(/=+$/, ''));
  forms.add(Buffer.from(value, 'utf8').toString('base64url'));
  const escaped = JSON.stringify(value).slice(1, -1);
  if (escaped !== value) forms.add(escaped);
  return [...forms];
}

/**
 * Register a secret with the runner (`::add-mask::`), including its base64 and JSON-escaped forms, once per value.
 * Empty values are ignored. Our own redaction (`redactText`) hides registered values too.
 */
export function maskValue(value: string | undefined | null): void {
  if (!value || value.trim() === '' || registered.has(value)) return;
  registered.add(value);
  for (const form of maskForms(value)) {
    if (form.includes('\n')) continue; // ::add-mask:: takes one line; each line is registered on its own
    core.setSecret(form);
  }
}

/** Values registered so far in this process (tests; the redaction of known values). */
export function registeredSecrets(): ReadonlySet<string> {
  return registered;
}

function registerFound(value: string): void {
  if (value.trim().length >= MIN_REGISTERED_LENGTH) maskValue(value);
}

// -----------------------------------------------------------------------------------------------------------------
// Redacting text

/** Spans of registered secrets (at least MIN_REGISTERED_LENGTH long) inside `text`. */
function registeredSpans(text: string): SecretSpan[] {
  const spans: SecretSpan[] = [];
  for (const value of registered) {
    if (value.length < MIN_REGISTERED_LENGTH) continue;
    for (let i = text.indexOf(value); i !== -1; i = text.indexOf(value, i + value.length)) {
      spans.push({ start: i, end: i + value.length, shape: 'pair' });
    }
  }
  return spans;
}

function replaceSpans(text: string, spans: readonly SecretSpan[]): string {
  let out = '';
  let at = 0;
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    if (s.start < at) {
      if (s.end > at) at = s.end;
      continue;
    }
    out += text.slice(at, s.start) + REDACTED;
    at = s.end;
  }
  return out + text.slice(at);
}

/**
 * `text` with every secret found by shape (redact-shapes.ts) and every registered secret replaced by `***`; each value
 * found is registered with the runner. Use on anything printed that may hold a value: commands, environment values,
 * labels, error messages, summaries.
 */
export function redactText(text: string): string {
  if (typeof text !== 'string' || text === '') return text;
  const found = findSecretSpans(text, isSecretLookingName);
  for (const s of found) registerFound(text.slice(s.start, s.end));
  const spans = [...found, ...registeredSpans(text)];
  return spans.length === 0 ? text : replaceSpans(text, spans);
}

/** True when `text` holds something redactText would hide. */
export function containsSecret(text: string): boolean {
  return redactText(text) !== text;
}

/** `postgres://app:s3cret@db:5432/x` → `postgres://app:***@db:5432/x` (kept for callers; redactText does more). */
export function redactUrlCredentials(text: string): string {
  return redactText(text);
}

/** A value to print for `name`: fully redacted (and registered) when the name looks secret, else by shape. */
export function redactValue(name: string, value: string): string {
  if (isSecretLookingName(name)) {
    if (value === '') return value;
    registerFound(value);
    return REDACTED;
  }
  return redactText(value);
}

/**
 * Register `value` with the runner when it is secret by its name or holds a secret by shape (an input's
 * `NAME=value` line, read before anything prints it).
 */
export function maskNamedValue(name: string, value: string): void {
  redactValue(name, value);
}

/**
 * An argv to print: every word by shape, and the word after a secret-looking flag (`--password x`, `--token x`,
 * `-u user:pass` keeps the user). A copy; the argv itself is untouched.
 */
export function redactArgv(argv: readonly string[]): string[] {
  const out = argv.map((word) => redactText(word));
  for (let i = 0; i < argv.length - 1; i++) {
    const flag = /^--?([A-Za-z][\w-]*)$/.exec(argv[i]!);
    if (!flag) continue;
    const next = argv[i + 1]!;
    if ((flag[1] === 'u' || flag[1] === 'user') && next.includes(':')) {
      const colon = next.indexOf(':');
      registerFound(next.slice(colon + 1));
      out[i + 1] = `${redactText(next.slice(0, colon))}:${REDACTED}`;
    } else if (isSecretLookingName(flag[1]!) && !/^keys?$/i.test(flag[1]!) && next !== '' && !next.startsWith('-')) {
      registerFound(next);
      out[i + 1] = REDACTED;
    }
  }
  return out;
}

/** A command for logs and summaries: `formatCommand` of the redacted argv. */
export function displayCommand(argv: readonly string[]): string {
  return formatCommand(redactArgv(argv));
}

export interface NameValue {
  name?: string;
  value?: string;
}

/**
 * Redact an ECS `environment` array (`[{name, value}]`) or a plain `{NAME: value}` object. Returns a copy;
 * non-string values are left alone.
 */
export function redactEnvironment<T extends NameValue>(env: readonly T[]): T[];
export function redactEnvironment<T extends Record<string, unknown>>(env: T): T;
export function redactEnvironment(env: readonly NameValue[] | Record<string, unknown>): unknown {
  if (Array.isArray(env)) {
    return env.map((entry: NameValue) =>
      typeof entry?.value === 'string' && typeof entry.name === 'string'
        ? { ...entry, value: redactValue(entry.name, entry.value) }
        : entry,
    );
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(env)) out[k] = typeof v === 'string' ? redactValue(k, v) : v;
  return out;
}

/**
 * Deep copy of any JSON-like value with secrets redacted: `{name, value}` pairs by name, object properties by key,
 * argv-like string arrays (`command`, `entryPoint`) by flag, and every string by shape. Use before printing task
 * definitions, configs, diffs.
 */
export function redactDeep<T>(value: T): T {
  const visit = (v: unknown, key?: string): unknown => {
    if (typeof v === 'string') return key !== undefined ? redactValue(key, v) : redactText(v);
    if (Array.isArray(v)) {
      if (v.every((item) => typeof item === 'string')) return redactArgv(v as string[]);
      return v.map((item) => visit(item));
    }
    if (v !== null && typeof v === 'object') {
      const obj = v as Record<string, unknown>;
      const pairName = typeof obj.name === 'string' && typeof obj.value === 'string' ? obj.name : undefined;
      const out: Record<string, unknown> = {};
      for (const [k, child] of Object.entries(obj)) {
        if (k === 'value' && pairName !== undefined) out[k] = redactValue(pairName, child as string);
        else out[k] = visit(child, typeof child === 'string' && isSecretLookingName(k) ? k : undefined);
      }
      return out;
    }
    return v;
  };
  return visit(value) as T;
}
