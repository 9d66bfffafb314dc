import type { Service, Task } from '@aws-sdk/client-ecs';
import { describe, expect, test } from 'vitest';
import { executeOneOffTask, type OneOffTaskResult } from '../../../src/ecs/one-off-task/execute';
import {
  buildRunTaskInput,
  evaluateStoppedTask,
  planNetwork,
  selectContainer,
  type TaskDefShape,
  taskConsoleUrl,
} from '../../../src/ecs/one-off-task/plan';
import { oneOffTaskFailure } from '../../../src/ecs/one-off-task/report';
import { ConfigurationError } from '../../../src/runtime/errors';
import { formatCommand, parseCommand } from '../../../src/runtime/inputs/command';
import { validateSecurityGroups, validateStartedBy, validateSubnets } from '../../../src/runtime/inputs/ecs-ids';

describe('parseCommand', () => {
  test.each<[string, string, string[] | undefined]>([
    ['blank', '  ', undefined],
    ['JSON array', '["python", "manage.py", "migrate"]', ['python', 'manage.py', 'migrate']],
    ['JSON array with spaces in args', '["sh", "-c", "a && b"]', ['sh', '-c', 'a && b']],
    ['shell words', 'python manage.py migrate --noinput', ['python', 'manage.py', 'migrate', '--noinput']],
    ['single quotes', "alembic -x 'db url' upgrade head", ['alembic', '-x', 'db url', 'upgrade', 'head']],
    ['double quotes', 'sh -c "a && b"', ['sh', '-c', 'a && b']],
    ['backslash escape', 'echo a\\ b', ['echo', 'a b']],
    ['a quoted variable is literal', "echo '$HOME'", ['echo', '$HOME']],
    ['a quoted glob is literal', "ls '*.py'", ['ls', '*.py']],
    ['empty quoted arg', "echo ''", ['echo', '']],
    ['# inside a word is literal', 'migrate --username ops#1', ['migrate', '--username', 'ops#1']],
  ])('%s', (_name, raw, expected) => {
    expect(parseCommand('command', raw)).toEqual(expected);
  });

  test.each([
    ['bad JSON', '["python", manage.py]', /invalid JSON array at line 1, column \d+/],
    ['JSON not strings', '["python", 3]', /element 1 .* must be a string/],
    ['empty JSON array', '[]', /non-empty JSON array/],
    ['shell operator', 'python manage.py migrate && echo done', /shell operator '&&'.*\["sh", "-c"/],
    ['redirection', 'migrate > out.txt', /shell operator '>'/],
    ['unterminated quote', 'echo "abc', /unterminated quote/],
    ['only a comment', '# nothing', /contains a comment \("# nothing"\), which needs a shell/],
    // were silently different before (the one grammar: an error or a literal, never another argv)
    ['unquoted variable', 'echo $HOME', /the expansion "\$HOME".*needs a shell/],
    ['unquoted glob', 'ls *.py', /the glob "\*\.py".*needs a shell/],
    ['trailing comment', 'migrate # run it', /a comment \("# run it"\)/],
  ])('%s → ConfigurationError', (_name, raw, message) => {
    let caught: unknown;
    try {
      parseCommand('command', raw);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigurationError);
    expect((caught as ConfigurationError).input).toBe('command');
    expect((caught as Error).message).toMatch(message);
  });

  test('formatCommand quotes what needs it', () => {
    expect(formatCommand(['python', 'manage.py', 'migrate'])).toBe('python manage.py migrate');
    expect(formatCommand(['sh', '-c', "a && b's"])).toBe(`sh -c 'a && b'\\''s'`);
  });
});

describe('validators', () => {
  test.each([
    ['startedBy ok', () => validateStartedBy('started-by', 'github/run_123-a'), undefined],
    ['startedBy spaces', () => validateStartedBy('started-by', 'my run'), /128 letters/],
    ['startedBy too long', () => validateStartedBy('started-by', 'x'.repeat(129)), /128 letters/],
    ['subnet ok', () => validateSubnets('subnets', ['subnet-0abc']), undefined],
    ['subnet bad', () => validateSubnets('subnets', ['sg-0abc']), /subnet ids/],
    ['sg bad', () => validateSecurityGroups('security-groups', ['subnet-1']), /security group ids/],
    [
      'too many sgs',
      () => validateSecurityGroups('security-groups', ['sg-1', 'sg-2', 'sg-3', 'sg-4', 'sg-5', 'sg-6']),
      /at most 5/,
    ],
  ])('%s', (_name, fn, error) => {
    if (error) expect(fn).toThrow(error);
    else expect(fn).not.toThrow();
  });
});

const td = (over: Partial<TaskDefShape> = {}): TaskDefShape => ({
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/app:7',
  family: 'app',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  containerDefinitions: [{ name: 'django' }, { name: 'nginx' }],
  ...over,
});

describe('selectContainer', () => {
  test('exact name', () => expect(selectContainer('container', td(), 'nginx').name).toBe('nginx'));
  test('only container is the default', () =>
    expect(selectContainer('container', td({ containerDefinitions: [{ name: 'one' }] }), undefined).name).toBe('one'));
  test.each([
    ['unknown lists names', 'api', /no container 'api'.*django, nginx/],
    ['case-only mismatch', 'Django', /case-sensitive: did you mean 'django'/],
    ['required with several', undefined, /is required: .* has 2 containers \(django, nginx\)/],
  ])('%s', (_name, requested, message) => {
    expect(() => selectContainer('container', td(), requested)).toThrow(message);
  });
});

const service = (over: Partial<Service> = {}): Service => ({
  serviceName: 'api',
  launchType: 'FARGATE',
  platformVersion: '1.4.0',
  networkConfiguration: {
    awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-1'], assignPublicIp: 'ENABLED' },
  },
  ...over,
});

describe('planNetwork', () => {
  test('copies everything from the service', () => {
    const plan = planNetwork(td(), { service: service() });
    expect(plan).toMatchObject({
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-1'], assignPublicIp: 'ENABLED' },
      },
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
    });
    expect(plan.notes.join('\n')).toMatch(/from service api/);
  });

  test('explicit values win, the rest is copied', () => {
    const plan = planNetwork(td(), { service: service(), subnets: ['subnet-x'], assignPublicIp: 'DISABLED' });
    expect(plan.networkConfiguration?.awsvpcConfiguration).toEqual({
      subnets: ['subnet-x'],
      securityGroups: ['sg-1'],
      assignPublicIp: 'DISABLED',
    });
  });

  test('capacity provider strategy instead of launch type', () => {
    const strategy = [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }];
    const plan = planNetwork(td(), { service: service({ launchType: undefined, capacityProviderStrategy: strategy }) });
    expect(plan.capacityProviderStrategy).toEqual(strategy);
    expect(plan.launchType).toBeUndefined();
    expect(plan.platformVersion).toBe('1.4.0');
  });

  test('explicit launch type wins over the service strategy', () => {
    const plan = planNetwork(td(), {
      service: service({ capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] }),
      launchType: 'FARGATE',
    });
    expect(plan.launchType).toBe('FARGATE');
    expect(plan.capacityProviderStrategy).toBeUndefined();
  });

  test('no service, explicit subnets, Fargate task def → FARGATE', () => {
    const plan = planNetwork(td(), { subnets: ['subnet-1'], securityGroups: ['sg-2'] });
    expect(plan).toMatchObject({
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-2'] } },
    });
    expect(plan.platformVersion).toBeUndefined();
  });

  test('LATEST platform version is not copied', () => {
    expect(planNetwork(td(), { service: service({ platformVersion: 'LATEST' }) }).platformVersion).toBeUndefined();
  });

  test('bridge task definition: no network configuration', () => {
    const plan = planNetwork(td({ networkMode: 'bridge', requiresCompatibilities: ['EC2'] }), {
      service: service({ launchType: 'EC2', networkConfiguration: undefined }),
    });
    expect(plan.networkConfiguration).toBeUndefined();
    expect(plan.launchType).toBe('EC2');
  });

  test.each([
    [
      'service without awsvpc, no subnets',
      td(),
      { service: service({ networkConfiguration: undefined }) },
      'subnets',
      /service 'api' has no awsvpc network configuration/,
    ],
    ['no service, no subnets', td(), {}, 'subnets', /set service .* or subnets/],
    [
      'subnets for a bridge task def',
      td({ networkMode: 'bridge', requiresCompatibilities: ['EC2'] }),
      { subnets: ['subnet-1'] },
      'subnets',
      /bridge network mode/,
    ],
    [
      'security groups for a host task def',
      td({ networkMode: 'host', requiresCompatibilities: ['EC2'] }),
      { securityGroups: ['sg-1'] },
      'security-groups',
      /host network mode/,
    ],
  ])('%s → ConfigurationError(%s)', (_name, taskDef, request, input, message) => {
    let caught: unknown;
    try {
      planNetwork(taskDef, request);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigurationError);
    expect((caught as ConfigurationError).input).toBe(input);
    expect((caught as Error).message).toMatch(message);
  });
});

describe('buildRunTaskInput', () => {
  test('overrides only what was asked', () => {
    const network = planNetwork(td(), { service: service() });
    expect(buildRunTaskInput({ cluster: 'c', taskDefinition: 'app:7', container: 'django', network })).toEqual({
      cluster: 'c',
      taskDefinition: 'app:7',
      count: 1,
      networkConfiguration: network.networkConfiguration,
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
    });
    const withOverrides = buildRunTaskInput({
      cluster: 'c',
      taskDefinition: 'app:7',
      container: 'django',
      command: ['python', 'manage.py', 'migrate'],
      environment: [['A', '1']],
      network,
      startedBy: 'gha',
    });
    expect(withOverrides.overrides).toEqual({
      containerOverrides: [
        { name: 'django', command: ['python', 'manage.py', 'migrate'], environment: [{ name: 'A', value: '1' }] },
      ],
    });
    expect(withOverrides.startedBy).toBe('gha');
  });
});

describe('evaluateStoppedTask', () => {
  const arn = 'arn:aws:ecs:us-east-1:123456789012:task/app/abc123';
  const task = (over: Partial<Task>, container: Record<string, unknown> = {}): Task => ({
    taskArn: arn,
    lastStatus: 'STOPPED',
    startedAt: new Date(0),
    stoppedReason: 'Essential container in task exited',
    stopCode: 'EssentialContainerExited',
    containers: [
      { name: 'django', ...container },
      { name: 'sidecar', exitCode: 1 },
    ],
    ...over,
  });
  test.each([
    ['exit 0', task({}, { exitCode: 0 }), true, 0, /exited with code 0/],
    [
      'exit 1',
      task({}, { exitCode: 1 }),
      false,
      1,
      /container 'django' exited with code 1 \(Essential container in task exited\)/,
    ],
    [
      'exit 137 with reason',
      task({ stoppedReason: 'Task stopped by user' }, { exitCode: 137, reason: 'OOM' }),
      false,
      137,
      /137 \(Task stopped by user; container: OOM\)/,
    ],
    ['no exit code after start', task({}, {}), false, undefined, /stopped without an exit code/],
    [
      'failed to start',
      task(
        {
          startedAt: undefined,
          stopCode: 'TaskFailedToStart',
          stoppedReason: 'CannotPullContainerError: pull access denied',
        },
        { reason: 'CannotPullContainerError' },
      ),
      false,
      undefined,
      /failed to start: CannotPullContainerError: pull access denied; container: CannotPullContainerError/,
    ],
  ])('%s', (_name, t, ok, exitCode, message) => {
    const outcome = evaluateStoppedTask(t, 'django');
    expect(outcome.ok).toBe(ok);
    expect(outcome.exitCode).toBe(exitCode);
    expect(outcome.message).toMatch(message);
  });
});

describe('taskConsoleUrl and failure', () => {
  test.each([
    [
      'arn:aws:ecs:us-east-1:123456789012:task/app/abc',
      'https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/app/tasks/abc/configuration?region=us-east-1',
    ],
    [
      'arn:aws-cn:ecs:cn-north-1:123456789012:task/app/abc',
      'https://cn-north-1.console.amazonaws.cn/ecs/v2/clusters/app/tasks/abc/configuration?region=cn-north-1',
    ],
    ['arn:aws:ecs:us-east-1:123456789012:task/abc', undefined],
  ])('%s', (arn, url) => expect(taskConsoleUrl(arn)).toBe(url));

  test('oneOffTaskFailure carries the last lines', () => {
    const result = {
      ok: false,
      message: 'Task x: exited 1',
      lastLines: ['a', 'b'],
      containerName: 'django',
    } as OneOffTaskResult;
    expect(oneOffTaskFailure(result)?.message).toBe('Task x: exited 1\nLast 2 lines of django:\na\nb');
    expect(oneOffTaskFailure({ ...result, ok: true })).toBeUndefined();
  });
});

describe('executeOneOffTask', () => {
  test('RunTask failures[] → DeployFailure naming the reason (no task, no wait)', async () => {
    const sent: string[] = [];
    const ecs = {
      send: async (command: { constructor: { name: string } }) => {
        sent.push(command.constructor.name);
        return {
          tasks: [],
          failures: [
            { arn: 'arn:aws:ecs:us-east-1:1:task-definition/web:1', reason: 'RESOURCE:MEMORY', detail: 'no capacity' },
          ],
        };
      },
    } as any;
    const network = planNetwork(td(), { service: service() });
    const plan = {
      cluster: 'app',
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:1:task-definition/web:1',
      register: undefined,
      taskDefinition: td(),
      container: { name: 'django' },
      containerName: 'django',
      command: undefined,
      environmentNames: [],
      service: undefined,
      networkService: undefined,
      network,
      runTask: buildRunTaskInput({ cluster: 'app', taskDefinition: 'x', container: 'django', network }),
      notes: [],
    };
    await expect(
      executeOneOffTask({ ecs, logs: { send: async () => ({}) } as any }, plan, {
        timeoutMs: 1000,
        log: { info: () => {}, warning: () => {} },
      }),
    ).rejects.toThrow(/RunTask could not start the task: RESOURCE:MEMORY \(no capacity\)/);
    expect(sent).toEqual(['RunTaskCommand']);
  });
});
