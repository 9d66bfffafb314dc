// Expected end states, read from the emulator after a run. Each helper returns a Check whose label says what must
// hold in words (the report lists them) and whose verify() says what differs.
import type { Check, CheckContext } from './types.ts';

/** An image tag: a literal (`v0.9.0`) or the SHA of a commit of the app repository (`{ commit: 'c1' }`). */
export type TagRef = string | { commit: string };

const tagOf = (ctx: Pick<CheckContext, 'repo'>, t: TagRef) => (typeof t === 'string' ? t : ctx.repo.sha(t.commit));
const tagLabel = (t: TagRef) => (typeof t === 'string' ? t : `<${t.commit} sha>`);

export interface ImageRef {
  repository: string;
  tag: TagRef;
}

export interface ServiceExpectation {
  /** Revision number of the task definition family the service runs. */
  revision?: number;
  /** Family of that task definition (default: unchecked). */
  family?: string;
  /** The (first essential) container's image is `<registry>/<repository>@<digest of that tag>`. */
  image?: ImageRef;
  desiredCount?: number;
  runningCount?: number;
  /** The running revision carries the known-good marker (true) or not (false). */
  knownGood?: boolean;
  /** `deploy-actions:version` on the running revision. */
  version?: string;
  /** Variables the container's environment must contain. */
  environment?: Record<string, string>;
  /** The PRIMARY deployment is COMPLETED (default true). */
  completed?: boolean;
  /**
   * COMPLETED may come after the run ended: ECS's own circuit-breaker rollback, which deploy-ecs reports but does not
   * wait for. The check then waits for it (up to 60 s) and says so in its label.
   */
  completesAfterRun?: boolean;
  /** Compared with the state before the run: same revision and same PRIMARY deployment (nothing deployed). */
  untouched?: boolean;
  /** A new PRIMARY deployment since before the run (e.g. force-new-deployment on the same revision). */
  newDeployment?: boolean;
}

export function service(region: string, cluster: string, name: string, want: ServiceExpectation): Check {
  let before: { revision: string; primary: string | undefined } | undefined;
  const parts: string[] = [];
  if (want.revision !== undefined)
    parts.push(`runs ${want.family ?? 'revision'}${want.family ? ':' : ' '}${want.revision}`);
  if (want.image) parts.push(`image ${want.image.repository}@digest(${tagLabel(want.image.tag)})`);
  if (want.desiredCount !== undefined) parts.push(`desired ${want.desiredCount}`);
  if (want.runningCount !== undefined) parts.push(`running ${want.runningCount}`);
  if (want.knownGood !== undefined) parts.push(want.knownGood ? 'marked known-good' : 'not marked known-good');
  if (want.version) parts.push(`version ${want.version}`);
  if (want.environment) parts.push(`env ${Object.keys(want.environment).join(', ')}`);
  if (want.untouched) parts.push('untouched by the run');
  if (want.newDeployment) parts.push('a new deployment');
  if (want.completed !== false)
    parts.push(
      want.completesAfterRun ? "rollout COMPLETED (ECS's rollback, after the run ended)" : 'rollout COMPLETED',
    );
  return {
    label: `${name}: ${parts.join(', ')}`,
    before: async ({ probe }) => {
      const s = await probe.service(region, cluster, name);
      before = s ? { revision: s.revision, primary: s.primary?.id } : undefined;
    },
    verify: async (ctx) => {
      let s = await ctx.probe.service(region, cluster, name);
      for (let i = 0; want.completesAfterRun && s?.primary?.rolloutState === 'IN_PROGRESS' && i < 120; i++) {
        await new Promise((r) => setTimeout(r, 500));
        s = await ctx.probe.service(region, cluster, name);
      }
      if (!s) return `${name} does not exist in ${cluster}`;
      const problems: string[] = [];
      if (want.revision !== undefined && s.revisionNumber !== want.revision) problems.push(`runs ${s.revision}`);
      if (want.family && s.family !== want.family) problems.push(`runs family ${s.family}`);
      if (want.image) {
        const tag = tagOf(ctx, want.image.tag);
        const digest = await ctx.probe.imageDigest(region, want.image.repository, tag);
        const image = s.containers.find((c) => c.essential !== false)?.image ?? '';
        if (!digest) problems.push(`${want.image.repository}:${tag} is not in ECR`);
        else if (!image.endsWith(`/${want.image.repository}@${digest}`))
          problems.push(`image is ${image}, expected …/${want.image.repository}@${digest}`);
      }
      if (want.desiredCount !== undefined && s.desiredCount !== want.desiredCount)
        problems.push(`desired count ${s.desiredCount}`);
      if (want.runningCount !== undefined && s.runningCount !== want.runningCount)
        problems.push(`running count ${s.runningCount}`);
      const marked = 'deploy-actions:known-good' in s.tags;
      if (want.knownGood !== undefined && marked !== want.knownGood)
        problems.push(marked ? 'is marked known-good' : 'is not marked known-good');
      if (want.version && s.tags['deploy-actions:version'] !== want.version)
        problems.push(`version tag is ${s.tags['deploy-actions:version'] ?? 'absent'}`);
      const env = Object.fromEntries(
        (s.containers.find((c) => c.essential !== false)?.environment ?? []).map((e) => [e.name, e.value]),
      );
      for (const [k, v] of Object.entries(want.environment ?? {}))
        if (env[k] !== v) problems.push(`env ${k}=${env[k] ?? '(unset)'}`);
      if (want.completed !== false && s.primary?.rolloutState !== 'COMPLETED')
        problems.push(`PRIMARY rollout is ${s.primary?.rolloutState ?? 'missing'}`);
      if (want.untouched && (s.revision !== before?.revision || s.primary?.id !== before?.primary))
        problems.push(`changed: ${before?.revision}/${before?.primary} → ${s.revision}/${s.primary?.id}`);
      if (want.newDeployment && s.primary?.id === before?.primary) problems.push('no new deployment');
      return problems.length ? `${name}: ${problems.join('; ')}` : undefined;
    },
  };
}

/** An ECR tag exists; `built: true` = it did not exist before the run (the run pushed it), `false` = it did and its
 * digest did not change (the run promoted it, nothing was rebuilt). */
export function ecrImage(region: string, repository: string, tag: TagRef, opts: { pushedByRun?: boolean } = {}): Check {
  let before: string | undefined;
  const what = opts.pushedByRun === undefined ? 'exists' : opts.pushedByRun ? 'pushed by this run' : 'promoted as is';
  return {
    label: `ECR ${repository}:${tagLabel(tag)} ${what}`,
    before: async (ctx) => {
      before = await ctx.probe.imageDigest(region, repository, tagOf(ctx, tag));
    },
    verify: async (ctx) => {
      const t = tagOf(ctx, tag);
      const digest = await ctx.probe.imageDigest(region, repository, t);
      if (!digest) return `${repository}:${t} is not in ECR`;
      // without buildah the harness seeds the commit's image before the run (nothing can be built)
      if (opts.pushedByRun === true && before && ctx.buildah)
        return `${repository}:${t} existed before the run (${before})`;
      if (opts.pushedByRun === false && before !== digest)
        return `${repository}:${t} was ${before ?? 'absent'} before the run, now ${digest}`;
      return undefined;
    },
  };
}

export interface SpaExpectation {
  /** The live release (newest release record). */
  live?: TagRef;
  /** Nothing was written: the same objects and release records as before the run. */
  unchanged?: boolean;
  /** Keys that must exist / not exist (relative to the bucket). */
  has?: string[];
  lacks?: string[];
}

export function spa(region: string, bucket: string, want: SpaExpectation): Check {
  let before: string[] = [];
  const parts: string[] = [];
  if (want.live) parts.push(`live release ${tagLabel(want.live)}`);
  if (want.unchanged) parts.push('nothing published');
  if (want.has) parts.push(`has ${want.has.join(', ')}`);
  if (want.lacks) parts.push(`has no ${want.lacks.join(', ')}`);
  return {
    label: `s3://${bucket}: ${parts.join(', ')}; index.html loads only assets that exist`,
    before: async ({ probe }) => {
      before = (await probe.spa(region, bucket)).keys;
    },
    verify: async (ctx) => {
      const s = await ctx.probe.spa(region, bucket);
      const problems: string[] = [];
      if (want.live) {
        const id = typeof want.live === 'string' ? want.live : ctx.repo.sha(want.live.commit);
        // sync-spa-cloudfront's default release id is the first 12 characters of the commit SHA
        if (s.live !== id && s.live !== id.slice(0, 12)) problems.push(`live release is ${s.live ?? 'none'}`);
      }
      if (want.unchanged && JSON.stringify(s.keys) !== JSON.stringify(before)) {
        const added = s.keys.filter((k) => !before.includes(k));
        problems.push(`objects changed (new: ${added.slice(0, 5).join(', ') || 'none'})`);
      }
      for (const k of want.has ?? []) if (!s.keys.includes(k)) problems.push(`no ${k}`);
      for (const k of want.lacks ?? []) if (s.keys.includes(k)) problems.push(`has ${k}`);
      for (const ref of (s.indexHtml ?? '').matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)) {
        if (!s.keys.includes(ref[1] ?? '')) problems.push(`index.html loads ${ref[1]}, which is not in the bucket`);
      }
      return problems.length ? `s3://${bucket}: ${problems.join('; ')}` : undefined;
    },
  };
}

/** CloudFront invalidations created by the run (count and a path they must include), or none. */
export function invalidations(distributionId: string, want: { created: number; includes?: string }): Check {
  let before = new Set<string>();
  return {
    label: `CloudFront ${distributionId}: ${want.created} invalidation(s) created${want.includes ? ` (incl. ${want.includes})` : ''}`,
    before: async ({ probe }) => {
      before = new Set((await probe.invalidations(distributionId)).map((i) => i.id));
    },
    verify: async ({ probe }) => {
      const created = (await probe.invalidations(distributionId)).filter((i) => !before.has(i.id));
      if (created.length !== want.created) return `${created.length} invalidation(s) created`;
      if (want.includes && !created.some((i) => i.paths.includes(want.includes ?? '')))
        return `the new invalidation's paths are ${created.flatMap((i) => i.paths).join(', ')}`;
      return undefined;
    },
  };
}

/**
 * Jobs of the run (path → result), e.g. `{ 'backend/deploy': 'skipped' }`. A matrix leg is named by its first matrix
 * value: `deploy (backend)` stands for the runner's `deploy (backend, /api/health, )`.
 */
export function jobs(want: Record<string, string>): Check {
  return {
    label: `jobs: ${Object.entries(want)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    verify: async ({ result }) => {
      const all = new Map<string, string>();
      const walk = (list: typeof result.jobs) => {
        for (const j of list) {
          all.set(j.path, j.result);
          all.set(j.path.replace(/\(([^,)]*)(?:, [^)]*)?\)/g, '($1)'), j.result);
          walk(j.jobs ?? []);
        }
      };
      walk(result.jobs);
      const problems = Object.entries(want)
        .filter(([k, v]) => all.get(k) !== v)
        .map(([k]) => `${k} ${all.get(k) ?? 'absent'}`);
      return problems.length ? problems.join('; ') : undefined;
    },
  };
}
