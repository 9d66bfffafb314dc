// #16 defect 2: a migration is never left running without someone looking after it. When its status can no longer
// be read the main step stops it; when stopping fails too, or RunTask's answer was lost, or the step died between
// RunTask and saving the ARN, the post step stops it. The error never invites a re-run ("Please try again") that
// would start a second, concurrent migration.
import { ECSClient, ListTaskDefinitionsCommand, ListTasksCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { runTaskClientToken, stepRunKey } from '@deploy-actions/kit/ecs/one-off-task';
import { DeployFailure } from '@deploy-actions/kit/runtime';
import { runInProcess } from '@deploy-actions/kit/testing';
import { beforeEach, describe, expect, test } from 'vitest';
import { cleanup } from '../src/cleanup';
import { API_NETWORK, IMAGE, requestBodies, reseed, runMain, TD_ARN, useTestEmulator } from './helpers';

const t = useTestEmulator(40);
beforeEach(async () => {
  await reseed(t.control);
  await t.control.behaviors({ image: IMAGE, run: { logs: ['migrating...'], exitCode: 0, durationSeconds: 900 } });
});

const base = { cluster: 'app', service: 'api', 'task-definition': 'service:current', container: 'django' };
const RUN = { GITHUB_RUN_ID: '777', GITHUB_RUN_ATTEMPT: '1', GITHUB_JOB: 'migrate', GITHUB_ACTION: 'run-migration' };

/** The post step in-process with the main step's saved state (STATE_<name>, as the runner passes it). */
function postStep(state: Record<string, string>) {
  return runInProcess({}, cleanup, Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v])));
}

/** Running tasks this run started (the service's own task is started by ecs-svc/…). */
async function runningTasks(): Promise<string[]> {
  const out = await new ECSClient({}).send(new ListTasksCommand({ cluster: 'app', startedBy: 'github-actions/777' }));
  return out.taskArns ?? [];
}

describe('a migration whose status cannot be read', () => {
  test('DescribeTasks fails for good: the task is stopped with a reason, the error names it', async () => {
    await t.control.faults({ error: 1, services: ['ecs'], operations: ['DescribeTasks'] });
    const r = await runMain(base, {}, RUN);
    await t.control.faults({});
    expect(r.error).toBeInstanceOf(DeployFailure);
    const taskArn = r.state.taskArn!;
    expect(taskArn).toMatch(/:task\/app\//);
    expect(r.message).toContain(`Could not read the status of task ${taskArn}`);
    expect(r.message).toContain('it was stopped (StopTask)');
    expect(r.message).not.toMatch(/try again/i);
    const [stop] = requestBodies(await t.control.requests(), 'StopTask');
    expect(stop).toMatchObject({ cluster: 'app', task: taskArn });
    expect(stop.reason).toMatch(/status could not be read/);
    expect(r.state.taskHandled).toBe('true');
    expect(await runningTasks()).toEqual([]);
  });

  test('StopTask fails too: the error says it may still run, and the post step stops it', async () => {
    await t.control.faults({ error: 1, services: ['ecs'], operations: ['DescribeTasks', 'StopTask'] });
    const r = await runMain(base, {}, RUN);
    await t.control.faults({});
    const taskArn = r.state.taskArn!;
    expect(r.message).toContain(`Could not read the status of task ${taskArn}`);
    expect(r.message).toContain('the task may still be running');
    expect(r.message).toContain('The post step of this action tries to stop it again');
    expect(r.message).not.toMatch(/try again\./i);
    expect(r.state.taskHandled).toBeUndefined();
    expect(r.state.taskMayBeRunning).toBe('true');
    expect(await runningTasks()).toEqual([taskArn]);

    const post = await postStep(r.state);
    expect(post.error).toBeUndefined();
    expect(post.stdout).toContain(`Stopped task ${taskArn}`);
    const stops = requestBodies(await t.control.requests(), 'StopTask').filter((s) => /post step/.test(s.reason));
    expect(stops).toEqual([expect.objectContaining({ task: taskArn })]);
    expect(stops[0].reason).toMatch(/could not read the task status/);
    expect(await runningTasks()).toEqual([]);
  });
});

describe('RunTask and its clientToken', () => {
  test('the clientToken comes from the run, attempt, job, step and request: the same request is one task', async () => {
    await t.control.behaviors({ image: IMAGE, run: { logs: ['ok'], exitCode: 0, durationSeconds: 2 } });
    const r = await runMain(base, {}, RUN);
    expect(r.error).toBeUndefined();
    const [body] = requestBodies(await t.control.requests(), 'RunTask');
    const { clientToken, ...request } = body;
    expect(clientToken).toBe(runTaskClientToken('777/1/migrate/run-migration', request));
    expect(clientToken).toMatch(/^deploy-actions-[0-9a-f]{48}$/);
    expect(stepRunKey(RUN)).toBe('777/1/migrate/run-migration');
    expect(stepRunKey({ ...RUN, GITHUB_RUN_ATTEMPT: '2' })).toBe('777/2/migrate/run-migration');
    expect(stepRunKey({})).toBeUndefined();
  });

  test('a rendered file whose RegisterTaskDefinition answer is lost: one revision, and the task runs it', async () => {
    await t.control.behaviors({ image: '*/web:v2', run: { logs: ['ok'], exitCode: 0, durationSeconds: 2 } });
    await t.control.faults({ after: 1, services: ['ecs'], operations: ['RegisterTaskDefinition'] });
    const r = await runMain({ ...base, 'task-definition': 'rendered.json' }, {}, RUN);
    await t.control.faults({});
    expect(r.error).toBeUndefined();
    const log = await t.control.requests();
    expect(log.filter((e) => e.operation === 'RegisterTaskDefinition')).toHaveLength(1);
    expect(requestBodies(log, 'RunTask')[0].taskDefinition).toBe(TD_ARN(2));
    const { taskDefinitionArns } = await new ECSClient({}).send(
      new ListTaskDefinitionsCommand({ familyPrefix: 'web' }),
    );
    expect(taskDefinitionArns).toEqual([TD_ARN(1), TD_ARN(2)]);
  });

  test("RunTask's responses lost after ECS started the task: one task, and the post step stops it", async () => {
    // Every RunTask is applied and its answer lost: the SDK retries with the same token (ECS: same task), then
    // gives up. The main step cannot know the ARN; it says so and leaves the post step to find the task.
    await t.control.faults({ after: 1, services: ['ecs'], operations: ['RunTask'] });
    const r = await runMain(base, {}, RUN);
    await t.control.faults({});
    expect(r.message).toMatch(/^RunTask did not answer .*ECS may have started the task anyway/);
    const runTasks = (await t.control.requests()).filter((e) => e.operation === 'RunTask');
    expect(runTasks.length).toBeGreaterThan(1);
    expect(new Set(runTasks.map((e) => JSON.parse(e.body!).clientToken)).size).toBe(1);
    const [leftover] = await runningTasks();
    expect(await runningTasks()).toHaveLength(1);
    expect(r.state.taskArn).toBeUndefined();
    expect(r.state.taskHandled).toBeUndefined();

    const post = await postStep(r.state);
    expect(post.stdout).toContain(`Stopped task ${leftover}: the main step ended right after starting it.`);
    expect(await runningTasks()).toEqual([]);
  });

  test('a step killed between RunTask and saving the ARN: the post step finds the task from the saved request', async () => {
    // What the main step saved before RunTask (onRunTask), then it died; the task runs.
    const pending = {
      cluster: 'app',
      taskDefinitionArn: TD_ARN(1),
      container: 'django',
      command: ['python', 'manage.py', 'migrate'],
      startedBy: 'github-actions/777',
      requestedAt: Date.now(),
    };
    const ecs = new ECSClient({});
    const run = (command: string[]) =>
      ecs.send(
        new RunTaskCommand({
          cluster: 'app',
          taskDefinition: TD_ARN(1),
          launchType: 'FARGATE',
          networkConfiguration: API_NETWORK as never,
          startedBy: 'github-actions/777',
          overrides: { containerOverrides: [{ name: 'django', command }] },
        }),
      );
    const ours = (await run(pending.command)).tasks![0]!.taskArn!;
    const other = (await run(['python', 'manage.py', 'collectstatic'])).tasks![0]!.taskArn!;
    const post = await postStep({ cluster: 'app', runTask: JSON.stringify(pending) });
    expect(post.stdout).toContain(`Stopped task ${ours}`);
    expect(await runningTasks()).toEqual([other]);
    const handled = await postStep({ cluster: 'app', runTask: JSON.stringify(pending), taskHandled: 'true' });
    expect(handled.stdout).toContain('handled by the main step; nothing to clean up');
  });
});
