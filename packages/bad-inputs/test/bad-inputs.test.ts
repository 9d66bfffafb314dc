// #14: ONE table-driven bad-input suite over all seven actions. Every case is a mistake a user makes; each runs the
// action's real `main` in this process against the emulator (the kit's runInProcess: the step's inputs, command files
// and environment as the runner sets them) and must
//   1. fail with one ConfigurationError naming the input (the line `run()` prints: `Input '<input>': …`),
//   2. say what was expected (the case's `message`), never echo a secret the user pasted (`hidden`),
//   3. leave AWS and GitHub untouched: the emulator's request log shows zero mutating calls, the fake GitHub zero
//      writes.
// A handful run through the bundled dist/index.js too (bundles.test.ts).
import { useEmulator } from '@deploy-actions/aws-emulator';
import { ConfigurationError, failureMessage } from '@deploy-actions/kit/runtime';
import { runInProcess } from '@deploy-actions/kit/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type ActionCases, caseInputs } from './case';
import { buildPushEcr } from './cases/build-push-ecr';
import { deployEcs } from './cases/deploy-ecs';
import { deployEcsWait } from './cases/deploy-ecs-wait';
import { renderTaskDef } from './cases/render-task-def';
import { runMigrationTask } from './cases/run-migration-task';
import { syncSpaCloudfront } from './cases/sync-spa-cloudfront';
import { tagReleaseDeploy } from './cases/tag-release-deploy';
import { gh, githubWrites } from './github';
import { githubEnv, seedWorld, useWorld, WS } from './world';

const emu = useEmulator({ timeScale: 100, setEnv: true }, { beforeAll, afterAll });
const world = useWorld(emu);

const SUITES: ActionCases[] = [
  buildPushEcr,
  renderTaskDef,
  deployEcs,
  deployEcsWait,
  runMigrationTask,
  syncSpaCloudfront,
  tagReleaseDeploy,
];

/** The runner environment of every case: the workspace and the GitHub variables. */
function stepEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { GITHUB_WORKSPACE: WS, ...githubEnv(extra) };
}

test('the suite has at least 100 cases over all seven actions', () => {
  expect(SUITES.map((s) => s.action).sort()).toEqual([
    'build-push-ecr',
    'deploy-ecs',
    'deploy-ecs-wait',
    'render-task-def',
    'run-migration-task',
    'sync-spa-cloudfront',
    'tag-release-deploy',
  ]);
  const enforced = SUITES.flatMap((s) => s.cases.filter((c) => !c.pending));
  expect(enforced.length).toBeGreaterThanOrEqual(100);
});

for (const suite of SUITES) {
  describe(suite.action, () => {
    beforeEach(async () => {
      await seedWorld(emu);
      gh.reset(['v1.3.0', 'v1.2.0']);
    });

    const enforced = suite.cases.filter((c) => !c.pending);
    const pending = suite.cases.filter((c) => c.pending);
    for (const c of pending) test.skip(`${c.name} (pending: ${c.pending})`, () => {});

    test.each(enforced.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      await c.setup?.();
      const inputs = caseInputs(suite, c, world());
      const env = stepEnv(c.env);
      const r = await runInProcess(inputs, () => suite.main({ ...process.env, ...env }), env);

      const mutating = (await emu.mutatingRequests()).map((e) => `${e.service} ${e.operation}`);
      expect(mutating, 'mutating AWS calls').toEqual([]);
      expect(githubWrites(), 'GitHub writes').toEqual([]);
      expect(r.error, `no error; stdout:\n${r.stdout.slice(-2000)}`).toBeDefined();
      expect(failureMessage(r.error)).toMatch(new RegExp(`^Input '${c.input}': `));
      expect(r.error).toBeInstanceOf(ConfigurationError);
      if (c.message) expect(failureMessage(r.error)).toMatch(c.message);
      if (c.hidden) {
        expect(failureMessage(r.error)).not.toContain(c.hidden);
        expect(r.summary).not.toContain(c.hidden);
      }
    });
  });
}
