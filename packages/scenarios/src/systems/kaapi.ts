// Seed 001 (shared/seeds/001_*.txt): Kaapi, FastAPI on ECS, staging on every push to main, production on version
// tags (the seed rebuilds the image on the tag), alembic migrations, rollback by `update-service --task-definition
// <previous>`; ap-south-1.
import { ecrImage, jobs } from '../checks.ts';
import type { SeedSystem } from '../types.ts';
import { migrationRule, taskDefinition } from './common.ts';
import { ecsLayout, fails, on, perEnv, releasedBefore, succeeds } from './shared.ts';

const app = 'kaapi-fastapi';
const region = 'ap-south-1';

const backendSecrets = (env: string) => ({
  SECRET_KEY: `kaapi-${env}-secret-key-Jx7Rq2Lm9Vb4Nc8Hw3Zt6`,
  FIRST_SUPERUSER_PASSWORD: `kaapi-${env}-admin-Pw5Tg8Kd2Qs`,
  POSTGRES_PASSWORD: `kaapi-${env}-pg-Mn3Bv6Cx9Za1`,
  RABBITMQ_PASSWORD: `kaapi-${env}-mq-Yt4Re7Wq0Lp2`,
  // Named by the task definitions, missing from the example's README list until the account realism caught it.
  REDIS_PASSWORD: `kaapi-${env}-redis-Hk6Dw1Sf4Gj7`,
  OPENAI_API_KEY: `sk-proj-kaapi${env}Fh2Jk5Lm8Np1Qr4St7Uv0`,
  SENTRY_DSN: `https://8c2e4f6a0b1d3e5f@o450001.ingest.sentry.io/${env === 'staging' ? 1 : 2}`,
});

const alembic = [
  'INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.',
  'INFO  [alembic.runtime.migration] Will assume transactional DDL.',
  'INFO  [alembic.runtime.migration] Running upgrade 1a2b3c4d5e6f -> 7f8e9d0c1b2a, add credit ledger',
];
const alembicFails = [
  'INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.',
  'INFO  [alembic.runtime.migration] Running upgrade 7f8e9d0c1b2a -> 0042aa11bb22, add index on threads.project_id',
  'sqlalchemy.exc.ProgrammingError: (psycopg.errors.UndefinedColumn) column "project_id" does not exist',
  '[SQL: CREATE INDEX ix_threads_project_id ON threads (project_id)]',
];

const ecs = ecsLayout({
  region,
  services: ['backend'],
  cluster: (env) => `kaapi-${env}-cluster`,
  serviceName: (env) => `kaapi-${env}-service`,
  family: (env) => `kaapi-${env}-backend`,
});

export const kaapi: SeedSystem = {
  seed: '001',
  app,
  title: 'Kaapi: FastAPI, staging on main, production on tags (seed 001)',
  repository: 'acme/kaapi',
  region,
  ...releasedBefore(['kaapi-backend'], () => 'kaapi backend'),
  fixture: ({ image }) => ({
    ...ecs.fixture({
      taskDefinition: (env) =>
        taskDefinition(app, `task-definitions/${env}/backend.json`, { backend: image('kaapi-backend', 'v0.9.0') }),
      logGroup: (env) => `/ecs/kaapi-${env}-cluster/kaapi-${env}-service`,
    }),
    secrets: perEnv((env) => ({
      name: `kaapi/${env}/backend`,
      value: backendSecrets(env),
      region,
    })),
  }),
  behaviors: [migrationRule('*/kaapi-backend*', alembic)],
  sites: perEnv((env) => ecs.site(`kaapi-${env}-api`, env, 'backend')),
  vars: (host) => ({
    KAAPI_STAGING_API_URL: host.site('kaapi-staging-api'),
    KAAPI_PRODUCTION_API_URL: host.site('kaapi-production-api'),
  }),
  secrets: {},
  secretValues: {
    secret: perEnv((env) => Object.values(backendSecrets(env))),
    publicByDesign: [],
  },
  scenarios: [
    on.push({
      id: 'kaapi/staging',
      title: 'staging: push to main builds ./backend, runs alembic, deploys by digest',
      kind: 'seed',
      why: 'cd-staging.yml without `latest`: the image of this commit is deployed by digest, `alembic upgrade head` runs with the new revision before the service changes, and the wait ends when the rollout and the health check say so.',
      expect: succeeds(
        ecrImage(region, 'kaapi-backend', { commit: 'c1' }, { pushedByRun: true }),
        ecs.service('staging', 'backend', {
          revision: 2,
          image: { repository: 'kaapi-backend', tag: { commit: 'c1' } },
          knownGood: true,
        }),
        ecs.service('production', 'backend', { untouched: true }),
      ),
    }),
    on.tag('v1.0.0', {
      id: 'kaapi/production',
      title: 'production: tag v1.0.0 promotes the tested image and releases it',
      kind: 'seed',
      why: 'The build job finds kaapi-backend:<sha> (staging built it) and promotes it; after the deploy, deploy-release.yml puts the version tag on that digest and creates the GitHub Release.',
      expect: succeeds(
        jobs({ 'deploy/build': 'success', 'deploy/deploy': 'success', 'release/release': 'success' }),
        ecrImage(region, 'kaapi-backend', { commit: 'c1' }, { pushedByRun: false }),
        ecrImage(region, 'kaapi-backend', 'v1.0.0', { pushedByRun: true }),
        ecs.service('production', 'backend', {
          revision: 2,
          image: { repository: 'kaapi-backend', tag: 'v1.0.0' },
          version: 'v1.0.0',
          knownGood: true,
          desiredCount: 2,
        }),
      ),
    }),
    on.dispatch('rollback.yml', {
      id: 'kaapi/rollback',
      title: 'rollback: production back to revision 1 by dispatch',
      kind: 'seed',
      why: 'The seed\'s "aws ecs update-service --task-definition {previous-task-def-arn}" and "keep track of stable task definition ARNs": rollback-to takes the revision number, waits for the rollout and health-checks it.',
      inputs: { environment: 'production', 'rollback-to': '1' },
      expect: succeeds(
        ecs.service('production', 'backend', {
          revision: 1,
          image: { repository: 'kaapi-backend', tag: 'v0.9.0' },
          desiredCount: 2,
        }),
        ecs.service('staging', 'backend', { untouched: true }),
      ),
    }),
    on.tag('v1.0.1', {
      id: 'kaapi/hotfix-tag',
      title: 'production: a hotfix tag on a commit staging never built is built on the tag',
      kind: 'failure',
      why: 'A tag on a hotfix branch has no staging image: instead of failing at `image not found`, build-push-ecr builds the tagged commit (what the seed does on every tag) and production deploys it.',
      commit: {
        label: 'hotfix',
        branch: 'hotfix/1.0.1',
        from: 'c1',
        message: 'Health endpoint: report the database state',
        files: {
          'backend/app/main.py': `"""Kaapi backend stand-in: the health endpoint the workflows check after the rollout."""

from fastapi import FastAPI

app = FastAPI(title="Kaapi")


@app.get("/api/v1/utils/health/")
def health() -> dict:
    return {"status": "ok", "database": "ok"}
`,
        },
      },
      expect: succeeds(
        ecrImage(region, 'kaapi-backend', { commit: 'hotfix' }, { pushedByRun: true }),
        ecs.service('production', 'backend', {
          revision: 3,
          image: { repository: 'kaapi-backend', tag: { commit: 'hotfix' } },
          version: 'v1.0.1',
          knownGood: true,
        }),
        ecs.service('staging', 'backend', { untouched: true }),
      ),
    }),
    on.tag('v1.2.0', {
      id: 'kaapi/crash-loop',
      title: 'production: a release that crash-loops is rolled back by deploy-ecs; the run fails with the root cause',
      kind: 'failure',
      why: "Kaapi's services have no circuit breaker (nor do the seed's): deploy-ecs counts the failed tasks of the new deployment, reports the stopped reason and the last log lines, puts the service back on the last known-good revision (v1.0.1, what ran before) and waits for it. The migration ran; the release is neither tagged nor released.",
      commit: {
        label: 'c3',
        message: 'Settings: one DATABASE_URL instead of the POSTGRES_* variables',
        files: {
          'backend/app/core/config.py':
            '# DATABASE_URL replaces POSTGRES_*: set in the staging secret, not yet in the production one.\nimport os\n\nDATABASE_URL = os.environ["DATABASE_URL"]\n',
        },
      },
      prepare: async (env) => {
        const sha = env.repo.sha('c3');
        const digest = await env.seedImage('kaapi-backend', sha, `kaapi backend ${sha}\n`);
        // its service tasks crash at boot; its one-off tasks (the migration) still run: the last matching rule decides
        await env.behaviors([
          { image: `*/kaapi-backend@${digest}`, service: 'crashloop' },
          migrationRule(`*/kaapi-backend@${digest}`, alembic),
        ]);
        env.note(`staging built kaapi-backend:${sha.slice(0, 12)}; emulator: its service tasks crash at boot`);
      },
      expect: fails(
        /RuntimeError: required setting DATABASE_URL is not set/,
        jobs({ 'deploy/build': 'success', 'deploy/deploy': 'failure', release: 'skipped' }),
        ecs.service('production', 'backend', {
          revision: 3,
          image: { repository: 'kaapi-backend', tag: { commit: 'hotfix' } },
          version: 'v1.0.1',
          desiredCount: 2,
        }),
        {
          label: 'ECR kaapi-backend has no v1.2.0 tag (a failed release is not tagged)',
          verify: async ({ probe }) =>
            (await probe.imageDigest(region, 'kaapi-backend', 'v1.2.0')) ? 'kaapi-backend:v1.2.0 exists' : undefined,
        },
      ),
    }),
    on.push({
      id: 'kaapi/migration-fails',
      title: 'staging: a migration that exits 1 leaves the service untouched',
      kind: 'failure',
      why: 'deploy-ecs runs `alembic upgrade head` with the new revision before UpdateService: the task exits 1, its log lines are in the run, and the service keeps running the previous revision.',
      git: [
        {
          commit: {
            label: 'c2',
            message: 'Index threads by project',
            files: {
              'backend/alembic/versions/0042_threads_project_index.py': `"""add index on threads.project_id"""

revision = "0042aa11bb22"
down_revision = "7f8e9d0c1b2a"


def upgrade() -> None:
    from alembic import op

    op.create_index("ix_threads_project_id", "threads", ["project_id"])
`,
            },
          },
        },
      ],
      prepare: async (env) => {
        await env.behaviors([migrationRule('*/kaapi-backend*', alembicFails, 1)]);
        env.note('emulator: one-off tasks of kaapi-backend images exit 1 (alembic fails on a missing column)');
      },
      cleanup: async (env) => {
        await env.behaviors([migrationRule('*/kaapi-backend*', alembic)]);
      },
      expect: fails(
        /Migration failed \(services not updated\)[\s\S]*column "project_id" does not exist/,
        jobs({ 'deploy/build': 'success', 'deploy/deploy': 'failure' }),
        ecs.service('staging', 'backend', { revision: 2, untouched: true }),
        ecs.service('production', 'backend', { untouched: true }),
      ),
    }),
  ],
};
