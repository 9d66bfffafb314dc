// Whether a failed registry command (login, push) is worth another attempt, and after how long. Pure: the decision
// reads only the command's output and the attempt number, so it is table-tested (test/registry-retry.test.ts).
//
// Why more than buildah's own `--retry`: buildah 1.28 retries a push only on network errors, not on a registry's
// 5xx answer ("received unexpected HTTP status: 503"); it handles 429 itself. ECR answers 5xx now and then under
// load, and every blob already sent is skipped by the next attempt, so a transient failure is repeated up to
// TRANSIENT_ATTEMPTS times (backoff 1, 2, 4, 8, 8… s, 55 s of waits in all). A failure the registry will answer the
// same way again (denied, unauthorized, unknown repository, invalid manifest) is not repeated: the user reads it at
// once. Output that fits neither keeps the old rule of 3 attempts.

export const TRANSIENT_ATTEMPTS = 10;
export const UNKNOWN_ATTEMPTS = 3;

export type RegistryFailureKind = 'transient' | 'permanent' | 'unknown';

const PERMANENT =
  /\b(denied|unauthorized|authentication required|name unknown|name_unknown|manifest invalid|manifest_invalid|repository does not exist|no such host|x509:|certificate)\b/i;
const TRANSIENT =
  /(HTTP status: (429|5\d\d)|\b(429|5\d\d) \((Too Many Requests|[A-Za-z ]+)\)|connection reset|broken pipe|unexpected EOF|\bEOF\b|i\/o timeout|TLS handshake timeout|connection refused|too many requests|server misbehaving|timeout awaiting response headers)/i;

/** What a failed registry command's output says about trying again. A permanent cause wins over a transient one. */
export function classifyRegistryFailure(output: string): RegistryFailureKind {
  if (PERMANENT.test(output)) return 'permanent';
  if (TRANSIENT.test(output)) return 'transient';
  return 'unknown';
}

/** The attempt limit for `kind` (also in the log line). */
export function registryAttempts(kind: RegistryFailureKind): number {
  return kind === 'transient' ? TRANSIENT_ATTEMPTS : kind === 'unknown' ? UNKNOWN_ATTEMPTS : 1;
}

/** Milliseconds to wait before attempt `attempt + 1`, or undefined when `attempt` was the last one. */
export function registryRetryDelay(kind: RegistryFailureKind, attempt: number): number | undefined {
  if (attempt >= registryAttempts(kind)) return undefined;
  return kind === 'transient' ? Math.min(8000, 1000 * 2 ** (attempt - 1)) : attempt * 2000;
}
