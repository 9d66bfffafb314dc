// A handful of the bad-input cases through the bundled dist/index.js, run as the runner runs it (INPUT_* environment,
// command files, exit code): one per action, the same assertions as bad-inputs.test.ts on what the process prints.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { useEmulator } from '@deploy-actions/aws-emulator';
import { REPO_ROOT, runActionBundle } from '@deploy-actions/kit/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type ActionCases, type BadInputCase, caseInputs } from './case';
import { buildPushEcr } from './cases/build-push-ecr';
import { deployEcs } from './cases/deploy-ecs';
import { deployEcsWait } from './cases/deploy-ecs-wait';
import { renderTaskDef } from './cases/render-task-def';
import { runMigrationTask } from './cases/run-migration-task';
import { syncSpaCloudfront } from './cases/sync-spa-cloudfront';
import { tagReleaseDeploy } from './cases/tag-release-deploy';
import { gh, githubWrites } from './github';
import { githubEnv, seedWorld, useWorld, WS } from './world';

const emu = useEmulator({ timeScale: 100 }, { beforeAll, afterAll });
const world = useWorld(emu);
beforeEach(async () => {
  await seedWorld(emu);
  gh.reset(['v1.3.0']);
});

function pick(suite: ActionCases, name: string): [ActionCases, BadInputCase] {
  const c = suite.cases.find((x) => x.name === name);
  if (!c) throw new Error(`no case '${name}' in ${suite.action}`);
  return [suite, c];
}

const PICKED = [
  pick(buildPushEcr, 'repository that does not exist (read before any write)'),
  pick(renderTaskDef, 'tag and digest of different images (repo:v1.4.0@<digest of v1.3.0>)'),
  pick(deployEcs, 'health-check-url with user:password'),
  pick(deployEcsWait, 'service that does not exist (read-only check)'),
  pick(runMigrationTask, 'command with # inside a word is kept, a comment is refused'),
  pick(syncSpaCloudfront, 'distribution-id that does not exist (read before any write)'),
  pick(tagReleaseDeploy, 'deployment-id that does not exist (read before the write)'),
];

describe('bundled dist: a bad input fails with one error naming it, before any mutating call', () => {
  test.each(PICKED.map(([s, c]) => [`${s.action}: ${c.name}`, s, c] as const))('%s', async (_t, suite, c) => {
    const bundle = join(REPO_ROOT, 'actions', suite.action, 'dist', 'index.js');
    expect(existsSync(bundle), `build ${suite.action} first`).toBe(true);
    const inputs = caseInputs(suite, c, world());
    const r = await runActionBundle({
      action: suite.action,
      inputs,
      cwd: WS,
      env: { ...emu.env, ...githubEnv(c.env) },
      timeoutMs: 60_000,
    });
    expect(await emu.mutatingRequests()).toEqual([]);
    expect(githubWrites()).toEqual([]);
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(new RegExp(`^Input '${c.input}': `));
    if (c.message) expect(r.errors[0]).toMatch(c.message);
    if (c.hidden) {
      const printed = r.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n');
      expect(printed).not.toContain(c.hidden);
      expect(r.summary).not.toContain(c.hidden);
    }
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // one line, no stack trace
  });
});
