import { main } from '../../../../actions/deploy-ecs-wait/src/main';
import { type ActionCases, bad, badCase } from '../case';
import { TD_ARN } from '../world';
import { DEPLOY_CASES } from './deploy-shared';

export const deployEcsWait: ActionCases = {
  action: 'deploy-ecs-wait',
  main: () => main(),
  base: { cluster: 'app', services: 'api', 'task-definition': 'ecs/web.json' },
  cases: [
    ...DEPLOY_CASES,
    bad('missing task-definition', 'task-definition', ''),
    bad('task-definition file not found', 'task-definition', 'ecs/nope.json'),
    bad('task-definition with invalid JSON', 'task-definition', 'ecs/bad.json', { message: /line 4/ }),
    bad('task-definition without a family', 'task-definition', 'ecs/no-family.json'),
    bad('task-definition revision that does not exist (read-only check)', 'task-definition', 'web:99'),
    bad(
      'task-definition ARN of a task',
      'task-definition',
      'arn:aws:ecs:us-east-1:000000000000:task/app/0123456789abcdef',
    ),
    badCase(
      'services line naming a revision that does not exist',
      { services: `api=${TD_ARN(42)}`, 'task-definition': '' },
      'services',
    ),
    bad('rollback-to together with a task-definition', 'rollback-to', 'known-good', { message: /cannot be combined/ }),
    badCase(
      'rollback-to known-good with no known-good revision (read-only check)',
      { 'rollback-to': 'known-good', 'task-definition': '' },
      'rollback-to',
    ),
    badCase('rollback-to a malformed ARN', { 'rollback-to': 'arn:aws:ecs:x', 'task-definition': '' }, 'rollback-to'),
    badCase(
      'rollback-to a revision that does not exist',
      { 'rollback-to': '99', 'task-definition': '' },
      'rollback-to',
    ),
  ],
};
