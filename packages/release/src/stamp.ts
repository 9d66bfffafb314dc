import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  identityFromPackageJson,
  type RepoIdentity,
  type StampChange,
  stampSelfReferences,
} from '@deploy-actions/workflow-checks';
import { git, lines } from './git';

/**
 * Of `files`, those whose self-references a release stamps: workflows and Markdown/YAML documentation (README usage
 * snippets, examples). Test fixtures are left alone (they hold deliberate mistakes), and so is the lockfile.
 */
export function stampable(files: readonly string[]): string[] {
  return files
    .filter((f) => /\.(md|ya?ml)$/.test(f))
    .filter((f) => !/(^|\/)(node_modules|dist|fixtures)\//.test(f) && f !== 'pnpm-lock.yaml');
}

/** The files git tracks in the working tree, or in commit `rev`. */
export function trackedFiles(root: string, rev?: string): string[] {
  const out = rev ? git(root, 'ls-tree', '-r', '-z', '--name-only', rev) : git(root, 'ls-files', '-z');
  return lines(out.replaceAll('\0', '\n'));
}

export function readIdentity(root: string): RepoIdentity {
  const file = join(root, 'package.json');
  return identityFromPackageJson(JSON.parse(readFileSync(file, 'utf8')), file);
}

export interface FileStamp {
  file: string;
  text: string;
  changes: StampChange[];
}

/** What stamping release `version` would change, per file (nothing is written). */
export function planStamps(root: string, identity: RepoIdentity, version: string): FileStamp[] {
  return stampable(trackedFiles(root)).flatMap((file) => {
    const before = readFileSync(join(root, file), 'utf8');
    const { text, changes } = stampSelfReferences(before, identity, version);
    return changes.length ? [{ file, text, changes }] : [];
  });
}

/** package.json text with its top-level "version" set to `version`, formatting kept (one field changes). */
export function bumpVersion(packageJson: string, version: string): string {
  const next = packageJson.replace(/^( {2}"version":\s*")[^"]*(")/m, `$1${version}$2`);
  if ((JSON.parse(next) as { version?: unknown }).version !== version) {
    throw new Error('package.json: cannot find the top-level "version" field to bump');
  }
  return next;
}
