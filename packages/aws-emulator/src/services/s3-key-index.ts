// A bucket's keys in the order S3 lists them, kept up to date by merging: keys added since the last listing are
// sorted on their own and merged in, keys removed are dropped on the way. Re-sorting every key after each new one cost
// a listing 15-70 ms of CPU on a 20,000-key bucket (the SPA bench after a few rounds: two tools' first deploys add
// 4,000 keys a round), on the same cores as the run it serves. s3.ts merges once a bucket's keys stop changing
// (KEY_INDEX_SETTLE_MS), so a listing finds the index ready; a listing during writes merges here first.

/**
 * Keys in the order S3 lists them: UTF-8 binary order ("List results are always returned in UTF-8 binary order",
 * S3 User Guide, ListingKeysUsingAPIs), which differs from JavaScript's `<` (UTF-16 code units) where a character
 * above U+FFFF meets one in U+E000-U+FFFF.
 */
export interface SortedKeys {
  keys: string[];
  /** Each key's UTF-8 bytes (what the order compares), index for index. */
  utf8: Buffer[];
}

export interface KeyIndex {
  /** The keys as of the last listing, or null before the first. */
  sorted: SortedKeys | null;
  /** Keys added since (in any order, maybe twice, maybe removed again). */
  added: string[];
  /** Whether any key was removed since. */
  removed: boolean;
}

export function newKeyIndex(): KeyIndex {
  return { sorted: null, added: [], removed: false };
}

/** A key that was not in the bucket is now. */
export function keyAdded(index: KeyIndex, key: string): void {
  if (index.sorted) index.added.push(key);
}

/** A key that was in the bucket is not any more. */
export function keyRemoved(index: KeyIndex): void {
  if (index.sorted) index.removed = true;
}

function sortedOf(keys: Iterable<string>): SortedKeys {
  const pairs = Array.from(keys, (key) => ({ key, utf8: Buffer.from(key) }));
  pairs.sort((x, y) => Buffer.compare(x.utf8, y.utf8));
  return { keys: pairs.map((p) => p.key), utf8: pairs.map((p) => p.utf8) };
}

/** The keys of `objects` (the bucket's, which the index follows) in S3's order. */
export function sortedKeys(index: KeyIndex, objects: ReadonlyMap<string, unknown>): SortedKeys {
  const old = index.sorted;
  if (old && index.added.length === 0 && !index.removed) return old;
  if (!old || index.added.length > old.keys.length) {
    index.sorted = sortedOf(objects.keys());
  } else {
    const fresh = sortedOf(new Set(index.added.filter((key) => objects.has(key))));
    const merged: SortedKeys = { keys: [], utf8: [] };
    const push = (key: string, utf8: Buffer) => {
      // a key removed and added again is in both lists: kept once; one removed for good is in the bucket no more
      const last = merged.keys.length - 1;
      if ((last >= 0 && merged.keys[last] === key) || !objects.has(key)) return;
      merged.keys.push(key);
      merged.utf8.push(utf8);
    };
    let i = 0;
    let j = 0;
    while (i < old.keys.length || j < fresh.keys.length) {
      const takeOld =
        j >= fresh.keys.length ||
        (i < old.keys.length && Buffer.compare(old.utf8[i] as Buffer, fresh.utf8[j] as Buffer) <= 0);
      if (takeOld) push(old.keys[i] as string, old.utf8[i++] as Buffer);
      else push(fresh.keys[j] as string, fresh.utf8[j++] as Buffer);
    }
    index.sorted = merged;
  }
  index.added = [];
  index.removed = false;
  return index.sorted;
}
