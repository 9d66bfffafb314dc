// Every scenario of every seed system, end to end, from the same definitions `pnpm demo --all` runs: the example's
// caller workflow through the workflow runner (our reusable workflows, the committed dist/ of our actions, OIDC
// against the example's trust policies) against one emulator on a compressed clock, the five systems concurrently.
// Each test asserts the run's conclusion, the reported root cause of a failure, and the AWS end state read back from
// the emulator (service revisions and images, ECR tags, S3 objects and release records, invalidations).
// DEPLOY_ACTIONS_SCENARIOS_OUT=<dir> keeps the full output of every run there (for a leak scan); otherwise it goes
// to a temporary directory removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type HarnessResult, type RunRecord, runScenarios, SYSTEMS } from '../src/index.ts';

const keep = process.env.DEPLOY_ACTIONS_SCENARIOS_OUT;
const outDir = keep ?? mkdtempSync(join(tmpdir(), 'scenarios-e2e-'));
let harness: HarnessResult | undefined;
let failure: unknown;

beforeAll(async () => {
  try {
    harness = await runScenarios({ systems: SYSTEMS, outDir, timeScale: 30 });
  } catch (err) {
    failure = err;
  }
}, 900_000);

afterAll(() => {
  if (!keep) rmSync(outDir, { recursive: true, force: true });
});

function record(id: string): RunRecord {
  if (failure) throw failure;
  const r = harness?.runs.find((x) => x.scenario.id === id);
  if (!r) throw new Error(`scenario ${id} did not run`);
  return r;
}

/** Every step summary of a run (preflight tables included). */
function summaries(r: RunRecord): string {
  const out: string[] = [];
  const walk = (jobs: NonNullable<RunRecord['result']>['jobs']) => {
    for (const j of jobs) {
      for (const s of j.steps) if (s.summary) out.push(s.summary);
      walk(j.jobs ?? []);
    }
  };
  walk(r.result?.jobs ?? []);
  return out.join('\n');
}

describe.each(SYSTEMS.map((s) => [`${s.seed} ${s.app}`, s] as const))('%s', (_, system) => {
  test.each(system.scenarios.map((s) => [s.id, s] as const))('%s', (id, scenario) => {
    const r = record(id);
    const context = `${r.tree}\n\n${r.error ?? ''}`;
    expect(r.error, context).toBeUndefined();
    expect(r.result?.conclusion, context).toBe(scenario.expect.conclusion);
    if (scenario.expect.rootCause) {
      expect(r.rootCauseOk, `expected ${scenario.expect.rootCause} among: ${r.rootCause}`).toBe(true);
    }
    expect(
      r.checks.filter((c) => c.problem).map((c) => `${c.label}: ${c.problem}`),
      context,
    ).toEqual([]);
    expect(r.checks.length).toBe(scenario.expect.checks.length);
    // The emulator is the examples' account: the preflight judged every role and secret (none skipped as another
    // account's), so a task definition naming something the account lacks fails here as it would in AWS.
    expect(summaries(r)).not.toMatch(/not checked: a (role|secret) of account/);
    expect(r.ok).toBe(true);
  });
});
