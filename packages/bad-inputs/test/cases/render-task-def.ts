import { main } from '../../../../actions/render-task-def/src/main';
import { type ActionCases, type BadInputCase, bad, badCase, valueCase } from '../case';

/** The render inputs render-task-def and deploy-ecs share: the same mistakes, the same input names in both. */
export const RENDER_CASES: BadInputCase[] = [
  bad('no template at all', 'template', '', { message: /no template/ }),
  bad('template and template-family both set', 'template-family', 'web', { message: /exactly one/ }),
  bad('template file that does not exist', 'template', 'ecs/nope.json'),
  bad('template with invalid JSON', 'template', 'ecs/bad.json', { message: /line 4/ }),
  bad('template directory', 'template', 'ecs'),
  badCase('template-family with a revision', { template: '', 'template-family': 'web:1' }, 'template-family', {
    message: /template-arn/,
  }),
  badCase(
    'template-family that does not exist (read-only check)',
    { template: '', 'template-family': 'ghost' },
    'template-family',
  ),
  badCase(
    'template-arn of a task, not a task definition',
    { template: '', 'template-arn': 'arn:aws:ecs:us-east-1:000000000000:task/app/0123456789abcdef' },
    'template-arn',
  ),
  badCase(
    'template-arn revision that does not exist (read-only check)',
    { template: '', 'template-arn': 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:99' },
    'template-arn',
  ),
  bad('containers line without =', 'containers', 'nginx:1.27'),
  bad('containers naming a container the template lacks', 'containers', 'web=nginx:1.27', { message: /web/ }),
  bad('image with upper-case repository', 'containers', 'app=Shop/Web:v1'),
  bad('a 32-hex "sha256" digest', 'containers', `app=web@sha256:${'ab'.repeat(16)}`, { message: /32 hex digits/ }),
  badCase(
    'tag and digest of different images (repo:v1.4.0@<digest of v1.3.0>)',
    (w) => ({ containers: `app=${w.host}/shop/web:v1.4.0@${w.v130}` }),
    'containers',
    { message: /tag shop\/web:v1\.4\.0 is sha256:\w+ in ECR/ },
  ),
  badCase(
    'tag and digest where the tag does not exist',
    (w) => ({ containers: `app=${w.host}/shop/web:v9@${w.v130}` }),
    'containers',
    { message: /does not exist/ },
  ),
  bad('environment name starting with a digit', 'environment', '1X=2'),
  bad('environment line without =', 'environment', 'DEBUG'),
  bad('environment set twice', 'environment', 'A=1\nA=2'),
  bad('environment section for an unknown container', 'environment', '[worker]\nA=1', { message: /worker/ }),
  valueCase('environment-mode', 'overwrite'),
  bad('secret value pasted into secrets', 'secrets', 'STRIPE_SK=sk_live_51HqLyjWDarjtT1zdp7dcXYZ', {
    message: /looks like a secret value/,
    hidden: 'sk_live_51HqLyjWDarjtT1zdp7dcXYZ',
  }),
  bad('password pasted into secrets', 'secrets', 'DB_PASSWORD=hunter2 hunter3', { hidden: 'hunter2' }),
  bad('S3 ARN as a secret', 'secrets', 'CONFIG=arn:aws:s3:::bucket/config.json'),
  bad(
    'Secrets Manager reference with two colons',
    'secrets',
    'DB=arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf:password:',
    { message: /all three colons/ },
  ),
  valueCase('secrets-mode', 'yes'),
  bad('command with && (needs a shell)', 'command', 'app=python manage.py migrate && python manage.py seed'),
  bad('command with $VAR', 'command', 'app=gunicorn --bind 0.0.0.0:$PORT'),
  bad('command with an open quote', 'command', `app=sh -c 'echo hi`),
  bad('command with a comment', 'command', 'app=migrate # then seed'),
  valueCase('cpu', 'fast'),
  bad('container memory under 6 MiB', 'memory', 'app=4'),
  bad('memory in MB units', 'memory', '512MB'),
  bad('task-role-arn of a user', 'task-role-arn', 'arn:aws:iam::000000000000:user/ci'),
  bad('execution-role-arn as a bare name', 'execution-role-arn', 'ecsTaskExecutionRole'),
  bad('family with a dot', 'family', 'web.prod'),
  bad('log-configuration with an unknown driver', 'log-configuration', 'logDriver=cloudwatch'),
  bad('docker-labels line without =', 'docker-labels', 'team'),
  valueCase('pin-digest', 'yes'),
  valueCase('aws-region', 'global'),
];

export const renderTaskDef: ActionCases = {
  action: 'render-task-def',
  main: () => main(),
  base: { template: 'ecs/web.json', compare: 'false' },
  cases: [
    ...RENDER_CASES,
    valueCase('compare', 'maybe'),
    valueCase('timeout', '0', { message: /at least|between/ }),
    valueCase('timeout', 'ten minutes'),
    bad('output-file naming a directory', 'output-file', 'out-dir'),
    bad('output-file ending in a slash', 'output-file', 'rendered/'),
  ],
};
