// The shared body of the fault tests: a fault-free baseline, then one test per seed comparing the faulted run's
// outcome with it, and the figures recorded for the long mode's report.
import type { EmulatorFixture } from '@deploy-actions/aws-emulator';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  compareOutcomes,
  errorsOf,
  type FaultProfile,
  median,
  recordFigures,
  runScenario,
  type Scenario,
  type ScenarioFigures,
  type ScenarioRun,
  seeds,
  soakFaults,
} from '../src/index';

export function faultSuite(
  emu: EmulatorFixture,
  scenario: Scenario,
  o: {
    faults?: (seed: number) => FaultProfile;
    name?: string;
    /** Long mode only (a timing goal, never in CI): the faulted runs' median wall time at most this times the baseline. */
    maxWallRatio?: number;
  } = {},
): void {
  let baseline: ScenarioRun;
  const figures: ScenarioFigures = {
    scenario: o.name ?? scenario.name,
    runs: 0,
    equal: 0,
    baselineMs: 0,
    wallMs: [],
    faulted: [],
    differences: [],
  };
  beforeAll(async () => {
    baseline = await runScenario(emu, scenario);
    figures.baselineMs = baseline.durationMs;
    if (baseline.outcome.exitCode !== 0) throw new Error(`baseline failed: ${errorsOf(baseline.result)}`);
  }, 300_000);
  afterAll(() => recordFigures(figures));

  test('the baseline is a success (and prints every migration line once)', () => {
    expect(baseline.outcome.exitCode).toBe(0);
    if (baseline.outcome.lines) expect(new Set(baseline.outcome.lines).size).toBe(baseline.outcome.lines.length);
  });

  test.each(seeds())(
    'seed %i under faults: the same outcome as the baseline',
    async (seed) => {
      const run = await runScenario(emu, scenario, (o.faults ?? soakFaults)(seed));
      const differences = compareOutcomes(baseline.outcome, run.outcome);
      figures.runs += 1;
      figures.wallMs.push(run.durationMs);
      figures.faulted.push(run.faulted);
      if (differences.length === 0) figures.equal += 1;
      else figures.differences.push({ seed, lines: differences });
      expect(differences, `seed ${seed}: ${errorsOf(run.result)}`).toEqual([]);
    },
    600_000,
  );

  if (o.maxWallRatio !== undefined) {
    const ratio = o.maxWallRatio;
    test(`the faulted runs' median wall time is at most ${ratio}x the baseline's`, () => {
      expect(median(figures.wallMs) / figures.baselineMs).toBeLessThanOrEqual(ratio);
    });
  }

  test('the faults struck (a scenario with few calls may see none in one seed, never in all)', () => {
    expect(figures.faulted.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
}
