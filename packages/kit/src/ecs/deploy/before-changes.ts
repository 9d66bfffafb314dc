import type { Service } from '@aws-sdk/client-ecs';
import {
  commentBody,
  commentFailureText,
  commentMarker,
  pullRequestOfEvent,
  upsertPullRequestComment,
} from '../../github/pr-comment';
import { coreLogger, type Logger } from '../../runtime/log';
import { setOutputs } from '../../runtime/outputs';
import { Summary } from '../../runtime/summary';
import type { PreflightClients } from '../preflight/clients';
import type { PreflightReport } from '../preflight/model';
import { logPreflight, type PreflightInputOf, preflightFailure } from '../preflight/report';
import type { PreflightTarget } from '../preflight/run';
import type { TaskDefJson } from '../taskdef/taskdef';
import type { PlanInputs, PreflightInputs } from './inputs';
import type { PreparedDeploy, PreparedService } from './model';
import { deployPlanMarkdown, planOutputs } from './plan';
import { shortTaskDef } from './rollout-verdict';

// The last step before the first mutating call (prepare has read everything): the preflight (`verify`), then in plan
// mode the plan (outputs, job summary, the pull request comment) and the end of the step. A preflight that found
// problems ends the step here too, with the summary saying what and nothing changed.

export interface BeforeChangesOptions {
  action: string;
  preflight: PreflightInputs;
  plan: PlanInputs;
  /** The preflight's read-only clients (default: created for `action` in the deploy's region, each on first use). */
  clients?: PreflightClients;
  signal?: AbortSignal;
  log?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Plan lines of the caller's own (deploy-ecs: its migration). */
  notes?: string[];
  /** The input a preflight problem came from (deploy-ecs: `secrets`, `containers`), named in the error line. */
  inputOf?: PreflightInputOf;
}

export interface BeforeChanges {
  preflight?: PreflightReport;
  /** Plan mode: the plan is written and nothing else may happen. */
  planned: boolean;
}

/** Whether a service runs its tasks on Fargate (launch type or a FARGATE / FARGATE_SPOT capacity provider). */
export function runsOnFargate(service: Service | undefined): boolean {
  return (
    service?.launchType === 'FARGATE' ||
    (service?.capacityProviderStrategy ?? []).some((s) => s.capacityProvider?.startsWith('FARGATE'))
  );
}

/** One preflight target per distinct task definition the services will run (with the services that run it). */
export function preflightTargetsOf(prepared: PreparedDeploy): PreflightTarget[] {
  const byKey = new Map<string, PreflightTarget>();
  const add = (
    key: string,
    p: PreparedService,
    make: () => Omit<PreflightTarget, 'services' | 'fargate'> | undefined,
  ) => {
    const known = byKey.get(key);
    if (known) {
      known.services.push(p.service);
      known.fargate ||= runsOnFargate(p.current);
      return;
    }
    const t = make();
    if (t) byKey.set(key, { ...t, services: [p.service], fargate: runsOnFargate(p.current) });
  };
  for (const p of prepared.services) {
    const target = p.target;
    if (target.kind === 'register') {
      add(`register:${target.key}`, p, () => ({
        label: `${target.family} (new revision)`,
        json: target.json,
        register: true,
      }));
    } else {
      add(target.arn, p, () =>
        target.taskDefinition
          ? { label: shortTaskDef(target.arn), json: target.taskDefinition as unknown as TaskDefJson, register: false }
          : undefined,
      );
    }
  }
  return [...byKey.values()];
}

/** The account of the services (from a service ARN). */
function accountOf(prepared: PreparedDeploy): string | undefined {
  return prepared.services[0]?.current.serviceArn?.split(':')[4] || undefined;
}

/** Preflight (if on), then plan mode or a stop on preflight problems; otherwise the deploy may go on. */
export async function checkBeforeChanges(prepared: PreparedDeploy, o: BeforeChangesOptions): Promise<BeforeChanges> {
  const log = o.log ?? coreLogger;
  let preflight: PreflightReport | undefined;
  if (o.preflight.verify) {
    const accountId = accountOf(prepared);
    // Loaded here, not at start-up: the checks and the five SDK clients they use (IAM, SSM, Secrets Manager, Logs,
    // ECR: about a third of the bundle) are a lazy chunk that only the preflight evaluates (#15, cold start).
    const [{ runPreflight }, { createPreflightClients }] = await Promise.all([
      import('../preflight/run'),
      import('../preflight/clients'),
    ]);
    preflight = await runPreflight(
      preflightTargetsOf(prepared),
      {
        clients: o.clients ?? createPreflightClients(o.action, prepared.request.region),
        region: prepared.request.region,
        ...(accountId ? { accountId } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      },
      { verifySecretKeys: o.preflight.verifySecretKeys },
    );
    logPreflight(preflight, log);
  } else {
    log.info('Preflight off (verify: false)');
  }
  const failure = preflight ? preflightFailure(preflight, o.inputOf) : undefined;
  const view = {
    action: o.action,
    prepared,
    ...(preflight ? { preflight } : {}),
    ...(o.notes ? { notes: o.notes } : {}),
  };
  if (o.plan.enabled) {
    const markdown = deployPlanMarkdown(view);
    setOutputs(planOutputs(prepared));
    await new Summary().raw(markdown).write();
    if (o.plan.comment) await commentPlan(prepared, markdown, o, log);
    if (failure) throw failure;
    log.info('Plan written to the job summary: nothing was changed');
    return { ...(preflight ? { preflight } : {}), planned: true };
  }
  if (failure) {
    setOutputs({ ...planOutputs(prepared), 'task-definition-arn': '', status: 'failed' });
    await new Summary().raw(deployPlanMarkdown({ ...view, stopped: true })).write();
    throw failure;
  }
  return { ...(preflight ? { preflight } : {}), planned: false };
}

/** The plan as the pull request's comment, updated in place; a comment that cannot be written is a warning. */
async function commentPlan(
  prepared: PreparedDeploy,
  markdown: string,
  o: BeforeChangesOptions,
  log: Logger,
): Promise<void> {
  const env = o.env ?? process.env;
  const pr = pullRequestOfEvent(env);
  if ('none' in pr) {
    log.warning(`comment: true, but no pull request comment was written: ${pr.none}`);
    return;
  }
  const marker = commentMarker(
    `plan ${o.action} ${prepared.request.cluster} ${prepared.services.map((s) => s.service).join(',')}`,
  );
  try {
    const res = await upsertPullRequestComment({
      token: o.plan.githubToken ?? '',
      apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
      pr,
      marker,
      body: commentBody(marker, markdown),
      userAgent: `deploy-actions/${o.action}`,
    });
    log.info(`Plan comment ${res.action} on pull request #${pr.number}: ${res.url}`);
  } catch (err) {
    if (o.signal?.aborted) throw err;
    log.warning(`Could not write the plan comment on pull request #${pr.number}: ${commentFailureText(err)}`);
  }
}
