import {
  DescribeTaskDefinitionCommand,
  type ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type RegisterTaskDefinitionCommandOutput,
  type Tag,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { errorMessage } from '../../runtime/errors';
import type { Logger } from '../../runtime/log';
import { taskDefsEqual } from './taskdef';

// RegisterTaskDefinition has no idempotency token (ECS_Idempotency lists none for it): when AWS registered the
// revision but the response was lost (a reset, a proxy's 5xx, a timeout), the SDK's retry registers it again and
// leaves an orphan duplicate revision (#16 defect 6). So before a retry after such a failure we look for a revision
// of the family registered in the last minute that equals ours (content, and our deploy-actions tags when we set
// them) and take it instead. If a duplicate appears anyway (found only after the retry succeeded), it is named.

/** How far back a lost registration is looked for ("registered in the last minute", plus clock slack). */
export const LOST_REGISTRATION_WINDOW_MS = 60_000;
/** Newest revisions of the family inspected for it. */
const LOOKBACK_REVISIONS = 5;

export interface RegisterOnceResult {
  taskDefinition: TaskDefinition;
  /** The revision was found registered already (a lost response), not registered by the call that answered. */
  recovered: boolean;
  /** Other revisions equal to ours registered by this call's attempts (orphans of lost responses). */
  duplicates: string[];
}

type Ecs = Pick<ECSClient, 'send'>;

/** An error after which the call may have been applied: no answer, or a 5xx (not throttling, not a 4xx refusal). */
function mayHaveBeenApplied(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const meta = (err as { $metadata?: { httpStatusCode?: number } }).$metadata;
  const status = meta?.httpStatusCode;
  if (/Throttl|TooManyRequests|RequestLimitExceeded/i.test(err.name)) return false;
  return status === undefined || status >= 500;
}

/** Every tag the registration sends (ours carry the commit and run that register it: a precise match). */
function sentTags(input: RegisterTaskDefinitionCommandInput): Tag[] {
  return input.tags ?? [];
}

/** Revisions of `input.family` registered since `sinceMs` that equal `input` (newest first). */
export async function findRecentEqualRevisions(
  ecs: Ecs,
  input: RegisterTaskDefinitionCommandInput,
  sinceMs: number,
  signal?: AbortSignal,
): Promise<Array<{ taskDefinition: TaskDefinition; tags: Tag[] }>> {
  const send = signal ? { abortSignal: signal } : undefined;
  const list = await ecs.send(
    new ListTaskDefinitionsCommand({
      familyPrefix: input.family,
      status: 'ACTIVE',
      sort: 'DESC',
      maxResults: LOOKBACK_REVISIONS,
    }),
    send,
  );
  const want = sentTags(input);
  const found: Array<{ taskDefinition: TaskDefinition; tags: Tag[] }> = [];
  for (const arn of list.taskDefinitionArns ?? []) {
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }), send);
    const td = out.taskDefinition;
    if (!td || td.family !== input.family) continue;
    const at = td.registeredAt ? new Date(td.registeredAt).getTime() : 0;
    if (at < sinceMs) break; // newest first: the rest are older still
    const tags = out.tags ?? [];
    const tagsMatch = want.every((w) => tags.some((t) => t.key === w.key && t.value === w.value));
    // Tags come beside the revision in a describe: compare the content without them, then every tag we sent.
    if (tagsMatch && taskDefsEqual({ ...input, tags: undefined }, td)) found.push({ taskDefinition: td, tags });
  }
  return found;
}

/**
 * RegisterTaskDefinition that does not leave an orphan revision behind a lost response: between a failed attempt
 * that may have been applied and the SDK's retry, the family's newest revisions are checked and an equal one
 * registered in the last minute is taken as the answer. `log` names any duplicate that appears anyway.
 */
export async function registerTaskDefinitionOnce(
  ecs: Ecs,
  input: RegisterTaskDefinitionCommandInput,
  options: { signal?: AbortSignal | undefined; log: Logger; now?: () => number },
): Promise<RegisterOnceResult> {
  const now = options.now ?? Date.now;
  const since = now() - LOST_REGISTRATION_WINDOW_MS;
  const command = new RegisterTaskDefinitionCommand(input);
  let recovered = false;
  let duplicates: string[] = [];
  // Inside the SDK's retry loop (after retryMiddleware): runs once per attempt.
  command.middlewareStack.addRelativeTo(
    (next: (args: any) => Promise<any>) => async (args: any) => {
      try {
        return await next(args);
      } catch (err) {
        if (!mayHaveBeenApplied(err) || options.signal?.aborted) throw err;
        let equal: Array<{ taskDefinition: TaskDefinition; tags: Tag[] }>;
        try {
          equal = await findRecentEqualRevisions(ecs, input, since, options.signal);
        } catch {
          throw err; // the lookup failed too: let the SDK retry as it would have
        }
        const [match, ...others] = equal;
        if (!match) throw err;
        recovered = true;
        duplicates = nameDuplicates(
          others.map((o) => o.taskDefinition.taskDefinitionArn!),
          match.taskDefinition.taskDefinitionArn!,
          options.log,
        );
        options.log.info(
          `RegisterTaskDefinition failed (${errorMessage(err)}) after registering ${match.taskDefinition.taskDefinitionArn}; using that revision instead of registering again`,
        );
        const output: RegisterTaskDefinitionCommandOutput = {
          taskDefinition: match.taskDefinition,
          tags: match.tags,
          $metadata: {},
        };
        return { output, response: { statusCode: 200, headers: {}, body: undefined } };
      }
    },
    { relation: 'after', toMiddleware: 'retryMiddleware', name: 'deployActionsLostRegistration', override: true },
  );
  const out = await ecs.send(command, options.signal ? { abortSignal: options.signal } : undefined);
  const td = out.taskDefinition;
  if (!td?.taskDefinitionArn) throw new Error('RegisterTaskDefinition returned no taskDefinitionArn');
  if (!recovered && (out.$metadata.attempts ?? 1) > 1) {
    // Retried and answered: an earlier attempt may have registered too (its lookup found nothing, or failed).
    try {
      const equal = await findRecentEqualRevisions(ecs, input, since, options.signal);
      const others = equal.map((e) => e.taskDefinition.taskDefinitionArn!).filter((a) => a !== td.taskDefinitionArn);
      duplicates = nameDuplicates(others, td.taskDefinitionArn, options.log);
    } catch {
      // best effort: the registration itself succeeded
    }
  }
  return { taskDefinition: td, recovered, duplicates };
}

/** Each orphan revision named in a warning (it is never deployed; removing it is the user's call). */
function nameDuplicates(duplicates: string[], used: string, log: Logger): string[] {
  for (const arn of duplicates) {
    log.warning(
      `${arn} is an unused duplicate of ${used}: a RegisterTaskDefinition response was lost and a retry registered it again. It is not deployed; deregister it if you like.`,
    );
  }
  return duplicates;
}
