import semver from 'semver';
import { git, lines } from './git';
import { verifyRelease } from './verify';
import { majorTag, releaseVersions } from './version';

/** Paths whose commits are "the actions' changes": the actions, the kit they bundle, the reusable workflows. */
const ACTION_PATHS = [
  'actions',
  'packages/kit',
  '.github/workflows/deploy-staging.yml',
  '.github/workflows/deploy-production.yml',
  '.github/workflows/rollback.yml',
];

/**
 * The GitHub Release body for tag `tagInput`: the actions' changes since the previous release, and the table of
 * tags -> commit SHAs for users who pin by SHA (the floating tags this release moves point to the same commit).
 */
export function releaseNotes(root: string, tagInput: string): string {
  const { version, commit, move, identity } = verifyRelease(root, tagInput);
  const tag = `v${version}`;
  const previous = releaseVersions(lines(git(root, 'tag', '--list'))).find((v) => semver.lt(v, version));
  const out: string[] = [];
  if (previous) {
    const log = lines(
      // the release commits themselves only stamp references: not a change to the actions
      git(
        root,
        'log',
        '--no-merges',
        '--invert-grep',
        '--grep=^Release v',
        '--format=- %s (%h)',
        `v${previous}..${commit}`,
        '--',
        ...ACTION_PATHS,
      ),
    );
    out.push(`## Changes to the actions since v${previous}`, '', ...(log.length ? log : ['- none']), '');
  } else {
    out.push('## First release', '', `Every action in ${identity.slug} is new in ${tag}.`, '');
  }
  out.push('## Pin by tag or by commit SHA', '', '| tag | commit |', '| --- | --- |');
  // the floating tags this release moves point to the same commit once the release workflow has moved them
  for (const t of [tag, ...move]) out.push(`| \`${t}\` | \`${commit}\` |`);
  out.push(
    '',
    `A SHA pin never moves; \`@${majorTag(version)}\` follows the newest compatible release. Pinning a reusable ` +
      `workflow by SHA pins the actions it runs too: the workflows of ${tag} call the actions at \`@${tag}\`.`,
    '',
    '```yaml',
    `uses: ${identity.slug}/.github/workflows/deploy-staging.yml@${commit} # ${tag}`,
    `uses: ${identity.slug}/deploy-ecs@${commit} # ${tag}`,
    '```',
    '',
  );
  return out.join('\n');
}
