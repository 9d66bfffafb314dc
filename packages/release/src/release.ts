import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { commitOf, git, gitMaybe, lines } from './git';
import { bumpVersion, type FileStamp, planStamps, readIdentity } from './stamp';
import { floatingTags, parseReleaseVersion, releaseVersions } from './version';

/** A command that must pass before a release (run in the repository root). */
export interface Check {
  name: string;
  command: string[];
}

/** What `pnpm release` runs by default: the same gates as CI. Tests inject their own. */
export const DEFAULT_CHECKS: readonly Check[] = [
  { name: 'check-dist', command: ['pnpm', 'check-dist'] },
  { name: 'test', command: ['pnpm', 'test'] },
];

export interface ReleaseOptions {
  root: string;
  /** X.Y.Z (or vX.Y.Z) */
  version: string;
  dryRun?: boolean;
  /** Push to this remote; default: the current branch's upstream remote when one is configured. */
  remote?: string;
  /** false: never push (print how to) */
  push?: boolean;
  checks?: readonly Check[];
  /** where the checks' own output goes (tests silence it) */
  checkOutput?: 'inherit' | 'ignore';
  log?: (line: string) => void;
}

export interface ReleaseResult {
  version: string;
  tag: string;
  /** the tags this release creates or moves, with their commit (undefined in a dry run: not made yet) */
  tags: { tag: string; commit: string | undefined }[];
  stamped: FileStamp[];
  pushedTo: string | undefined;
}

/** A reason not to release: printed as is, nothing was written. */
export class ReleaseRefused extends Error {}

/**
 * Cut release `version`: refuse a bad version, an existing or older one, a dirty tree and a failing check; stamp
 * this repository's self-references (workflows at `@vX.Y.Z`, documentation majors at `@vX`), bump package.json,
 * commit, create the annotated tag vX.Y.Z, move vX and vX.Y (annotated and force-moved, as actions/toolkit
 * docs/action-versioning.md recommends: `git tag -fa v1 -m "Update v1 tag"` + `git push origin v1 --force`), push
 * when a remote is known, and print the commit SHA per tag. With `dryRun` it shows all of it and writes nothing.
 */
export function release(opts: ReleaseOptions): ReleaseResult {
  const { root } = opts;
  const log = opts.log ?? ((line: string) => console.log(line));
  const dry = opts.dryRun === true;

  const parsed = parseReleaseVersion(opts.version);
  if ('error' in parsed) throw new ReleaseRefused(parsed.error);
  const { version } = parsed;
  const tag = `v${version}`;
  const tags = lines(git(root, 'tag', '--list'));
  if (tags.includes(tag)) throw new ReleaseRefused(`${tag} already exists: a release is never re-tagged`);
  const last = releaseVersions(tags)[0];
  if (last && !semver.gt(version, last)) {
    throw new ReleaseRefused(`${version} is not greater than the last release v${last}`);
  }
  const dirty = lines(git(root, 'status', '--porcelain'));
  if (dirty.length) {
    throw new ReleaseRefused(
      `the working tree is not clean (commit or stash first):\n${dirty
        .slice(0, 10)
        .map((l) => `  ${l}`)
        .join('\n')}`,
    );
  }
  const branch = gitMaybe(root, 'symbolic-ref', '--short', '-q', 'HEAD');
  if (opts.remote && gitMaybe(root, 'remote', 'get-url', opts.remote) === undefined) {
    throw new ReleaseRefused(`there is no git remote named ${opts.remote}`);
  }
  const remote =
    opts.push === false
      ? undefined
      : (opts.remote ?? (branch ? gitMaybe(root, 'config', `branch.${branch}.remote`) : undefined));
  if (remote && !branch) throw new ReleaseRefused('HEAD is detached: check out the branch the release is cut from');

  for (const check of opts.checks ?? DEFAULT_CHECKS) {
    log(`check: ${check.command.join(' ')}`);
    const [cmd = '', ...args] = check.command;
    const r = spawnSync(cmd, args, { cwd: root, stdio: opts.checkOutput ?? 'inherit' });
    if (r.status !== 0) {
      const how = r.error ? r.error.message : `exited with ${r.status ?? r.signal}`;
      throw new ReleaseRefused(`${check.name} failed (${check.command.join(' ')} ${how}): fix it before releasing`);
    }
  }

  const identity = readIdentity(root);
  const stamped = planStamps(root, identity, version);
  const packageFile = join(root, 'package.json');
  const packageJson = readFileSync(packageFile, 'utf8');
  const bumped = bumpVersion(packageJson, version);
  const moving = floatingTags(version, [...tags, tag]);

  log(`release ${tag} of ${identity.slug}${dry ? ' (dry run: nothing is written)' : ''}`);
  log(`  package.json version: ${identity.version} -> ${version}`);
  for (const s of stamped) for (const c of s.changes) log(`  stamp ${s.file}:${c.line}  ${c.from} -> ${c.to}`);
  if (!stamped.length) log('  no self-reference to stamp');

  let commit: string | undefined;
  if (dry) {
    const changes = stamped.length > 0 || bumped !== packageJson;
    log(`  would ${changes ? `commit "Release ${tag}" on ${branch ?? 'HEAD'}` : 'tag HEAD (nothing to commit)'}`);
    log(`  would create the annotated tag ${tag} and move ${moving.join(', ') || 'no floating tag'}`);
  } else {
    for (const s of stamped) writeFileSync(join(root, s.file), s.text);
    writeFileSync(packageFile, bumped);
    git(root, 'add', '--', 'package.json', ...stamped.map((s) => s.file));
    const changed = gitMaybe(root, 'diff', '--cached', '--quiet') === undefined;
    if (changed) git(root, 'commit', '-q', '-m', `Release ${tag}`);
    commit = git(root, 'rev-parse', 'HEAD');
    git(root, 'tag', '-a', tag, '-m', `Release ${tag}`, commit);
    for (const t of moving) git(root, 'tag', '-f', '-a', t, '-m', `${t}: ${tag}`, commit);
    log(
      `  ${changed ? 'committed' : 'nothing to commit, tagged HEAD'} ${commit.slice(0, 12)}, tagged ${tag}, ` +
        `moved ${moving.join(', ') || 'no floating tag'}`,
    );
  }

  const refs = [tag, ...moving].map((t) => `refs/tags/${t}`);
  if (!remote) {
    log(`  not pushed (no remote${opts.push === false ? ': --no-push' : ' configured'}); to publish:`);
    log(
      `    git push <remote> HEAD && git push <remote> ${refs[0]} && git push --force <remote> ${refs.slice(1).join(' ')}`,
    );
  } else if (dry) {
    log(`  would push ${branch} and ${tag} to ${remote}, and force-push ${moving.join(', ')}`);
  } else {
    git(root, 'push', '-q', remote, `HEAD:refs/heads/${branch}`);
    git(root, 'push', '-q', remote, refs[0] ?? '');
    if (refs.length > 1) git(root, 'push', '-q', '--force', remote, ...refs.slice(1));
    log(`  pushed ${branch} and ${tag} to ${remote}; force-pushed ${moving.join(', ')}`);
  }

  const table = [tag, ...moving].map((t) => ({ tag: t, commit: dry ? undefined : commitOf(root, t) }));
  log('');
  log('Pin by tag or by commit SHA (the SHA never moves; the release workflow creates the GitHub Release):');
  for (const row of table)
    log(`  ${row.tag.padEnd(10)} ${row.commit ?? '(the release commit, made without --dry-run)'}`);
  if (commit) log(`  uses: ${identity.slug}/.github/workflows/deploy-staging.yml@${commit} # ${tag}`);
  return { version, tag, tags: table, stamped, pushedTo: dry ? undefined : remote };
}
