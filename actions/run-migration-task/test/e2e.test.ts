// The bundled dist run exactly as the runner runs it (node dist/index.js with INPUT_* and the command files),
// against the emulator: success, failure, SIGINT, and the post step stopping a task the main step left behind.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { REPO_ROOT, runActionBundle } from '@deploy-actions/kit/testing';
import { beforeEach, describe, expect, test } from 'vitest';
import { API_NETWORK, IMAGE, requestBodies, reseed, TD_ARN, useTestEmulator } from './helpers';

const DIST = join(REPO_ROOT, 'actions', 'run-migration-task', 'dist');
const built = existsSync(join(DIST, 'index.js')) && existsSync(join(DIST, 'post', 'index.js'));

const t = useTestEmulator(40);
beforeEach(async () => {
  await reseed(t.control);
});

const inputs = {
  cluster: 'app',
  service: 'api',
  'task-definition': 'service:current',
  container: 'django',
  command: 'python manage.py migrate --noinput',
};

describe.skipIf(!built)('bundled dist (node dist/index.js)', () => {
  test('success: lines on stdout, outputs, summary, state', async () => {
    const lines = [
      'Operations to perform:',
      '  Apply all migrations: auth, users',
      'Running migrations:',
      '  Applying users.0002... OK',
    ];
    await t.control.behaviors({ image: IMAGE, run: { logs: lines, exitCode: 0, durationSeconds: 6 } });
    const r = await runActionBundle({ action: 'run-migration-task', inputs, env: { ...t.env, GITHUB_RUN_ID: '4242' } });
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const body = r.stdout.slice(r.stdout.indexOf('::group::'), r.stdout.indexOf('::endgroup::'));
    let at = -1;
    for (const line of lines) {
      const next = body.indexOf(`\n${line}\n`);
      expect(next, line).toBeGreaterThan(at);
      at = next;
    }
    expect(r.outputs).toMatchObject({ 'exit-code': '0', 'log-group': '/ecs/web' });
    expect(r.outputs['log-stream']).toBe(`ecs/django/${r.outputs['task-arn']!.split('/').pop()}`);
    expect(r.summary).toContain('succeeded (exit code 0)');
    expect(r.state).toMatchObject({ taskArn: r.outputs['task-arn'], cluster: 'app', taskHandled: 'true' });
    const [runTask] = requestBodies(await t.control.requests(), 'RunTask');
    expect(runTask).toMatchObject({ startedBy: 'github-actions/4242', networkConfiguration: API_NETWORK });
  });

  test('failure: exit code 1 with the last lines in the ::error:: annotation', async () => {
    await t.control.behaviors({
      image: IMAGE,
      run: {
        logs: ['Running migrations:', 'psycopg.errors.DuplicateColumn: column "email" already exists'],
        exitCode: 1,
        durationSeconds: 4,
      },
    });
    const r = await runActionBundle({ action: 'run-migration-task', inputs, env: t.env });
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    const error = decodeURIComponent(r.errors[0]!.replace(/%0A/g, '\n'));
    expect(error).toMatch(/container 'django' exited with code 1/);
    expect(error).toContain('column "email" already exists');
    expect(r.outputs['exit-code']).toBe('1');
    expect(r.summary).toContain('exit code 1');
  });

  test('SIGINT: stops the task with a reason and exits non-zero within 5 s', async () => {
    await t.control.behaviors({ image: IMAGE, run: { logs: ['migrating...'], exitCode: 0, durationSeconds: 900 } });
    const signalAfterMs = 4000;
    const r = await runActionBundle({
      action: 'run-migration-task',
      inputs,
      env: t.env,
      signalAfterMs,
      signal: 'SIGINT',
    });
    expect(r.code).not.toBe(0);
    expect(r.durationMs - signalAfterMs).toBeLessThan(5000);
    expect(r.errors.join('\n')).toMatch(/Cancelled after/);
    const stops = requestBodies(await t.control.requests(), 'StopTask');
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatchObject({ cluster: 'app', task: r.state.taskArn });
    expect(stops[0].reason).toMatch(/cancelled/i);
    expect(r.state.taskHandled).toBe('true');
  });

  test('post step stops a task the main step left running; does nothing when handled', async () => {
    await t.control.behaviors({ image: IMAGE, run: { logs: [], exitCode: 0, durationSeconds: 900 } });
    const ecs = new ECSClient({});
    const started = await ecs.send(
      new RunTaskCommand({
        cluster: 'app',
        taskDefinition: TD_ARN(1),
        launchType: 'FARGATE',
        networkConfiguration: API_NETWORK as any,
      }),
    );
    const taskArn = started.tasks![0]!.taskArn!;
    const post = (state: Record<string, string>) =>
      runActionBundle({
        action: 'run-migration-task',
        bundlePath: join(DIST, 'post', 'index.js'),
        inputs,
        env: { ...t.env, ...Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v])) },
      });
    const handled = await post({ taskArn, cluster: 'app', taskHandled: 'true' });
    expect(handled.code).toBe(0);
    expect(requestBodies(await t.control.requests(), 'StopTask')).toHaveLength(0);
    const killed = await post({ taskArn, cluster: 'app' });
    expect(killed.code).toBe(0);
    expect(killed.stdout).toContain(`Stopped task ${taskArn}`);
    const stops = requestBodies(await t.control.requests(), 'StopTask');
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatchObject({ cluster: 'app', task: taskArn });
    expect(stops[0].reason).toMatch(/post step/);
  });
});
