import { ConfigurationError } from '@deploy-actions/kit/runtime';

// Validation of S3 bucket names and key prefixes, done before any call so a typo is one clear input error.

/**
 * General-purpose bucket naming rules: 3–63 characters; lower-case letters, digits, dots and hyphens; starts and ends
 * with a letter or digit; no `..`; not an IP address; no reserved prefixes/suffixes. Throws ConfigurationError.
 */
export function validateBucketName(input: string, raw: string): string {
  const name = raw.trim();
  if (name === '') throw new ConfigurationError(input, 'is required: expected an S3 bucket name');
  if (/^s3:\/\//i.test(name)) {
    throw new ConfigurationError(
      input,
      `expected a bucket name, not a URL: use ${JSON.stringify(name.replace(/^s3:\/\//i, '').split('/')[0])} (and the prefix input for the path)`,
    );
  }
  const problems: string[] = [];
  if (name.length < 3 || name.length > 63) problems.push('must be 3 to 63 characters long');
  if (/[A-Z]/.test(name)) problems.push('must be lower case');
  if (/[^a-zA-Z0-9.-]/.test(name)) problems.push('may contain only letters, digits, dots and hyphens');
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) problems.push('must start and end with a letter or digit');
  if (name.includes('..')) problems.push('must not contain two adjacent dots');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) problems.push('must not look like an IP address');
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name)) problems.push('must not start with a reserved prefix');
  if (/(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(name)) problems.push('must not end with a reserved suffix');
  if (problems.length) {
    throw new ConfigurationError(input, `invalid bucket name ${JSON.stringify(name)}: ${problems.join('; ')}`);
  }
  return name;
}

/**
 * A key prefix as given by a user (`site`, `/site/`, `a/b`) → normalised without leading/trailing slashes ('' for the
 * bucket root). Rejects `.`/`..` segments (a prefix must never escape upwards), empty segments (`a//b`), backslashes
 * and control characters.
 */
export function normalizePrefix(input: string, raw: string): string {
  const value = raw.trim().replace(/^\/+|\/+$/g, '');
  if (value === '') return '';
  if (/[\u0000-\u001f\u007f\\]/.test(value)) {
    throw new ConfigurationError(
      input,
      `must not contain backslashes or control characters, got ${JSON.stringify(raw.trim())}`,
    );
  }
  const segments = value.split('/');
  if (segments.some((s) => s === '..' || s === '.')) {
    throw new ConfigurationError(
      input,
      `must not contain '.' or '..' segments (a prefix cannot point outside itself), got ${JSON.stringify(raw.trim())}`,
    );
  }
  if (segments.some((s) => s === '')) {
    throw new ConfigurationError(input, `must not contain empty segments ('//'), got ${JSON.stringify(raw.trim())}`);
  }
  if (Buffer.byteLength(value) > 900)
    throw new ConfigurationError(input, 'is too long (S3 keys are limited to 1024 bytes)');
  return value;
}

/** `prefix` + `/` + `relative` (no leading slash), or just `relative` for the bucket root. */
export function joinKey(prefix: string, relative: string): string {
  return prefix === '' ? relative : `${prefix}/${relative}`;
}

/** True when `key` lies strictly inside `prefix` ('' = whole bucket). */
export function isInsidePrefix(prefix: string, key: string): boolean {
  return prefix === '' ? key !== '' : key.startsWith(`${prefix}/`) && key.length > prefix.length + 1;
}
