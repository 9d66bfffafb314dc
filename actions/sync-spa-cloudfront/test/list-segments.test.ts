import { describe, expect, test } from 'vitest';
import { byCodeUnits, byUtf8 } from '../src/compare';
import { keptInSegment, segmentEnds, segmentHoldsAll, segmentsOf, withCutAfter } from '../src/list-segments';

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

describe('segmentHoldsAll: every key under a prefix lies in the segment', () => {
  const dir = 'p/.deploy-actions/releases/';
  test.each([
    { segment: {}, want: true }, // the plain listing
    { segment: { through: 'p/assets/a.js' }, want: true }, // '.' 0x2E sorts before letters
    { segment: { after: 'p/-first.js', through: 'p/index.html' }, want: true }, // '-' 0x2D before '.'
    { segment: { after: 'p/-first.js' }, want: true },
    { segment: { through: 'p/.deploy-actions/x' }, want: true }, // past the records ('x' after 'r')
    { segment: { after: 'p/assets/a.js' }, want: false }, // begins after them
    { segment: { through: 'p/-first.js' }, want: false }, // ends before them
    { segment: { through: 'p/.deploy-actions/html/a.html' }, want: false }, // 'h' before 'r'
    { segment: { after: `${dir}20260101T000000000Z_r1.json` }, want: false }, // a bound among them
    { segment: { through: `${dir}20260101T000000000Z_r1.json` }, want: false },
    { segment: { after: dir }, want: false },
  ])('$segment → $want', ({ segment, want }) => {
    expect(segmentHoldsAll(segment, dir)).toBe(want);
  });

  test('at the bucket root', () => {
    expect(segmentHoldsAll({ through: 'assets/a.js' }, '.deploy-actions/releases/')).toBe(true);
    expect(segmentHoldsAll({ after: '-a', through: '0.js' }, '.deploy-actions/releases/')).toBe(true);
    expect(segmentHoldsAll({ after: '0.js' }, '.deploy-actions/releases/')).toBe(false);
  });
});

describe('withCutAfter: the release records in a segment of their own when the listing is cut', () => {
  const dir = 'p/.deploy-actions/releases/';
  test.each([
    { cuts: [], want: [] }, // one plain listing stays one
    { cuts: ['p/assets/a0899.js'], want: ['p/.deploy-actions/releases0', 'p/assets/a0899.js'] },
    { cuts: ['p/-a.js', 'p/b.js'], want: ['p/-a.js', 'p/.deploy-actions/releases0', 'p/b.js'] },
    { cuts: ['p/.deploy-actions/releases0'], want: ['p/.deploy-actions/releases0'] },
  ])('$cuts', ({ cuts, want }) => {
    expect(withCutAfter(cuts, dir)).toEqual(want);
  });

  test('the segment it ends holds every record and nothing after them', () => {
    const cuts = withCutAfter(['p/assets/a0899.js', 'p/index.html'], dir);
    const segments = segmentsOf(cuts);
    const holding = segments.filter((s) => segmentHoldsAll(s, dir));
    expect(holding).toEqual([{ through: 'p/.deploy-actions/releases0' }]);
    const keys = [
      `${dir}20260101T000000000Z_r1.json`,
      `${dir}20260102T000000000Z_r\u{10FFFF}.json`,
      'p/.deploy-actions/t',
      'p/assets/a.js',
    ];
    expect(keptInSegment([...keys].sort(byUtf8), holding[0]!.through)).toBe(2);
  });
});
