// main() in-process against the local emulator (ECS DescribeTaskDefinition, ECR DescribeImages), SDK at defaults.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { useEmulator } from '@deploy-actions/aws-emulator';
import { toRegisterInput } from '@deploy-actions/kit/ecs/taskdef';
import { ConfigurationError, DeployFailure } from '@deploy-actions/kit/runtime';
import { type InputValue, parseCommandFile, withInputs } from '@deploy-actions/kit/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { main } from '../src/main';
import { FIXTURES, fixture } from './helpers';

const emu = useEmulator({}, { beforeAll, afterAll, beforeEach });
let ecs: ECSClient;
let ecr: ECRClient;
const savedEnv = { ...process.env };

beforeAll(() => {
  Object.assign(process.env, emu.env);
  ecs = new ECSClient(emu.clientConfig);
  ecr = new ECRClient(emu.clientConfig);
});

afterAll(() => {
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
});

interface Run {
  outputs: Record<string, string>;
  summary: string;
  taskDefinition: any;
}

let summaryFile: string | undefined;

/** Run main() in this process as the runner would: INPUT_*, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP. */
async function runMain(inputs: Record<string, InputValue | undefined>): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'render-task-def-it-'));
  // @actions/core caches the summary file path on first use: keep one path for the whole file, emptied per run.
  summaryFile ??= join(dir, 'summary.md');
  const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: summaryFile };
  for (const f of Object.values(files)) await writeFile(f, '');
  Object.assign(process.env, files, { RUNNER_TEMP: dir });
  await withInputs(inputs, () => main());
  const outputs = parseCommandFile(await readFile(files.GITHUB_OUTPUT, 'utf8'));
  return {
    outputs,
    summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
    taskDefinition: JSON.parse(await readFile(outputs['task-definition']!, 'utf8')),
  };
}

async function register(td: unknown): Promise<string> {
  const out = await ecs.send(new RegisterTaskDefinitionCommand(toRegisterInput(td)));
  return out.taskDefinition!.taskDefinitionArn!;
}

const WEB_TEMPLATE = join(FIXTURES, 'fargate-web-sidecars.json');

describe('render-task-def against the emulator', () => {
  test('new family: changed=true, full task definition in the summary', async () => {
    const run = await runMain({ template: WEB_TEMPLATE, environment: '[web]\nAPI_TOKEN=tok-123' });
    expect(run.outputs).toMatchObject({ changed: 'true', family: 'shop-web', 'latest-task-definition-arn': '' });
    expect(run.summary).toContain('New family');
    expect(run.summary).toContain('"family": "shop-web"');
    expect(run.summary).not.toContain('tok-123');
  });

  test('changed=false after registering the rendered file, true after an image change', async () => {
    const first = await runMain({ template: WEB_TEMPLATE });
    const arn = await register(first.taskDefinition);
    const second = await runMain({ template: WEB_TEMPLATE });
    expect(second.outputs).toMatchObject({ changed: 'false', 'latest-task-definition-arn': arn });
    expect(second.summary).toContain('No changes');

    const third = await runMain({
      template: WEB_TEMPLATE,
      containers: 'web=123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web:next',
    });
    expect(third.outputs.changed).toBe('true');
    expect(third.summary).toMatch(/^\+.*shop\/web:next/m);
  });

  test('template-family: latest ACTIVE revision with tags, overrides applied', async () => {
    await register(fixture('fargate-efs.json'));
    const rev2 = structuredClone(fixture('fargate-efs.json')) as any;
    rev2.taskDefinition.containerDefinitions[0].image =
      '210987654321.dkr.ecr.us-east-1.amazonaws.com/cms/wordpress:6.7';
    rev2.tags = [{ key: 'app', value: 'cms' }];
    const latestArn = await register(rev2);

    const same = await runMain({ 'template-family': 'cms-wordpress' });
    expect(same.outputs).toMatchObject({
      changed: 'false',
      family: 'cms-wordpress',
      'latest-task-definition-arn': latestArn,
    });
    expect(same.taskDefinition.containerDefinitions[0].image).toContain('wordpress:6.7');
    expect(same.taskDefinition.tags).toEqual([{ key: 'app', value: 'cms' }]);
    expect(same.taskDefinition).not.toHaveProperty('revision');

    const changed = await runMain({ 'template-family': 'cms-wordpress', environment: 'WP_DEBUG=true' });
    expect(changed.outputs.changed).toBe('true');
    expect(changed.summary).toMatch(/^\+.*WP_DEBUG/m);

    const requests = await emu.control.requests();
    expect(requests.filter((r) => r.mutating && r.operation !== 'RegisterTaskDefinition')).toEqual([]);
  });

  test('template-arn: a specific older revision', async () => {
    const first = await register(fixture('fargate-efs.json'));
    const rev2 = structuredClone(fixture('fargate-efs.json')) as any;
    rev2.taskDefinition.cpu = '1024';
    rev2.taskDefinition.memory = '2048'; // 1 vCPU needs 2-8 GB on Fargate (the emulator enforces the table)
    await register(rev2);
    const run = await runMain({ 'template-arn': first });
    expect(run.taskDefinition.cpu).toBe('512');
    expect(run.outputs.changed).toBe('true'); // differs from the latest (revision 2)
  });

  test('template-family that does not exist: ConfigurationError on template-family', async () => {
    await expect(runMain({ 'template-family': 'nope' })).rejects.toSatisfy(
      (err: unknown) =>
        err instanceof ConfigurationError && err.input === 'template-family' && /no ACTIVE revision/.test(err.message),
    );
  });

  test('pin-digest resolves a tag in the emulator registry through DescribeImages', async () => {
    await emu.control.seed({
      repositories: [{ name: 'shop/web', images: [{ tag: 'v1' }, { tag: 'v2', content: 'other' }] }],
    } as never);
    const described = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'shop/web', imageIds: [{ imageTag: 'v1' }] }),
    );
    const digest = described.imageDetails![0]!.imageDigest!;
    const host = new URL(emu.url).host;
    const run = await runMain({
      template: WEB_TEMPLATE,
      containers: `web=${host}/shop/web:v1`,
      'pin-digest': true,
      compare: false,
    });
    const web = run.taskDefinition.containerDefinitions.find((c: { name: string }) => c.name === 'web');
    expect(web.image).toBe(`${host}/shop/web@${digest}`);
    // Sidecars in public registries are left alone.
    expect(run.taskDefinition.containerDefinitions[1].image).toBe('public.ecr.aws/datadog/agent:7.58.2');
    expect(run.summary).toContain('pinned from tag v1');
  });

  test('the timeout input bounds the AWS lookups', async () => {
    // 1s is the timeout input's minimum (every duration input has one): ECS answers after 3s here.
    await emu.control.faults({ latencyMs: [3000, 3000], services: ['ecs'] });
    try {
      await expect(runMain({ 'template-family': 'cms-wordpress', timeout: '1s' })).rejects.toSatisfy(
        (err: unknown) => err instanceof DeployFailure && /did not finish within .*the timeout input/.test(err.message),
      );
    } finally {
      await emu.control.faults({});
    }
  });

  describe('#14: an image with a tag and a digest of different images is an error naming the input', () => {
    async function seedVersions(): Promise<{ v13: string; v14: string; host: string }> {
      await emu.control.seed({
        repositories: [
          {
            name: 'shop/web',
            images: [
              { tag: 'v1.3.0', content: 'old' },
              { tag: 'v1.4.0', content: 'new' },
            ],
          },
        ],
      } as never);
      const digest = async (tag: string) =>
        (await ecr.send(new DescribeImagesCommand({ repositoryName: 'shop/web', imageIds: [{ imageTag: tag }] })))
          .imageDetails![0]!.imageDigest!;
      return { v13: await digest('v1.3.0'), v14: await digest('v1.4.0'), host: new URL(emu.url).host };
    }

    test.each([true, false])('containers input, pin-digest %s', async (pinDigest) => {
      const { v13, v14, host } = await seedVersions();
      expect(v13).not.toBe(v14);
      const image = `${host}/shop/web:v1.4.0@${v13}`;
      await expect(
        runMain({ template: WEB_TEMPLATE, containers: `web=${image}`, 'pin-digest': pinDigest, compare: false }),
      ).rejects.toSatisfy(
        (err: unknown) =>
          err instanceof ConfigurationError &&
          err.input === 'containers' &&
          err.message.includes(`tag shop/web:v1.4.0 is ${v14} in ECR`) &&
          err.message.includes(`ECS would run ${v13}`),
      );
    });

    test('in the template file', async () => {
      const { v13, host } = await seedVersions();
      const dir = await mkdtemp(join(tmpdir(), 'rtd-tagdigest-'));
      const file = join(dir, 'td.json');
      const td = JSON.parse(await readFile(WEB_TEMPLATE, 'utf8'));
      td.taskDefinition.containerDefinitions[0].image = `${host}/shop/web:v1.4.0@${v13}`;
      await writeFile(file, JSON.stringify(td));
      await expect(runMain({ template: file, compare: false })).rejects.toSatisfy(
        (err: unknown) => err instanceof ConfigurationError && err.input === 'template',
      );
    });

    test('a tag that does not exist is the same error', async () => {
      const { v13, host } = await seedVersions();
      await expect(
        runMain({ template: WEB_TEMPLATE, containers: `web=${host}/shop/web:v9.9.9@${v13}`, compare: false }),
      ).rejects.toSatisfy(
        (err: unknown) => err instanceof ConfigurationError && /tag shop\/web:v9.9.9 does not exist/.test(err.message),
      );
    });

    test('a tag with its own digest is kept as given and noted as verified', async () => {
      const { v14, host } = await seedVersions();
      const image = `${host}/shop/web:v1.4.0@${v14}`;
      const run = await runMain({
        template: WEB_TEMPLATE,
        containers: `web=${image}`,
        'pin-digest': true,
        compare: false,
      });
      expect(run.taskDefinition.containerDefinitions[0].image).toBe(image);
      expect(run.summary).toContain('tag v1.4.0 verified');
    });
  });

  test('pin-digest on a missing tag fails naming the image', async () => {
    await emu.control.seed({ repositories: [{ name: 'shop/web', images: [{ tag: 'v1' }] }] } as never);
    const host = new URL(emu.url).host;
    await expect(
      runMain({ template: WEB_TEMPLATE, containers: `web=${host}/shop/web:v9`, 'pin-digest': true, compare: false }),
    ).rejects.toSatisfy((err: unknown) => err instanceof DeployFailure && /shop\/web:v9 not found/.test(err.message));
  });
});
