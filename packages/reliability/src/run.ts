// One run of a scenario: reset and seed the emulator, set the faults, run the bundle as the runner does, turn the
// faults off and read the AWS end state.
import type { EmulatorFixture, RequestLogEntry } from '@deploy-actions/aws-emulator';
import { type RunActionBundleResult, runActionBundle } from '@deploy-actions/kit/testing';
import { readEndState } from './end-state';
import type { Outcome } from './outcome';
import type { FaultProfile } from './profile';
import type { Scenario } from './scenarios';

export interface ScenarioRun {
  outcome: Outcome;
  result: RunActionBundleResult;
  /** Wall time of the bundle (ms). */
  durationMs: number;
  /** Requests the faults struck (throttle, 5xx, reset, lost response). */
  faulted: number;
  requests: RequestLogEntry[];
}

export async function runScenario(
  emu: EmulatorFixture,
  scenario: Scenario,
  faults?: FaultProfile,
  extraEnv: Record<string, string> = {},
): Promise<ScenarioRun> {
  await emu.control.faults({});
  const prepared = await scenario.prepare({ emu });
  await emu.control.clearRequests();
  if (faults) await emu.control.faults(faults);
  let result: RunActionBundleResult;
  try {
    result = await runActionBundle({
      timeoutMs: 180_000,
      ...prepared,
      env: { ...emu.env, ...prepared.env, ...extraEnv },
    });
  } finally {
    await emu.control.faults({});
  }
  const requests = await emu.control.requests();
  const state = await readEndState(emu.url);
  const endState = scenario.endState ? scenario.endState(state) : state;
  return {
    outcome: { ...scenario.outcome(result), endState },
    result,
    durationMs: result.durationMs,
    faulted: requests.filter((e) => e.fault !== undefined).length,
    requests,
  };
}
