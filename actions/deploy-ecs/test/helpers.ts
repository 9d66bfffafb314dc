// deploy-ecs's test harness: the kit's ECS deploy harness (re-exported, so a test imports one module) plus this
// action's two ways to run (main() in-process with fast waits, the bundle as the runner runs it) and its template.
import { type InputValue, type RunActionBundleOptions, withInputs } from '@deploy-actions/kit/testing';
import { runDeployBundle, type TestEmulator, taskDefFile } from '@deploy-actions/kit/testing/ecs-deploy';
import { main } from '../src/main';

export * from '@deploy-actions/kit/testing/ecs-deploy';

type Inputs = Record<string, InputValue | undefined>;

/** main() in this process with exactly these inputs and short poll intervals; resolves to what it threw. */
export async function runMain(inputs: Inputs): Promise<unknown> {
  return withInputs(inputs, () =>
    main({
      signal: new AbortController().signal,
      pollDelays: { minDelayMs: 100, maxDelayMs: 300 },
      migrationTuning: { pollInitialMs: 100, pollMaxMs: 200, logIntervalMs: 100, drainQuietMs: 200 },
    }),
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
}

let template: string | undefined;
/** The template the tests render from: the fixture task definition running web:v1 (written once per test file). */
export const templateFile = (): string => (template ??= taskDefFile('v1'));

/** dist/index.js run as the runner runs it against this file's emulator (the kit's runDeployBundle), from templateFile. */
export function runBundle(
  t: TestEmulator,
  inputs: Inputs,
  options: Omit<RunActionBundleOptions, 'action' | 'inputs'> = {},
) {
  return runDeployBundle(t, 'deploy-ecs', { template: templateFile(), ...inputs }, { timeoutMs: 30_000, ...options });
}
