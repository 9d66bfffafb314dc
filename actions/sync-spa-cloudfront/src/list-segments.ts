import { byUtf8 } from './compare';

// Listing a prefix in segments side by side (issue #15). ListObjectsV2 pages follow one another, each asked with the
// last one's token, so a 2,000-object prefix is two round trips in a row, and a 50,000-object one fifty. A listing
// may also start after any key (StartAfter), and the build at hand says which keys the prefix mostly holds: cut at
// every SEGMENT_FILES-th of them, each segment is one page (a page holds 1,000 keys; the rest is room for what else
// is there: release records, files since deleted) listed at the same time as the others. A segment holding more
// than a page goes on with its token until it passes its end, so nothing depends on the guess being right. Pure.

/** Expected keys per segment. */
export const SEGMENT_FILES = 900;

/**
 * Where the segments end, in S3's order (UTF-8 bytes): every SEGMENT_FILES-th of `expectedKeys`, never the last one
 * (a segment after it would expect nothing). Empty: one segment, the plain listing.
 */
export function segmentEnds(expectedKeys: readonly string[], per: number = SEGMENT_FILES): string[] {
  const picked: string[] = [];
  for (let i = per - 1; i < expectedKeys.length - 1; i += per) picked.push(expectedKeys[i]!);
  picked.sort(byUtf8); // the caller's order may be UTF-16's (the walk's)
  return picked.filter((key, i) => i === 0 || key !== picked[i - 1]);
}

/**
 * A segment: after `after` (from the start when undefined) up to and including `through` (to the end when
 * undefined).
 */
export interface Segment {
  after?: string;
  through?: string;
}

export function segmentsOf(ends: readonly string[]): Segment[] {
  const segments: Segment[] = [];
  for (let i = 0; i <= ends.length; i++) {
    const segment: Segment = {};
    if (i > 0) segment.after = ends[i - 1]!;
    if (i < ends.length) segment.through = ends[i]!;
    segments.push(segment);
  }
  return segments;
}

/** How many of a page's keys (in S3's order) belong to a segment ending at `through`: the rest belong to the next. */
export function keptInSegment(keys: readonly string[], through: string | undefined): number {
  if (through === undefined) return keys.length;
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (byUtf8(keys[mid]!, through) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Whether every key under `dir` (a key prefix) lies in `segment`: then that segment, once listed, has listed all of
 * them (records.ts reads the newest release record as soon as the segment holding them is in, not after every page).
 * False when a bound falls inside `dir` (cuts are the build's paths, which never are; false is the safe answer).
 */
export function segmentHoldsAll(segment: Segment, dir: string): boolean {
  if (segment.after !== undefined && (segment.after.startsWith(dir) || byUtf8(segment.after, dir) >= 0)) return false;
  if (segment.through !== undefined && (segment.through.startsWith(dir) || byUtf8(segment.through, dir) < 0))
    return false;
  return true;
}

/** A key (of none) that sorts after every key under `dir` (ending in '/'): '/' (0x2F) there, '0' (0x30) here. */
export function pastAll(dir: string): string {
  return `${dir.slice(0, -1)}0`;
}

/**
 * `cuts` with one more, just past every key under `dir` (the release records): when the listing is cut anyway, the
 * records get a short segment of their own, whose page comes back first, so the newest record is read beside the
 * other pages instead of after the page it would share (one more list request, on sites of 900 files or more).
 */
export function withCutAfter(cuts: readonly string[], dir: string): string[] {
  if (cuts.length === 0 || !dir.endsWith('/')) return [...cuts];
  const all = [...cuts, pastAll(dir)].sort(byUtf8);
  return all.filter((key, i) => i === 0 || key !== all[i - 1]);
}
