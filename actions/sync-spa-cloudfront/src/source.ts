import { lstatSync, realpathSync, type Stats, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { ConfigurationError } from '@deploy-actions/kit/runtime';
import { sourcePathOf } from './source-path';

// The `source` input: a build output the user named inside the workspace, never the checkout itself. Publishing
// `.` put the whole checkout online, including `.git/config`, where actions/checkout keeps the job token unless
// `persist-credentials: false` (issue #14, finding 2).

/** True when `path` is `root` or below it (both absolute and normalised). */
export function isInside(root: string, path: string): boolean {
  if (path === root) return true;
  return path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}

/** Why a resolved source directory may not be published, or undefined when it may (pure, table-tested). */
export function sourceRefusal(
  sourceReal: string,
  workspaceReal: string,
  hasGitEntry: boolean,
  workspaceName: string,
): string | undefined {
  if (sourceReal === workspaceReal) {
    return `is the workspace root (${workspaceName}): that publishes the whole checkout, .git/config included; name the build output, e.g. dist`;
  }
  if (!isInside(workspaceReal, sourceReal)) {
    return `resolves to ${sourceReal}, outside the workspace (${workspaceReal}); build into the workspace (or download the build artifact there) and name that directory`;
  }
  const segments = relative(workspaceReal, sourceReal).split(sep);
  if (segments.includes('.git')) return `is inside a .git directory (${sourceReal}); name the build output, e.g. dist`;
  if (hasGitEntry) {
    return `contains a .git entry (${sourceReal} is a repository checkout, not a build output); name the build output, e.g. dist`;
  }
  return undefined;
}

/**
 * Resolve and check `source`: relative to GITHUB_WORKSPACE (else the working directory, as on the runner), an
 * existing directory whose real path (symlinks resolved) is inside the workspace, is not the workspace itself and has
 * no `.git` entry. Returns the real path: everything below reads the files through it.
 */
export function checkSource(raw: string, env: NodeJS.ProcessEnv): string {
  const { workspace, path } = sourcePathOf(raw, env);
  let info: Stats;
  try {
    info = statSync(path);
  } catch {
    throw new ConfigurationError(
      'source',
      `directory ${JSON.stringify(raw)} does not exist (resolved to ${path}); did the build step run?`,
    );
  }
  if (!info.isDirectory()) throw new ConfigurationError('source', `${JSON.stringify(raw)} is not a directory`);
  const sourceReal = realpathSync(path);
  let workspaceReal = workspace;
  try {
    workspaceReal = realpathSync(workspace);
  } catch {
    // a workspace that does not exist: the source cannot be inside it (refused below)
  }
  const hasGitEntry = lstatSync(resolve(sourceReal, '.git'), { throwIfNoEntry: false }) !== undefined;
  const refusal = sourceRefusal(
    sourceReal,
    workspaceReal,
    hasGitEntry,
    env.GITHUB_WORKSPACE ? 'GITHUB_WORKSPACE' : 'the working directory',
  );
  if (refusal) throw new ConfigurationError('source', `${JSON.stringify(raw)} ${refusal}`);
  return sourceReal;
}
