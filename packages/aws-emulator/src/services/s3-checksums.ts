// S3's flexible checksums (CRC32, CRC32C, CRC64NVME, SHA1, SHA256) and the MD5-based ETags, computed the way
// S3 and the SDKs do: base64 of the big-endian raw digest; multipart "composite" checksums are the checksum of the
// concatenated raw part checksums plus `-N`.
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { crc32c } from '@aws-crypto/crc32c';

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';
export const CHECKSUM_ALGORITHMS: ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

/** `x-amz-checksum-crc32` → `CRC32`; undefined for other headers. */
export function algorithmFromHeader(name: string): ChecksumAlgorithm | undefined {
  const m = /^x-amz-checksum-(crc32|crc32c|crc64nvme|sha1|sha256)$/i.exec(name.trim());
  return m ? (m[1]?.toUpperCase() as ChecksumAlgorithm) : undefined;
}

export function headerForAlgorithm(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

export function parseAlgorithm(value: string | undefined): ChecksumAlgorithm | undefined {
  if (!value) return undefined;
  const up = value.trim().toUpperCase();
  return (CHECKSUM_ALGORITHMS as string[]).includes(up) ? (up as ChecksumAlgorithm) : undefined;
}

// CRC-64/NVME (reflected polynomial 0x9a6c9329ac4bc9b5, init and xorout all ones), table-driven on two 32-bit
// halves so large bodies don't go through BigInt per byte.
const CRC64_LO = new Uint32Array(256);
const CRC64_HI = new Uint32Array(256);
{
  const poly = 0x9a6c9329ac4bc9b5n;
  for (let i = 0; i < 256; i++) {
    let c = BigInt(i);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
    CRC64_LO[i] = Number(c & 0xffffffffn);
    CRC64_HI[i] = Number(c >> 32n);
  }
}

export function crc64nvme(data: Uint8Array): Buffer {
  let lo = 0xffffffff;
  let hi = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    const idx = (lo ^ (data[i] as number)) & 0xff;
    const nlo = ((lo >>> 8) | (hi << 24)) >>> 0;
    const nhi = hi >>> 8;
    lo = (nlo ^ (CRC64_LO[idx] as number)) >>> 0;
    hi = (nhi ^ (CRC64_HI[idx] as number)) >>> 0;
  }
  const out = Buffer.alloc(8);
  out.writeUInt32BE(~hi >>> 0, 0);
  out.writeUInt32BE(~lo >>> 0, 4);
  return out;
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

/** Raw digest bytes of `data` for the algorithm. */
export function rawChecksum(algorithm: ChecksumAlgorithm, data: Uint8Array): Buffer {
  switch (algorithm) {
    case 'CRC32':
      return uint32(zlib.crc32(data));
    case 'CRC32C':
      return uint32(crc32c(data));
    case 'CRC64NVME':
      return crc64nvme(data);
    case 'SHA1':
      return createHash('sha1').update(data).digest();
    case 'SHA256':
      return createHash('sha256').update(data).digest();
  }
}

export function checksumBase64(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  return rawChecksum(algorithm, data).toString('base64');
}

/** S3's composite multipart checksum: checksum(concat(raw part checksums)) in base64, then `-N`. */
export function compositeChecksum(algorithm: ChecksumAlgorithm, partChecksumsBase64: string[]): string {
  const joined = Buffer.concat(partChecksumsBase64.map((c) => Buffer.from(c, 'base64')));
  return `${checksumBase64(algorithm, joined)}-${partChecksumsBase64.length}`;
}

export function md5(data: Uint8Array): Buffer {
  return createHash('md5').update(data).digest();
}

/** Quoted hex MD5, the ETag of a single-part object. */
export function singlePartEtag(data: Uint8Array): string {
  return `"${md5(data).toString('hex')}"`;
}

/** Quoted multipart ETag: md5(concat(binary part md5s)) + `-N`. */
export function multipartEtag(partEtags: string[]): string {
  const joined = Buffer.concat(partEtags.map((e) => Buffer.from(e.replace(/"/g, ''), 'hex')));
  return `"${md5(joined).toString('hex')}-${partEtags.length}"`;
}
