import type { Task } from '@aws-sdk/client-ecs';
import { describe, expect, test } from 'vitest';
import { runTaskClientToken, stepRunKey } from '../../../src/ecs/one-off-task/idempotency';
import { matchesPendingRunTask, type PendingRunTask } from '../../../src/ecs/one-off-task/leftover';

const TD = 'arn:aws:ecs:us-east-1:1:task-definition/web:3';
const pending: PendingRunTask = {
  cluster: 'app',
  taskDefinitionArn: TD,
  container: 'django',
  command: ['python', 'manage.py', 'migrate'],
  startedBy: 'github-actions/9',
  requestedAt: Date.parse('2026-01-01T10:00:00Z'),
};
const task = (over: Partial<Task> = {}): Task => ({
  taskDefinitionArn: TD,
  startedBy: 'github-actions/9',
  createdAt: new Date('2026-01-01T10:00:01Z'),
  overrides: { containerOverrides: [{ name: 'django', command: ['python', 'manage.py', 'migrate'] }] },
  ...over,
});

describe('matchesPendingRunTask', () => {
  test.each<[string, Partial<Task>, boolean]>([
    ['the task that request started', {}, true],
    ['created a little before (runner clock ahead)', { createdAt: new Date('2026-01-01T09:58:00Z') }, true],
    ['created long before', { createdAt: new Date('2026-01-01T09:00:00Z') }, false],
    ['another revision', { taskDefinitionArn: `${TD.slice(0, -1)}2` }, false],
    ['another startedBy', { startedBy: 'github-actions/10' }, false],
    ['another command', { overrides: { containerOverrides: [{ name: 'django', command: ['true'] }] } }, false],
    ['no command override', { overrides: { containerOverrides: [] } }, false],
  ])('%s → %s', (_name, over, expected) => {
    expect(matchesPendingRunTask(task(over), pending)).toBe(expected);
  });

  test('a request without command matches a task without command override', () => {
    const noCommand = { ...pending, command: undefined };
    expect(matchesPendingRunTask(task({ overrides: {} }), noCommand)).toBe(true);
    expect(matchesPendingRunTask(task(), noCommand)).toBe(false);
  });
});

describe('RunTask clientToken', () => {
  const input = { cluster: 'app', taskDefinition: TD, count: 1, startedBy: 'x' };
  test('same step and request → same token; another attempt, step or request → another', () => {
    const token = runTaskClientToken('1/1/job/step', input);
    expect(token).toMatch(/^deploy-actions-[0-9a-f]{48}$/);
    expect(token.length).toBeLessThanOrEqual(64);
    expect(runTaskClientToken('1/1/job/step', { startedBy: 'x', count: 1, taskDefinition: TD, cluster: 'app' })).toBe(
      token,
    );
    expect(runTaskClientToken('1/1/job/step', { ...input, clientToken: 'ignored' })).toBe(token);
    expect(runTaskClientToken('1/2/job/step', input)).not.toBe(token);
    expect(runTaskClientToken('1/1/job/other', input)).not.toBe(token);
    expect(runTaskClientToken('1/1/job/step', { ...input, count: 2 })).not.toBe(token);
  });

  test('stepRunKey', () => {
    expect(stepRunKey({ GITHUB_RUN_ID: '5', GITHUB_JOB: 'j', GITHUB_ACTION: 's' })).toBe('5/1/j/s');
    expect(stepRunKey({})).toBeUndefined();
  });
});
