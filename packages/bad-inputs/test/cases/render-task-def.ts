import { main } from '../../../../actions/render-task-def/src/main';
import type { ActionCases, BadInputCase } from '../case';

/** The render inputs render-task-def and deploy-ecs share: the same mistakes, the same input names in both. */
export const RENDER_CASES: BadInputCase[] = [
  { name: 'no template at all', inputs: { template: '' }, input: 'template', message: /no template/ },
  {
    name: 'template and template-family both set',
    inputs: { 'template-family': 'web' },
    input: 'template-family',
    message: /exactly one/,
  },
  { name: 'template file that does not exist', inputs: { template: 'ecs/nope.json' }, input: 'template' },
  { name: 'template with invalid JSON', inputs: { template: 'ecs/bad.json' }, input: 'template', message: /line 4/ },
  { name: 'template directory', inputs: { template: 'ecs' }, input: 'template' },
  {
    name: 'template-family with a revision',
    inputs: { template: '', 'template-family': 'web:1' },
    input: 'template-family',
    message: /template-arn/,
  },
  {
    name: 'template-family that does not exist (read-only check)',
    inputs: { template: '', 'template-family': 'ghost' },
    input: 'template-family',
  },
  {
    name: 'template-arn of a task, not a task definition',
    inputs: { template: '', 'template-arn': 'arn:aws:ecs:us-east-1:000000000000:task/app/0123456789abcdef' },
    input: 'template-arn',
  },
  {
    name: 'template-arn revision that does not exist (read-only check)',
    inputs: { template: '', 'template-arn': 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:99' },
    input: 'template-arn',
  },
  { name: 'containers line without =', inputs: { containers: 'nginx:1.27' }, input: 'containers' },
  {
    name: 'containers naming a container the template lacks',
    inputs: { containers: 'web=nginx:1.27' },
    input: 'containers',
    message: /web/,
  },
  { name: 'image with upper-case repository', inputs: { containers: 'app=Shop/Web:v1' }, input: 'containers' },
  {
    name: 'a 32-hex "sha256" digest',
    inputs: { containers: `app=web@sha256:${'ab'.repeat(16)}` },
    input: 'containers',
    message: /32 hex digits/,
  },
  {
    name: 'tag and digest of different images (repo:v1.4.0@<digest of v1.3.0>)',
    inputs: (w) => ({ containers: `app=${w.host}/shop/web:v1.4.0@${w.v130}` }),
    input: 'containers',
    message: /tag shop\/web:v1\.4\.0 is sha256:\w+ in ECR/,
  },
  {
    name: 'tag and digest where the tag does not exist',
    inputs: (w) => ({ containers: `app=${w.host}/shop/web:v9@${w.v130}` }),
    input: 'containers',
    message: /does not exist/,
  },
  { name: 'environment name starting with a digit', inputs: { environment: '1X=2' }, input: 'environment' },
  { name: 'environment line without =', inputs: { environment: 'DEBUG' }, input: 'environment' },
  { name: 'environment set twice', inputs: { environment: 'A=1\nA=2' }, input: 'environment' },
  {
    name: 'environment section for an unknown container',
    inputs: { environment: '[worker]\nA=1' },
    input: 'environment',
    message: /worker/,
  },
  { name: 'environment-mode: overwrite', inputs: { 'environment-mode': 'overwrite' }, input: 'environment-mode' },
  {
    name: 'secret value pasted into secrets',
    inputs: { secrets: 'STRIPE_SK=sk_live_51HqLyjWDarjtT1zdp7dcXYZ' },
    input: 'secrets',
    message: /looks like a secret value/,
    hidden: 'sk_live_51HqLyjWDarjtT1zdp7dcXYZ',
  },
  {
    name: 'password pasted into secrets',
    inputs: { secrets: 'DB_PASSWORD=hunter2 hunter3' },
    input: 'secrets',
    hidden: 'hunter2',
  },
  {
    name: 'S3 ARN as a secret',
    inputs: { secrets: 'CONFIG=arn:aws:s3:::bucket/config.json' },
    input: 'secrets',
  },
  {
    name: 'Secrets Manager reference with two colons',
    inputs: { secrets: 'DB=arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf:password:' },
    input: 'secrets',
    message: /all three colons/,
  },
  { name: 'secrets-mode: yes', inputs: { 'secrets-mode': 'yes' }, input: 'secrets-mode' },
  {
    name: 'command with && (needs a shell)',
    inputs: { command: 'app=python manage.py migrate && python manage.py seed' },
    input: 'command',
  },
  { name: 'command with $VAR', inputs: { command: 'app=gunicorn --bind 0.0.0.0:$PORT' }, input: 'command' },
  { name: 'command with an open quote', inputs: { command: `app=sh -c 'echo hi` }, input: 'command' },
  { name: 'command with a comment', inputs: { command: 'app=migrate # then seed' }, input: 'command' },
  { name: 'cpu: fast', inputs: { cpu: 'fast' }, input: 'cpu' },
  { name: 'container memory under 6 MiB', inputs: { memory: 'app=4' }, input: 'memory' },
  { name: 'memory in MB units', inputs: { memory: '512MB' }, input: 'memory' },
  {
    name: 'task-role-arn of a user',
    inputs: { 'task-role-arn': 'arn:aws:iam::000000000000:user/ci' },
    input: 'task-role-arn',
  },
  {
    name: 'execution-role-arn as a bare name',
    inputs: { 'execution-role-arn': 'ecsTaskExecutionRole' },
    input: 'execution-role-arn',
  },
  { name: 'family with a dot', inputs: { family: 'web.prod' }, input: 'family' },
  {
    name: 'log-configuration with an unknown driver',
    inputs: { 'log-configuration': 'logDriver=cloudwatch' },
    input: 'log-configuration',
  },
  { name: 'docker-labels line without =', inputs: { 'docker-labels': 'team' }, input: 'docker-labels' },
  { name: 'pin-digest: yes', inputs: { 'pin-digest': 'yes' }, input: 'pin-digest' },
  { name: 'aws-region: global', inputs: { 'aws-region': 'global' }, input: 'aws-region' },
];

export const renderTaskDef: ActionCases = {
  action: 'render-task-def',
  main: () => main(),
  base: { template: 'ecs/web.json', compare: 'false' },
  cases: [
    ...RENDER_CASES,
    { name: 'compare: maybe', inputs: { compare: 'maybe' }, input: 'compare' },
    { name: 'timeout: 0', inputs: { timeout: '0' }, input: 'timeout', message: /at least|between/ },
    { name: 'timeout: ten minutes', inputs: { timeout: 'ten minutes' }, input: 'timeout' },
    { name: 'output-file naming a directory', inputs: { 'output-file': 'out-dir' }, input: 'output-file' },
    { name: 'output-file ending in a slash', inputs: { 'output-file': 'rendered/' }, input: 'output-file' },
  ],
};
