import { describe, expect, test } from 'vitest';
import { claimBack, claimFront, frontTaken, newClaims } from '../src/hash-claims';

// The claim word two threads share (hash-claims.ts): every index handed out once, front and back meeting anywhere.

describe('claims: each index once, from either end', () => {
  test.each([
    { count: 0, order: 'ff', want: [undefined, undefined], front: 0 },
    { count: 1, order: 'fb', want: [0, undefined], front: 1 },
    { count: 1, order: 'bf', want: [0, undefined], front: 0 },
    { count: 3, order: 'ffff', want: [0, 1, 2, undefined], front: 3 },
    { count: 3, order: 'bbbb', want: [2, 1, 0, undefined], front: 0 },
    { count: 4, order: 'fbfbf', want: [0, 3, 1, 2, undefined], front: 2 },
    { count: 5, order: 'bbfbbf', want: [4, 3, 0, 2, 1, undefined], front: 1 },
  ])('$count files, taken $order → $want (front took $front)', ({ count, order, want, front }) => {
    const claims = newClaims(count);
    const got = [...order].map((side) => (side === 'f' ? claimFront(claims) : claimBack(claims)));
    expect(got).toEqual(want);
    expect(frontTaken(claims)).toBe(front);
  });

  test('counts up to 2^32 - 1 fit the word; others are refused', () => {
    const claims = newClaims(0xffffffff);
    expect(claimBack(claims)).toBe(0xfffffffe);
    expect(claimFront(claims)).toBe(0);
    expect(() => newClaims(-1)).toThrow(RangeError);
    expect(() => newClaims(2 ** 32)).toThrow(RangeError);
    expect(() => newClaims(1.5)).toThrow(RangeError);
  });

  test('the word is shared memory (posting it to a worker shares it, not a copy)', () => {
    expect(newClaims(3).buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});
