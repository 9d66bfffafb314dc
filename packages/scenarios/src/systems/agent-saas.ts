// Seed 002 (shared/seeds/002_*.txt): the agent SaaS starter: API, dedicated billing worker (same image) and web on
// ECS Fargate, Terraform blueprint, `starter-console release db` once per deploy, readiness probes, and the fast
// rollback "update the ECS service to the previous image tag (or set desired count to 0)"; us-east-1.
import type { SeedSystem } from '../types.ts';
import { migrationRule, taskDefinition } from './common.ts';
import { ecsLayout, imageChecks, on, perEnv, releasedBefore, succeeds } from './shared.ts';

const app = 'agent-saas-starter';
const region = 'us-east-1';

const secretsOf = (env: string) => [
  {
    name: `agent-saas-${env}/database-url`,
    secretString: `postgresql://starter:Pg-${env}-9kL2mN4pQ6@agent-saas-${env}.c9akciq32.us-east-1.rds.amazonaws.com:5432/starter`,
  },
  {
    name: `agent-saas-${env}/redis-url`,
    secretString: `rediss://:Rd-${env}-3vB5nM7kJ9@master.agent-saas-${env}.abc123.use1.cache.amazonaws.com:6379`,
  },
  { name: `agent-saas-${env}/signing`, secretString: `signing-${env}-Hq8Wz2Xc4Vb6Nm1Lk3Jh5Gf7` },
];

const releaseDb = [
  'starter-console release db',
  '  → alembic upgrade head',
  '  ✓ schema at 20261201_billing_retry_queue',
];

const SERVICES = ['api', 'worker', 'web'] as const;
const BUILT = ['agent-saas-api', 'agent-saas-web'];
/** The billing worker runs the api image (its own task definition). */
const repositoryOf = (s: string) => (s === 'web' ? 'agent-saas-web' : 'agent-saas-api');

const ecs = ecsLayout({
  region,
  services: SERVICES,
  cluster: (env) => `agent-saas-${env}`,
  serviceName: (env, s) => `agent-saas-${env}-${s}`,
});

export const agentSaas: SeedSystem = {
  seed: '002',
  app,
  title: 'Agent SaaS starter: API + billing worker + web, Terraform (seed 002)',
  repository: 'acme/agent-saas-starter',
  region,
  ...releasedBefore(BUILT, (r) => r.replace(/^agent-saas-/, 'agent-saas ')),
  fixture: ({ image }) => ({
    ...ecs.fixture({
      taskDefinition: (env, s) =>
        taskDefinition(app, `task-definitions/${env}/${s}.json`, { [s]: image(repositoryOf(s), 'v0.9.0') }),
      logGroup: (env, s) => `/ecs/agent-saas-${env}/${s}`,
      desiredCount: (env, s) => (env === 'production' && s !== 'worker' ? 2 : 1),
    }),
    secrets: perEnv((env) => secretsOf(env).map((s) => ({ ...s, region }))),
  }),
  behaviors: [migrationRule('*/agent-saas-api*', releaseDb)],
  sites: perEnv((env) => [
    ecs.site(`agent-saas-${env}-api`, env, 'api'),
    ecs.site(`agent-saas-${env}-app`, env, 'web'),
  ]),
  vars: (host) => ({
    AGENT_SAAS_STAGING_API_URL: host.site('agent-saas-staging-api'),
    AGENT_SAAS_STAGING_APP_URL: host.site('agent-saas-staging-app'),
    AGENT_SAAS_PRODUCTION_API_URL: host.site('agent-saas-production-api'),
    AGENT_SAAS_PRODUCTION_APP_URL: host.site('agent-saas-production-app'),
  }),
  secrets: {},
  secretValues: {
    secret: perEnv((env) => secretsOf(env).map((s) => s.secretString)),
    publicByDesign: [],
  },
  scenarios: [
    on.push({
      id: 'agent-saas/staging',
      title: 'staging: api (build, release db, deploy), then the worker on the api image, and web',
      kind: 'seed',
      why: 'Quickstart 1, 3–6 as one push: both images built and pinned by digest, `starter-console release db` with the new api revision, the billing worker on the same image with its own task definition, readiness probes after each rollout.',
      expect: succeeds(
        ...imageChecks(region, BUILT, { commit: 'c1' }, true),
        ...ecs.every('staging', (s) => ({
          revision: 2,
          image: { repository: repositoryOf(s), tag: { commit: 'c1' } },
          knownGood: true,
        })),
      ),
    }),
    on.tag('v1.0.0', {
      id: 'agent-saas/production',
      title: 'production: tag v1.0.0 promotes both images to api, worker and web',
      kind: 'seed',
      why: "The web image reads API_BASE_URL at run time, so the images staging tested are promoted unchanged; the worker takes the api job's image output.",
      expect: succeeds(
        ...imageChecks(region, BUILT, { commit: 'c1' }, false),
        ...ecs.every('production', (s) => ({
          revision: 2,
          image: { repository: repositoryOf(s), tag: { commit: 'c1' } },
          version: 'v1.0.0',
          // the worker keeps one task (the fixture's desired count); api and web run two
          ...(s !== 'worker' && { desiredCount: 2 }),
        })),
      ),
    }),
    on.dispatch('rollback.yml', {
      id: 'agent-saas/rollback',
      title: 'rollback: every production service back to release v0.9.0 in one dispatch',
      kind: 'seed',
      why: '"Fast rollback: update the ECS service to the previous image tag", for the three services at once: the revisions recorded as v0.9.0, one wait for all.',
      inputs: { environment: 'production', services: 'api,worker,web', 'rollback-to': 'v0.9.0' },
      expect: succeeds(
        ...ecs.every('production', (s) => ({ revision: 1, image: { repository: repositoryOf(s), tag: 'v0.9.0' } })),
        ecs.service('staging', 'api', { untouched: true }),
      ),
    }),
    on.dispatch('rollback.yml', {
      id: 'agent-saas/stop-worker',
      title: 'rollback with desired-count 0: the staging billing worker stopped',
      kind: 'gap',
      why: 'The seed\'s "(or set desired count to 0)": the rollback workflow sets the desired count with the rollback and waits until no task of the worker runs; api and web are not touched.',
      inputs: { environment: 'staging', services: 'worker', 'rollback-to': 'v0.9.0', 'desired-count': '0' },
      expect: succeeds(
        ecs.service('staging', 'worker', { revision: 1, desiredCount: 0, runningCount: 0 }),
        ecs.service('staging', 'api', { revision: 2, untouched: true }),
        ecs.service('staging', 'web', { revision: 2, untouched: true }),
      ),
    }),
  ],
};
