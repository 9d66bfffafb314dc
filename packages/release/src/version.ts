import semver from 'semver';

/** A release version `X.Y.Z` (a leading `v` is accepted), or an error message saying why not. */
export function parseReleaseVersion(input: string): { version: string } | { error: string } {
  const raw = input.startsWith('v') ? input.slice(1) : input;
  const parsed = semver.parse(raw);
  if (!parsed || parsed.raw !== raw) return { error: `${input} is not a semver version X.Y.Z` };
  if (parsed.prerelease.length || parsed.build.length) {
    return { error: `${input} is a prerelease/build version: releases are X.Y.Z (they move the vX and vX.Y tags)` };
  }
  return { version: parsed.version };
}

/** The release versions among `tags` (`vX.Y.Z` only; `v1`, `v1.2` and others ignored), newest first. */
export function releaseVersions(tags: readonly string[]): string[] {
  return tags
    .filter((t) => /^v\d+\.\d+\.\d+$/.test(t) && semver.valid(t.slice(1)))
    .map((t) => t.slice(1))
    .sort(semver.rcompare);
}

export const majorTag = (version: string) => `v${semver.major(version)}`;
export const minorTag = (version: string) => `v${semver.major(version)}.${semver.minor(version)}`;

/**
 * Which floating tags release `version` moves: vX when it is the newest release of major X, vX.Y when it is the
 * newest of X.Y (an older patch released later never drags them back). `tags` may include `version` itself.
 */
export function floatingTags(version: string, tags: readonly string[]): string[] {
  const releases = releaseVersions(tags);
  const newest = (pred: (v: string) => boolean) => releases.filter(pred).every((v) => semver.lte(v, version));
  const out: string[] = [];
  if (newest((v) => semver.major(v) === semver.major(version))) out.push(majorTag(version));
  if (newest((v) => minorTag(v) === minorTag(version))) out.push(minorTag(version));
  return out;
}
