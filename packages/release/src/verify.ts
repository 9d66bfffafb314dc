import {
  findSelfReferences,
  identityFromPackageJson,
  type RepoIdentity,
  referenceMode,
  selfReferenceProblem,
} from '@deploy-actions/workflow-checks';
import { commitOf, git, lines } from './git';
import { stampable, trackedFiles } from './stamp';
import { floatingTags, parseReleaseVersion } from './version';

export interface Verified {
  version: string;
  commit: string;
  /** floating tags this release moves (vX, vX.Y), unless a newer release of that line exists */
  move: string[];
  identity: RepoIdentity;
  problems: string[];
}

/**
 * Check the commit a release tag points to (what `.github/workflows/release.yml` runs on a pushed tag): package.json
 * says that version, and every self-reference in the stamped files names this repository at that release (`@vX.Y.Z`
 * in .github/workflows/, `@vX.Y.Z` or `@vX` elsewhere). Read from the tagged commit, not the working tree.
 */
export function verifyRelease(root: string, tagInput: string): Verified {
  const parsed = parseReleaseVersion(tagInput);
  if ('error' in parsed) throw new Error(parsed.error);
  const { version } = parsed;
  const tag = `v${version}`;
  const commit = commitOf(root, tag);
  if (!commit) throw new Error(`tag ${tag} does not exist here (fetch tags: actions/checkout with fetch-depth: 0)`);
  const identity = identityFromPackageJson(
    JSON.parse(git(root, 'show', `${commit}:package.json`)),
    `${tag}:package.json`,
  );
  const problems: string[] = [];
  if (identity.version !== version) {
    problems.push(
      `package.json at ${tag} says version ${identity.version}: the tag must be cut by pnpm release ${version}`,
    );
  }
  const release = { ...identity, version, major: version.split('.')[0] ?? '' };
  for (const file of stampable(trackedFiles(root, commit))) {
    const text = git(root, 'show', `${commit}:${file}`);
    const textLines = text.split('\n');
    for (const ref of findSelfReferences(text, release)) {
      const problem = selfReferenceProblem(ref, release, referenceMode(file, textLines[ref.line - 1] ?? ''));
      if (problem) problems.push(`${file}:${ref.line} ${ref.text} ${problem.message}`);
    }
  }
  return { version, commit, move: floatingTags(version, lines(git(root, 'tag', '--list'))), identity, problems };
}
