// RegisterTaskDefinition refuses what ECS refuses at register time (ecs-taskdef-rules.ts), with ECS's error type and
// text: Fargate sizes, the 64 KiB size quota, the container quota and container rules.
import { type ContainerDefinition, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { beforeAll, describe, expect, test } from 'vitest';
import { peerTool } from '../src/index.ts';
import { fargateMemoryOptions } from '../src/services/ecs-taskdef-rules.ts';
import { fargateTd, useHarness } from './ecs-helpers.ts';

const h = useHarness();
const awsCli = peerTool('aws');

const register = (input: Parameters<typeof fargateTd>[2] = {}) =>
  h.ecs.send(new RegisterTaskDefinitionCommand(fargateTd('web', 'repo/web:v1', input)));

async function refusal(input: Parameters<typeof fargateTd>[2]): Promise<{ name: string; message: string }> {
  try {
    await register(input);
  } catch (err) {
    const e = err as { name: string; message: string };
    return { name: e.name, message: e.message };
  }
  throw new Error('registered, expected a ClientException');
}

const container = (name: string, extra: Partial<ContainerDefinition> = {}): ContainerDefinition => ({
  name,
  image: `repo/${name}:v1`,
  ...extra,
});

describe('Fargate task size (task-cpu-memory-error.html)', () => {
  test('the valid table: every documented cpu/memory pair registers', async () => {
    const pairs: Array<[number, number]> = [];
    for (const cpu of [256, 512, 1024, 2048, 4096, 8192, 16384])
      for (const m of fargateMemoryOptions(cpu)) pairs.push([cpu, m]);
    expect(pairs).toHaveLength(3 + 4 + 7 + 13 + 23 + 12 + 12);
    for (const [cpu, memory] of pairs) {
      const out = await register({ cpu: String(cpu), memory: String(memory) });
      expect(out.taskDefinition?.cpu).toBe(String(cpu));
    }
  });

  test.each([
    ['256', '4096'],
    ['512', '512'],
    ['1024', '1024'],
    ['2048', '3072'],
    ['4096', '31744'],
    ['8192', '18432'],
    ['300', '1024'],
  ])('cpu %s with memory %s → No Fargate configuration exists', async (cpu, memory) => {
    expect(await refusal({ cpu, memory })).toEqual({
      name: 'ClientException',
      message: `No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. See the Amazon ECS documentation for the valid values.`,
    });
  });

  test('vCPU and GB forms are converted at registration', async () => {
    const out = await register({ cpu: '0.5 vCPU', memory: '1 GB' });
    expect([out.taskDefinition?.cpu, out.taskDefinition?.memory]).toEqual(['512', '1024']);
    const out2 = await register({ cpu: '2 vcpu', memory: '8GB' });
    expect([out2.taskDefinition?.cpu, out2.taskDefinition?.memory]).toEqual(['2048', '8192']);
    expect(await refusal({ cpu: 'lots', memory: '1024' })).toEqual({
      name: 'ClientException',
      message: "Invalid 'cpu' setting for task.",
    });
  });

  test('task-level cpu and memory are required for FARGATE', async () => {
    expect((await refusal({ cpu: undefined })).message).toBe(
      "Fargate requires that 'cpu' be defined at the task level.",
    );
    expect((await refusal({ memory: undefined })).message).toBe(
      "Fargate requires that 'memory' be defined at the task level.",
    );
  });

  test('without requiresCompatibilities FARGATE any size registers (EC2), but FARGATE is not among compatibilities', async () => {
    const out = await register({ requiresCompatibilities: [], cpu: '300', memory: '700' });
    expect(out.taskDefinition?.cpu).toBe('300');
  });
});

describe('size and container rules', () => {
  test('a task definition over 64 KiB is refused with the length ECS reports', async () => {
    const environment = Array.from({ length: 70 }, (_, i) => ({ name: `VAR_${i}`, value: 'x'.repeat(1000) }));
    const r = await refusal({ containerDefinitions: [container('app', { environment })] });
    expect(r.name).toBe('ClientException');
    expect(r.message).toMatch(/^Actual length: '\d{5}'\. Max allowed length is '65536' bytes\.$/);
    // just under the quota registers
    const fits = Array.from({ length: 60 }, (_, i) => ({ name: `VAR_${i}`, value: 'x'.repeat(1000) }));
    await register({ containerDefinitions: [container('app', { environment: fits })] });
  });

  test('more than 10 containers is refused (service quota)', async () => {
    const ten = Array.from({ length: 10 }, (_, i) => container(`c${i}`));
    await register({ containerDefinitions: ten });
    const r = await refusal({ containerDefinitions: [...ten, container('c10')] });
    expect(r).toMatchObject({ name: 'ClientException', message: expect.stringMatching(/at most 10/) });
  });

  test.each([
    [
      'no essential container',
      [container('a', { essential: false }), container('b', { essential: false })],
      "Task definition doesn't have any essential container.",
    ],
    [
      'a SUCCESS dependency on an essential container',
      [container('app', { dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }] }), container('init')],
      'A dependency container with SUCCESS or COMPLETE condition cannot be an essential container',
    ],
    [
      'awsvpc host port differing from the container port',
      [container('app', { portMappings: [{ containerPort: 8080, hostPort: 80 }] })],
      'When networkMode=awsvpc, the host ports and container ports in port mappings must match.',
    ],
    [
      'a port mapping without containerPort',
      [container('app', { portMappings: [{ hostPort: 80 }] })],
      "Invalid 'containerPort' setting for container 'app'.",
    ],
    [
      'the same host port twice',
      [
        container('app', { portMappings: [{ containerPort: 8080 }] }),
        container('side', { portMappings: [{ containerPort: 8080 }] }),
      ],
      "TCP host port '8080' is mapped multiple times in task.",
    ],
  ])('%s', async (_name, containerDefinitions, message) => {
    expect(await refusal({ containerDefinitions })).toEqual({ name: 'ClientException', message });
  });

  test('allowed: an init container that is not essential, hostPort 0 or equal in awsvpc', async () => {
    await register({
      containerDefinitions: [
        container('app', {
          dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }],
          portMappings: [
            { containerPort: 8080, hostPort: 8080 },
            { containerPort: 9090, hostPort: 0 },
          ],
        }),
        container('init', { essential: false }),
      ],
    });
  });
});

describe.skipIf(awsCli.skip)(awsCli.title('AWS CLI v2'), () => {
  beforeAll(awsCli.require);
  test('aws ecs register-task-definition prints the ClientException ECS would', async () => {
    const res = await h.aws([
      'ecs',
      'register-task-definition',
      '--family',
      'web',
      '--requires-compatibilities',
      'FARGATE',
      '--network-mode',
      'awsvpc',
      '--cpu',
      '1024',
      '--memory',
      '1024',
      '--container-definitions',
      '[{"name":"app","image":"repo/web:v1"}]',
    ]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(
      'An error occurred (ClientException) when calling the RegisterTaskDefinition operation: No Fargate configuration exists for given values: 1024 CPU, 1024 memory.',
    );
  });
});
