// `pnpm demo`: the whole staging pipeline of seed 000 (a Django API + worker on ECS Fargate, a Vite SPA on
// S3 + CloudFront) against the local emulator, with every action's committed dist/index.js run exactly as the
// GitHub runner runs it (INPUT_* env, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_STATE files).
//
//   0 build-push-ecr       build the backend image with buildah and push it to ECR (digest output); a re-run is
//                          skipped (the commit's tag exists). Without buildah the seeded v1.4.0 image is used.
//   1 render-task-def      image per container, pinned to its ECR digest
//   2 run-migration-task   `python manage.py migrate` on the new revision, network copied from the service
//   3 deploy-ecs-wait      api + worker at once, wait on the PRIMARY deployments, mark the revisions known-good
//   4 sync-spa-cloudfront  first deploy of the SPA, then a redeploy that changes one chunk
//   5 deploy-ecs-wait      re-run of the good deploy: the revision is reused, nothing is redeployed
//   6 deploy-ecs-wait      a release that crash-loops: root cause, auto-rollback to the known-good revision
//   7 deploy-ecs-wait      the dispatch rollback: back to revision 1 (release 1.3.0) by rollback-to
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmulatorControl, startEmulator } from '../packages/aws-emulator/src/index.ts';
import { type RunActionBundleResult, runActionBundle } from '../packages/kit/src/testing/index';

const here = dirname(fileURLToPath(import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'deploy-actions-demo-'));
const emu = await startEmulator({ port: 0 });
const control = new EmulatorControl(emu.url);
const registry = emu.url.replace(/^http:\/\//, '');
const repo = `${registry}/pikaia-backend`;

const env = {
  AWS_ACCESS_KEY_ID: 'demo',
  AWS_SECRET_ACCESS_KEY: 'demo',
  AWS_REGION: 'us-east-1',
  AWS_ENDPOINT_URL: emu.url,
  GITHUB_REPOSITORY: 'acme/pikaia',
  GITHUB_SHA: 'c0ffee1234567890c0ffee1234567890c0ffee12',
  GITHUB_RUN_ID: '4242',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_WORKFLOW: 'deploy-staging',
};

const rows: string[][] = [];
let failures = 0;

async function step(
  title: string,
  action: string,
  inputs: Record<string, string>,
  expect: 'success' | 'failure' = 'success',
  extraEnv: Record<string, string> = {},
): Promise<RunActionBundleResult> {
  console.log(`\n━━ ${title}  (actions/${action})`);
  const result = await runActionBundle({ action, inputs, env: { ...env, ...extraEnv }, timeoutMs: 180_000 });
  // What a reader of the job log sees: the runner hides masks and debug lines unless step debug is on.
  const lines = result.stdout.split('\n').filter((l) => l && !/^::(add-mask|debug)::/.test(l));
  for (const line of lines) console.log(`  │ ${line}`);
  if (result.stderr.trim()) for (const line of result.stderr.trim().split('\n')) console.log(`  │ ${line}`);
  const ok = (result.code === 0) === (expect === 'success');
  if (!ok) failures++;
  const summaryFile = join(out, `${rows.length + 1}-${action}.md`);
  writeFileSync(summaryFile, result.summary);
  console.log(`  outputs: ${JSON.stringify(result.outputs)}`);
  console.log(
    `  ${ok ? '✔' : '✘'} exit ${result.code} in ${(result.durationMs / 1000).toFixed(1)} s (expected ${expect}); job summary: ${summaryFile}`,
  );
  rows.push([
    title,
    action,
    `exit ${result.code}`,
    `${(result.durationMs / 1000).toFixed(1)} s`,
    ok ? 'as expected' : 'UNEXPECTED',
  ]);
  return result;
}

function writeSpa(dir: string, version: string, chunkHash: string): void {
  mkdirSync(join(dir, 'assets'), { recursive: true });
  mkdirSync(join(dir, '.vite'), { recursive: true });
  const js = `assets/index-${chunkHash}.js`;
  const css = 'assets/index-Bq3xk9Lm.css';
  writeFileSync(join(dir, js), `console.log('pikaia ${version}');\n`.repeat(200));
  writeFileSync(join(dir, css), 'body{font-family:system-ui;margin:0}\n'.repeat(50));
  writeFileSync(join(dir, 'assets/logo-Dx81kPq2.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
  writeFileSync(join(dir, 'favicon.ico'), Buffer.alloc(318, 1));
  writeFileSync(join(dir, 'robots.txt'), 'User-agent: *\nAllow: /\n');
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html><html><head><script type="module" src="/${js}"></script><link rel="stylesheet" href="/${css}"></head><body><div id="root"></div></body></html>\n`,
  );
  writeFileSync(
    join(dir, '.vite/manifest.json'),
    JSON.stringify({ 'index.html': { file: js, css: [css], assets: ['assets/logo-Dx81kPq2.svg'], isEntry: true } }),
  );
}

try {
  console.log(`emulator: ${emu.url}   job summaries: ${out}`);
  await control.seed(JSON.parse(readFileSync(join(here, 'demo', 'seed.json'), 'utf8')));
  const template = JSON.parse(readFileSync(join(here, 'demo', 'task-definition.json'), 'utf8'));
  const running = structuredClone(template);
  running.containerDefinitions[0].image = `${repo}:v1.3.0`;
  const worker = structuredClone(running);
  worker.family = 'pikaia-worker';
  worker.containerDefinitions[0].command = ['celery', '-A', 'config', 'worker'];
  delete worker.containerDefinitions[0].portMappings;
  await control.seed({
    taskDefinitions: [
      { ...running, tags: [{ key: 'deploy-actions:known-good', value: '2026-11-20T10:00:00Z' }] },
      { ...worker, tags: [{ key: 'deploy-actions:known-good', value: '2026-11-20T10:00:00Z' }] },
    ],
    services: [
      { cluster: 'pikaia-staging', serviceName: 'api', taskDefinition: 'pikaia-api:1', desiredCount: 2 },
      { cluster: 'pikaia-staging', serviceName: 'worker', taskDefinition: 'pikaia-worker:1', desiredCount: 1 },
    ],
  });
  await control.behaviors([
    { image: '*v1.4.1-broken*', service: 'crashloop' },
    {
      image: '*pikaia-backend*',
      run: {
        logs: [
          'Operations to perform:',
          '  Apply all migrations: accounts, admin, auth, billing, contenttypes, sessions',
          'Running migrations:',
          '  Applying billing.0014_invoice_due_date... OK',
          '  Applying accounts.0031_passkey_counter... OK',
        ],
        exitCode: 0,
        durationSeconds: 20,
      },
    },
  ]);

  // 0. Build: a tiny image (the demo has no Django source), pushed to the emulator's ECR registry by buildah.
  let image = `${repo}:v1.4.0`;
  if (existsSync('/usr/bin/buildah')) {
    const context = join(out, 'backend');
    mkdirSync(context, { recursive: true });
    writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nARG RELEASE\nCOPY release.txt /release.txt\n');
    writeFileSync(join(context, 'release.txt'), 'pikaia v1.4.0\n');
    const buildEnv = {
      GITHUB_WORKSPACE: out,
      // unprivileged buildah (what works in this sandbox); a GitHub runner uses docker buildx instead
      BUILD_PUSH_ECR_BUILDAH_STORAGE_DRIVER: 'vfs',
      BUILD_PUSH_ECR_BUILDAH_ISOLATION: 'chroot',
      BUILD_PUSH_ECR_BUILDAH_ROOT: join(out, 'buildah', 'root'),
      BUILD_PUSH_ECR_BUILDAH_RUNROOT: join(out, 'buildah', 'run'),
    };
    const buildInputs = { repository: 'pikaia-backend', context: 'backend', 'build-args': 'RELEASE=v1.4.0' };
    const built = await step('build and push the backend image', 'build-push-ecr', buildInputs, 'success', buildEnv);
    image = built.outputs.image || image;
    await step('re-run the build (the commit is already built)', 'build-push-ecr', buildInputs, 'success', buildEnv);
  } else {
    console.log('\n━━ build-push-ecr skipped: /usr/bin/buildah is not installed; using the seeded v1.4.0 image');
  }

  const templateFile = join(out, 'task-definition.json');
  writeFileSync(templateFile, JSON.stringify(template, null, 2));
  const rendered = await step('render the new revision', 'render-task-def', {
    template: templateFile,
    containers: `django=${image}`,
    'pin-digest': 'true',
    environment: 'RELEASE=v1.4.0',
  });
  const taskDef = rendered.outputs['task-definition'] ?? '';

  await step('migrate the database first', 'run-migration-task', {
    cluster: 'pikaia-staging',
    'task-definition': taskDef,
    container: 'django',
    command: 'python manage.py migrate --noinput',
    service: 'api',
  });

  const renderedWorker = await step('render the worker from its running revision', 'render-task-def', {
    'template-family': 'pikaia-worker',
    containers: `django=${image}`,
    'pin-digest': 'true',
    environment: 'RELEASE=v1.4.0',
  });
  const workerTaskDef = renderedWorker.outputs['task-definition'] ?? '';

  await step('deploy api + worker', 'deploy-ecs-wait', {
    cluster: 'pikaia-staging',
    services: `api=${taskDef}\nworker=${workerTaskDef}`,
    version: 'v1.4.0',
  });

  const spa = join(out, 'spa');
  writeSpa(spa, 'v1.4.0', 'C7vYd2Qa');
  await step(
    'publish the SPA',
    'sync-spa-cloudfront',
    {
      source: spa,
      bucket: 'pikaia-frontend-staging',
      'distribution-id': 'E2DEMOPIKAIA01',
      'release-id': 'v1.4.0',
    },
    'success',
    { GITHUB_WORKSPACE: out }, // `source` must be inside the workspace
  );
  writeSpa(spa, 'v1.4.1', 'Hk2Lw9Tz');
  await step(
    'publish an SPA change (one chunk + index.html)',
    'sync-spa-cloudfront',
    {
      source: spa,
      bucket: 'pikaia-frontend-staging',
      'distribution-id': 'E2DEMOPIKAIA01',
      'release-id': 'v1.4.1',
    },
    'success',
    { GITHUB_WORKSPACE: out }, // `source` must be inside the workspace
  );

  await step('re-run the same deploy (idempotent)', 'deploy-ecs-wait', {
    cluster: 'pikaia-staging',
    services: 'api',
    'task-definition': taskDef,
  });

  const broken = JSON.parse(readFileSync(taskDef, 'utf8'));
  broken.containerDefinitions[0].image = `${repo}:v1.4.1-broken`;
  const brokenFile = join(out, 'broken-task-definition.json');
  writeFileSync(brokenFile, JSON.stringify(broken, null, 2));
  await step(
    'deploy a release that crash-loops (expected to fail and roll back)',
    'deploy-ecs-wait',
    { cluster: 'pikaia-staging', services: 'api', 'task-definition': brokenFile, version: 'v1.4.1' },
    'failure',
  );

  await step('dispatch rollback: api back to revision 1 (release 1.3.0)', 'deploy-ecs-wait', {
    cluster: 'pikaia-staging',
    services: 'api',
    'rollback-to': '1',
  });

  const calls = await control.requests();
  console.log('\n━━ pipeline');
  const widths = [64, 20, 8, 8, 12];
  for (const r of [['step', 'action', 'result', 'time', 'verdict'], ...rows]) {
    console.log(r.map((c, i) => c.padEnd(widths[i] ?? 10)).join(' '));
  }
  console.log(`\nAWS calls made: ${calls.length} (${calls.filter((c) => c.mutating).length} mutating)`);
  console.log(
    failures === 0 ? 'demo: every step behaved as expected' : `demo: ${failures} step(s) did not behave as expected`,
  );
} finally {
  await emu.stop();
}
process.exit(failures === 0 ? 0 : 1);
