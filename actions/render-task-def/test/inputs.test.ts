import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigurationError,
  parseCommand,
  secretValueFromProblem as validateSecretValueFrom,
} from '@deploy-actions/kit/runtime';
import { describe, expect, test } from 'vitest';
import { FIXTURES, inputsFrom, renderFrom } from './helpers';

const WEB = 'fargate-web-sidecars.json';
const EFS = 'fargate-efs.json';
const EC2 = 'ec2-bridge.json';

const scratch = mkdtempSync(join(tmpdir(), 'render-task-def-inputs-'));
writeFileSync(
  join(scratch, 'broken.json'),
  '{\n  "family": "web",\n  "containerDefinitions": [\n    { "name": "web", }\n  ]\n}\n',
);
writeFileSync(join(scratch, 'not-a-taskdef.json'), '{"services": []}\n');
writeFileSync(join(scratch, 'no-family.json'), '{"containerDefinitions": [{"name": "a", "image": "a"}]}\n');
writeFileSync(join(scratch, 'empty.json'), '');

/** [description, inputs, input named in the error, message pattern]. Templates resolve against the fixtures dir. */
const bad: Array<[string, Record<string, string>, string, RegExp]> = [
  ['missing template file', { template: 'nope/task-def.json' }, 'template', /file not found: nope\/task-def\.json/],
  ['template is a directory', { template: '.' }, 'template', /is a directory/],
  [
    'invalid JSON with line and column',
    { template: join(scratch, 'broken.json') },
    'template',
    /invalid JSON in .*broken\.json at line 4, column 22/,
  ],
  ['empty template file', { template: join(scratch, 'empty.json') }, 'template', /is required: expected JSON in/],
  [
    'JSON that is not a task definition',
    { template: join(scratch, 'not-a-taskdef.json') },
    'template',
    /missing "containerDefinitions"/,
  ],
  ['template without family', { template: join(scratch, 'no-family.json') }, 'template', /no "family"/],
  ['no template at all', {}, 'template', /set exactly one of 'template'.*'template-family' .*'template-arn'/],
  [
    'two template sources',
    { template: WEB, 'template-family': 'shop-web' },
    'template-family',
    /set exactly one of .*got 'template' and 'template-family'/,
  ],
  ['template-family with a revision', { 'template-family': 'shop-web:42' }, 'template-family', /use 'template-arn'/],
  [
    'template-family with bad characters',
    { 'template-family': 'shop web' },
    'template-family',
    /expected a task definition family/,
  ],
  [
    'malformed template-arn',
    { 'template-arn': 'arn:aws:ecs:eu-west-1:123:task-definition/web' },
    'template-arn',
    /expected arn:aws:ecs/,
  ],
  [
    'containers line without "="',
    { template: WEB, containers: 'web' },
    'containers',
    /line 1: expected CONTAINER=VALUE, got "web"/,
  ],
  [
    'containers line with an invalid image',
    { template: WEB, containers: '\nweb=123456789012.dkr.ecr.eu-west-1.amazonaws.com/Shop/Web:latest' },
    'containers',
    /line 2: .* is not an image reference/,
  ],
  [
    'containers: same container twice',
    { template: WEB, containers: 'web=a:1\nweb=a:2' },
    'containers',
    /line 2: container 'web' already set on line 1/,
  ],
  [
    'unknown container lists the names',
    { template: WEB, containers: 'api=nginx:1' },
    'containers',
    /no container named 'api' in the task definition; its containers are: 'web', 'datadog-agent', 'log_router'/,
  ],
  [
    'case-only mismatch is named as such',
    { template: EC2, containers: 'web=nginx:1' },
    'containers',
    /no container named 'web' \(did you mean 'Web'\? names are case-sensitive\)/,
  ],
  [
    'pin-digest not a boolean',
    { template: WEB, 'pin-digest': 'yes' },
    'pin-digest',
    /expected true or false, got "yes"/,
  ],
  ['compare not a boolean', { template: WEB, compare: '1' }, 'compare', /expected true or false, got "1"/],
  ['bad timeout duration', { template: WEB, timeout: '10 minutes' }, 'timeout', /expected a duration like '90s'/],
  [
    'bad environment-mode',
    { template: WEB, 'environment-mode': 'append' },
    'environment-mode',
    /expected one of merge, replace/,
  ],
  [
    'environment line without "="',
    { template: EFS, environment: 'NODE_ENV production' },
    'environment',
    /line 1: expected NAME=VALUE/,
  ],
  [
    'environment lines without header on a multi-container template',
    { template: WEB, environment: 'NODE_ENV=production' },
    'environment',
    /line 1: the task definition has 3 containers .*put the lines under a \[container-name\] header, or \[\*\]/,
  ],
  [
    'environment header for an unknown container',
    { template: WEB, environment: '[Web]\nX=1' },
    'environment',
    /did you mean 'web'/,
  ],
  [
    'environment: invalid header',
    { template: WEB, environment: '[web api]\nX=1' },
    'environment',
    /line 1: .* is not a container header/,
  ],
  [
    'environment: duplicate key',
    { template: EFS, environment: 'A=1\nA=2' },
    'environment',
    /line 2: "A" already set on line 1/,
  ],
  [
    'secret JSON key without all three colons',
    {
      template: EFS,
      secrets: 'DB_PASSWORD=arn:aws:secretsmanager:us-east-1:210987654321:secret:cms/db-q1W2e3:password',
    },
    'secrets',
    /line 1: DB_PASSWORD: a Secrets Manager reference has the form .*all three colons/,
  ],
  [
    'secret that is not an ARN or parameter name',
    { template: EFS, secrets: 'DB_PASSWORD=hunter2 please' },
    'secrets',
    /line 1: DB_PASSWORD: this looks like a secret value, not a reference to one/,
  ],
  [
    'secret from another service',
    { template: EFS, secrets: 'X=arn:aws:s3:::bucket/key' },
    'secrets',
    /only Secrets Manager and SSM/,
  ],
  [
    'command: invalid JSON array',
    { template: EFS, command: 'wordpress=["php", "wp-cli.phar",' },
    'command',
    /invalid JSON array on line 1 at line 1, column/,
  ],
  [
    'command needing a shell',
    { template: EFS, command: 'wordpress=wp cache flush && apache2-foreground' },
    'command',
    /contains the shell operator '&&', which needs a shell/,
  ],
  ['bad task cpu', { template: WEB, cpu: 'two' }, 'cpu', /line 1: expected a task-level cpu like '512' or '1 vCPU'/],
  [
    'bad container memory',
    { template: WEB, memory: 'web=2GB' },
    'memory',
    /line 1: container-level memory must be a whole number of MiB/,
  ],
  [
    'bad execution role',
    { template: WEB, 'execution-role-arn': 'ecsTaskExecutionRole' },
    'execution-role-arn',
    /expected an IAM role ARN/,
  ],
  [
    'bad task role',
    { template: WEB, 'task-role-arn': 'arn:aws:iam::123:role/x' },
    'task-role-arn',
    /expected an IAM role ARN/,
  ],
  ['bad region', { template: WEB, 'aws-region': 'Frankfurt' }, 'aws-region', /expected an AWS region like us-east-1/],
  [
    'bad log driver',
    { template: EFS, 'log-configuration': 'logDriver=cloudwatch' },
    'log-configuration',
    /unknown log driver "cloudwatch"/,
  ],
  [
    'awslogs without group',
    { template: WEB, 'log-configuration': '[datadog-agent]\nawslogs-stream-prefix=dd' },
    'log-configuration',
    /container 'datadog-agent': the awslogs driver needs awslogs-group/,
  ],
  [
    'awslogs on Fargate without stream prefix',
    { template: WEB, 'log-configuration': '[datadog-agent]\nawslogs-group=/ecs/dd' },
    'log-configuration',
    /awslogs on Fargate needs awslogs-stream-prefix/,
  ],
  ['bad family', { template: WEB, family: 'shop/web' }, 'family', /expected a task definition family/],
];

describe('bad inputs: one ConfigurationError naming the input', () => {
  test('has at least 15 cases', () => expect(bad.length).toBeGreaterThanOrEqual(15));
  test.each(bad)('%s', (_name, raw, input, message) => {
    let caught: unknown;
    try {
      const inputs = inputsFrom(raw);
      if (inputs.template.kind === 'file') renderFrom(raw);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigurationError);
    const err = caught as ConfigurationError;
    expect(err.input).toBe(input);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
  });
});

describe('valid inputs', () => {
  test('defaults', () => {
    const inputs = inputsFrom({ template: WEB });
    expect(inputs).toMatchObject({ pinDigest: false, compare: true, timeoutMs: 120_000, outputFile: undefined });
    expect(inputs.overrides.environmentMode).toBe('merge');
  });
  test('template-family and template-arn need no file', () => {
    expect(inputsFrom({ 'template-family': 'shop-web' }).template).toEqual({ kind: 'family', family: 'shop-web' });
    expect(inputsFrom({ 'template-arn': 'shop-web:41' }).template).toEqual({
      kind: 'family',
      family: 'shop-web',
      revision: 41,
    });
    const arn = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-web:41';
    expect(inputsFrom({ 'template-arn': arn }).template).toEqual({ kind: 'arn', arn });
  });
  test('output-file is resolved against the working directory', () => {
    expect(inputsFrom({ template: WEB, 'output-file': 'out/td.json' }).outputFile).toBe(join(FIXTURES, 'out/td.json'));
  });
  test.each([
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-Xk9Lm2',
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-Xk9Lm2:password::',
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-Xk9Lm2:password:AWSCURRENT:',
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/db-Xk9Lm2:::6aba5b3b-1234-4a3b-8c1d-1a2b3c4d5e6f',
    'arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:db-Xk9Lm2',
    'arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/db-password',
    '/shop/prod/db-password',
    'db_password',
  ])('secret valueFrom %s is accepted', (value) => expect(validateSecretValueFrom(value)).toBeUndefined());
  test.each([
    ['["a", "b c"]', ['a', 'b c']],
    ['a "b c" d', ['a', 'b c', 'd']],
    ["sh -c 'echo $HOME'", ['sh', '-c', 'echo $HOME']],
  ])('command %s', (raw, expected) => expect(parseCommand('command', raw, 1)).toEqual(expected));
});
