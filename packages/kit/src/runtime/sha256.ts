import { createHash, createHmac, createSecretKey, type Hash, type Hmac, type KeyObject } from 'node:crypto';

// The SHA-256 every client signs with (`sha256` in the client config, which SigV4 and the SDK's checksums take as
// given). The SDK's default passes each HMAC key to createHmac as a string or Buffer, and Node 24 turns that into a
// key object on every call: ~14 µs per HMAC against ~4 µs with a KeyObject (measured, 4,000 HMACs). SigV4 computes
// two HMACs per request with keys that do not change for the run — one over the secret key only to look up its
// signing-key cache, one with that cached signing key — so on 2,000 uploads this was ~100 ms of one core (the
// `getKeyObjectSlots` / `Hmac` frames of a --cpu-prof). This class does what the SDK's node:crypto class does
// (@smithy/core `Sha256`: same interface, same bytes hashed, same digests — test/runtime/sha256.test.ts compares the
// two), with each key's KeyObject kept for the next call with the same key.

/** Keys seen: few per run (the secret key, "AWS4"+secret, one signing key per day, region and service). */
const MAX_KEYS = 32;
const byString = new Map<string, KeyObject>();
/** A key given as bytes: its KeyObject and a copy of the bytes it was made from (a reused buffer is caught). */
const byBytes = new WeakMap<object, { bytes: Buffer; key: KeyObject }>();

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytesOf(data: ArrayBuffer | ArrayBufferView): Buffer {
  return ArrayBuffer.isView(data)
    ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    : Buffer.from(data as ArrayBuffer);
}

/** The KeyObject for an HMAC key, made once per key (by value for strings, per object for bytes). */
export function hmacKey(secret: SourceData): KeyObject {
  if (typeof secret === 'string') {
    let key = byString.get(secret);
    if (key === undefined) {
      if (byString.size >= MAX_KEYS) byString.clear();
      key = createSecretKey(Buffer.from(secret, 'utf8'));
      byString.set(secret, key);
    }
    return key;
  }
  const bytes = bytesOf(secret);
  const held = byBytes.get(secret);
  if (held?.bytes.equals(bytes)) return held.key;
  const key = createSecretKey(bytes); // (copies the bytes)
  byBytes.set(secret, { bytes: Buffer.from(bytes), key });
  return key;
}

/**
 * SHA-256 or, with a secret, HMAC-SHA-256, with the SDK's Checksum interface: `update`, `digest` (a Promise, as the
 * SDK awaits it; a plain hash can be digested again and updated further), `reset`.
 */
export class Sha256 {
  readonly digestLength = 32;
  private hash: Hash | Hmac;
  private finished = false;
  /** As the SDK's class decides it: any secret but undefined and '' (empty bytes are an empty HMAC key). */
  private readonly isHmac: boolean;

  constructor(private readonly secret?: SourceData) {
    this.isHmac = !!secret;
    this.hash = this.start();
  }

  update(data: SourceData): void {
    if (this.finished) throw new Error('Attempted to update an already finished hash.');
    this.hash.update(typeof data === 'string' ? data : bytesOf(data));
  }

  async digest(): Promise<Uint8Array> {
    let out: Buffer;
    if (this.isHmac) {
      this.finished = true;
      out = this.hash.digest();
    } else {
      out = (this.hash as Hash).copy().digest();
    }
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }

  reset(): void {
    this.hash = this.start();
    this.finished = false;
  }

  private start(): Hash | Hmac {
    return this.isHmac ? createHmac('sha256', hmacKey(this.secret!)) : createHash('sha256');
  }
}
