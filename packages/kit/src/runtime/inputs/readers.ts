import { type ParseError, parse as parseJsonc } from 'jsonc-parser';
import * as core from '../core';
import { ConfigurationError } from '../errors';

// Readers keyed by the action.yml input name. Each `getX(name, ...)` reads the raw input once through
// runtime/core's getInput (INPUT_<NAME>) and hands it to its pure twin `parseX(name, raw, ...)`; the twins are what the tests table.
// Every failure is a ConfigurationError(name, '<what was expected>, got <what was given>').

/** Raw input, untrimmed; '' when unset. */
export function getRawInput(name: string): string {
  return core.getInput(name, { trimWhitespace: false });
}

/** Raw inputs by action.yml name ('' or undefined when unset): what each action's pure `parseInputs(raw, env)` takes. */
export type RawInputs = Readonly<Record<string, string | undefined>>;

/**
 * This step's inputs as `RawInputs`, each read from INPUT_<NAME> (runtime/core's getInput) when `parseInputs` asks for it. No list of names
 * to keep in step with action.yml: a test passes a plain object instead.
 */
export function actionInputs(): RawInputs {
  return new Proxy({} as Record<string, string | undefined>, {
    get: (_target, name) => (typeof name === 'string' ? getRawInput(name) : undefined),
  });
}

/** The base directory of relative file inputs: the workspace (the cwd of a `uses:` step), else the cwd. */
export function workspaceDir(env: NodeJS.ProcessEnv): string {
  return env.GITHUB_WORKSPACE || process.cwd();
}

/** `raw[name]`, '' when unset. */
export function rawInput(raw: RawInputs, name: string): string {
  return raw[name] ?? '';
}

/** `raw[name]` trimmed, undefined when unset or blank. */
export function optionalInput(raw: RawInputs, name: string): string | undefined {
  const value = rawInput(raw, name).trim();
  return value === '' ? undefined : value;
}

/** Quote a user value for an error message, shortened so a pasted blob does not flood the log. */
export function quote(raw: string, max = 60): string {
  const oneLine = raw.replace(/\r?\n/g, '\\n');
  return JSON.stringify(oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine);
}

export interface StringOptions {
  required?: boolean;
  default?: string;
  /** Trim surrounding whitespace (default true). */
  trim?: boolean;
}

export function parseString(input: string, raw: string, options: StringOptions = {}): string {
  const value = options.trim === false ? raw : raw.trim();
  if (value.trim() === '') {
    if (options.default !== undefined) return options.default;
    if (options.required) throw new ConfigurationError(input, 'is required but was not set');
    return '';
  }
  return value;
}

export function getString(name: string, options: StringOptions = {}): string {
  return parseString(name, getRawInput(name), options);
}

/** Trimmed value, or undefined when the input is unset or blank. */
export function getOptionalString(name: string): string | undefined {
  const value = getRawInput(name).trim();
  return value === '' ? undefined : value;
}

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

/** YAML 1.2 core-schema booleans only (what @actions/core accepts); "yes", "1", "on" are rejected. */
export function parseBoolean(input: string, raw: string, defaultValue?: boolean): boolean {
  const value = raw.trim();
  if (value === '' && defaultValue !== undefined) return defaultValue;
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  if (value === '') throw new ConfigurationError(input, 'is required: expected true or false');
  throw new ConfigurationError(input, `expected true or false, got ${quote(value)}`);
}

export function getBoolean(name: string, defaultValue: boolean): boolean {
  return parseBoolean(name, getRawInput(name), defaultValue);
}

export interface IntegerOptions {
  default?: number;
  min?: number;
  max?: number;
}

function rangeText(min?: number, max?: number): string {
  if (min !== undefined && max !== undefined) return ` between ${min} and ${max}`;
  if (min !== undefined) return ` >= ${min}`;
  if (max !== undefined) return ` <= ${max}`;
  return '';
}

export function parseInteger(input: string, raw: string, options: IntegerOptions = {}): number {
  const value = raw.trim().replace(/_/g, '');
  const expected = `expected an integer${rangeText(options.min, options.max)}`;
  if (value === '') {
    if (options.default !== undefined) return options.default;
    throw new ConfigurationError(input, `is required: ${expected}`);
  }
  if (!/^[+-]?\d+$/.test(value)) throw new ConfigurationError(input, `${expected}, got ${quote(raw.trim())}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n))
    throw new ConfigurationError(input, `${expected}, got ${quote(raw.trim())} (too large)`);
  if ((options.min !== undefined && n < options.min) || (options.max !== undefined && n > options.max)) {
    throw new ConfigurationError(input, `${expected}, got ${n}`);
  }
  return n;
}

export function getInteger(name: string, options: IntegerOptions = {}): number {
  return parseInteger(name, getRawInput(name), options);
}

const DURATION_UNITS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const DURATION_RE = /^(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?!s))?\s*(?:(\d+)\s*s)?\s*(?:(\d+)\s*ms)?$/i;

/**
 * Duration → milliseconds. Accepts `90s`, `10m`, `1h30m`, `2h`, `7d`, `1d12h`, `500ms`, and a plain number of seconds
 * (`600`). Units must appear in d, h, m, s, ms order. The limits of each duration input are `DURATION_RULES`'.
 */
export function parseDuration(input: string, raw: string, defaultValue?: number | string): number {
  const value = raw.trim();
  const expected = "expected a duration like '90s', '10m', '1h30m' or a number of seconds";
  if (value === '') {
    if (defaultValue === undefined) throw new ConfigurationError(input, `is required: ${expected}`);
    return typeof defaultValue === 'number' ? defaultValue : parseDuration(input, defaultValue);
  }
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const match = DURATION_RE.exec(value);
  if (!match || match.slice(1).every((g) => g === undefined)) {
    throw new ConfigurationError(input, `${expected}, got ${quote(value)}`);
  }
  const [, d, h, m, s, ms] = match;
  const total =
    Number(d ?? 0) * DURATION_UNITS.d! +
    Number(h ?? 0) * DURATION_UNITS.h! +
    Number(m ?? 0) * DURATION_UNITS.m! +
    Number(s ?? 0) * DURATION_UNITS.s! +
    Number(ms ?? 0);
  if (!Number.isSafeInteger(total)) throw new ConfigurationError(input, `${expected}, got ${quote(value)} (too large)`);
  return total;
}

/** Duration input in milliseconds; `defaultValue` is milliseconds (number) or a duration string ('10m'). */
export function getDuration(name: string, defaultValue: number | string): number {
  return parseDuration(name, getRawInput(name), defaultValue);
}

/** Newline- or comma-separated list, items trimmed, empty items dropped. */
export function parseList(_input: string, raw: string): string[] {
  return raw
    .split(/[\r\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function getList(name: string): string[] {
  return parseList(name, getRawInput(name));
}

/** Newline-separated list only (for values that may contain commas). */
export function parseLines(_input: string, raw: string): string[] {
  return raw
    .split(/\r?\n/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function getLines(name: string): string[] {
  return parseLines(name, getRawInput(name));
}

export interface KeyValueOptions {
  /** 'error' (default) rejects a key given twice, naming both lines; 'allow' keeps every pair in order. */
  duplicates?: 'error' | 'allow';
}

/** The lines of a multi-line input that carry content (1-based numbers, trimmed; blank and `#` lines skipped). */
export function contentLines(raw: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  raw.split(/\r?\n/).forEach((rawLine, index) => {
    const text = rawLine.trim();
    if (text !== '' && !text.startsWith('#')) out.push({ line: index + 1, text });
  });
  return out;
}

/**
 * `key=value` lines → pairs in order. Blank lines and lines starting with `#` are skipped; the value is everything
 * after the first `=` (so it may contain `=`), trimmed; an empty value is allowed (`KEY=`), an empty key is not.
 */
export function parseKeyValue(input: string, raw: string, options: KeyValueOptions = {}): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const seen = new Map<string, number>();
  for (const { line: lineNo, text: line } of contentLines(raw)) {
    const eq = line.indexOf('=');
    if (eq === -1) throw new ConfigurationError(input, `line ${lineNo}: expected key=value, got ${quote(line)}`);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === '') throw new ConfigurationError(input, `line ${lineNo}: missing key before '=' in ${quote(line)}`);
    if (/\s/.test(key)) throw new ConfigurationError(input, `line ${lineNo}: key ${quote(key)} contains whitespace`);
    const previous = seen.get(key);
    if (previous !== undefined && options.duplicates !== 'allow') {
      throw new ConfigurationError(input, `line ${lineNo}: key ${quote(key)} already set on line ${previous}`);
    }
    seen.set(key, lineNo);
    pairs.push([key, value]);
  }
  return pairs;
}

export function getKeyValue(name: string, options: KeyValueOptions = {}): Array<[string, string]> {
  return parseKeyValue(name, getRawInput(name), options);
}

/** Line and column (1-based) of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

/**
 * Parse JSON; syntax errors become `invalid JSON at line L, column C: <reason>`.
 * `what` names the thing parsed in the message (default 'JSON'), e.g. a file path.
 */
export function parseJson<T = unknown>(input: string, raw: string, what = 'JSON'): T {
  if (raw.trim() === '') throw new ConfigurationError(input, `is required: expected ${what}`);
  try {
    return JSON.parse(raw) as T;
  } catch (err) {
    throw new ConfigurationError(input, describeJsonError(raw, err, what));
  }
}

/**
 * Turn a JSON.parse SyntaxError into `invalid <what> at line L, column C: <reason>`. The reason is V8's; the
 * position is V8's when it gives one, else the first error offset found by jsonc-parser's scanner.
 */
export function describeJsonError(raw: string, err: unknown, what = 'JSON'): string {
  const message = err instanceof Error ? err.message : String(err);
  let reason = message
    .replace(/\s*\(line \d+ column \d+\)/, '')
    .replace(/,\s*".*" is not valid JSON$/s, '')
    .replace(/ (in JSON )?at position \d+$/, '')
    .trim();
  const position = /at position (\d+)/.exec(message);
  let offset = position ? Number(position[1]) : -1;
  if (offset < 0) {
    const errors: ParseError[] = [];
    parseJsonc(raw, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    offset = errors[0]?.offset ?? -1;
  }
  const end = raw.trimEnd().length;
  if (/end of (JSON )?input/i.test(message) || offset >= end) {
    offset = end;
    reason = 'unexpected end of input';
  }
  if (offset < 0) return `invalid ${what}: ${reason}`;
  const { line, column } = lineColumn(raw, offset);
  return `invalid ${what} at line ${line}, column ${column}: ${reason}`;
}

export function getJson<T = unknown>(name: string): T {
  return parseJson<T>(name, getRawInput(name));
}

/** One of `allowed` (matched case-insensitively, the canonical spelling is returned). */
export function parseEnum<T extends string>(input: string, raw: string, allowed: readonly T[], defaultValue?: T): T {
  const value = raw.trim();
  if (value === '') {
    if (defaultValue !== undefined) return defaultValue;
    throw new ConfigurationError(input, `is required: expected one of ${allowed.join(', ')}`);
  }
  const found = allowed.find((a) => a === value) ?? allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (found === undefined) {
    throw new ConfigurationError(input, `expected one of ${allowed.join(', ')}, got ${quote(value)}`);
  }
  return found;
}

export function getEnum<T extends string>(name: string, allowed: readonly T[], defaultValue?: T): T {
  return parseEnum(name, getRawInput(name), allowed, defaultValue);
}
