import { main } from '../../../../actions/deploy-ecs-wait/src/main';
import type { ActionCases } from '../case';
import { TD_ARN } from '../world';
import { DEPLOY_CASES } from './deploy-shared';

export const deployEcsWait: ActionCases = {
  action: 'deploy-ecs-wait',
  main: () => main(),
  base: { cluster: 'app', services: 'api', 'task-definition': 'ecs/web.json' },
  cases: [
    ...DEPLOY_CASES,
    { name: 'missing task-definition', inputs: { 'task-definition': '' }, input: 'task-definition' },
    {
      name: 'task-definition file not found',
      inputs: { 'task-definition': 'ecs/nope.json' },
      input: 'task-definition',
    },
    {
      name: 'task-definition with invalid JSON',
      inputs: { 'task-definition': 'ecs/bad.json' },
      input: 'task-definition',
      message: /line 4/,
    },
    {
      name: 'task-definition without a family',
      inputs: { 'task-definition': 'ecs/no-family.json' },
      input: 'task-definition',
    },
    {
      name: 'task-definition revision that does not exist (read-only check)',
      inputs: { 'task-definition': 'web:99' },
      input: 'task-definition',
    },
    {
      name: 'task-definition ARN of a task',
      inputs: { 'task-definition': 'arn:aws:ecs:us-east-1:000000000000:task/app/0123456789abcdef' },
      input: 'task-definition',
    },
    {
      name: 'services line naming a revision that does not exist',
      inputs: { services: `api=${TD_ARN(42)}`, 'task-definition': '' },
      input: 'services',
    },
    {
      name: 'rollback-to together with a task-definition',
      inputs: { 'rollback-to': 'known-good' },
      input: 'rollback-to',
      message: /cannot be combined/,
    },
    {
      name: 'rollback-to known-good with no known-good revision (read-only check)',
      inputs: { 'rollback-to': 'known-good', 'task-definition': '' },
      input: 'rollback-to',
    },
    {
      name: 'rollback-to a malformed ARN',
      inputs: { 'rollback-to': 'arn:aws:ecs:x', 'task-definition': '' },
      input: 'rollback-to',
    },
    {
      name: 'rollback-to a revision that does not exist',
      inputs: { 'rollback-to': '99', 'task-definition': '' },
      input: 'rollback-to',
    },
  ],
};
