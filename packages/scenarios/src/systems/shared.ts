// What the five seed systems' definitions share, as builders that take only what differs per system: the two
// environments, the ECS layout of an environment (clusters, task definitions, services, log groups as the seed's
// infrastructure left them), the checks on those services and images, and the scenario shapes (staging on a push to
// main, production on a version tag, rollback by dispatch; success or failure with a root cause).
import type { Site } from '../app-host.ts';
import type { GitCommit } from '../app-repo.ts';
import { ecrImage, service } from '../checks.ts';
import type { Check, Scenario } from '../types.ts';

export const ENVS = ['staging', 'production'] as const;
export type EnvName = (typeof ENVS)[number];

/** Something of each environment, staging first (a list per environment is flattened). */
export function perEnv<T>(f: (env: EnvName) => T | T[]): T[] {
  return ENVS.flatMap(f);
}

/** How a system names its ECS resources; the same services run in both environments. */
export interface EcsNames {
  region: string;
  /** The services of one environment, by their short name (`backend`, `api`, `web`). */
  services: readonly string[];
  cluster(env: EnvName): string;
  serviceName(env: EnvName, s: string): string;
  /** Task definition family of a service (default: the service's name). */
  family?(env: EnvName, s: string): string;
}

export type ServiceWant = Parameters<typeof service>[3];

/** A system's ECS resources by those names: what the fixture seeds, the app host's sites, the checks. */
export function ecsLayout(names: EcsNames) {
  const { region, cluster, serviceName } = names;
  const family = (env: EnvName, s: string) => names.family?.(env, s) ?? serviceName(env, s);
  const each = <T>(f: (env: EnvName, s: string) => T) => perEnv((env) => names.services.map((s) => f(env, s)));
  return {
    /**
     * The ECS side of a fixture: a cluster per environment, revision 1 of every family (`taskDefinition`, marked
     * v0.9.0 by `common.ts`), its service (desired 2 in production, 1 in staging unless `desiredCount` says
     * otherwise) and the log group its tasks write to.
     */
    fixture(o: {
      taskDefinition(env: EnvName, s: string): Record<string, unknown>;
      logGroup(env: EnvName, s: string): string;
      desiredCount?(env: EnvName, s: string): number;
      /** More settings of a service (a deployment circuit breaker). */
      settings?(env: EnvName, s: string): Record<string, unknown>;
    }) {
      return {
        region,
        clusters: ENVS.map((env) => cluster(env)),
        taskDefinitions: each(o.taskDefinition),
        services: each((env, s) => ({
          cluster: cluster(env),
          serviceName: serviceName(env, s),
          taskDefinition: `${family(env, s)}:1`,
          desiredCount: o.desiredCount?.(env, s) ?? (env === 'production' ? 2 : 1),
          ...o.settings?.(env, s),
        })),
        logGroups: each((env, s) => ({ logGroupName: o.logGroup(env, s), region })),
      };
    },
    /** A site of the app host routing `/` to one service of an environment. */
    site(name: string, env: EnvName, s: string): Site {
      return { name, routes: [{ prefix: '/', region, cluster: cluster(env), service: serviceName(env, s) }] };
    },
    /** The check on one service (its family named, so the revision is checked in the right family). */
    service(env: EnvName, s: string, want: ServiceWant): Check {
      return service(region, cluster(env), serviceName(env, s), { family: family(env, s), ...want });
    },
    /** The check on every service of an environment. */
    every(env: EnvName, want: (s: string) => ServiceWant): Check[] {
      return names.services.map((s) => this.service(env, s, want(s)));
    },
  };
}

/**
 * The images of the release that ran before deploy-actions (v0.9.0), one in each repository the workflows build;
 * `label` names the image in its content (`pikaia backend`).
 */
export function releasedBefore(built: readonly string[], label: (repository: string) => string) {
  return {
    images: built.map((repository) => ({ repository, tag: 'v0.9.0', content: `${label(repository)} v0.9.0\n` })),
    builtRepositories: [...built],
  };
}

/** Each repository's image of a commit (label) or tag: pushed by the run (built), or there before it (promoted). */
export function imageChecks(
  region: string,
  repositories: readonly string[],
  tag: Parameters<typeof ecrImage>[2],
  pushedByRun: boolean,
): Check[] {
  return repositories.map((r) => ecrImage(region, r, tag, { pushedByRun }));
}

/** What a scenario says about itself; `on` adds when it runs. */
type Story = Pick<Scenario, 'id' | 'title' | 'kind' | 'why' | 'expect'> &
  Partial<Pick<Scenario, 'inputs' | 'git' | 'prepare' | 'cleanup'>>;

/** When a scenario runs: the event that starts which workflow. */
export const on = {
  /** staging.yml on a push to main (after the commits of `git`, if any). */
  push(s: Story): Scenario {
    return { workflow: 'staging.yml', event: 'push', ref: 'main', ...s };
  },
  /**
   * production.yml on the tag `tag`: on c1 (what the first staging run built), or on `commit`, pushed first (a
   * release staging built from a later commit, or a hotfix on its own branch).
   */
  tag(tag: string, s: Story & { commit?: GitCommit }): Scenario {
    const { commit, ...story } = s;
    const git = commit ? [{ commit }, { tag, at: commit.label }] : [{ tag, at: 'c1' }];
    return { workflow: 'production.yml', event: 'tag', ref: tag, git, ...story };
  },
  /** A workflow by manual dispatch on main (rollback.yml; staging.yml for a deploy by hand). */
  dispatch(workflow: Scenario['workflow'], s: Story): Scenario {
    return { workflow, event: 'dispatch', ref: 'main', ...s };
  },
};

export function succeeds(...checks: Check[]): Scenario['expect'] {
  return { conclusion: 'success', checks };
}

/** The run fails, and its failed steps or summaries name the cause. */
export function fails(rootCause: RegExp, ...checks: Check[]): Scenario['expect'] {
  return { conclusion: 'failure', rootCause, checks };
}
