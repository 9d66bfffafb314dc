// Seed 004 (shared/seeds/004_*.txt): the expense settlement app, FastAPI backend + SPA container behind one ALB
// (/api/* → backend); Terraform owns the infrastructure and the task definitions; "run smoke tests
// (signup/login/profile) against the live domain" after each deploy; "to rollback, redeploy previous images";
// eu-north-1.
import { jobs } from '../checks.ts';
import type { SeedSystem } from '../types.ts';
import { taskDefinition } from './common.ts';
import { ecsLayout, fails, imageChecks, on, perEnv, releasedBefore, succeeds } from './shared.ts';

const app = 'expense-app';
const region = 'eu-north-1';
const SERVICES = ['backend', 'frontend'] as const;

const rds = (env: string) => ({
  host: `expense-app-${env}.cluster-c7x2mysql.eu-north-1.rds.amazonaws.com`,
  port: '3306',
  username: `expense_app_${env}`,
  password: `Mysql-${env}-Kd8Fh2Js5Lq9`,
});

const ecs = ecsLayout({
  region,
  services: SERVICES,
  cluster: (env) => `expense-app-${env}`,
  serviceName: (env, s) => `expense-app-${env}-${s}`,
});

export const expense: SeedSystem = {
  seed: '004',
  app,
  title: 'Expense app: FastAPI + SPA container, Terraform, smoke tests (seed 004)',
  repository: 'acme/expense-app',
  region,
  ...releasedBefore(SERVICES, (r) => `expense-app ${r}`),
  fixture: ({ image }) => ({
    ...ecs.fixture({
      // What `terraform apply` registered (infra/task-definitions/ is that, as JSON).
      taskDefinition: (env, s) =>
        taskDefinition(app, `infra/task-definitions/${env}/${s}.json`, { [s]: image(s, 'v0.9.0') }),
      logGroup: (env, s) => `/ecs/expense-app-${env}-${s}`,
    }),
    secrets: perEnv((env) => ({
      name: `expense-app-${env}/rds-mysql`,
      value: rds(env),
      region,
    })),
  }),
  behaviors: [],
  // One ALB per environment: /api/* to the backend, everything else to the SPA container.
  sites: perEnv((env) => ({
    name: `expense-app-${env}`,
    routes: [
      { prefix: '/api/', region, cluster: `expense-app-${env}`, service: `expense-app-${env}-backend` },
      { prefix: '/', region, cluster: `expense-app-${env}`, service: `expense-app-${env}-frontend` },
    ],
  })),
  vars: (host) => ({
    EXPENSE_APP_STAGING_URL: host.site('expense-app-staging'),
    EXPENSE_APP_PRODUCTION_URL: host.site('expense-app-production'),
  }),
  secrets: {},
  secretValues: { secret: perEnv((env) => rds(env).password), publicByDesign: [] },
  scenarios: [
    on.push({
      id: 'expense-app/staging',
      title: 'staging: both images into the families Terraform registered, smoke tests, known-good',
      kind: 'seed',
      why: "Releases without `terraform apply`: the latest revision Terraform registered, only the image changed; after each rollout and health check the seed's smoke tests run in a job without AWS credentials and only then is the revision marked known-good.",
      expect: succeeds(
        jobs({ 'deploy (backend)/smoke-test': 'success', 'deploy (frontend)/smoke-test': 'success' }),
        ...imageChecks(region, SERVICES, { commit: 'c1' }, true),
        ...ecs.every('staging', (s) => ({
          revision: 2,
          image: { repository: s, tag: { commit: 'c1' } },
          knownGood: true,
        })),
      ),
    }),
    on.tag('v1.0.0', {
      id: 'expense-app/production',
      title: 'production: tag v1.0.0 promotes both images, smoke tests pass',
      kind: 'seed',
      why: 'The post-deployment checklist as a job: smoke tests against the production URL; the revision gets its known-good marker with the version only after they pass.',
      expect: succeeds(
        ...ecs.every('production', (s) => ({
          revision: 2,
          image: { repository: s, tag: { commit: 'c1' } },
          version: 'v1.0.0',
          knownGood: true,
          desiredCount: 2,
        })),
      ),
    }),
    on.dispatch('rollback.yml', {
      id: 'expense-app/rollback',
      title: 'rollback: production back to release v0.9.0 by dispatch',
      kind: 'seed',
      why: '"To rollback, redeploy previous images": both services, by the version on their known-good markers, each health-checked.',
      inputs: { environment: 'production', 'rollback-to': 'v0.9.0' },
      expect: succeeds(...ecs.every('production', (s) => ({ revision: 1, image: { repository: s, tag: 'v0.9.0' } }))),
    }),
    on.push({
      id: 'expense-app/rerun-staging',
      title: 'staging re-run of the same commit: nothing rebuilt, nothing redeployed',
      kind: 'gap',
      why: 'Idempotent re-runs: build-push-ecr skips the images the commit already has, the revisions rendered from the families equal the running ones, so no revision is registered and no deployment starts; the smoke tests run again and find the same release.',
      expect: succeeds(
        ...imageChecks(region, SERVICES, { commit: 'c1' }, false),
        ...ecs.every('staging', () => ({ revision: 2, untouched: true, knownGood: true })),
      ),
    }),
    on.tag('v1.1.0', {
      id: 'expense-app/smoke-test-fails',
      title: 'production: a release that fails its smoke test is rolled back',
      kind: 'failure',
      why: "v1.1.0's backend starts and answers /api/health, so ECS and the health check are satisfied, but GET /api/profile answers 500. The smoke test (no AWS credentials) fails; the verdict job puts the backend back on the revision that ran before. The frontend passed its own smoke test and stays on v1.1.0.",
      commit: {
        label: 'c2',
        message: 'Profile: avatars from S3',
        files: {
          'backend/app/profile.py': `"""GET /api/profile: the signed-in user's profile, with the avatar's CloudFront URL."""


def profile(user: dict) -> dict:
    return {"email": user["email"], "avatar": user["avatar_url"]}
`,
        },
      },
      prepare: async (env) => {
        const sha = env.repo.sha('c2');
        const backend = await env.seedImage('backend', sha, `expense-app backend ${sha}\n`);
        await env.seedImage('frontend', sha, `expense-app frontend ${sha}\n`);
        env.appBehavior({
          image: `*/backend@${backend}`,
          paths: ['/api/profile'],
          status: 500,
          body: "KeyError: 'avatar_url'",
        });
        env.note(
          `staging built backend/frontend:${sha.slice(0, 12)}; app host: that backend answers 500 on /api/profile`,
        );
      },
      expect: fails(
        /GET \/api\/profile answered 500/,
        jobs({
          'deploy (backend)/deploy': 'success',
          'deploy (backend)/smoke-test': 'failure',
          'deploy (backend)/smoke-test-verdict': 'success',
          'deploy (frontend)/smoke-test': 'success',
        }),
        ecs.service('production', 'backend', { revision: 1, image: { repository: 'backend', tag: 'v0.9.0' } }),
        ecs.service('production', 'frontend', {
          revision: 3,
          image: { repository: 'frontend', tag: { commit: 'c2' } },
          version: 'v1.1.0',
          knownGood: true,
        }),
      ),
    }),
  ],
};
