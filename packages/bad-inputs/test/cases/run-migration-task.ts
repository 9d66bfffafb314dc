import { main } from '../../../../actions/run-migration-task/src/main';
import { type ActionCases, bad, badCase, valueCase } from '../case';

export const runMigrationTask: ActionCases = {
  action: 'run-migration-task',
  main: () =>
    main({
      tuning: { pollInitialMs: 100, pollMaxMs: 200, logIntervalMs: 100, drainQuietMs: 100, drainMaxMs: 500 },
    }),
  base: { cluster: 'app', 'task-definition': 'web:1', service: 'api', command: 'manage.py migrate' },
  cases: [
    bad('missing cluster', 'cluster', ''),
    bad('cluster that does not exist (read-only check)', 'cluster', 'app-prod'),
    bad('missing task-definition', 'task-definition', ''),
    bad('task-definition family that does not exist (read-only check)', 'task-definition', 'migrate'),
    bad('task-definition revision that does not exist (read-only check)', 'task-definition', 'web:7'),
    bad('task-definition file with invalid JSON', 'task-definition', 'ecs/bad.json'),
    badCase(
      'service:current without service',
      { 'task-definition': 'service:current', service: '' },
      'task-definition',
    ),
    bad('container not in the task definition', 'container', 'django'),
    bad(
      'command with # inside a word is kept, a comment is refused',
      'command',
      'manage.py createsuperuser --username ops # admin',
    ),
    bad('command with $DATABASE_URL', 'command', 'psql $DATABASE_URL -c "select 1"'),
    bad('command with a glob', 'command', 'rm -f /tmp/*.lock'),
    bad('command as broken JSON', 'command', '["manage.py", "migrate"'),
    bad('environment line without =', 'environment', 'DEBUG'),
    bad('environment name starting with a digit', 'environment', '1DB=db'),
    bad('service that does not exist (read-only check)', 'service', 'worker'),
    bad('network-from-service that does not exist (read-only check)', 'network-from-service', 'web'),
    bad('subnet id without the subnet- prefix', 'subnets', '0aaa111'),
    bad('security group name instead of id', 'security-groups', 'default'),
    valueCase('assign-public-ip', 'yes'),
    valueCase('launch-type', 'SPOT'),
    badCase('awsvpc task without service or subnets', { service: '' }, 'subnets'),
    valueCase('timeout', '0'),
    bad('timeout: 25h (over the maximum)', 'timeout', '25h'),
    valueCase('timeout', '30 mins'),
    valueCase('stop-on-cancel', 'always'),
    bad('started-by with spaces', 'started-by', 'github actions'),
    valueCase('aws-region', 'Virginia'),
  ],
};
