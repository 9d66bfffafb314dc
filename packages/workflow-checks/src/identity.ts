import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isRecord } from './types';

/**
 * Who this repository is and which release its files refer to, read from one place: the root package.json
 * (`repository` for owner/name, `version` for the release). Workflows, checks and the release command all take it
 * from here, so publishing under another owner or cutting a release changes one file.
 */
export interface RepoIdentity {
  owner: string;
  name: string;
  /** `owner/name`, as written in `uses:` */
  slug: string;
  /** X.Y.Z: the release this checkout's self-references name (`@vX.Y.Z`, majors `@vX`) */
  version: string;
  major: string;
}

/** owner/name from a package.json `repository` value: URL, `git@github.com:o/r.git`, `github:o/r` or `o/r`. */
export function parseRepository(value: unknown): { owner: string; name: string } | undefined {
  const raw = isRecord(value) ? value.url : value;
  if (typeof raw !== 'string') return undefined;
  const m =
    /^(?:git\+)?(?:https?|ssh|git):\/\/(?:[^@/]+@)?github\.com[/:]([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(raw) ??
    /^git@github\.com:([^/\s]+)\/([^/\s]+?)(?:\.git)?$/.exec(raw) ??
    /^(?:github:)?([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)$/.exec(raw);
  if (!m?.[1] || !m[2]) return undefined;
  return { owner: m[1], name: m[2] };
}

/** The identity from a parsed package.json; throws an error naming the field that is missing or malformed. */
export function identityFromPackageJson(pkg: unknown, file = 'package.json'): RepoIdentity {
  const p = isRecord(pkg) ? pkg : {};
  const repo = parseRepository(p.repository);
  if (!repo) {
    throw new Error(`${file}: "repository" must name the GitHub repository (https://github.com/<owner>/<name>)`);
  }
  const version = typeof p.version === 'string' ? p.version : '';
  if (!/^\d+\.\d+\.\d+$/.test(version))
    throw new Error(`${file}: "version" must be X.Y.Z, is ${JSON.stringify(version)}`);
  return { ...repo, slug: `${repo.owner}/${repo.name}`, version, major: version.split('.')[0] ?? '' };
}

const cache = new Map<string, { mtimeMs: number; identity: RepoIdentity }>();

/** The identity of the repository rooted at `root` (its package.json), memoised per file and mtime. */
export function readRepoIdentity(root: string): RepoIdentity {
  const file = join(root, 'package.json');
  const mtimeMs = statSync(file).mtimeMs;
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.identity;
  const identity = identityFromPackageJson(JSON.parse(readFileSync(file, 'utf8')), file);
  cache.set(file, { mtimeMs, identity });
  return identity;
}
