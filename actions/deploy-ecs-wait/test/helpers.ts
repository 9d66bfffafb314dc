// deploy-ecs-wait's test harness: the kit's ECS deploy harness (re-exported, so a test imports one module) plus what
// only this action's tests share: main() in-process and the bundle with the usual inputs, a file task-definition
// source, a revision's tags, the crash-loop set-up.
import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { EmulatorControl } from '@deploy-actions/aws-emulator';
import { createEcsClients, type DeployRequest } from '@deploy-actions/kit/ecs/deploy';
import { type InputValue, type RunActionBundleOptions, runInProcess } from '@deploy-actions/kit/testing';
import {
  type DeployRun,
  deploy,
  type ExecuteHooks,
  IMAGE,
  markKnownGood,
  REGION,
  request,
  runDeployBundle,
  seedServices,
  TD_ARN,
  type TestEmulator,
  taskDefWith,
} from '@deploy-actions/kit/testing/ecs-deploy';
import { type Deps, main } from '../src/main';

export * from '@deploy-actions/kit/testing/ecs-deploy';

type Inputs = Record<string, InputValue | undefined>;

/** A task definition source read from a file, as `request()`'s services take it. */
export const fileTaskDef = (image: string) => ({
  kind: 'file' as const,
  path: 'task-definition.json',
  taskDefinition: taskDefWith(image),
});

/**
 * In-process deploy (the kit harness's `deploy`) of the fixture's image web:<tag>, from a task-definition file, to
 * `over.services` (default api); the rest of `over` changes the request.
 */
export function deployImage(
  tag: string,
  over: Omit<Partial<DeployRequest>, 'services'> & { services?: string[] } = {},
  opts: { signal?: AbortSignal; hooks?: ExecuteHooks } = {},
): Promise<DeployRun> {
  const { services = ['api'], ...rest } = over;
  const taskDefinition = fileTaskDef(IMAGE(tag));
  return deploy(request({ ...rest, services: services.map((service) => ({ service, taskDefinition })) }), opts);
}

/** A revision's tags by key, read straight from the emulator. */
export async function revisionTags(arn: string): Promise<Record<string, string | undefined>> {
  const { ecs } = createEcsClients('test', REGION);
  const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
  return Object.fromEntries((out.tags ?? []).map((x) => [x.key, x.value]));
}

/** Service api without circuit breaker on web:1 (known-good), and every `*:crash` image crash-looping. */
export async function seedCrashLoopNoBreaker(control: EmulatorControl): Promise<void> {
  await seedServices(control, { breaker: false, rollback: false });
  await markKnownGood(TD_ARN(1));
  await control.behaviors({ image: '*:crash', service: 'crashloop' });
}

/** What the runner sets and the deploy records as provenance (commit, repository, run). */
export const RUNNER_ENV = {
  GITHUB_SHA: 'e2e0000000000000000000000000000000000000',
  GITHUB_REPOSITORY: 'org/app',
  GITHUB_RUN_ID: '42',
};

/** dist/index.js run as the runner runs it against this file's emulator (the kit's runDeployBundle), with RUNNER_ENV. */
export function runBundle(
  t: TestEmulator,
  inputs: Inputs,
  options: Omit<RunActionBundleOptions, 'action' | 'inputs'> = {},
) {
  return runDeployBundle(t, 'deploy-ecs-wait', inputs, { ...options, env: { ...RUNNER_ENV, ...options.env } });
}

/** main() in this process as the runner would run it: cluster app and service api unless `inputs` say otherwise. */
export function runMain(inputs: Inputs, deps: Deps = {}) {
  return runInProcess({ cluster: 'app', services: 'api', ...inputs }, () => main(deps));
}
