#!/usr/bin/env node
// pnpm release <version> [--dry-run] [--remote NAME] [--no-push]   cut a release (see release.ts)
// pnpm release verify <tag>                                          CI: the tagged commit is stamped for that tag
// pnpm release notes <tag>                                           CI: the GitHub Release body (markdown)
import { appendFileSync } from 'node:fs';
import { git } from './git';
import { releaseNotes } from './notes';
import { ReleaseRefused, release } from './release';
import { verifyRelease } from './verify';

const USAGE = 'usage: pnpm release <X.Y.Z> [--dry-run] [--remote NAME] [--no-push] | verify <tag> | notes <tag>';

function main(argv: string[]): number {
  const root = git(process.cwd(), 'rev-parse', '--show-toplevel');
  const [first, second] = argv.filter((a) => !a.startsWith('--'));
  if (!first || argv.includes('--help')) {
    console.error(USAGE);
    return 2;
  }
  if (first === 'verify' || first === 'notes') {
    if (!second) {
      console.error(USAGE);
      return 2;
    }
    if (first === 'notes') {
      process.stdout.write(releaseNotes(root, second));
      return 0;
    }
    const v = verifyRelease(root, second);
    for (const p of v.problems) console.error(`::error::${p}`);
    if (v.problems.length) return 1;
    console.log(`v${v.version} (${v.commit}): every self-reference names ${v.identity.slug} at v${v.version}`);
    console.log(`moves: ${v.move.join(' ') || 'nothing (a newer release of this line exists)'}`);
    if (process.env.GITHUB_OUTPUT)
      appendFileSync(process.env.GITHUB_OUTPUT, `commit=${v.commit}\nmove=${v.move.join(' ')}\n`);
    return 0;
  }
  const at = argv.indexOf('--remote');
  const remote = at === -1 ? undefined : argv[at + 1];
  if (at !== -1 && !remote) {
    console.error(USAGE);
    return 2;
  }
  try {
    release({
      root,
      version: first,
      dryRun: argv.includes('--dry-run'),
      ...(remote ? { remote } : {}),
      push: !argv.includes('--no-push'),
    });
    return 0;
  } catch (err) {
    if (err instanceof ReleaseRefused) {
      console.error(`release refused: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  // a missing tag, an unreadable package.json, a git failure: one line, no stack
  console.error(`release: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
