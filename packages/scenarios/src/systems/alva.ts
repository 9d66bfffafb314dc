// Seed 003 (shared/seeds/003_*.txt): Alva, four services (web, api, auth, admin) on ECS Fargate; CDK owns the
// network, databases, services and the task definitions; deploy-staging.yml builds four images and forces new
// deployments, on pushes and by manual dispatch; us-east-1. Production (tags) is the example's addition.
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { jobs } from '../checks.ts';
import type { SeedSystem } from '../types.ts';
import { readTaskDefinition, taskDefinition } from './common.ts';
import { ecsLayout, fails, imageChecks, on, perEnv, releasedBefore, succeeds } from './shared.ts';

const app = 'alva-platform';
const region = 'us-east-1';
const SERVICES = ['web', 'api', 'auth', 'admin'] as const;

const secretsOf = (env: string) => [
  {
    name: `alva-${env}/database-credentials`,
    value: {
      host: `alva-${env}-db.c9akciq32.us-east-1.rds.amazonaws.com`,
      port: '5432',
      dbname: 'alva',
      username: 'alva_app',
      password: `Alva-${env}-db-Tq5Wx8Ze1Rc4`,
    },
  },
  {
    name: `alva-${env}/app-secrets`,
    value: { RESEND_API_KEY: `re_alva_${env}_4Gh7Jk0Lm3Np`, JWT_SECRET: `alva-${env}-jwt-Vb2Nm5Qw8Er1Ty4Ui7` },
  },
];

const REPOSITORIES = SERVICES.map((s) => `alva-${s}`);

const ecs = ecsLayout({
  region,
  services: SERVICES,
  cluster: (env) => `alva-${env}-cluster`,
  serviceName: (env, s) => `alva-${env}-${s}`,
});

export const alva: SeedSystem = {
  seed: '003',
  app,
  title: 'Alva: web, api, auth, admin; CDK owns the task definitions (seed 003)',
  repository: 'acme/alva',
  region,
  ...releasedBefore(REPOSITORIES, (r) => r.replace(/^alva-/, 'alva ')),
  fixture: ({ image }) => ({
    ...ecs.fixture({
      // What `cdk deploy` registered (infrastructure/task-definitions/ is that, as JSON).
      taskDefinition: (env, s) =>
        taskDefinition(app, `infrastructure/task-definitions/${env}/${s}.json`, { [s]: image(`alva-${s}`, 'v0.9.0') }),
      logGroup: (env, s) => `/ecs/alva-${env}/${s}`,
      // CDK's ECS services; production with the deployment circuit breaker and its rollback.
      settings: (env) =>
        env === 'production'
          ? { deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } } }
          : {},
    }),
    secrets: perEnv((env) => secretsOf(env).map((s) => ({ ...s, region }))),
  }),
  behaviors: [],
  sites: perEnv((env) => SERVICES.map((s) => ecs.site(`alva-${env}-${s}`, env, s))),
  vars: (host) => ({
    // {0} is the service (the callers use format(vars.ALVA_STAGING_URL, matrix.service))
    ALVA_STAGING_URL: host.site('alva-staging-{0}'),
    ALVA_PRODUCTION_URL: host.site('alva-production-{0}'),
  }),
  secrets: {},
  secretValues: {
    secret: perEnv((env) => {
      const [db, app] = secretsOf(env);
      return [db?.value.password, app?.value.RESEND_API_KEY, app?.value.JWT_SECRET].filter((v): v is string => !!v);
    }),
    publicByDesign: [],
  },
  scenarios: [
    on.push({
      id: 'alva/staging',
      title: 'staging: four images built, each service on a new revision of the family CDK registered',
      kind: 'seed',
      why: "The seed's build-and-push-images + update-services, with task-definition-family: the latest revision CDK registered keeps its environment and secrets, only the image changes (by digest); four legs in parallel, each waiting for its own rollout and health check.",
      expect: succeeds(
        ...imageChecks(region, REPOSITORIES, { commit: 'c1' }, true),
        ...ecs.every('staging', (s) => ({
          revision: 2,
          image: { repository: `alva-${s}`, tag: { commit: 'c1' } },
          environment: { APP_ENV: 'staging' },
          knownGood: true,
        })),
      ),
    }),
    on.tag('v1.0.0', {
      id: 'alva/production',
      title: 'production: tag v1.0.0 promotes the four images into the production families',
      kind: 'seed',
      why: "The example's addition to the seed (which deploys staging only): the images staging tested, into the task definitions CDK registered for production.",
      expect: succeeds(
        ...ecs.every('production', (s) => ({
          revision: 2,
          image: { repository: `alva-${s}`, tag: { commit: 'c1' } },
          environment: { APP_ENV: 'production' },
          version: 'v1.0.0',
          desiredCount: 2,
        })),
      ),
    }),
    on.dispatch('rollback.yml', {
      id: 'alva/rollback',
      title: 'rollback: the staging web service back to revision 1 by dispatch',
      kind: 'seed',
      why: '"Rollback mechanism in place": one service of four, to a named revision; the other three are not touched.',
      inputs: { environment: 'staging', service: 'web', 'rollback-to': '1' },
      expect: succeeds(
        ecs.service('staging', 'web', { revision: 1, image: { repository: 'alva-web', tag: 'v0.9.0' } }),
        ...(['api', 'auth', 'admin'] as const).map((s) => ecs.service('staging', s, { revision: 2, untouched: true })),
      ),
    }),
    on.dispatch('staging.yml', {
      id: 'alva/dispatch-after-cdk-deploy',
      title: 'staging by dispatch after `cdk deploy` changed the task definitions',
      kind: 'gap',
      why: "The seed deploys by hand too. After `cdk deploy` registered new revisions (a new FEATURE_FLAGS variable), a dispatch takes them as templates: every service gets CDK's new settings with the image of this commit (not rebuilt), and the next `cdk deploy` has nothing to undo.",
      prepare: async (env) => {
        // cdk deploy: CDK registers revision 3 of each staging family, with a new variable and its bootstrap image.
        for (const s of SERVICES) {
          const td = readTaskDefinition(app, `infrastructure/task-definitions/staging/${s}.json`) as {
            containerDefinitions: Array<{ environment?: Array<{ name: string; value: string }> }>;
          };
          const c = td.containerDefinitions[0];
          if (c) c.environment = [...(c.environment ?? []), { name: 'FEATURE_FLAGS', value: 'usage-billing' }];
          await env.probe.ecs(region).send(new RegisterTaskDefinitionCommand(td as never));
        }
        env.note('cdk deploy: registered alva-staging-{web,api,auth,admin}:3 with FEATURE_FLAGS=usage-billing');
      },
      expect: succeeds(
        jobs({ 'deploy (web)/build': 'success', 'deploy (web)/deploy': 'success' }),
        ...imageChecks(region, REPOSITORIES, { commit: 'c1' }, false),
        ...ecs.every('staging', (s) => ({
          revision: 4,
          image: { repository: `alva-${s}`, tag: { commit: 'c1' } },
          environment: { FEATURE_FLAGS: 'usage-billing', APP_ENV: 'staging' },
          knownGood: true,
        })),
      ),
    }),
    on.tag('v1.1.0', {
      id: 'alva/crash-loop',
      title: 'production: a release whose api crash-loops fails with the root cause and runs v1.0.0 again',
      kind: 'failure',
      why: "v1.1.0's api exits at boot (a setting missing in production): the circuit breaker rolls the api back to the v1.0.0 revision, the run fails naming the stopped tasks' reason and the last log lines; web, auth and admin, deployed by their own legs, run v1.1.0.",
      commit: {
        label: 'c2',
        message: 'api: read the database URL from DATABASE_URL',
        files: {
          'apps/api/src/config.ts':
            "// The database connection comes from DATABASE_URL now (set in staging, forgotten in production's CDK stack).\nexport const databaseUrl = process.env.DATABASE_URL ?? raise('required setting DATABASE_URL is not set');\n",
        },
      },
      prepare: async (env) => {
        // Staging built and tested v1.1.0's images (staging has DATABASE_URL); production's api tasks crash on it.
        const sha = env.repo.sha('c2');
        let apiDigest = '';
        for (const s of SERVICES) {
          const d = await env.seedImage(`alva-${s}`, sha, `alva ${s} ${sha}\n`);
          if (s === 'api') apiDigest = d;
        }
        await env.behaviors([{ image: `*/alva-api@${apiDigest}`, service: 'crashloop' }]);
        env.note(
          `staging built alva-*:${sha.slice(0, 12)}; emulator: tasks of alva-api@${apiDigest.slice(0, 19)}… crash-loop`,
        );
      },
      expect: fails(
        /RuntimeError: required setting DATABASE_URL is not set/,
        jobs({ 'deploy (api)/deploy': 'failure', 'deploy (web)/deploy': 'success' }),
        ecs.service('production', 'api', {
          revision: 2,
          image: { repository: 'alva-api', tag: { commit: 'c1' } },
          version: 'v1.0.0',
          desiredCount: 2,
          completesAfterRun: true,
        }),
        ...(['web', 'auth', 'admin'] as const).map((s) =>
          ecs.service('production', s, {
            revision: 3,
            image: { repository: `alva-${s}`, tag: { commit: 'c2' } },
            version: 'v1.1.0',
          }),
        ),
      ),
    }),
  ],
};
