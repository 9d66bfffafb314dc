// Sorting keys, paths and ids by UTF-16 code units, as S3 lists keys: deterministic, and without localeCompare,
// whose first call loads ICU's collation data (~50 ms of a redeploy's CPU, measured with --cpu-prof).
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
