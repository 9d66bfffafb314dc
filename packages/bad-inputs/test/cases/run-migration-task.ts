import { main } from '../../../../actions/run-migration-task/src/main';
import type { ActionCases } from '../case';

export const runMigrationTask: ActionCases = {
  action: 'run-migration-task',
  main: () =>
    main({
      tuning: { pollInitialMs: 100, pollMaxMs: 200, logIntervalMs: 100, drainQuietMs: 100, drainMaxMs: 500 },
    }),
  base: { cluster: 'app', 'task-definition': 'web:1', service: 'api', command: 'manage.py migrate' },
  cases: [
    { name: 'missing cluster', inputs: { cluster: '' }, input: 'cluster' },
    { name: 'cluster that does not exist (read-only check)', inputs: { cluster: 'app-prod' }, input: 'cluster' },
    { name: 'missing task-definition', inputs: { 'task-definition': '' }, input: 'task-definition' },
    {
      name: 'task-definition family that does not exist (read-only check)',
      inputs: { 'task-definition': 'migrate' },
      input: 'task-definition',
    },
    {
      name: 'task-definition revision that does not exist (read-only check)',
      inputs: { 'task-definition': 'web:7' },
      input: 'task-definition',
    },
    {
      name: 'task-definition file with invalid JSON',
      inputs: { 'task-definition': 'ecs/bad.json' },
      input: 'task-definition',
    },
    {
      name: 'service:current without service',
      inputs: { 'task-definition': 'service:current', service: '' },
      input: 'task-definition',
    },
    { name: 'container not in the task definition', inputs: { container: 'django' }, input: 'container' },
    {
      name: 'command with # inside a word is kept, a comment is refused',
      inputs: { command: 'manage.py createsuperuser --username ops # admin' },
      input: 'command',
    },
    { name: 'command with $DATABASE_URL', inputs: { command: 'psql $DATABASE_URL -c "select 1"' }, input: 'command' },
    { name: 'command with a glob', inputs: { command: 'rm -f /tmp/*.lock' }, input: 'command' },
    { name: 'command as broken JSON', inputs: { command: '["manage.py", "migrate"' }, input: 'command' },
    { name: 'environment line without =', inputs: { environment: 'DEBUG' }, input: 'environment' },
    { name: 'environment name starting with a digit', inputs: { environment: '1DB=db' }, input: 'environment' },
    { name: 'service that does not exist (read-only check)', inputs: { service: 'worker' }, input: 'service' },
    {
      name: 'network-from-service that does not exist (read-only check)',
      inputs: { 'network-from-service': 'web' },
      input: 'network-from-service',
    },
    { name: 'subnet id without the subnet- prefix', inputs: { subnets: '0aaa111' }, input: 'subnets' },
    { name: 'security group name instead of id', inputs: { 'security-groups': 'default' }, input: 'security-groups' },
    { name: 'assign-public-ip: yes', inputs: { 'assign-public-ip': 'yes' }, input: 'assign-public-ip' },
    { name: 'launch-type: SPOT', inputs: { 'launch-type': 'SPOT' }, input: 'launch-type' },
    {
      name: 'awsvpc task without service or subnets',
      inputs: { service: '' },
      input: 'subnets',
    },
    { name: 'timeout: 0', inputs: { timeout: '0' }, input: 'timeout' },
    { name: 'timeout: 25h (over the maximum)', inputs: { timeout: '25h' }, input: 'timeout' },
    { name: 'timeout: 30 mins', inputs: { timeout: '30 mins' }, input: 'timeout' },
    { name: 'stop-on-cancel: always', inputs: { 'stop-on-cancel': 'always' }, input: 'stop-on-cancel' },
    { name: 'started-by with spaces', inputs: { 'started-by': 'github actions' }, input: 'started-by' },
    { name: 'aws-region: Virginia', inputs: { 'aws-region': 'Virginia' }, input: 'aws-region' },
  ],
};
