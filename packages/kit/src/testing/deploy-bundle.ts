// Running an ECS deploy action's bundle against the test file's emulator (deploy-ecs-wait's and deploy-ecs's e2e
// tests): re-exported by './ecs-deploy' (import from '@deploy-actions/kit/testing/ecs-deploy').
import { type EmulatorFixture, mutatingRequests, type RequestLogEntry } from '@deploy-actions/aws-emulator';
import { type InputValue, type RunActionBundleOptions, type RunActionBundleResult, runActionBundle } from './index';

export interface DeployBundleResult extends RunActionBundleResult {
  /** Every mutating call the run made (the request log is cleared just before it starts). */
  mutating: RequestLogEntry[];
}

/**
 * `action`'s dist/index.js run as the runner runs it (runActionBundle) against the emulator `t`: cluster app and
 * service api unless `inputs` say otherwise; `options.env` on top of the emulator's (AWS_* pointing at it).
 */
export async function runDeployBundle(
  t: EmulatorFixture,
  action: string,
  inputs: Record<string, InputValue | undefined>,
  options: Omit<RunActionBundleOptions, 'action' | 'inputs'> = {},
): Promise<DeployBundleResult> {
  await t.control.clearRequests();
  const res = await runActionBundle({
    action,
    timeoutMs: 60_000,
    ...options,
    inputs: { cluster: 'app', services: 'api', ...inputs },
    env: { ...t.env, ...options.env },
  });
  return { ...res, mutating: await mutatingRequests(t.control) };
}
