import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Sha256 as SdkSha256 } from '@smithy/core/checksum';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { hmacKey, Sha256 } from '../../src/runtime/sha256';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
type Data = string | Uint8Array | ArrayBuffer;
async function digestOf(
  Ctor: new (secret?: Data) => { update(d: Data): void; digest(): Promise<Uint8Array> },
  secret: Data | undefined,
  parts: Data[],
) {
  const h = new Ctor(secret);
  for (const p of parts) h.update(p);
  return hex(await h.digest());
}

describe('Sha256 (the clients’ SigV4 hash)', () => {
  test('RFC 4231 test case 2 (HMAC-SHA-256, key "Jefe")', async () => {
    expect(await digestOf(Sha256, 'Jefe', ['what do ya want ', 'for nothing?'])).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  test.each<[string, Data | undefined, Data[]]>([
    ['plain hash of a string', undefined, ['hello']],
    ['plain hash, no data', undefined, []],
    ['empty string secret is a plain hash', '', ['x']],
    ['HMAC, string key', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', ['AKIDEXAMPLE']],
    ['HMAC, unicode key and data', 'clé-ß-秘密', ['données ', new Uint8Array([0, 255, 1])]],
    ['HMAC, Uint8Array key', new Uint8Array(32).fill(7), ['20261206']],
    ['HMAC, ArrayBuffer key', new Uint8Array([1, 2, 3]).buffer, [new Uint8Array([4, 5])]],
    ['HMAC, empty bytes key', new Uint8Array(0), ['data']],
    ['HMAC, key longer than a block', 'k'.repeat(200), ['data']],
  ])('%s: the SDK’s digest', async (_name, secret, parts) => {
    expect(await digestOf(Sha256, secret, parts)).toBe(await digestOf(SdkSha256 as never, secret, parts));
  });

  test('a view of a larger buffer hashes only its bytes', async () => {
    const big = Buffer.from('xxxKEYxxxDATAxxx');
    const key = new Uint8Array(big.buffer, big.byteOffset + 3, 3);
    const data = new Uint8Array(big.buffer, big.byteOffset + 9, 4);
    expect(await digestOf(Sha256, key, [data])).toBe(await digestOf(Sha256, 'KEY', ['DATA']));
  });

  test('a plain hash can be digested again and updated further; reset starts over', async () => {
    const h = new Sha256();
    h.update('a');
    const first = hex(await h.digest());
    expect(hex(await h.digest())).toBe(first);
    h.update('b');
    expect(hex(await h.digest())).toBe(await digestOf(Sha256, undefined, ['ab']));
    h.reset();
    h.update('c');
    expect(hex(await h.digest())).toBe(await digestOf(Sha256, undefined, ['c']));
  });

  test('an HMAC is finished by its digest, until reset', async () => {
    const h = new Sha256('k');
    h.update('a');
    await h.digest();
    expect(() => h.update('b')).toThrow(/already finished/);
    h.reset();
    h.update('a');
    expect(hex(await h.digest())).toBe(await digestOf(Sha256, 'k', ['a']));
  });

  test('one key object per key: by value for strings, per buffer for bytes, remade when the bytes change', () => {
    expect(hmacKey('secret')).toBe(hmacKey('secret'));
    expect(hmacKey('secret')).not.toBe(hmacKey('secret2'));
    const bytes = new Uint8Array([1, 2, 3]);
    const first = hmacKey(bytes);
    expect(hmacKey(bytes)).toBe(first);
    bytes[0] = 9; // a reused buffer: its new bytes, not the cached key
    const second = hmacKey(bytes);
    expect(second).not.toBe(first);
    expect(second.export()).toEqual(Buffer.from([9, 2, 3]));
    expect(first.export()).toEqual(Buffer.from([1, 2, 3]));
  });

  test('more keys than the cache holds: still the right key', async () => {
    for (let i = 0; i < 100; i++) hmacKey(`key-${i}`);
    expect(await digestOf(Sha256, 'key-3', ['d'])).toBe(await digestOf(SdkSha256 as never, 'key-3', ['d']));
  });
});

describe('an S3 client signs the same with it', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** The Authorization header a client with `sha256` signs for a PutObject, at a fixed time, without sending it. */
  async function authorization(sha256: unknown, key: string): Promise<string> {
    const client = new S3Client({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      ...(sha256 ? { sha256: sha256 as never } : {}),
    });
    let seen = '';
    // the one random signed header: fixed, as the clock is
    client.middlewareStack.addRelativeTo(
      (next: any) => (args: any) => {
        args.request.headers['amz-sdk-invocation-id'] = 'fixed';
        return next(args);
      },
      { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'fixedInvocationId' },
    );
    client.middlewareStack.add(
      () => async (args) => {
        seen = (args.request as { headers: Record<string, string> }).headers.authorization!;
        return { output: {} as never, response: {} };
      },
      { step: 'finalizeRequest', priority: 'low', name: 'captureAuthorization' },
    );
    await client
      .send(new PutObjectCommand({ Bucket: 'b-site', Key: key, Body: 'hello', ContentType: 'text/plain' }))
      .catch(() => undefined);
    return seen;
  }

  test.each(['index.html', 'assets/app-1a2B3c4D.js', 'a b/ü+(1).txt'])('%s', async (key) => {
    vi.useFakeTimers({ now: new Date('2026-12-06T04:31:21Z'), toFake: ['Date'] });
    const sdk = await authorization(undefined, key);
    const ours = await authorization(Sha256, key);
    expect(sdk).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261206\/eu-west-1\/s3\/aws4_request, .*Signature=[0-9a-f]{64}$/,
    );
    expect(ours).toBe(sdk);
    // once more: from the cached key objects
    expect(await authorization(Sha256, key)).toBe(sdk);
  });
});
