// ECS client tokens (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/ECS_Idempotency.html): a request
// retried with the same token and the same parameters returns the first request's result and changes nothing;
// the same token with other parameters is refused. Tokens are scoped to a cluster. RunTask tokens live 24 hours;
// the SDKs and the AWS CLI generate one for every RunTask (the model marks it `idempotencyToken`), so a retry after
// a lost response starts no second task. CreateService (and CreateTaskSet) accept a token but no client fills one
// in. RegisterTaskDefinition and UpdateService take none: a retried RegisterTaskDefinition registers a new revision.
import { AwsError, canonicalJson } from './ecs-wire.ts';

/** RunTask client token lifetime (the idempotency page: "The RunTask client token has a TTL of 24 hours"). */
export const RUN_TASK_TOKEN_TTL_MS = 24 * 3600 * 1000;

/** Token rules of the idempotency page: up to `max` ASCII characters in the range 33-126 (inclusive). */
export function clientToken(raw: unknown, max: number): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string' || raw.length > max || !/^[\x21-\x7e]+$/.test(raw)) {
    throw new AwsError(
      'InvalidParameterException',
      `clientToken can be up to ${max} ASCII characters in the range of 33-126 (inclusive).`,
    );
  }
  return raw;
}

/** The parameters that must match for a retry: the whole request minus the token itself. */
export function requestFingerprint(body: Record<string, unknown>): string {
  const { clientToken: _token, ...rest } = body;
  return canonicalJson(rest);
}

interface TokenRecord<T> {
  fingerprint: string;
  result: T;
  expiresAt: number;
}

/** Remembered results by (cluster, token), expiring in simulated time. */
export class ClientTokenStore<T> {
  private readonly records = new Map<string, TokenRecord<T>>();

  get(scope: string, token: string, now: number): TokenRecord<T> | undefined {
    const key = `${scope}\n${token}`;
    const record = this.records.get(key);
    if (record && record.expiresAt <= now) {
      this.records.delete(key);
      return undefined;
    }
    return record;
  }

  put(scope: string, token: string, fingerprint: string, result: T, expiresAt: number): void {
    this.records.set(`${scope}\n${token}`, { fingerprint, result, expiresAt });
  }

  clear(): void {
    this.records.clear();
  }
}
