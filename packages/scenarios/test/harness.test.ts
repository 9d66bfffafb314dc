// The harness reports what it could not do instead of hiding it: a system whose seeding fails gets each of its
// scenarios recorded as not run (ok false, the reason), with its output directory written.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { runScenarios, type SeedSystem } from '../src/index.ts';
import { pikaia } from '../src/systems/pikaia.ts';

const out = mkdtempSync(join(tmpdir(), 'scenarios-harness-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

test('a system that cannot be seeded reports its scenarios as not run', async () => {
  const broken: SeedSystem = {
    ...pikaia,
    fixture: () => {
      throw new Error('the CDK stack is not there');
    },
  };
  const seen: string[] = [];
  const h = await runScenarios({
    systems: [broken],
    select: (s) => s.id === 'pikaia/staging' || s.id === 'pikaia/production',
    outDir: join(out, 'run'),
    buildah: false,
    onRun: (r) => seen.push(r.scenario.id),
  });
  expect(h.runs.map((r) => [r.scenario.id, r.ok])).toEqual([
    ['pikaia/staging', false],
    ['pikaia/production', false],
  ]);
  expect(seen).toEqual(['pikaia/staging', 'pikaia/production']);
  expect(h.runs[0]?.error).toContain('pikaia-django could not be set up: Error: the CDK stack is not there');
  const verdict = JSON.parse(
    readFileSync(join(out, 'run', 'runs', 'pikaia-django', '02-production', 'verdict.json'), 'utf8'),
  );
  expect(verdict).toMatchObject({ id: 'pikaia/production', ok: false });
  expect(existsSync(join(out, 'run', 'secrets.json'))).toBe(true);
});
