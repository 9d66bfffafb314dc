// The fast mode must catch a regression in what it exists for: a bundle whose AWS SDK retries are off. The
// regression is planted the way the SDK itself reads it (AWS_MAX_ATTEMPTS=1 in the bundle's environment: the kit
// passes no maxAttempts then, so every call gets one attempt). Under the fast mode's seeds at least one run must then
// differ from the fault-free baseline, i.e. the fast mode (test/faults.test.ts) would fail. The same seeds with
// retries on are equal to the baseline: that is faults.test.ts itself.
import { useEmulator } from '@deploy-actions/aws-emulator';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { compareOutcomes, deployEcsWait, runScenario, type ScenarioRun, seeds, soakFaults } from '../src/index';

const emu = useEmulator({ timeScale: 100 }, { beforeAll, afterAll });
const RETRIES_OFF = { AWS_MAX_ATTEMPTS: '1' };
let baseline: ScenarioRun;

beforeAll(async () => {
  baseline = await runScenario(emu, deployEcsWait);
  expect(baseline.outcome.exitCode).toBe(0);
}, 300_000);

test('a bundle with retries off differs from the baseline in at least one of the fast mode seeds', async () => {
  const caught: number[] = [];
  for (const seed of seeds({})) {
    const run = await runScenario(emu, deployEcsWait, soakFaults(seed), RETRIES_OFF);
    if (compareOutcomes(baseline.outcome, run.outcome).length > 0) caught.push(seed);
  }
  expect(caught.length, 'seeds whose outcome differed').toBeGreaterThan(0);
}, 600_000);
