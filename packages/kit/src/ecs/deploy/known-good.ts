import {
  DescribeTaskDefinitionCommand,
  type ECSClient,
  ListTaskDefinitionsCommand,
  type Tag,
  TagResourceCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';

// Known-good markers on task-definition revisions. A revision becomes known-good only after a deployment of it
// COMPLETED and passed its health checks; rollback targets come from these tags (and the deploy history beside them:
// rollback-target.ts decides, rollback-history.ts reads and writes), never blindly from "the previous revision"
// (which may itself be the broken one, or one that was registered and never deployed).

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

export async function tagRevision(ecs: ECSClient, arn: string, list: Tag[], signal?: AbortSignal): Promise<void> {
  if (list.length === 0) return;
  await ecs.send(new TagResourceCommand({ resourceArn: arn, tags: list }), { abortSignal: signal });
}
