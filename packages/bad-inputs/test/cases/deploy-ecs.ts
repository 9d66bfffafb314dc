import { main } from '../../../../actions/deploy-ecs/src/main';
import { type ActionCases, bad, badCase } from '../case';
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
    badCase(
      'migration-timeout: 0 (deploys, then rolls back, in #14)',
      { 'migration-command': 'manage.py migrate', 'migration-timeout': '0' },
      'migration-timeout',
    ),
    bad('migration-when without a command', 'migration-when', 'after'),
    badCase(
      'migration-when: during',
      { 'migration-command': 'manage.py migrate', 'migration-when': 'during' },
      'migration-when',
    ),
    badCase(
      'migration-environment line without =',
      { 'migration-command': 'manage.py migrate', 'migration-environment': 'DEBUG' },
      'migration-environment',
    ),
    badCase(
      'migration-environment name starting with a digit',
      { 'migration-command': 'manage.py migrate', 'migration-environment': '2FA_SECRET=x' },
      'migration-environment',
    ),
    badCase(
      'migration-container not in the task definition (read-only check)',
      { 'migration-command': 'manage.py migrate', 'migration-container': 'django' },
      'migration-container',
    ),
    badCase(
      'migration-service that is not deployed (read-only check)',
      { 'migration-command': 'manage.py migrate', 'migration-service': 'worker' },
      'migration-service',
    ),
  ],
};
