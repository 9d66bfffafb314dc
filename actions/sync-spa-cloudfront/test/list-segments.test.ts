import { describe, expect, test } from 'vitest';
import { byCodeUnits, byUtf8 } from '../src/compare';
import { keptInSegment, segmentEnds, segmentsOf } from '../src/list-segments';

// Where a listing is cut into segments (list-segments.ts) and the order it is cut in: S3's, UTF-8 bytes.

describe('byUtf8: S3 order (UTF-8 bytes = code points)', () => {
  const utf8 = (a: string, b: string) => Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
  test.each([
    ['a', 'b'],
    ['a', 'a/'],
    ['a/b', 'a-b'], // '/' 0x2F after '-' 0x2D
    ['Z', 'a'],
    ['é', 'z'],
    ['\uffff', '😀'], // U+FFFF before U+1F600: code units say the opposite
    ['\ue000x', '😀'],
    ['😀', '😁'],
    ['x😀', 'x\uff21'],
    ['same', 'same'],
    ['', 'a'],
  ])('%j vs %j as Buffer.compare', (a, b) => {
    expect(Math.sign(byUtf8(a, b))).toBe(utf8(a, b));
    expect(Math.sign(byUtf8(b, a))).toBe(utf8(b, a));
  });

  test('it differs from code units only where a pair meets U+E000-U+FFFF', () => {
    expect(byCodeUnits('\uffff', '😀')).toBe(1);
    expect(Math.sign(byUtf8('\uffff', '😀'))).toBe(-1);
  });
});

const keys = (n: number) => Array.from({ length: n }, (_, i) => `p/f${String(i).padStart(5, '0')}`);

describe('segmentEnds', () => {
  test.each([
    { n: 0, want: [] },
    { n: 1, want: [] },
    { n: 900, want: [] }, // one page of expected keys: one plain listing
    { n: 901, want: ['p/f00899'] },
    { n: 1800, want: ['p/f00899'] }, // never at the last key: nothing expected after it
    { n: 1801, want: ['p/f00899', 'p/f01799'] },
    { n: 2000, want: ['p/f00899', 'p/f01799'] },
  ])('$n expected keys → $want', ({ n, want }) => {
    expect(segmentEnds(keys(n))).toEqual(want);
  });

  test('every per-th key as given (the walk sorts by code units), returned in S3 order without repeats', () => {
    expect(segmentEnds(['a', 'c', 'b', '😀', 'd', '\uffff', 'z'], 2)).toEqual(['c', '\uffff', '😀']);
    expect(segmentEnds(['x', 'x', 'x', 'x', 'x'], 2)).toEqual(['x']);
  });
});

describe('segmentsOf', () => {
  test.each([
    { ends: [], want: [{}] },
    { ends: ['m'], want: [{ through: 'm' }, { after: 'm' }] },
    { ends: ['g', 'p'], want: [{ through: 'g' }, { after: 'g', through: 'p' }, { after: 'p' }] },
  ])('$ends → $want', ({ ends, want }) => {
    expect(segmentsOf(ends)).toEqual(want);
  });
});

describe('keptInSegment: a page cut at the segment end (inclusive)', () => {
  test.each([
    { page: ['a', 'b', 'c'], through: undefined, want: 3 },
    { page: ['a', 'b', 'c'], through: 'b', want: 2 }, // the end key itself is this segment's
    { page: ['a', 'b', 'c'], through: 'bb', want: 2 },
    { page: ['a', 'b', 'c'], through: '0', want: 0 },
    { page: ['a', 'b', 'c'], through: 'z', want: 3 },
    { page: [], through: 'b', want: 0 },
    { page: ['\uffff', '😀'], through: '\ufffe', want: 0 },
    { page: ['\uffff', '😀'], through: '\uffff', want: 1 }, // S3 lists U+FFFF before the pair
  ])('$page through $through → $want', ({ page, through, want }) => {
    expect(keptInSegment(page, through)).toBe(want);
  });
});
