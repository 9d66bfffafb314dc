import { describe, expect, test } from 'vitest';
import {
  registerInputBytes,
  registerLimitProblems,
  taskCpuUnits,
  taskMemoryMiB,
} from '../../../src/ecs/preflight/limits';

const td = (over: Record<string, unknown> = {}, container: Record<string, unknown> = {}) => ({
  family: 'web',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [{ name: 'app', image: 'web:v1', essential: true, ...container }],
  ...over,
});

const problems = (t: Record<string, unknown>) =>
  registerLimitProblems(t).map((p) => `${p.container ?? '-'} ${p.subject}: ${p.message} | ${p.fix}`);

describe('register-time limits', () => {
  test('a valid Fargate task definition has no problem', () => {
    expect(registerLimitProblems(td())).toEqual([]);
    expect(registerLimitProblems(td({ cpu: '1 vCPU', memory: '2 GB' }))).toEqual([]);
    expect(registerLimitProblems(td({ cpu: '16384', memory: '122880' }))).toEqual([]);
  });

  test.each<[string, Record<string, unknown>, Record<string, unknown>, RegExp]>([
    [
      'cpu/memory pair that is no Fargate size',
      { cpu: '1024', memory: '1024' },
      {},
      /^- memory: cpu 1024 with memory 1024 is not a Fargate size .*\| with cpu 1024 set memory to 2048–8192 MiB in steps of 1024, or keep memory 1024 with cpu 256 or 512$/,
    ],
    ['no task memory on Fargate', { memory: undefined }, {}, /^- memory: FARGATE needs a task-level "memory"/],
    ['no task cpu on Fargate', { cpu: undefined }, {}, /^- cpu: FARGATE needs a task-level "cpu"/],
    ['a cpu that is no Fargate size', { cpu: '300', memory: '512' }, {}, /^- cpu: cpu 300 is not a Fargate size/],
    ['unparseable memory', { memory: 'lots' }, {}, /^- memory: task "memory" "lots" is not valid/],
    ['Fargate without awsvpc', { networkMode: 'bridge' }, {}, /^- networkMode: FARGATE needs "networkMode": "awsvpc"/],
    [
      'container memory above the task',
      {},
      { memory: 1024 },
      /^app memory: container memory 1024 MiB is more than the task's 512 MiB/,
    ],
    ['reservation above the hard limit', {}, { memory: 256, memoryReservation: 400 }, /^app memoryReservation: /],
    ['no essential container', {}, { essential: false }, /^- containerDefinitions: no container is essential/],
    ['no image', {}, { image: '' }, /^app image: has no "image"/],
    [
      'awsvpc host port other than the container port',
      {},
      { portMappings: [{ containerPort: 80, hostPort: 8080 }] },
      /^app portMappings: hostPort 8080 differs from containerPort 80/,
    ],
    [
      'port mapping without containerPort',
      {},
      { portMappings: [{ hostPort: 80 }] },
      /^app portMappings: a port mapping has no "containerPort"/,
    ],
    [
      'a dependency with SUCCESS on an essential container',
      {
        containerDefinitions: [
          { name: 'app', image: 'a', dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }] },
          { name: 'init', image: 'b' },
        ],
      },
      {},
      /^app dependsOn: depends on init with SUCCESS, but init is essential/,
    ],
    [
      'EC2 without any memory',
      { requiresCompatibilities: ['EC2'], networkMode: 'bridge', cpu: undefined, memory: undefined },
      {},
      /^app memory: has neither "memory" nor "memoryReservation"/,
    ],
  ])('%s', (_name, over, container, expected) => {
    const found = problems(td(over, container));
    expect(
      found.some((p) => expected.test(p)),
      found.join('\n'),
    ).toBe(true);
  });

  test('more than 10 containers, duplicate names, a host port mapped twice', () => {
    const many = Array.from({ length: 11 }, (_, i) => ({ name: `c${i}`, image: 'x', essential: i === 0 }));
    expect(problems(td({ containerDefinitions: many }))).toContainEqual(
      expect.stringMatching(/11 containers; a task definition holds at most 10/),
    );
    const dup = [
      { name: 'a', image: 'x', portMappings: [{ containerPort: 80 }] },
      { name: 'a', image: 'y', portMappings: [{ containerPort: 80 }] },
    ];
    const found = problems(td({ containerDefinitions: dup }));
    expect(found).toContainEqual(expect.stringMatching(/^a name: two containers are named a/));
    expect(found).toContainEqual(expect.stringMatching(/^a portMappings: TCP 80 is mapped twice/));
  });

  test('64 KiB: the size ECS measures (tags excluded), naming the container that carries it', () => {
    const environment = Array.from({ length: 700 }, (_, i) => ({ name: `VAR_${i}`, value: 'x'.repeat(90) }));
    const big = td({ tags: [{ key: 'k', value: 'v'.repeat(200) }] }, { environment });
    expect(registerInputBytes(big)).toBeGreaterThan(65536);
    const found = registerLimitProblems(big).find((p) => p.subject === 'size');
    expect(found).toMatchObject({ container: 'app', check: 'limits' });
    expect(found?.message).toMatch(
      /^the task definition is \d+ bytes; ECS accepts at most 65536 \(64 KiB\); the largest container is app/,
    );
    expect(found?.fix).toContain('environmentFiles');
    // tags do not count
    const tagsOnly = td({ tags: Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v'.repeat(250) })) });
    expect(registerLimitProblems(tagsOnly)).toEqual([]);
  });

  test.each<[unknown, number | undefined | 'invalid']>([
    ['1024', 1024],
    ['0.25 vCPU', 256],
    ['2 vcpu', 2048],
    [undefined, undefined],
    ['fast', 'invalid'],
    ['0', 'invalid'],
  ])('taskCpuUnits(%j)', (raw, units) => expect(taskCpuUnits(raw)).toBe(units));

  test.each<[unknown, number | undefined | 'invalid']>([
    ['512', 512],
    ['2GB', 2048],
    ['0.5 GB', 512],
    ['', undefined],
    ['2 TB', 'invalid'],
  ])('taskMemoryMiB(%j)', (raw, mib) => expect(taskMemoryMiB(raw)).toBe(mib));
});
