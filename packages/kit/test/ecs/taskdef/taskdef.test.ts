import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { RegisterTaskDefinitionRequest$, TaskDefinition$ } from '@aws-sdk/client-ecs';
import { describe, expect, test } from 'vitest';
import {
  canonicalJson,
  normalizeCpuUnits,
  normalizeMemoryMiB,
  normalizeTaskDef,
  READ_ONLY_TASK_DEF_FIELDS,
  REGISTER_TASK_DEF_FIELDS,
  redactTaskDef,
  TaskDefinitionShapeError,
  taskDefDiffText,
  taskDefsEqual,
  toRegisterInput,
  unknownTaskDefFields,
  unwrapTaskDefinition,
} from '../../../src/ecs/taskdef/taskdef';

// A StaticStructureSchema is [3, namespace, name, traits, memberNames, memberSchemas, requiredCount?].
function schemaMembers(schema: unknown): string[] {
  const s = schema as unknown[];
  expect(s[0]).toBe(3);
  const names = s[4];
  expect(Array.isArray(names)).toBe(true);
  return [...(names as string[])];
}

function dtsInterfaceMembers(name: string): string[] {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('@aws-sdk/client-ecs/package.json'));
  const modelsDir = join(pkgDir, 'dist-types', 'models');
  for (const file of readdirSync(modelsDir).filter((f) => /^models_\d+\.d\.ts$/.test(f))) {
    const text = readFileSync(join(modelsDir, file), 'utf8');
    const start = text.indexOf(`export interface ${name} {`);
    if (start < 0) continue;
    const end = text.indexOf('\n}', start);
    const body = text.slice(start, end);
    return [...body.matchAll(/^ {4}([A-Za-z0-9_]+)\??:/gm)].map((m) => m[1]!);
  }
  throw new Error(`interface ${name} not found in ${modelsDir}`);
}

describe('field lists match the SDK', () => {
  test('REGISTER_TASK_DEF_FIELDS equals RegisterTaskDefinitionRequest members (schema object)', () => {
    expect([...REGISTER_TASK_DEF_FIELDS].sort()).toEqual(schemaMembers(RegisterTaskDefinitionRequest$).sort());
  });
  test('REGISTER_TASK_DEF_FIELDS equals RegisterTaskDefinitionRequest members (d.ts)', () => {
    expect([...REGISTER_TASK_DEF_FIELDS].sort()).toEqual(dtsInterfaceMembers('RegisterTaskDefinitionRequest').sort());
  });
  test('READ_ONLY_TASK_DEF_FIELDS = TaskDefinition members not accepted by RegisterTaskDefinition', () => {
    const register = new Set(schemaMembers(RegisterTaskDefinitionRequest$));
    const readOnly = schemaMembers(TaskDefinition$).filter((m) => !register.has(m));
    expect([...READ_ONLY_TASK_DEF_FIELDS].sort()).toEqual(readOnly.sort());
    expect(
      dtsInterfaceMembers('TaskDefinition')
        .filter((m) => !register.has(m))
        .sort(),
    ).toEqual(readOnly.sort());
  });
  test.each([
    'runtimePlatform',
    'enableFaultInjection',
    'pidMode',
    'ipcMode',
    'ephemeralStorage',
    'proxyConfiguration',
    'inferenceAccelerators',
    'volumes',
  ])('valid field %s is kept', (field) => {
    expect(REGISTER_TASK_DEF_FIELDS).toContain(field);
  });
  test.each([
    'taskDefinitionArn',
    'revision',
    'status',
    'requiresAttributes',
    'compatibilities',
    'registeredAt',
    'registeredBy',
    'deregisteredAt',
  ])('read-only field %s is dropped', (field) => {
    expect(READ_ONLY_TASK_DEF_FIELDS).toContain(field);
    const out = toRegisterInput({ family: 'f', containerDefinitions: [{ name: 'a', image: 'x' }], [field]: 'v' });
    expect(out).not.toHaveProperty(field);
  });
});

// The values a template states and its registered revision repeats (the revision adds AWS's defaults around them).
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.2.3';
const DB_SECRETS = [
  { name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf:password::' },
];
const AWSLOGS_OPTIONS = { 'awslogs-group': '/ecs/web', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs' };
const HEALTH_COMMAND = ['CMD-SHELL', 'curl -f http://localhost:8080/ || exit 1'];
const ROLES = {
  taskRoleArn: 'arn:aws:iam::123456789012:role/web-task',
  executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
};

const describeOutput = {
  taskDefinition: {
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7',
    containerDefinitions: [
      {
        name: 'web',
        image: IMAGE,
        cpu: 0,
        portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp', name: 'http', appProtocol: 'http' }],
        essential: true,
        environment: [
          { name: 'NODE_ENV', value: 'production' },
          { name: 'API_TOKEN', value: 'sekrit' },
        ],
        mountPoints: [],
        volumesFrom: [],
        secrets: DB_SECRETS,
        logConfiguration: { logDriver: 'awslogs', options: AWSLOGS_OPTIONS, secretOptions: [] },
        healthCheck: {
          command: HEALTH_COMMAND,
          interval: 30,
          timeout: 5,
          retries: 3,
        },
        systemControls: [],
      },
    ],
    family: 'web',
    ...ROLES,
    networkMode: 'awsvpc',
    revision: 7,
    volumes: [],
    status: 'ACTIVE',
    requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' }],
    placementConstraints: [],
    compatibilities: ['EC2', 'FARGATE'],
    runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    registeredAt: '2026-11-20T10:00:00.000Z',
    registeredBy: 'arn:aws:sts::123456789012:assumed-role/deploy/gha',
    enableFaultInjection: false,
  },
  tags: [{ key: 'team', value: 'platform' }],
};

const template = {
  family: 'web',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '0.25 vCPU',
  memory: 512,
  runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'ARM64' },
  ...ROLES,
  tags: [{ key: 'team', value: 'platform' }],
  containerDefinitions: [
    {
      name: 'web',
      image: IMAGE,
      portMappings: [{ containerPort: 8080, name: 'http', appProtocol: 'http' }],
      environment: [
        { name: 'API_TOKEN', value: 'sekrit' },
        { name: 'NODE_ENV', value: 'production' },
      ],
      secrets: DB_SECRETS,
      logConfiguration: { logDriver: 'awslogs', options: AWSLOGS_OPTIONS },
      healthCheck: { command: HEALTH_COMMAND },
    },
  ],
};

describe('unwrapTaskDefinition', () => {
  test('describe output: inner task definition with tags folded in', () => {
    const td = unwrapTaskDefinition(describeOutput);
    expect(td.family).toBe('web');
    expect(td.tags).toEqual([{ key: 'team', value: 'platform' }]);
  });
  test('plain task definition is returned as a copy', () => {
    const td = unwrapTaskDefinition(template);
    expect(td).toEqual(template);
    expect(td).not.toBe(template);
  });
  test('empty tags in the wrapper are not added', () => {
    const td = unwrapTaskDefinition({ taskDefinition: { family: 'f', containerDefinitions: [] }, tags: [] });
    expect(td).not.toHaveProperty('tags');
  });
  test.each([
    [[], /JSON object/],
    ['x', /JSON object/],
    [null, /JSON object/],
    [{ family: 'f' }, /missing "containerDefinitions"/],
    [{ family: 'f', containerDefinitions: {} }, /must be an array/],
    [{ containerDefinitions: ['x'] }, /containerDefinitions\[0\] must be an object/],
    [{ taskDefinition: 'web:1' }, /command input/],
  ])('rejects %j', (json, message) => {
    expect(() => unwrapTaskDefinition(json)).toThrow(TaskDefinitionShapeError);
    expect(() => unwrapTaskDefinition(json)).toThrow(message);
  });
});

describe('toRegisterInput', () => {
  test('describe output → only accepted fields, empties dropped', () => {
    const out = toRegisterInput(describeOutput) as unknown as Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual(
      [
        'containerDefinitions',
        'cpu',
        'enableFaultInjection',
        'executionRoleArn',
        'family',
        'memory',
        'networkMode',
        'requiresCompatibilities',
        'runtimePlatform',
        'tags',
        'taskRoleArn',
      ].sort(),
    );
    const web = (out.containerDefinitions as Record<string, unknown>[])[0]!;
    expect(web).not.toHaveProperty('mountPoints');
    expect(web).not.toHaveProperty('systemControls');
    expect(web.cpu).toBe(0);
    expect(web.logConfiguration).toEqual({
      logDriver: 'awslogs',
      options: { 'awslogs-group': '/ecs/web', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs' },
    });
  });
  test('unknown fields are dropped and reported', () => {
    const unknown: string[] = [];
    const out = toRegisterInput(
      { family: 'f', containerDefinitions: [{ name: 'a' }], contianerDefinitions: [], revision: 3 },
      { onUnknownField: (f) => unknown.push(f) },
    );
    expect(unknown).toEqual(['contianerDefinitions']);
    expect(out).not.toHaveProperty('revision');
    expect(unknownTaskDefFields({ family: 'f', containerDefinitions: [], foo: 1, status: 'x' })).toEqual(['foo']);
  });
  test('null, empty strings, empty objects are dropped; false, 0 and empty env values kept', () => {
    const out = toRegisterInput({
      family: 'f',
      taskRoleArn: '',
      pidMode: null,
      ephemeralStorage: {},
      cpu: 1024,
      containerDefinitions: [
        {
          name: 'a',
          essential: false,
          memoryReservation: 0,
          environment: [{ name: 'EMPTY', value: '' }, null],
          dockerLabels: { 'com.example.empty': '' },
          command: [],
          linuxParameters: { capabilities: {} },
        },
      ],
    }) as unknown as Record<string, unknown>;
    expect(out).toEqual({
      family: 'f',
      cpu: '1024',
      containerDefinitions: [
        {
          name: 'a',
          essential: false,
          memoryReservation: 0,
          environment: [{ name: 'EMPTY', value: '' }],
          dockerLabels: { 'com.example.empty': '' },
        },
      ],
    });
  });
  test('does not mutate its input', () => {
    const input = structuredClone(describeOutput);
    toRegisterInput(input);
    expect(input).toEqual(describeOutput);
  });
});

describe('normalizeTaskDef / taskDefsEqual', () => {
  test('a template equals its registered revision', () => {
    expect(taskDefsEqual(template, describeOutput)).toBe(true);
    // Without include=TAGS the describe output has no tags: tags are then a difference.
    const { tags: _tags, ...untagged } = template;
    expect(taskDefsEqual(describeOutput.taskDefinition, untagged)).toBe(true);
    expect(taskDefsEqual(describeOutput.taskDefinition, template)).toBe(false);
  });
  test('deploy-actions:* markers on the registered revision are no difference; other tags are', () => {
    const marked = {
      ...describeOutput.taskDefinition,
      tags: [
        { key: 'deploy-actions:known-good', value: '2026-11-20T10:00:00Z' },
        { key: 'deploy-actions:commit', value: 'c0ffee' },
      ],
    };
    const plain = { ...describeOutput.taskDefinition, tags: [] };
    expect(taskDefsEqual(plain, marked)).toBe(true);
    expect(taskDefDiffText(plain, marked)).toBe('');
    expect(taskDefsEqual(plain, { ...marked, tags: [{ key: 'team', value: 'payments' }] })).toBe(false);
  });

  test('an image change is a difference', () => {
    const changed = structuredClone(template);
    changed.containerDefinitions[0]!.image = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.2.4';
    expect(taskDefsEqual(changed, describeOutput)).toBe(false);
  });
  test('container and list order does not matter', () => {
    const a = {
      family: 'f',
      containerDefinitions: [
        {
          name: 'b',
          image: 'b',
          environment: [
            { name: 'Y', value: '1' },
            { name: 'X', value: '2' },
          ],
        },
        {
          name: 'a',
          image: 'a',
          mountPoints: [
            { sourceVolume: 'v2', containerPath: '/b' },
            { sourceVolume: 'v1', containerPath: '/a' },
          ],
        },
      ],
      volumes: [{ name: 'v2' }, { name: 'v1', host: {} }],
      requiresCompatibilities: ['FARGATE', 'EC2'],
    };
    const b = {
      requiresCompatibilities: ['EC2', 'FARGATE'],
      volumes: [{ name: 'v1' }, { name: 'v2' }],
      containerDefinitions: [
        {
          name: 'a',
          image: 'a',
          mountPoints: [
            { sourceVolume: 'v1', containerPath: '/a', readOnly: false },
            { containerPath: '/b', sourceVolume: 'v2' },
          ],
        },
        {
          name: 'b',
          image: 'b',
          environment: [
            { name: 'X', value: '2' },
            { name: 'Y', value: '1' },
          ],
        },
      ],
      family: 'f',
    };
    expect(taskDefsEqual(a, b)).toBe(true);
  });
  test('command order matters', () => {
    const a = { family: 'f', containerDefinitions: [{ name: 'a', command: ['x', 'y'] }] };
    const b = { family: 'f', containerDefinitions: [{ name: 'a', command: ['y', 'x'] }] };
    expect(taskDefsEqual(a, b)).toBe(false);
  });
  test('bridge mode hostPort is significant, awsvpc hostPort is not', () => {
    const mk = (networkMode: string, hostPort?: number) => ({
      family: 'f',
      networkMode,
      containerDefinitions: [
        { name: 'a', portMappings: [{ containerPort: 80, ...(hostPort === undefined ? {} : { hostPort }) }] },
      ],
    });
    expect(taskDefsEqual(mk('awsvpc'), mk('awsvpc', 80))).toBe(true);
    expect(taskDefsEqual(mk('bridge'), mk('bridge', 80))).toBe(false);
  });
  test('EFS and healthCheck defaults are ignored', () => {
    const a = {
      family: 'f',
      containerDefinitions: [{ name: 'a', healthCheck: { command: ['CMD', 'true'], startPeriod: 10 } }],
      volumes: [{ name: 'data', efsVolumeConfiguration: { fileSystemId: 'fs-1' } }],
    };
    const b = {
      family: 'f',
      containerDefinitions: [
        { name: 'a', healthCheck: { command: ['CMD', 'true'], startPeriod: 10, interval: 30, timeout: 5, retries: 3 } },
      ],
      volumes: [
        {
          name: 'data',
          efsVolumeConfiguration: { fileSystemId: 'fs-1', rootDirectory: '/', transitEncryption: 'DISABLED' },
        },
      ],
    };
    expect(taskDefsEqual(a, b)).toBe(true);
  });
  test.each([
    ['1 vCPU', '1024'],
    ['0.25 vCPU', '256'],
    ['.5 vcpu', '.5 vcpu'],
    [256, '256'],
    ['4096', '4096'],
  ])('cpu %j → %j', (raw, expected) => expect(normalizeCpuUnits(raw)).toBe(expected));
  test.each([
    ['1 GB', '1024'],
    ['2GB', '2048'],
    ['512 MiB', '512'],
    [512, '512'],
  ])('memory %j → %j', (raw, expected) => expect(normalizeMemoryMiB(raw)).toBe(expected));
  test('normalised output has sorted keys and is idempotent', () => {
    const n = normalizeTaskDef(describeOutput);
    expect(Object.keys(n)).toEqual([...Object.keys(n)].sort());
    expect(canonicalJson(normalizeTaskDef(n))).toBe(canonicalJson(n));
  });
});

describe('taskDefDiffText', () => {
  test('empty when equal', () => {
    expect(taskDefDiffText(describeOutput, template)).toBe('');
  });
  test('shows the changed image, redacts secret-looking env values', () => {
    const changed = structuredClone(template);
    changed.containerDefinitions[0]!.image = 'web:2';
    const diff = taskDefDiffText(describeOutput, changed);
    expect(diff).toMatch(/^-.*web:1\.2\.3/m);
    expect(diff).toMatch(/^\+.*"web:2"/m);
    expect(diff).not.toContain('sekrit');
  });
  test('a changed secret-looking value shows as a change without either value', () => {
    const changed = structuredClone(template);
    changed.containerDefinitions[0]!.environment[0]!.value = 'rotated-value';
    const diff = taskDefDiffText(describeOutput, changed);
    expect(diff).not.toBe('');
    expect(diff).not.toContain('sekrit');
    expect(diff).not.toContain('rotated-value');
    expect(diff).toMatch(/^-.*"API_TOKEN"|^-.*"\*\*\*"/m);
    expect(diff).toMatch(/^\+.*"\*\*\* \(changed\)"/m);
  });
  test('no previous revision: everything is added', () => {
    const diff = taskDefDiffText(undefined, template);
    expect(diff).toContain('+');
    expect(diff).toContain('"family": "web"');
    expect(diff).not.toContain('sekrit');
  });
  test('URL passwords in ordinary environment values are redacted', () => {
    const td = {
      family: 'f',
      containerDefinitions: [
        { name: 'a', environment: [{ name: 'DATABASE_URL', value: 'postgres://app:s3cr3t@db:5432/app' }] },
      ],
    };
    const diff = taskDefDiffText(undefined, td);
    expect(diff).toContain('postgres://app:***@db:5432/app');
    expect(diff).not.toContain('s3cr3t');
  });
  test('#14: unnamed secrets, connection strings, commands and health checks are redacted; digests are not', () => {
    const digest = `sha256:${'4f'.repeat(32)}`;
    const td = (password: string) => ({
      family: 'f',
      containerDefinitions: [
        {
          name: 'a',
          image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/web@${digest}`,
          environment: [
            { name: 'STRIPE_SK', value: `sk-${password}` },
            { name: 'SIGNING_SALT', value: `salt-${password}` },
            { name: 'SQL', value: `Server=db;User Id=app;Password=${password};` },
            { name: 'MYSQL_URL', value: `mysql://app:p@ss-${password}@db/app` },
          ],
          command: ['migrate', '--password', password, `--db=postgres://u:${password}@h/x`],
          entryPoint: ['sh', '-c', `PGPASSWORD=${password} exec app`],
          healthCheck: { command: ['CMD-SHELL', `curl -fsS -u ops:${password} http://localhost/ || exit 1`] },
        },
      ],
    });
    const diff = taskDefDiffText(td('old-pw-1'), td('new-pw-2'));
    for (const leak of ['old-pw-1', 'new-pw-2', 'ss-old', 'ss-new']) expect(diff).not.toContain(leak);
    expect(diff).toContain(digest);
    expect(diff).toContain('"mysql://app:***@db/app (changed)"');
    expect(diff).toContain('"Server=db;User Id=app;Password=***; (changed)"');
    expect(diff).toMatch(/^\+ +"\*\*\* \(changed\)",$/m); // --password's value
    expect(diff).toContain('curl -fsS -u ops:*** http://localhost/ || exit 1 (changed)');
    expect(taskDefDiffText(td('same'), td('same'))).toBe('');
  });
  test('redactTaskDef keeps secret ARNs visible', () => {
    const r = redactTaskDef(normalizeTaskDef(template));
    expect(JSON.stringify(r)).toContain('prod/db-AbCdEf:password::');
    expect(JSON.stringify(r)).not.toContain('sekrit');
  });
});
