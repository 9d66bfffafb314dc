// One scenario per action: the AWS state it starts from (seeded into the emulator), the inputs and environment of
// its bundle, and how its result is normalised into an Outcome. Each is what a user's pipeline does with the action.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { EmulatorFixture } from '@deploy-actions/aws-emulator';
import type { RunActionBundleOptions, RunActionBundleResult } from '@deploy-actions/kit/testing';
import { IMAGE, seedServices, taskDefWith, writeTaskDef } from '@deploy-actions/kit/testing/ecs-deploy';
import type { EndState } from './end-state';
import { normaliseOutputs, type Outcome, shapeOf } from './outcome';

export interface ScenarioContext {
  emu: EmulatorFixture;
}

/** What to run: the bundle's options without the emulator's AWS_* environment (added by the runner). */
export type PreparedRun = Omit<RunActionBundleOptions, 'env'> & { env?: Record<string, string> };

export interface Scenario {
  name: string;
  action: string;
  /** Seed the emulator (it was just reset) and say how to run the bundle. */
  prepare(ctx: ScenarioContext): Promise<PreparedRun>;
  /** The run's outcome without the end state (read by the runner). */
  outcome(r: RunActionBundleResult): Omit<Outcome, 'endState'>;
  /** Run-specific parts of the end state replaced by their shape (e.g. a release record named by its time). */
  endState?(state: EndState): EndState;
}

/** The GitHub environment of a push build: provenance for tags, a run id for client tokens. */
export const GITHUB_ENV = {
  GITHUB_SHA: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_RUN_ID: '4242',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_JOB: 'deploy',
  GITHUB_ACTION: 'deploy-step',
};

const workspace = () => mkdtempSync(join(tmpdir(), 'reliability-ws-'));

/** The lines a migration container printed, between the step's group markers, without status lines. */
export function containerLines(stdout: string, groupPrefix: string, statusPrefix: string): string[] {
  const start = stdout.indexOf(`::group::${groupPrefix}`);
  if (start === -1) return [];
  const end = stdout.indexOf('::endgroup::', start);
  return stdout
    .slice(start, end === -1 ? undefined : end)
    .split('\n')
    .slice(1)
    .filter((l) => l !== '' && !l.startsWith(statusPrefix) && !l.startsWith('::') && !l.startsWith('  https://'));
}

const deploymentsShape = (v: unknown) =>
  Object.fromEntries(
    Object.entries(v as Record<string, Record<string, unknown>>).map(([service, d]) => {
      const { deploymentId, ...rest } = d;
      return [service, { ...rest, deploymentId: deploymentId ? '<set>' : deploymentId }];
    }),
  );

const MIGRATION_LINES = Array.from({ length: 40 }, (_, i) => `  Applying shop.${String(i + 1).padStart(4, '0')}... OK`);

export const deployEcsWait: Scenario = {
  name: 'deploy-ecs-wait: 3 services to a new revision',
  action: 'deploy-ecs-wait',
  async prepare({ emu }) {
    await seedServices(emu.control, { services: ['api', 'worker', 'admin'] });
    await emu.control.seed({ logGroups: ['/ecs/web'] });
    return {
      action: 'deploy-ecs-wait',
      inputs: {
        cluster: 'app',
        services: 'api\nworker\nadmin',
        'task-definition': writeTaskDef(taskDefWith(IMAGE('v2'))),
      },
      env: GITHUB_ENV,
    };
  },
  outcome: (r) => ({
    exitCode: r.code,
    outputs: normaliseOutputs(r.outputs, { json: { deployments: deploymentsShape } }),
  }),
};

export const deployEcs: Scenario = {
  name: 'deploy-ecs: render, migration before, 2 services',
  action: 'deploy-ecs',
  async prepare({ emu }) {
    await seedServices(emu.control, { services: ['api', 'worker'] });
    await emu.control.seed({ logGroups: ['/ecs/web'] });
    await emu.control.behaviors({ image: '*:v2', run: { logs: MIGRATION_LINES, exitCode: 0, durationSeconds: 20 } });
    return {
      action: 'deploy-ecs',
      inputs: {
        cluster: 'app',
        services: 'api\nworker',
        template: writeTaskDef(taskDefWith(IMAGE('v1'))),
        containers: `app=${IMAGE('v2')}`,
        'migration-command': 'python manage.py migrate --noinput',
      },
      env: GITHUB_ENV,
    };
  },
  outcome: (r) => ({
    exitCode: r.code,
    outputs: normaliseOutputs(r.outputs, { json: { deployments: deploymentsShape } }),
    lines: containerLines(r.stdout, 'Migration', '[migration] '),
  }),
};

const MIGRATION_TD = {
  ...taskDefWith(IMAGE('v1')),
  containerDefinitions: [{ ...taskDefWith(IMAGE('v1')).containerDefinitions[0], name: 'django' }],
};

export const runMigrationTask: Scenario = {
  name: 'run-migration-task: 40 lines in the network of a service',
  action: 'run-migration-task',
  async prepare({ emu }) {
    await emu.control.reset();
    await emu.control.seed({
      clusters: ['app'],
      logGroups: ['/ecs/web'],
      taskDefinitions: [MIGRATION_TD],
      services: [
        {
          cluster: 'app',
          serviceName: 'api',
          taskDefinition: 'web:1',
          desiredCount: 1,
          launchType: 'FARGATE',
          networkConfiguration: {
            awsvpcConfiguration: { subnets: ['subnet-0aaa111'], securityGroups: ['sg-0api111'] },
          },
        },
      ],
    });
    await emu.control.behaviors({
      image: IMAGE('v1'),
      run: { logs: MIGRATION_LINES, exitCode: 0, durationSeconds: 20 },
    });
    return {
      action: 'run-migration-task',
      inputs: {
        cluster: 'app',
        service: 'api',
        'task-definition': 'service:current',
        command: 'python manage.py migrate --noinput',
      },
      env: GITHUB_ENV,
    };
  },
  outcome: (r) => ({
    exitCode: r.code,
    outputs: normaliseOutputs(r.outputs, { presentOnly: ['duration'] }),
    lines: containerLines(r.stdout, 'Run django', '[ecs] '),
  }),
};

const ECR_HOST = '000000000000.dkr.ecr.us-east-1.amazonaws.com';

export const renderTaskDef: Scenario = {
  name: 'render-task-def: template from the family, digest pinned',
  action: 'render-task-def',
  async prepare({ emu }) {
    await emu.control.reset();
    await emu.control.seed({
      taskDefinitions: [taskDefWith(IMAGE('v1'))],
      repositories: [{ name: 'web', images: [{ tag: 'v2', content: 'web v2' }] }],
    });
    return {
      action: 'render-task-def',
      inputs: {
        'template-family': 'web',
        containers: `app=${ECR_HOST}/web:v2`,
        'pin-digest': true,
        environment: '[app]\nRELEASE=v2',
      },
      env: GITHUB_ENV,
    };
  },
  outcome: (r) => {
    const file = r.outputs['task-definition'];
    let rendered: unknown = null;
    try {
      rendered = file ? JSON.parse(readFileSync(file, 'utf8')) : null;
    } catch {
      rendered = '<unreadable>';
    }
    return {
      exitCode: r.code,
      outputs: { ...normaliseOutputs(r.outputs, { presentOnly: ['task-definition'] }), rendered },
    };
  },
};

/** A Vite-like build of `files` files: HTML pages, hashed assets, public files. */
export function writeSite(dir: string, files: number): void {
  const put = (path: string, body: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), body);
  };
  put(
    'index.html',
    '<!doctype html><html><head><script type="module" src="/assets/app-1a2b3c4d.js"></script></head></html>\n',
  );
  put('assets/app-1a2b3c4d.js', 'console.log("app");\n');
  put('assets/app-9f8e7d6c.css', 'body{margin:0}\n');
  put('favicon.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>\n');
  put('robots.txt', 'User-agent: *\n');
  for (let i = 0; i < Math.max(0, files - 5); i++) {
    if (i % 4 === 0) put(`pages/p${i}/index.html`, `<!doctype html><p>page ${i}</p>\n`);
    else
      put(
        `assets/chunk-${String(i).padStart(4, '0')}-${(i * 2654435761).toString(16).slice(-8)}.js`,
        `export const c${i} = ${i};\n`,
      );
  }
}

/** sync-spa-cloudfront's first deploy of a site of `files` files, invalidation waited for. */
export function syncSpa(files: number, o: { invalidationSeconds?: number } = {}): Scenario {
  return {
    name: `sync-spa-cloudfront: first deploy of ${files} files`,
    action: 'sync-spa-cloudfront',
    async prepare({ emu }) {
      await emu.control.reset();
      await emu.control.seed({
        buckets: [{ name: 'spa-site' }],
        distributions: [
          { id: 'E2RELIABILITY01', originBucket: 'spa-site', invalidationSeconds: o.invalidationSeconds ?? 30 },
        ],
      });
      const ws = workspace();
      writeSite(join(ws, 'dist'), files);
      return {
        action: 'sync-spa-cloudfront',
        cwd: ws,
        inputs: {
          source: 'dist',
          bucket: 'spa-site',
          prefix: 'www',
          'distribution-id': 'E2RELIABILITY01',
          'wait-for-invalidation': true,
        },
        env: GITHUB_ENV,
        timeoutMs: 300_000,
      };
    },
    outcome: (r) => ({
      exitCode: r.code,
      outputs: normaliseOutputs(r.outputs, { presentOnly: ['invalidation-id', 'duration'] }),
    }),
    // The release record is named after the time of the run and holds it: its name and ETag differ per run.
    endState: (state) => ({
      ...state,
      objects: Object.fromEntries(
        Object.entries(state.objects).map(([key, o]) =>
          RELEASE_RECORD.test(key) ? [key.replace(RELEASE_RECORD, '$1<time>_'), { ...o, etag: '<record>' }] : [key, o],
        ),
      ),
    }),
  };
}

const RELEASE_RECORD = /(\.deploy-actions\/releases\/)\d{8}T\d{9}Z_/;

/** Helper for scenarios whose outputs carry emulator hosts or temp paths. */
export function stableText(text: string): string {
  return shapeOf(text).replace(/127\.0\.0\.1:\d+/g, '<emulator>');
}
