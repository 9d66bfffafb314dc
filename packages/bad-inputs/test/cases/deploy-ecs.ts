import { main } from '../../../../actions/deploy-ecs/src/main';
import { type ActionCases, bad } from '../case';
import { DEPLOY_CASES } from './deploy-shared';
import { RENDER_CASES } from './render-task-def';

export const deployEcs: ActionCases = {
  action: 'deploy-ecs',
  main: () => main({ pollDelays: { minDelayMs: 50, afterChangeMs: 50, maxDelayMs: 200 } }),
  base: { cluster: 'app', services: 'api', template: 'ecs/web.json' },
  cases: [
    ...RENDER_CASES,
    ...DEPLOY_CASES,
    bad(
      'secret reference to an SSM parameter that does not exist (preflight)',
      'secrets',
      'DB_PASSWORD=/app/db-passwrod',
      { message: /db-passwrod/ },
    ),
    bad(
      'migration-command with a comment truncating it',
      'migration-command',
      'manage.py createsuperuser --username ops #1',
    ),
    bad('migration-command with a pipe', 'migration-command', 'manage.py migrate | tee log'),
    {
      name: 'migration-timeout: 0 (deploys, then rolls back, in #14)',
      inputs: { 'migration-command': 'manage.py migrate', 'migration-timeout': '0' },
      input: 'migration-timeout',
    },
    bad('migration-when without a command', 'migration-when', 'after'),
    {
      name: 'migration-when: during',
      inputs: { 'migration-command': 'manage.py migrate', 'migration-when': 'during' },
      input: 'migration-when',
    },
    {
      name: 'migration-environment line without =',
      inputs: { 'migration-command': 'manage.py migrate', 'migration-environment': 'DEBUG' },
      input: 'migration-environment',
    },
    {
      name: 'migration-environment name starting with a digit',
      inputs: { 'migration-command': 'manage.py migrate', 'migration-environment': '2FA_SECRET=x' },
      input: 'migration-environment',
    },
    {
      name: 'migration-container not in the task definition (read-only check)',
      inputs: { 'migration-command': 'manage.py migrate', 'migration-container': 'django' },
      input: 'migration-container',
    },
    {
      name: 'migration-service that is not deployed (read-only check)',
      inputs: { 'migration-command': 'manage.py migrate', 'migration-service': 'worker' },
      input: 'migration-service',
    },
  ],
};
