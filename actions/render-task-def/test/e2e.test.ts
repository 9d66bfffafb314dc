// The bundled dist/index.js run exactly as the runner runs it: INPUT_* env, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { useEmulator } from '@deploy-actions/aws-emulator';
import { READ_ONLY_TASK_DEF_FIELDS, toRegisterInput } from '@deploy-actions/kit/ecs/taskdef';
import { runActionBundle } from '@deploy-actions/kit/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FIXTURES, fixture } from './helpers';

const ECR_WEB = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web';

describe('render-task-def bundle (no AWS)', () => {
  test('file template with compare: false renders, writes outputs and summary', async () => {
    const result = await runActionBundle({
      action: 'render-task-def',
      inputs: {
        template: join(FIXTURES, 'fargate-web-sidecars.json'),
        containers: `web=${ECR_WEB}:2026.11.21-abc1234`,
        environment: '[web]\nNODE_ENV=staging\nAPI_TOKEN=very-secret-value',
        secrets: '[web]\nJWT_SECRET=arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/jwt-AbCdEf:key::',
        compare: false,
      },
      env: { AWS_REGION: undefined, AWS_ACCESS_KEY_ID: undefined },
    });
    expect(result.errors).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.outputs.family).toBe('shop-web');
    expect(result.outputs.changed).toBe('true');
    const path = result.outputs['task-definition']!;
    expect(path.startsWith(result.runnerTemp)).toBe(true);
    const td = JSON.parse(readFileSync(path, 'utf8'));
    for (const f of READ_ONLY_TASK_DEF_FIELDS) expect(td).not.toHaveProperty(f);
    const web = td.containerDefinitions.find((c: { name: string }) => c.name === 'web');
    expect(web.image).toBe(`${ECR_WEB}:2026.11.21-abc1234`);
    expect(web.environment).toContainEqual({ name: 'NODE_ENV', value: 'staging' });
    expect(web.secrets).toContainEqual({
      name: 'JWT_SECRET',
      valueFrom: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/jwt-AbCdEf:key::',
    });
    expect(result.summary).toContain('render-task-def: shop-web');
    expect(result.summary).toContain(`${ECR_WEB}:2026.11.21-abc1234`);
    // The value is registered as a mask (the runner then hides it everywhere) and printed nowhere else.
    expect(result.stdout).toContain('::add-mask::very-secret-value');
    const printed = result.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    expect(result.summary + printed).not.toContain('very-secret-value');
  });

  test('a bad input fails with one error line naming the input', async () => {
    const result = await runActionBundle({
      action: 'render-task-def',
      inputs: { template: join(FIXTURES, 'ec2-bridge.json'), containers: 'web=nginx:1', compare: false },
    });
    expect(result.code).not.toBe(0);
    expect(result.errors).toEqual([
      "Input 'containers': line 1: no container named 'web' (did you mean 'Web'? names are case-sensitive)",
    ]);
    expect(result.stdout).not.toMatch(/\n\s+at /);
    expect(result.outputs).toEqual({});
  });
});

describe('render-task-def bundle against the emulator', () => {
  const emu = useEmulator({}, { beforeAll, afterAll });

  test('template-family + pin-digest: outputs, rendered file and summary', async () => {
    const ecs = new ECSClient(emu.clientConfig);
    const ecr = new ECRClient(emu.clientConfig);
    await emu.control.seed({
      repositories: [{ name: 'cms/wordpress', images: [{ tag: '6.7' }] }],
    } as never);
    const digest = (
      await ecr.send(new DescribeImagesCommand({ repositoryName: 'cms/wordpress', imageIds: [{ imageTag: '6.7' }] }))
    ).imageDetails![0]!.imageDigest!;
    const registered = await ecs.send(new RegisterTaskDefinitionCommand(toRegisterInput(fixture('fargate-efs.json'))));
    const host = new URL(emu.url).host;

    const result = await runActionBundle({
      action: 'render-task-def',
      inputs: {
        'template-family': 'cms-wordpress',
        containers: `wordpress=${host}/cms/wordpress:6.7`,
        'pin-digest': true,
        secrets: 'WORDPRESS_AUTH_KEY=arn:aws:secretsmanager:us-east-1:210987654321:secret:cms/salts-Zz9Yy8:auth_key::',
      },
      env: emu.env,
    });
    expect(result.errors).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.outputs).toMatchObject({
      changed: 'true',
      family: 'cms-wordpress',
      'latest-task-definition-arn': registered.taskDefinition!.taskDefinitionArn!,
    });
    const td = JSON.parse(readFileSync(result.outputs['task-definition']!, 'utf8'));
    expect(td.containerDefinitions[0].image).toBe(`${host}/cms/wordpress@${digest}`);
    expect(td.volumes[0].efsVolumeConfiguration.authorizationConfig.accessPointId).toBe('fsap-0123456789abcdef0');
    expect(result.summary).toContain('```diff');
    expect(result.summary).toMatch(/^\+.*cms\/wordpress@sha256:/m);
    expect(result.summary).toMatch(/^\+.*WORDPRESS_AUTH_KEY/m);
  });
});
