import { describe, expect, test } from 'vitest';
import { BodyPool } from '../src/body-pool';

describe('BodyPool', () => {
  test('a buffer given back is the next one taken; a new one when none is free', () => {
    const pool = new BodyPool(1024, 2);
    const a = pool.take();
    const b = pool.take();
    expect(a.length).toBe(1024);
    expect(b).not.toBe(a);
    expect(b.buffer).not.toBe(a.buffer);
    pool.give(a);
    expect(pool.held).toBe(1);
    expect(pool.take()).toBe(a);
    expect(pool.held).toBe(0);
  });

  test('holds at most `keep` unused buffers, and only its own size', () => {
    const pool = new BodyPool(16, 2);
    const taken = [pool.take(), pool.take(), pool.take()];
    for (const b of taken) pool.give(b);
    expect(pool.held).toBe(2);
    pool.give(Buffer.alloc(8)); // a view or another buffer: not kept
    expect(pool.held).toBe(2);
  });
});
