// Does this event start the workflow? GitHub's `on:` rules ("Workflow syntax: on.push.<branches|tags|paths>"):
// - a push of a branch is filtered by branches / branches-ignore, a push of a tag by tags / tags-ignore; when only
//   branch filters are given, tag pushes do not run the workflow, and the other way round;
// - paths / paths-ignore look at the files the push changed; they are not evaluated for tag pushes;
// - patterns: `*` any characters but `/`, `**` any characters, `?`, `+`, `[]`, and `!` to negate an earlier match;
//   the last matching pattern decides.
import type { EventsConfig } from '@actions/workflow-parser/model/workflow-template';
import picomatch from 'picomatch';

export type EventKind = 'push' | 'tag' | 'dispatch';

export type FilterDecision = { run: true } | { run: false; reason: string };

/** Last matching pattern wins; a `!pattern` un-matches. */
export function matchesFilter(patterns: string[], value: string): boolean {
  let matched = false;
  for (const p of patterns) {
    const negated = p.startsWith('!');
    const glob = negated ? p.slice(1) : p;
    if (picomatch.isMatch(value, glob, { dot: true, noextglob: true, nobrace: true })) matched = !negated;
  }
  return matched;
}

function refFilter(
  include: string[] | undefined,
  ignore: string[] | undefined,
  name: string,
  what: 'branches' | 'tags',
): string | undefined {
  if (include && !matchesFilter(include, name)) return `${what} [${include.join(', ')}] does not match '${name}'`;
  if (ignore && matchesFilter(ignore, name)) return `${what}-ignore [${ignore.join(', ')}] matches '${name}'`;
  return undefined;
}

export function decide(
  events: EventsConfig,
  kind: EventKind,
  refName: string,
  changedFiles: () => string[],
): FilterDecision {
  if (kind === 'dispatch') {
    return events.workflow_dispatch !== undefined
      ? { run: true }
      : { run: false, reason: 'the workflow has no workflow_dispatch trigger' };
  }
  const push = events.push;
  if (push === undefined) return { run: false, reason: 'the workflow has no push trigger' };
  const hasBranchFilter = push.branches !== undefined || push['branches-ignore'] !== undefined;
  const hasTagFilter = push.tags !== undefined || push['tags-ignore'] !== undefined;
  if (kind === 'tag') {
    if (hasBranchFilter && !hasTagFilter) {
      return { run: false, reason: `on.push has only branch filters, so a push of tag '${refName}' does not run it` };
    }
    const why = refFilter(push.tags, push['tags-ignore'], refName, 'tags');
    return why ? { run: false, reason: `on.push.${why}` } : { run: true };
  }
  if (hasTagFilter && !hasBranchFilter) {
    return { run: false, reason: `on.push has only tag filters, so a push of branch '${refName}' does not run it` };
  }
  const why = refFilter(push.branches, push['branches-ignore'], refName, 'branches');
  if (why) return { run: false, reason: `on.push.${why}` };
  if (push.paths !== undefined || push['paths-ignore'] !== undefined) {
    const files = changedFiles();
    if (push.paths !== undefined && !files.some((f) => matchesFilter(push.paths as string[], f))) {
      return {
        run: false,
        reason: `on.push.paths [${push.paths.join(', ')}] matches none of the ${files.length} changed file(s)`,
      };
    }
    const ignore = push['paths-ignore'];
    if (ignore !== undefined && files.every((f) => matchesFilter(ignore, f))) {
      return { run: false, reason: `on.push.paths-ignore [${ignore.join(', ')}] matches every changed file` };
    }
  }
  return { run: true };
}
