import type { TaskDefJson } from '../taskdef/taskdef';
import { type CheckContext, checkImage, checkLogGroup, checkRole, checkSecret, checkSecretKey } from './checks';
import type { PreflightClients } from './clients';
import { registerLimitProblems } from './limits';
import type { Check, ImageFacts, PreflightOptions, PreflightReport, TaskDefPreflight } from './model';
import { skippedNotices } from './report';
import { type SecretRef, taskRequirements } from './requirements';

// The preflight of a deploy: for each task definition about to run, what it needs (requirements.ts, pure) looked up
// with read-only calls (checks.ts), before any mutating call. Identical lookups (an image or a secret shared by
// several containers or task definitions) are made once; at most four run at a time.

export interface PreflightTarget {
  /** `web:7`, or `web (new revision)`. */
  label: string;
  services: string[];
  json: TaskDefJson;
  /** About to be registered: the register-time limits are checked too. */
  register: boolean;
  /** A service runs it on Fargate (launch type or capacity provider), whatever requiresCompatibilities says. */
  fargate: boolean;
}

export interface PreflightDeps {
  clients: PreflightClients;
  /** The task's region. */
  region: string;
  /** The services' account (roles of other accounts are not read). */
  accountId?: string;
  signal?: AbortSignal;
  /** Lookups in flight at once (default 4). */
  concurrency?: number;
}

/** A tiny promise pool with memoisation by key. */
class Lookups {
  private readonly memo = new Map<string, Promise<unknown>>();
  private running = 0;
  private readonly queue: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = this.slot().then(async (release) => {
        try {
          return await fn();
        } finally {
          release();
        }
      });
      this.memo.set(key, p);
    }
    return p;
  }

  private slot(): Promise<() => void> {
    const release = () => {
      this.running--;
      this.queue.shift()?.();
    };
    if (this.running < this.limit) {
      this.running++;
      return Promise.resolve(release);
    }
    return new Promise((resolve) =>
      this.queue.push(() => {
        this.running++;
        resolve(release);
      }),
    );
  }
}

/** Which secret a reference needs to exist (one lookup per secret and version, or per parameter by name or ARN). */
function secretKey(ref: SecretRef): string {
  if (ref.kind === 'secretsmanager') return `${ref.secretId}|${ref.versionStage ?? ''}|${ref.versionId ?? ''}`;
  return ref.kind === 'ssm' ? `ssm:${ref.region}:${ref.name}` : ref.valueFrom;
}

/** Every check of every target (read-only). */
export async function runPreflight(
  targets: readonly PreflightTarget[],
  deps: PreflightDeps,
  options: PreflightOptions,
): Promise<PreflightReport> {
  const lookups = new Lookups(deps.concurrency ?? 4);
  const ctx: CheckContext = {
    clients: deps.clients,
    region: deps.region,
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.accountId ? { accountId: deps.accountId } : {}),
  };
  const taskDefinitions = await Promise.all(targets.map((t) => preflightOne(t, ctx, lookups, options)));
  return { taskDefinitions, notices: skippedNotices(taskDefinitions) };
}

async function preflightOne(
  target: PreflightTarget,
  ctx: CheckContext,
  lookups: Lookups,
  options: PreflightOptions,
): Promise<TaskDefPreflight> {
  const req = taskRequirements(target.json, {
    fargate: target.fargate,
    taskRegion: ctx.region,
    ecrEndpointHost: ctx.clients.ecrEndpointHost,
  });
  const limits: Check[] = target.register
    ? registerLimitProblems(target.json).map((p) => ({ ...p, outcome: 'failed' as const }))
    : [];
  const roles = Promise.all([
    lookups.run(`role:exec:${req.executionRoleArn}:${req.executionRoleNeededFor.length > 0}`, () =>
      checkRole('execution-role', req.executionRoleArn, req.executionRoleNeededFor, ctx),
    ),
    lookups.run(`role:task:${req.taskRoleArn}`, () => checkRole('task-role', req.taskRoleArn, [], ctx)),
  ]);
  const platformKey = req.platform ? `${req.platform.os}/${req.platform.architecture}` : 'any';
  const images = Promise.all(
    req.images.map(async (i) => {
      const r = await lookups.run(`image:${i.image}:${platformKey}`, () =>
        checkImage(i.image, i.location, req.platform, ctx),
      );
      return {
        checks: r.checks.map((c) => ({ ...c, container: i.container })),
        facts: { container: i.container, ...r.facts } as ImageFacts,
      };
    }),
  );
  const secrets = Promise.all(
    req.secrets.map(async (s) => {
      const exists = await lookups.run(`secret:${secretKey(s.ref)}`, () =>
        checkSecret(s.container, s.name, s.ref, ctx),
      );
      const out: Check[] = [{ ...exists, container: s.container, subject: `${s.name} ← ${s.ref.valueFrom}` }];
      const ref = s.ref;
      if (options.verifySecretKeys && exists.outcome === 'ok' && ref.kind === 'secretsmanager' && ref.jsonKey) {
        const key = await lookups.run(`secret-key:${ref.valueFrom}`, () =>
          checkSecretKey(s.container, s.name, { ...ref, jsonKey: ref.jsonKey! }, ctx),
        );
        out.push({ ...key, container: s.container, subject: `${s.name} ← ${ref.valueFrom}` });
      }
      return out;
    }),
  );
  const logGroups = Promise.all(
    req.logGroups.map(async (g) => {
      const c = await lookups.run(`log:${g.region}:${g.group}:${g.create}`, () => checkLogGroup(g.container, g, ctx));
      return { ...c, container: g.container };
    }),
  );
  const [roleChecks, imageResults, secretChecks, logChecks] = await Promise.all([roles, images, secrets, logGroups]);
  return {
    taskDefinition: target.label,
    services: target.services,
    ...(req.platform ? { platform: req.platform } : {}),
    checks: [
      ...limits,
      ...roleChecks.filter((c): c is Check => c !== undefined),
      ...imageResults.flatMap((r) => r.checks),
      ...secretChecks.flat(),
      ...logChecks,
    ],
    images: imageResults.map((r) => r.facts),
  };
}
