// Seed 000 (shared/seeds/000_*.txt): Pikaia, Django on ECS Fargate + a Vite SPA on S3/CloudFront, CDK-managed
// infrastructure, us-east-1. The seed keeps backend and frontend in two workflows; examples/pikaia-django deploys
// them as independent jobs, runs `migrate` before the service changes, and adds the seed's step 10 (force a new
// deployment after a secret change) to the rollback workflow.
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ecrImage, invalidations, jobs, spa } from '../checks.ts';
import type { SeedSystem } from '../types.ts';
import { migrationRule, taskDefinition } from './common.ts';
import { ecsLayout, fails, on, perEnv, releasedBefore, succeeds } from './shared.ts';

const app = 'pikaia-django';
const region = 'us-east-1';

const appSecrets = (env: string) => ({
  DJANGO_SECRET_KEY: `django-insecure-${env}-4f9c2b7e1a8d6053c2e9b1f7a4d8c6e2b0f3a9d7`,
  STYTCH_PROJECT_ID: `project-test-${env}-5b1e9c2d`,
  STYTCH_SECRET: `secret-test-${env}-Zq8vX2mN4pL7rT1wY6bK3sD9`,
  STYTCH_WEBHOOK_SECRET: `whsec_${env}Stytch8Hk2Lw9Tz4Qa7Xc1Vb`,
  STRIPE_SECRET_KEY: `sk_test_51${env}Pk9Hq2Wm4Rt6Yv8Xb0Nc3Jd5Lf7Gh`,
  STRIPE_PRICE_ID: 'price_1PikaiaMonthly',
  STRIPE_WEBHOOK_SECRET: `whsec_${env}Stripe3Jd5Lf7Gh9Kp1Mq`,
  RESEND_API_KEY: `re_${env}_9Xk2Lm4Np6Qr8St0Uv`,
  WEBAUTHN_RP_ID: `app.${env}.pikaia.example.com`,
  WEBAUTHN_RP_NAME: 'Pikaia',
  WEBAUTHN_ORIGIN: `https://app.${env}.pikaia.example.com`,
  STYTCH_TRUSTED_AUTH_PROFILE_ID: 'trusted-auth-profile-test-1',
  STYTCH_TRUSTED_AUTH_AUDIENCE: 'stytch',
  STYTCH_TRUSTED_AUTH_ISSUER: 'passkey-auth',
  PASSKEY_JWT_PRIVATE_KEY: `-----BEGIN PRIVATE KEY-----\\nMIIEv${env}QIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----`,
  CORS_ALLOWED_ORIGINS: `https://app.${env}.pikaia.example.com`,
  MOBILE_PROVISION_API_KEY: `mpk_${env}_7Yh3Jk9Lm2Nb`,
});
const aurora = (env: string) => ({
  host: `pikaia-${env}.cluster-c9akciq32.us-east-1.rds.amazonaws.com`,
  port: '5432',
  dbname: 'pikaia',
  username: 'pikaia_app',
  password: `Aurora-${env}-pw-8d2f6b1c9e4a`,
});

const migrate = [
  'Operations to perform:',
  '  Apply all migrations: accounts, admin, auth, billing, contenttypes, core, sessions',
  'Running migrations:',
  '  Applying billing.0014_invoice_due_date... OK',
  '  Applying accounts.0031_passkey_counter... OK',
];

const STYTCH_PUBLIC_TOKEN = 'public-token-test-7c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f';
const ROTATED_STRIPE_KEY = 'sk_test_51stagingRotatedKey2Wm4Rt6Yv8X';
/** The keys of the app secret that are secrets (the others are ids, names, origins). */
const SECRET_KEYS = [
  'DJANGO_SECRET_KEY',
  'STYTCH_SECRET',
  'STYTCH_WEBHOOK_SECRET',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'RESEND_API_KEY',
  'PASSKEY_JWT_PRIVATE_KEY',
  'MOBILE_PROVISION_API_KEY',
] as const;

const ecs = ecsLayout({
  region,
  services: ['backend'],
  cluster: (env) => `pikaia-${env}`,
  serviceName: (env) => `pikaia-${env}-backend`,
});

export const pikaia: SeedSystem = {
  seed: '000',
  app,
  title: 'Pikaia: Django + Vite SPA, CDK (seed 000)',
  repository: 'acme/pikaia',
  region,
  ...releasedBefore(['pikaia-backend'], () => 'pikaia backend'),
  fixture: ({ image }) => ({
    ...ecs.fixture({
      taskDefinition: (env) =>
        taskDefinition(app, `task-definitions/${env}/backend.json`, { django: image('pikaia-backend', 'v0.9.0') }),
      logGroup: (env) => `/ecs/pikaia-${env}/backend`,
    }),
    secrets: perEnv((env) => [
      // The seed's bootstrap-infra.sh creates `pikaia/app-secrets` (production); staging has its own.
      {
        name: env === 'production' ? 'pikaia/app-secrets' : `pikaia-${env}/app-secrets`,
        value: appSecrets(env),
        region,
      },
      { name: `pikaia-${env}/aurora-credentials`, value: aurora(env), region },
    ]),
    // The site as the seed's deploy-frontend.yml left it (`aws s3 sync`): no release records yet.
    buckets: perEnv((env) => ({
      name: `pikaia-${env}-frontend`,
      region,
      objects: [
        {
          key: 'index.html',
          body: '<!doctype html><script src="/assets/index-Legacy01.js"></script>\n',
          contentType: 'text/html',
        },
        {
          key: 'assets/index-Legacy01.js',
          body: "console.log('pikaia before deploy-actions');\n",
          contentType: 'text/javascript',
        },
      ],
    })),
    distributions: [
      { id: 'E1PIKAIASTAGING', originBucket: 'pikaia-staging-frontend', invalidationSeconds: 30 },
      { id: 'E2PIKAIAPROD', originBucket: 'pikaia-production-frontend', invalidationSeconds: 30 },
    ],
  }),
  behaviors: [migrationRule('*/pikaia-backend*', migrate)],
  sites: perEnv((env) => ecs.site(`pikaia-${env}-api`, env, 'backend')),
  vars: (host) => ({
    PIKAIA_STAGING_API_URL: host.site('pikaia-staging-api'),
    PIKAIA_PRODUCTION_API_URL: host.site('pikaia-production-api'),
    VITE_STRIPE_PUBLISHABLE_KEY: 'pk_test_51PikaiaDemoPublishableKey',
    VITE_GOOGLE_PLACES_API_KEY: '',
  }),
  secrets: { VITE_STYTCH_PUBLIC_TOKEN: STYTCH_PUBLIC_TOKEN },
  secretValues: {
    secret: perEnv((env) => [...SECRET_KEYS.map((k) => appSecrets(env)[k]), aurora(env).password]).concat(
      ROTATED_STRIPE_KEY,
    ),
    // Vite compiles VITE_* into the bundle: a public token by design (the seed keeps it as a GitHub secret).
    publicByDesign: [STYTCH_PUBLIC_TOKEN],
  },
  scenarios: [
    on.push({
      id: 'pikaia/staging',
      title: 'staging: push to main builds, migrates and deploys the backend, publishes the SPA',
      kind: 'seed',
      why: 'Seed steps 5, 9, 10 and deploy-frontend.yml: the backend image is built and deployed by digest after `migrate` ran with the new revision; the SPA is built without AWS credentials and published assets-first.',
      expect: succeeds(
        jobs({
          changes: 'success',
          'backend/deploy': 'success',
          'frontend/spa-build': 'success',
          'frontend/spa': 'success',
        }),
        ecrImage(region, 'pikaia-backend', { commit: 'c1' }, { pushedByRun: true }),
        ecs.service('staging', 'backend', {
          revision: 2,
          image: { repository: 'pikaia-backend', tag: { commit: 'c1' } },
          knownGood: true,
          desiredCount: 1,
        }),
        ecs.service('production', 'backend', { untouched: true }),
        spa(region, 'pikaia-staging-frontend', {
          live: { commit: 'c1' },
          has: ['robots.txt', 'favicon.svg'],
          lacks: ['.vite/manifest.json'],
        }),
        invalidations('E1PIKAIASTAGING', { created: 1, includes: '/index.html' }),
      ),
    }),
    on.tag('v1.0.0', {
      id: 'pikaia/production',
      title: 'production: tag v1.0.0 promotes the image staging built, publishes the SPA of that commit',
      kind: 'seed',
      why: 'What was tested ships: the build job finds pikaia-backend:<sha> and skips (promotion), the revision records v1.0.0 on its known-good marker, the SPA release id is the tag.',
      expect: succeeds(
        ecrImage(region, 'pikaia-backend', { commit: 'c1' }, { pushedByRun: false }),
        ecs.service('production', 'backend', {
          revision: 2,
          image: { repository: 'pikaia-backend', tag: { commit: 'c1' } },
          version: 'v1.0.0',
          knownGood: true,
          desiredCount: 2,
        }),
        ecs.service('staging', 'backend', { untouched: true }),
        spa(region, 'pikaia-production-frontend', { live: 'v1.0.0' }),
        invalidations('E2PIKAIAPROD', { created: 1, includes: '/index.html' }),
      ),
    }),
    on.dispatch('rollback.yml', {
      id: 'pikaia/rollback',
      title: 'rollback: production back to release v0.9.0 by dispatch',
      kind: 'seed',
      why: 'One dispatch replaces "find the previous task definition, update-service, hope": the revision marked v0.9.0 is redeployed with the same truthful wait and health check; the SPA is left alone.',
      inputs: { environment: 'production', 'rollback-to': 'v0.9.0', 'spa-release': '' },
      expect: succeeds(
        jobs({ 'backend/ecs': 'success', frontend: 'skipped' }),
        ecs.service('production', 'backend', {
          revision: 1,
          image: { repository: 'pikaia-backend', tag: 'v0.9.0' },
          version: 'v0.9.0',
          desiredCount: 2,
        }),
        spa(region, 'pikaia-production-frontend', { live: 'v1.0.0', unchanged: true }),
      ),
    }),
    on.push({
      id: 'pikaia/frontend-only',
      title: 'staging: a frontend-only push publishes the SPA and leaves the backend alone',
      kind: 'gap',
      why: "The seed's two workflows, as two independent jobs: the `changes` job sees only frontend/ changed, so the backend is not rebuilt or redeployed; only the changed chunk and index.html are uploaded.",
      git: [
        {
          commit: {
            label: 'c2',
            message: 'Dashboard: greet the organisation',
            files: {
              'frontend/src/dashboard.js': `export function renderDashboard(root, { stytchToken }) {
  root.innerHTML = \`
    <header><img src="/src/assets/logo.svg" alt="Pikaia" width="32" height="32" /> Pikaia</header>
    <main>
      <h1>Welcome back to your organisation</h1>
      <p>Billing by Stripe (\${import.meta.env.VITE_STRIPE_PUBLISHABLE_KEY ? 'live' : 'off'}).</p>
    </main>\`;
  root.dataset.auth = stytchToken ? 'stytch' : 'none';
}
`,
            },
          },
        },
      ],
      expect: succeeds(
        jobs({ changes: 'success', backend: 'skipped', 'frontend/spa': 'success' }),
        ecs.service('staging', 'backend', { revision: 2, untouched: true }),
        spa(region, 'pikaia-staging-frontend', { live: { commit: 'c2' } }),
        invalidations('E1PIKAIASTAGING', { created: 1, includes: '/index.html' }),
      ),
    }),
    on.push({
      id: 'pikaia/spa-build-fails',
      title: 'staging: an SPA build that fails publishes nothing',
      kind: 'failure',
      why: 'The build runs in a job without AWS credentials; when it fails the sync job never starts: no object, no release record, no invalidation. The live site stays on the previous release.',
      git: [
        {
          commit: {
            label: 'c3',
            message: 'Dashboard: usage charts',
            files: {
              'frontend/src/main.js': `import { api } from './api.js';
import { renderCharts } from './charts.js';
import { renderDashboard } from './dashboard.js';

const root = document.getElementById('root');
renderDashboard(root, { stytchToken: import.meta.env.VITE_STYTCH_PUBLIC_TOKEN });
renderCharts(root);
api('/api/v1/health').then((health) => {
  root.dataset.backend = health.status;
});
`,
            },
          },
        },
      ],
      expect: fails(
        /Could not resolve "\.\/charts\.js" from "src\/main\.js"/,
        jobs({ backend: 'skipped', 'frontend/spa-build': 'failure', 'frontend/spa': 'skipped' }),
        spa(region, 'pikaia-staging-frontend', { live: { commit: 'c2' }, unchanged: true }),
        invalidations('E1PIKAIASTAGING', { created: 0 }),
        ecs.service('staging', 'backend', { untouched: true }),
      ),
    }),
    on.dispatch('rollback.yml', {
      id: 'pikaia/spa-rollback-previous',
      title: 'rollback: the SPA back to the previous release by dispatch (`previous`)',
      kind: 'gap',
      why: "spa-release: previous resolves the release that was live before the current one from the bucket's release records and restores its HTML (its hashed assets were kept); the backend is left alone.",
      inputs: { environment: 'staging', 'rollback-to': '', 'spa-release': 'previous' },
      expect: succeeds(
        jobs({ backend: 'skipped', 'frontend/spa': 'success' }),
        spa(region, 'pikaia-staging-frontend', { live: { commit: 'c1' } }),
        invalidations('E1PIKAIASTAGING', { created: 1, includes: '/index.html' }),
        ecs.service('staging', 'backend', { untouched: true }),
      ),
    }),
    on.dispatch('rollback.yml', {
      id: 'pikaia/restart-after-secret-change',
      title: 'restart after a secret change (seed step 10): force-new-deployment by dispatch',
      kind: 'gap',
      why: 'ECS reads secrets when a task starts. After STRIPE_SECRET_KEY was rotated, rollback-to `current` with force-new-deployment starts new tasks on the revision that runs and waits for them (the seed\'s `update-service --force-new-deployment` and "hoping it worked").',
      inputs: { environment: 'staging', 'rollback-to': 'current', 'force-new-deployment': 'true', 'spa-release': '' },
      prepare: async (env) => {
        const sm = new SecretsManagerClient({
          endpoint: env.emulatorUrl,
          region,
          credentials: { accessKeyId: 'scenario', secretAccessKey: 'scenario' },
        });
        await sm.send(
          new PutSecretValueCommand({
            SecretId: 'pikaia-staging/app-secrets',
            SecretString: JSON.stringify({
              ...appSecrets('staging'),
              STRIPE_SECRET_KEY: 'sk_test_51stagingRotatedKey2Wm4Rt6Yv8X',
            }),
          }),
        );
        sm.destroy();
        env.note('rotated STRIPE_SECRET_KEY in pikaia-staging/app-secrets (PutSecretValue)');
      },
      expect: succeeds(ecs.service('staging', 'backend', { revision: 2, newDeployment: true, knownGood: true })),
    }),
  ],
};
