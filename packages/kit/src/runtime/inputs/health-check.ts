import { ConfigurationError } from '../errors';
import { contentLines, quote } from './readers';

// Health-check inputs of deploy-ecs-wait and deploy-ecs. A URL carrying credentials (`https://user:pass@host/`)
// is refused: fetch rejects such URLs, so the check could never pass, and the password would reach logs and the
// summary. Credentials go in `health-check-headers` instead, sent with every health-check request and masked.

/** One `health-check-url` (http/https, no `user:password@`). The message never repeats a password. */
export function parseHealthCheckUrl(input: string, raw: string): string {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigurationError(
      input,
      `expected an http(s) URL, got ${quote(text.replace(/\/\/[^/@\s]*@/, '//***@'))}`,
    );
  }
  if (url.username || url.password) {
    throw new ConfigurationError(
      input,
      `${url.protocol}//***@${url.host}${url.pathname}: credentials in the URL are not sent (fetch refuses them) and would be printed; put them in health-check-headers instead, e.g. "Authorization: Basic <base64 of user:password>" (values are masked)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigurationError(input, `expected an http(s) URL, got ${quote(text)}`);
  }
  return url.toString();
}

/** HTTP header names (RFC 9110 tokens). */
const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers a health check must not set: fetch manages them, or they would change what is checked. */
const REFUSED_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'expect', 'upgrade']);

/**
 * `health-check-headers`: `Name: value` lines (blank lines and `#` lines skipped), sent with every health-check
 * request. Returns the pairs in order; the caller masks every value (core.setSecret).
 */
export function parseHealthCheckHeaders(input: string, raw: string): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  const seen = new Map<string, number>();
  for (const { line, text } of contentLines(raw)) {
    const colon = text.indexOf(':');
    if (colon <= 0)
      throw new ConfigurationError(input, `line ${line}: expected "Name: value" (the value is not shown)`);
    const name = text.slice(0, colon).trim();
    const value = text.slice(colon + 1).trim();
    if (!HEADER_NAME_RE.test(name))
      throw new ConfigurationError(input, `line ${line}: ${quote(name)} is not a header name`);
    if (REFUSED_HEADERS.has(name.toLowerCase())) {
      throw new ConfigurationError(input, `line ${line}: the ${name} header cannot be set for a health check`);
    }
    if (/[\0\r\n]/.test(value))
      throw new ConfigurationError(input, `line ${line}: the value of ${name} has a control character`);
    const previous = seen.get(name.toLowerCase());
    if (previous !== undefined)
      throw new ConfigurationError(input, `line ${line}: ${name} already set on line ${previous}`);
    seen.set(name.toLowerCase(), line);
    headers.push([name, value]);
  }
  return headers;
}
