import * as core from '@actions/core';

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
]);

/** Split a name into upper-case words: `dbPassword` → DB PASSWORD, `API-KEY` → API KEY. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
}

/**
 * Names whose values should never be printed: *_SECRET, *_TOKEN, *_PASSWORD, *_PASSWD, *_KEY (incl. *_API_KEY,
 * but not *_PUBLIC_KEY / *_KEY_ID), anything with PRIVATE, CREDENTIALS, SECRET... Works for SNAKE_CASE, kebab-case
 * and camelCase. Errs on the side of redacting.
 */
export function isSecretLookingName(name: string): boolean {
  if (/^(OLD)?PWD$/.test(name)) return false; // the shell's working directory
  const w = words(name);
  if (w.some((word) => SECRET_WORDS.has(word))) return true;
  const last = w[w.length - 1];
  if (last === 'KEY' || last === 'KEYS') return w[w.length - 2] !== 'PUBLIC';
  return /SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE/.test(name.toUpperCase());
}

const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/?#@]*):([^\s/?#@]+)@/gi;

/** `postgres://app:s3cret@db:5432/x` → `postgres://app:***@db:5432/x` (any scheme, anywhere in the text). */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
}

/** A value to print for `name`: fully redacted when the name looks secret, else with URL passwords redacted. */
export function redactValue(name: string, value: string): string {
  if (isSecretLookingName(name)) return value === '' ? value : REDACTED;
  return redactUrlCredentials(value);
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
 * and credentials inside URLs in every string. Use before printing task definitions, configs, diffs.
 */
export function redactDeep<T>(value: T): T {
  const visit = (v: unknown, key?: string): unknown => {
    if (typeof v === 'string') return key !== undefined ? redactValue(key, v) : redactUrlCredentials(v);
    if (Array.isArray(v)) return v.map((item) => visit(item));
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

/** The forms of a secret that `maskValue` registers: the value, its lines, and base64 / base64url of it. */
export function maskForms(value: string): string[] {
  if (value.trim() === '') return [];
  const forms = new Set<string>([value]);
  for (const line of value.split(/\r?\n/)) if (line.trim().length >= 4) forms.add(line.trim());
  const b64 = Buffer.from(value, 'utf8').toString('base64');
  forms.add(b64);
  forms.add(b64.replace(/=+$/, ''));
  forms.add(Buffer.from(value, 'utf8').toString('base64url'));
  return [...forms];
}

/** Register a secret with the runner (`::add-mask::`), including its base64 forms. Empty values are ignored. */
export function maskValue(value: string | undefined | null): void {
  if (!value) return;
  for (const form of maskForms(value)) core.setSecret(form);
}
