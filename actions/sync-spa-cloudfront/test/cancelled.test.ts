import { describe, expect, test } from 'vitest';
import { cancelledLine } from '../src/cancelled';

describe('cancelledLine: what a cancel leaves, by stage', () => {
  test.each([
    ['scan', {}, /while reading the source: nothing was written/],
    ['plan', { ListObjectsV2: 2 }, /while planning: nothing was written/],
    ['publish', { PutObject: 7 }, /while publishing, after 7 write\(s\).*previous release.*no release record/],
    ['record', { PutObject: 20 }, /release record: every file is published; re-run/],
    ['prune', {}, /while pruning old releases: the new release is published and recorded/],
    ['invalidate', { CreateInvalidation: 1 }, /waiting for the invalidation.*completes the invalidation on its own/],
    ['invalidate', {}, /before the invalidation was requested.*re-run to invalidate/],
  ] as const)('%s %j', (stage, requests, expected) => {
    const line = cancelledLine({ stage, requests, reason: 'received SIGINT' });
    expect(line).toMatch(/^Cancelled \(received SIGINT\) /);
    expect(line).toMatch(expected);
  });
});
