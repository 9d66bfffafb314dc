// Wire helpers shared by the ECS, Logs, Secrets Manager (awsJson1_1) and STS, ELBv2 (query/XML) emulations.
import { randomBytes } from 'node:crypto';
import type { EmuRequest, EmuResponse } from '../types.ts';

/** An AWS API error in the service's protocol (turned into a response by each service's handle()). */
export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  /** Extra members of the error body (e.g. ECS ConflictException's `resourceIds`). */
  readonly fields: Record<string, unknown> | undefined;
  constructor(code: string, message: string, status = 400, fields?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.status = status;
    this.fields = fields;
  }
}

// ---------- awsJson1_1 ----------

const JSON_TYPE = 'application/x-amz-json-1.1';

export function jsonOk(value: unknown): EmuResponse {
  return { status: 200, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(value ?? {}) };
}

export function jsonError(
  code: string,
  message: string,
  status = 400,
  fields: Record<string, unknown> = {},
): EmuResponse {
  return {
    status,
    headers: { 'content-type': JSON_TYPE, 'x-amzn-errortype': code },
    body: JSON.stringify({ __type: code, message, ...fields }),
  };
}

/** `X-Amz-Target: Prefix.Operation` → `Operation`. */
export function targetOperation(req: EmuRequest): string {
  const target = req.headers['x-amz-target'] ?? '';
  const dot = target.lastIndexOf('.');
  return dot >= 0 ? target.slice(dot + 1) : target;
}

/** classify() of an awsJson1_1 service: the target's operation, mutating when listed. */
export function classifyJson(req: EmuRequest, mutating: ReadonlySet<string>): { operation: string; mutating: boolean } {
  const operation = targetOperation(req);
  return { operation, mutating: mutating.has(operation) };
}

/** handle() of an awsJson1_1 service: parse the body, run the operation, turn an AwsError into its wire form. */
export function handleJson(
  req: EmuRequest,
  run: (operation: string, body: Record<string, unknown>) => unknown,
): EmuResponse {
  try {
    return jsonOk(run(targetOperation(req), parseJsonBody(req)));
  } catch (err) {
    if (err instanceof AwsError) return jsonError(err.code, err.message, err.status, err.fields);
    throw err;
  }
}

export function parseJsonBody(req: EmuRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  try {
    const v = JSON.parse(req.body.toString('utf8'));
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
  }
}

// ---------- query protocol (STS, ELBv2) ----------

/** Form body parameters (the query protocol POSTs `Action=...&Version=...`), merged over the URL query. */
export function parseQueryParams(req: EmuRequest): URLSearchParams {
  const params = new URLSearchParams(req.query);
  const ct = req.headers['content-type'] ?? '';
  if (req.body.length > 0 && (ct === '' || ct.startsWith('application/x-www-form-urlencoded'))) {
    for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) params.set(k, v);
  }
  return params;
}

/** `Names.member.1`, `Names.member.2`, ... → array in index order. */
export function queryList(params: URLSearchParams, prefix: string): string[] {
  const out: Array<[number, string]> = [];
  const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.member\\.(\\d+)$`);
  for (const [k, v] of params) {
    const m = re.exec(k);
    if (m) out.push([Number(m[1]), v]);
  }
  return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export type XmlValue = string | number | boolean | undefined | null | XmlValue[] | { [k: string]: XmlValue };

/** Serialise the query protocol's XML: arrays become `<member>` lists, undefined/null members are omitted. */
export function toXml(name: string, value: XmlValue): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return `<${name}>${value.map((v) => toXml('member', v)).join('')}</${name}>`;
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value)
      .map(([k, v]) => toXml(k, v))
      .join('')}</${name}>`;
  }
  return `<${name}>${xmlEscape(String(value))}</${name}>`;
}

export function queryOk(action: string, namespace: string, result: XmlValue, requestId: string): EmuResponse {
  const inner = result === undefined ? '' : toXml(`${action}Result`, result);
  return {
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body: `<${action}Response xmlns="${namespace}">${inner}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

export function queryError(namespace: string, err: AwsError, requestId: string): EmuResponse {
  const type = err.status >= 500 ? 'Receiver' : 'Sender';
  return {
    status: err.status,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${xmlEscape(err.code)}</Code><Message>${xmlEscape(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

// ---------- small shared utilities ----------

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export function randomDigits(n: number): string {
  let s = String(1 + ((randomBytes(1)[0] ?? 0) % 9));
  while (s.length < n) s += String((randomBytes(1)[0] ?? 0) % 10);
  return s;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function randomAlnum(n: number, alphabet = ALNUM): string {
  const bytes = randomBytes(n);
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return s;
}

/** Epoch seconds with millisecond precision: how awsJson1_1 carries timestamps. */
export function epochSeconds(ms: number): number {
  return Math.round(ms) / 1000;
}

/** Image glob → RegExp: `*` matches any run of characters (including `/` and `:`), `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** JSON with object keys sorted at every level: two requests with the same parameters compare equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Opaque pagination tokens: base64 of an offset. */
export function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64');
}

export function decodeToken(token: unknown, code = 'InvalidParameterException'): number {
  if (token === undefined || token === null || token === '') return 0;
  try {
    const v = JSON.parse(Buffer.from(String(token), 'base64').toString('utf8')) as { o?: unknown };
    if (typeof v.o === 'number' && v.o >= 0) return v.o;
  } catch {
    // fall through
  }
  throw new AwsError(code, 'The specified nextToken is invalid.');
}

export function paginate<T>(items: T[], token: unknown, max: number): { page: T[]; nextToken?: string } {
  const start = decodeToken(token);
  const page = items.slice(start, start + max);
  return start + max < items.length ? { page, nextToken: encodeToken(start + max) } : { page };
}
