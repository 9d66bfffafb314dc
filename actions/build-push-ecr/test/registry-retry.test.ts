import { describe, expect, test } from 'vitest';
import {
  classifyRegistryFailure,
  type RegistryFailureKind,
  registryRetryDelay,
  TRANSIENT_ATTEMPTS,
} from '../src/registry-retry';

// Outputs as buildah 1.28 prints them (the first four seen in the reliability suite's seed 6 under faults).
describe('classifyRegistryFailure', () => {
  test.each<[string, RegistryFailureKind]>([
    [
      'Error: pushing image "r/shop/web:1" to "docker://r/shop/web:1": writing blob: uploading layer to http://r/v2/shop/web/blobs/uploads/x?digest=sha256%3Aa0: received unexpected HTTP status: 503 Service Unavailable',
      'transient',
    ],
    [
      'Error: pushing image "r/shop/web:1": trying to reuse blob sha256:5a at destination: failed to read from destination repository shop/web: 503 (Service Unavailable)',
      'transient',
    ],
    [
      'writing blob: initiating layer upload to /v2/shop/web/blobs/uploads/ in r: received unexpected HTTP status: 502 Bad Gateway',
      'transient',
    ],
    [
      'Error: writing blob: Patch "http://r/v2/x/blobs/uploads/y": read tcp 1->2: read: connection reset by peer',
      'transient',
    ],
    ['Error: writing manifest: Put "https://r/v2/x/manifests/1": unexpected EOF', 'transient'],
    ['error authenticating creds for "r": received unexpected HTTP status: 429 Too Many Requests', 'transient'],
    ['Error: pinging container registry r: Get "https://r/v2/": dial tcp 1:443: i/o timeout', 'transient'],
    // The registry will answer these the same way again: no second attempt.
    [
      'Error: authenticating creds for "r": denied: Your authorization token has expired. Reauthenticate and try again.',
      'permanent',
    ],
    ['error logging into "r": invalid username/password: unauthorized: authentication required', 'permanent'],
    [
      "Error: writing blob: initiating layer upload: name unknown: The repository with name 'x' does not exist",
      'permanent',
    ],
    ['Error: writing manifest: uploading manifest 1 to r/x: manifest invalid: tag is immutable', 'permanent'],
    ['x509: certificate signed by unknown authority', 'permanent'],
    // A permanent cause wins when both show (a 5xx retried inside buildah, then a denial).
    [
      'received unexpected HTTP status: 503 Service Unavailable … denied: not authorized to perform ecr:PutImage',
      'permanent',
    ],
    ['Error: something buildah has never said before', 'unknown'],
    ['', 'unknown'],
  ])('%s → %s', (output, kind) => {
    expect(classifyRegistryFailure(output)).toBe(kind);
  });
});

describe('registryRetryDelay', () => {
  test.each<[RegistryFailureKind, number, number | undefined]>([
    ['transient', 1, 1000],
    ['transient', 2, 2000],
    ['transient', 3, 4000],
    ['transient', 4, 8000],
    ['transient', 9, 8000],
    ['transient', TRANSIENT_ATTEMPTS, undefined],
    ['unknown', 1, 2000],
    ['unknown', 2, 4000],
    ['unknown', 3, undefined],
    ['permanent', 1, undefined],
  ])('%s after attempt %i → %s ms', (kind, attempt, delay) => {
    expect(registryRetryDelay(kind, attempt)).toBe(delay);
  });

  test('a transient failure waits 55 s in all before giving up (a real outage is not hidden for long)', () => {
    let total = 0;
    for (let a = 1; registryRetryDelay('transient', a) !== undefined; a++) total += registryRetryDelay('transient', a)!;
    expect(total).toBe(1000 + 2000 + 4000 + 8000 * 6);
  });
});
