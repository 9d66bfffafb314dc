// Seed 002 (shared/seeds/002_*.txt): the agent SaaS starter: API, dedicated billing worker (same image) and web on
// ECS Fargate, Terraform blueprint, `starter-console release db` once per deploy, readiness probes, and the fast
// rollback "update the ECS service to the previous image tag (or set desired count to 0)"; us-east-1.
import { ecrImage, service } from '../checks.ts';
import type { SeedSystem } from '../types.ts';
import { migrationRule, taskDefinition } from './common.ts';

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

const svc = (env: string, name: string, want: Parameters<typeof service>[3]) =>
  service(region, `agent-saas-${env}`, `agent-saas-${env}-${name}`, { family: `agent-saas-${env}-${name}`, ...want });

export const agentSaas: SeedSystem = {
  seed: '002',
  app,
  title: 'Agent SaaS starter: API + billing worker + web, Terraform (seed 002)',
  repository: 'acme/agent-saas-starter',
  region,
  images: [
    { repository: 'agent-saas-api', tag: 'v0.9.0', content: 'agent-saas api v0.9.0\n' },
    { repository: 'agent-saas-web', tag: 'v0.9.0', content: 'agent-saas web v0.9.0\n' },
  ],
  builtRepositories: ['agent-saas-api', 'agent-saas-web'],
  fixture: ({ image }) => ({
    region,
    clusters: ['agent-saas-staging', 'agent-saas-production'],
    taskDefinitions: ['staging', 'production'].flatMap((env) => [
      taskDefinition(app, `task-definitions/${env}/api.json`, { api: image('agent-saas-api', 'v0.9.0') }),
      taskDefinition(app, `task-definitions/${env}/worker.json`, { worker: image('agent-saas-api', 'v0.9.0') }),
      taskDefinition(app, `task-definitions/${env}/web.json`, { web: image('agent-saas-web', 'v0.9.0') }),
    ]),
    services: ['staging', 'production'].flatMap((env) =>
      ['api', 'worker', 'web'].map((name) => ({
        cluster: `agent-saas-${env}`,
        serviceName: `agent-saas-${env}-${name}`,
        taskDefinition: `agent-saas-${env}-${name}:1`,
        desiredCount: env === 'production' && name !== 'worker' ? 2 : 1,
      })),
    ),
    logGroups: ['staging', 'production'].flatMap((env) =>
      ['api', 'worker', 'web'].map((name) => ({ logGroupName: `/ecs/agent-saas-${env}/${name}`, region })),
    ),
    secrets: ['staging', 'production'].flatMap((env) => secretsOf(env).map((s) => ({ ...s, region }))),
  }),
  behaviors: [migrationRule('*/agent-saas-api*', releaseDb)],
  sites: ['staging', 'production'].flatMap((env) => [
    {
      name: `agent-saas-${env}-api`,
      routes: [{ prefix: '/', region, cluster: `agent-saas-${env}`, service: `agent-saas-${env}-api` }],
    },
    {
      name: `agent-saas-${env}-app`,
      routes: [{ prefix: '/', region, cluster: `agent-saas-${env}`, service: `agent-saas-${env}-web` }],
    },
  ]),
  vars: (host) => ({
    AGENT_SAAS_STAGING_API_URL: host.site('agent-saas-staging-api'),
    AGENT_SAAS_STAGING_APP_URL: host.site('agent-saas-staging-app'),
    AGENT_SAAS_PRODUCTION_API_URL: host.site('agent-saas-production-api'),
    AGENT_SAAS_PRODUCTION_APP_URL: host.site('agent-saas-production-app'),
  }),
  secrets: {},
  secretValues: {
    secret: ['staging', 'production'].flatMap((env) => secretsOf(env).map((s) => s.secretString)),
    publicByDesign: [],
  },
  scenarios: [
    {
      id: 'agent-saas/staging',
      title: 'staging: api (build, release db, deploy), then the worker on the api image, and web',
      kind: 'seed',
      why: 'Quickstart 1, 3–6 as one push: both images built and pinned by digest, `starter-console release db` with the new api revision, the billing worker on the same image with its own task definition, readiness probes after each rollout.',
      workflow: 'staging.yml',
      event: 'push',
      ref: 'main',
      expect: {
        conclusion: 'success',
        checks: [
          ecrImage(region, 'agent-saas-api', { commit: 'c1' }, { pushedByRun: true }),
          ecrImage(region, 'agent-saas-web', { commit: 'c1' }, { pushedByRun: true }),
          svc('staging', 'api', {
            revision: 2,
            image: { repository: 'agent-saas-api', tag: { commit: 'c1' } },
            knownGood: true,
          }),
          svc('staging', 'worker', {
            revision: 2,
            image: { repository: 'agent-saas-api', tag: { commit: 'c1' } },
            knownGood: true,
          }),
          svc('staging', 'web', {
            revision: 2,
            image: { repository: 'agent-saas-web', tag: { commit: 'c1' } },
            knownGood: true,
          }),
        ],
      },
    },
    {
      id: 'agent-saas/production',
      title: 'production: tag v1.0.0 promotes both images to api, worker and web',
      kind: 'seed',
      why: "The web image reads API_BASE_URL at run time, so the images staging tested are promoted unchanged; the worker takes the api job's image output.",
      workflow: 'production.yml',
      event: 'tag',
      ref: 'v1.0.0',
      git: [{ tag: 'v1.0.0', at: 'c1' }],
      expect: {
        conclusion: 'success',
        checks: [
          ecrImage(region, 'agent-saas-api', { commit: 'c1' }, { pushedByRun: false }),
          ecrImage(region, 'agent-saas-web', { commit: 'c1' }, { pushedByRun: false }),
          svc('production', 'api', {
            revision: 2,
            image: { repository: 'agent-saas-api', tag: { commit: 'c1' } },
            version: 'v1.0.0',
            desiredCount: 2,
          }),
          svc('production', 'worker', {
            revision: 2,
            image: { repository: 'agent-saas-api', tag: { commit: 'c1' } },
            version: 'v1.0.0',
          }),
          svc('production', 'web', {
            revision: 2,
            image: { repository: 'agent-saas-web', tag: { commit: 'c1' } },
            version: 'v1.0.0',
            desiredCount: 2,
          }),
        ],
      },
    },
    {
      id: 'agent-saas/rollback',
      title: 'rollback: every production service back to release v0.9.0 in one dispatch',
      kind: 'seed',
      why: '"Fast rollback: update the ECS service to the previous image tag", for the three services at once: the revisions recorded as v0.9.0, one wait for all.',
      workflow: 'rollback.yml',
      event: 'dispatch',
      ref: 'main',
      inputs: { environment: 'production', services: 'api,worker,web', 'rollback-to': 'v0.9.0' },
      expect: {
        conclusion: 'success',
        checks: [
          svc('production', 'api', { revision: 1, image: { repository: 'agent-saas-api', tag: 'v0.9.0' } }),
          svc('production', 'worker', { revision: 1, image: { repository: 'agent-saas-api', tag: 'v0.9.0' } }),
          svc('production', 'web', { revision: 1, image: { repository: 'agent-saas-web', tag: 'v0.9.0' } }),
          svc('staging', 'api', { untouched: true }),
        ],
      },
    },
    {
      id: 'agent-saas/stop-worker',
      title: 'rollback with desired-count 0: the staging billing worker stopped',
      kind: 'gap',
      why: 'The seed\'s "(or set desired count to 0)": the rollback workflow sets the desired count with the rollback and waits until no task of the worker runs; api and web are not touched.',
      workflow: 'rollback.yml',
      event: 'dispatch',
      ref: 'main',
      inputs: { environment: 'staging', services: 'worker', 'rollback-to': 'v0.9.0', 'desired-count': '0' },
      expect: {
        conclusion: 'success',
        checks: [
          svc('staging', 'worker', { revision: 1, desiredCount: 0, runningCount: 0 }),
          svc('staging', 'api', { revision: 2, untouched: true }),
          svc('staging', 'web', { revision: 2, untouched: true }),
        ],
      },
    },
  ],
};
