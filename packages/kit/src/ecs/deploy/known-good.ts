import {
  DescribeTaskDefinitionCommand,
  type ECSClient,
  ListTaskDefinitionsCommand,
  type Tag,
  TagResourceCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { ConfigurationError } from '../../runtime/errors';
import { FAMILY_REVISION_RE, isTaskDefinitionArn } from '../../runtime/inputs/aws-ids';
import { isTaskDefinitionNotFound } from '../taskdef/source';

// Known-good markers on task-definition revisions. A revision becomes known-good only after a deployment of it
// COMPLETED and passed its health checks; rollback targets come from these tags, never blindly from "the previous
// revision" (which may itself be the broken one, or one that was registered and never deployed).

export const TAG_KNOWN_GOOD = 'deploy-actions:known-good';
export const TAG_KNOWN_GOOD_COMMIT = 'deploy-actions:known-good-commit';
export const TAG_KNOWN_GOOD_RUN = 'deploy-actions:known-good-run';
export const TAG_VERSION = 'deploy-actions:version';
/** Set at registration: the commit and run that registered the revision. */
export const TAG_COMMIT = 'deploy-actions:commit';
export const TAG_RUN = 'deploy-actions:run';

/** Who is deploying: from the GitHub environment (GITHUB_SHA, run URL). */
export interface Provenance {
  commit?: string;
  runUrl?: string;
}

export function provenanceFromEnv(env: NodeJS.ProcessEnv = process.env): Provenance {
  const p: Provenance = {};
  if (env.GITHUB_SHA) p.commit = env.GITHUB_SHA;
  if (env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    const server = env.GITHUB_SERVER_URL || 'https://github.com';
    p.runUrl =
      `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` +
      (env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : '');
  }
  return p;
}

/** ECS tag values allow letters, digits, spaces and `+ - = . _ : / @`, up to 256 characters. */
export function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{N}\s+\-=._:/@]/gu, '_').slice(0, 256);
}

function tags(entries: Array<[string, string | undefined]>): Tag[] {
  return entries.filter((e): e is [string, string] => !!e[1]).map(([key, value]) => ({ key, value: tagValue(value) }));
}

/** Tags added when we register a revision. */
export function registrationTags(p: Provenance): Tag[] {
  return tags([
    [TAG_COMMIT, p.commit],
    [TAG_RUN, p.runUrl],
  ]);
}

/** Tags that mark a revision known-good. */
export function knownGoodTags(p: Provenance & { version?: string; now: Date }): Tag[] {
  return tags([
    [TAG_KNOWN_GOOD, p.now.toISOString()],
    [TAG_KNOWN_GOOD_COMMIT, p.commit],
    [TAG_KNOWN_GOOD_RUN, p.runUrl],
    [TAG_VERSION, p.version],
  ]);
}

export type RollbackTo =
  | { kind: 'known-good' }
  | { kind: 'revision'; revision: number }
  | { kind: 'arn'; arn: string }
  | { kind: 'version'; version: string };

/** Parse the `rollback-to` input: `known-good` | a revision number | an ARN or family:revision | a version tag. */
export function parseRollbackTo(input: string, raw: string): RollbackTo {
  const value = raw.trim();
  if (value === '') throw new ConfigurationError(input, 'is empty');
  if (value.toLowerCase() === 'known-good') return { kind: 'known-good' };
  if (/^\d+$/.test(value)) {
    const revision = Number(value);
    if (revision < 1) throw new ConfigurationError(input, `revision numbers start at 1, got ${value}`);
    return { kind: 'revision', revision };
  }
  if (value.startsWith('arn:')) {
    if (!isTaskDefinitionArn(value)) {
      throw new ConfigurationError(
        input,
        `expected a task definition revision ARN (arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>), got ${JSON.stringify(value)}`,
      );
    }
    return { kind: 'arn', arn: value };
  }
  if (FAMILY_REVISION_RE.test(value)) return { kind: 'arn', arn: value };
  if (!/^[\p{L}\p{N}\s+\-=._:/@]{1,256}$/u.test(value)) {
    throw new ConfigurationError(
      input,
      `expected known-good, a revision number, a task definition ARN or a version tag value, got ${JSON.stringify(value)}`,
    );
  }
  return { kind: 'version', version: value };
}

export interface RevisionInfo {
  arn: string;
  revision: number;
  tags: Record<string, string>;
  taskDefinition?: TaskDefinition;
}

export function tagMap(list: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of list ?? []) if (t.key) out[t.key] = t.value ?? '';
  return out;
}

export function revisionOf(arn: string): number {
  const m = /:(\d+)$/.exec(arn);
  return m ? Number(m[1]) : Number.NaN;
}

export function familyOf(arn: string): string {
  const tail = arn.includes('task-definition/') ? arn.slice(arn.indexOf('task-definition/') + 16) : arn;
  return tail.replace(/:\d+$/, '');
}

/**
 * Pick a rollback target among revisions (any order). known-good: newest with the known-good tag, not excluded.
 * version: newest with that version tag (known-good ones first). Pure.
 */
export function chooseRevision(
  revisions: readonly RevisionInfo[],
  want: RollbackTo,
  exclude: ReadonlySet<string> = new Set(),
): RevisionInfo | undefined {
  const sorted = [...revisions].sort((a, b) => b.revision - a.revision).filter((r) => !exclude.has(r.arn));
  switch (want.kind) {
    case 'known-good':
      return sorted.find((r) => r.tags[TAG_KNOWN_GOOD]);
    case 'version': {
      const matches = sorted.filter((r) => r.tags[TAG_VERSION] === want.version);
      return matches.find((r) => r.tags[TAG_KNOWN_GOOD]) ?? matches[0];
    }
    case 'revision':
      return sorted.find((r) => r.revision === want.revision);
    case 'arn':
      return sorted.find((r) => r.arn === want.arn || r.arn.endsWith(`/${want.arn}`));
  }
}

export interface FindRevisionOptions {
  /** Newest revisions to inspect (default 50). */
  maxRevisions?: number;
  exclude?: ReadonlySet<string>;
  signal?: AbortSignal;
}

/** ACTIVE revision ARNs of a family, newest first (at most `max`). */
export async function listFamilyRevisions(
  ecs: ECSClient,
  family: string,
  max = 50,
  signal?: AbortSignal,
): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const out = await ecs.send(
      new ListTaskDefinitionsCommand({
        familyPrefix: family,
        status: 'ACTIVE',
        sort: 'DESC',
        nextToken,
        maxResults: 100,
      }),
      { abortSignal: signal },
    );
    // familyPrefix matches prefixes: keep this family only.
    for (const arn of out.taskDefinitionArns ?? []) if (familyOf(arn) === family) arns.push(arn);
    nextToken = out.nextToken;
  } while (nextToken && arns.length < max);
  return arns.sort((a, b) => revisionOf(b) - revisionOf(a)).slice(0, max);
}

export async function describeRevision(ecs: ECSClient, arn: string, signal?: AbortSignal): Promise<RevisionInfo> {
  const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }), {
    abortSignal: signal,
  });
  const td = out.taskDefinition;
  const fullArn = td?.taskDefinitionArn ?? arn;
  return { arn: fullArn, revision: td?.revision ?? revisionOf(fullArn), tags: tagMap(out.tags), taskDefinition: td };
}

/**
 * Resolve a rollback target in `family`, scanning newest revisions first and stopping at the first match
 * (one DescribeTaskDefinition per inspected revision). Returns undefined when none matches.
 */
export async function findRevision(
  ecs: ECSClient,
  family: string,
  want: RollbackTo,
  opts: FindRevisionOptions = {},
): Promise<RevisionInfo | undefined> {
  const exclude = opts.exclude ?? new Set<string>();
  if (want.kind === 'arn' || want.kind === 'revision') {
    const id = want.kind === 'arn' ? want.arn : `${family}:${want.revision}`;
    try {
      return await describeRevision(ecs, id, opts.signal);
    } catch (err) {
      if (isTaskDefinitionNotFound(err)) return undefined;
      throw err;
    }
  }
  const arns = await listFamilyRevisions(ecs, family, opts.maxRevisions ?? 50, opts.signal);
  const seen: RevisionInfo[] = [];
  for (const arn of arns) {
    if (exclude.has(arn)) continue;
    const info = await describeRevision(ecs, arn, opts.signal);
    seen.push(info);
    const match = chooseRevision(seen, want, exclude);
    // Newest-first scan: the first match of known-good is final; for version prefer a known-good match.
    if (match && (want.kind === 'known-good' || match.tags[TAG_KNOWN_GOOD])) return match;
  }
  return chooseRevision(seen, want, exclude);
}

export async function tagRevision(ecs: ECSClient, arn: string, list: Tag[], signal?: AbortSignal): Promise<void> {
  if (list.length === 0) return;
  await ecs.send(new TagResourceCommand({ resourceArn: arn, tags: list }), { abortSignal: signal });
}
