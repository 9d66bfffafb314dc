// Glue: inputs → render (the kit's render step, shared with render-task-def) → prepare the deploy and the migration
// (read-only) → preflight / plan (read-only; plan mode ends here) → register when different → migration before → update + wait (the kit's deploy engine, shared with
// deploy-ecs-wait) → outputs + summary → migration after. The same kit entry points the three single-purpose
// actions use, in sequence; no logic of its own.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cancelledBeforeUpdateReport,
  checkBeforeChanges,
  createEcsClients,
  type DeployDeps,
  type DeployRequest,
  deployFailure,
  type EcsClients,
  executeDeploy,
  isCancellation,
  type PreparedDeploy,
  prepareDeploy,
  registerRevisions,
  writeDeployReport,
} from '@deploy-actions/kit/ecs/deploy';
import {
  appendOneOffTaskSummary,
  createOneOffTaskClients,
  executeOneOffTask,
  type OneOffTaskPlan,
  type OneOffTaskTuning,
  oneOffTaskFailure,
  prepareOneOffTask,
  stepRunKey,
} from '@deploy-actions/kit/ecs/one-off-task';
import { type PreflightClients, preflightInputOf } from '@deploy-actions/kit/ecs/preflight';
import { containerImages, type RenderedFromTemplate, renderFromTemplate } from '@deploy-actions/kit/ecs/taskdef';
import {
  cancellationSignal,
  coreLogger,
  DeployFailure,
  displayCommand,
  errorMessage,
  group,
  run as runStep,
  Summary,
  setOutputs,
} from '@deploy-actions/kit/runtime';
import { ACTION, getInputs, type MigrationInputs } from './inputs';

/** The test hook: what in-process tests inject (the bundle uses none of it). */
export interface Deps {
  signal?: AbortSignal;
  clients?: EcsClients;
  /** Deploy waiter delays. */
  pollDelays?: { minDelayMs?: number; afterChangeMs?: number; maxDelayMs?: number };
  /** Migration task poll / log intervals and drain times. */
  migrationTuning?: OneOffTaskTuning;
  preflightClients?: PreflightClients;
}

export async function main(deps: Deps = {}): Promise<void> {
  const inputs = getInputs();
  const signal = deps.signal ?? cancellationSignal();
  const clients = deps.clients ?? createEcsClients(ACTION, inputs.deploy.request.region);
  const engine: DeployDeps = { ...clients, signal, ...(deps.pollDelays ? { pollDelays: deps.pollDelays } : {}) };

  // Until the first UpdateService nothing is deployed: a cancel there is reported as such (outputs, summary).
  let prepared: PreparedDeploy | undefined;
  let before: Awaited<ReturnType<typeof prepareAndMigrate>>;
  try {
    const o = { clients, engine, signal, tuning: deps.migrationTuning, preflightClients: deps.preflightClients };
    before = await prepareAndMigrate(inputs, o, (p) => {
      prepared = p;
    });
  } catch (err) {
    if (!signal.aborted || !(isCancellation(err, signal) || err instanceof DeployFailure)) throw err;
    const during = err instanceof DeployFailure ? errorMessage(err) : undefined;
    const cancelled = cancelledBeforeUpdateReport(inputs.deploy.request, { prepared, signal, during });
    await writeDeployReport(cancelled);
    throw deployFailure(cancelled);
  }
  if (!before) return; // plan mode: nothing registered or deployed
  const { migration, registered, step, preflight } = before;
  const report = await executeDeploy(before.prepared, engine, registered);
  await writeDeployReport(report, preflight ? { preflight } : {});
  const failure = deployFailure(report);
  const deployed = report.status === 'success' || report.status === 'unchanged';
  if (failure && !deployed) throw failure;
  coreLogger.info(report.message);
  if (migration?.when === 'after') await executeMigration(migration, report.services[0]!.taskDefinitionArn!, step);
  // Deployed, but a known-good tag could not be written: the release is complete, the step still fails.
  if (failure) throw failure;
}

/**
 * Everything before the first UpdateService: render, prepare (read-only), preflight / plan, register, the "before"
 * migration. Undefined in plan mode (nothing changed).
 */
async function prepareAndMigrate(
  inputs: ReturnType<typeof getInputs>,
  o: {
    clients: EcsClients;
    engine: DeployDeps;
    signal: AbortSignal;
    tuning: OneOffTaskTuning | undefined;
    preflightClients: PreflightClients | undefined;
  },
  onPrepared: (prepared: PreparedDeploy) => void,
) {
  const { clients, engine, signal } = o;
  const region = inputs.deploy.request.region;
  const rendered = await renderFromTemplate(inputs.render, {
    ecs: () => clients.ecs,
    region,
    pinDigest: inputs.pinDigest,
    action: ACTION,
    signal,
  });
  const file = await writeRendered(rendered);
  const request: DeployRequest = {
    ...inputs.deploy.request,
    services: inputs.deploy.request.services.map((s) => ({
      service: s.service,
      taskDefinition: { kind: 'file', path: file, taskDefinition: rendered.taskDefinition },
    })),
  };

  const prepared = await prepareDeploy(request, engine);
  onPrepared(prepared);
  const migration = inputs.migration && {
    inputs: inputs.migration,
    when: inputs.migration.when,
    plan: await prepareMigration(inputs.migration, prepared, rendered, file, engine),
  };
  const checked = await checkBeforeChanges(prepared, {
    action: ACTION,
    preflight: inputs.deploy.preflight,
    plan: inputs.deploy.plan,
    ...(o.preflightClients ? { clients: o.preflightClients } : {}),
    signal,
    inputOf: preflightInputOf(inputs.render.overrides),
    ...(migration ? { notes: [migrationPlanLine(migration.inputs)] } : {}),
  });
  if (checked.planned) return undefined;
  const registered = await registerRevisions(prepared, engine);
  const step = { clients, region, signal, tuning: o.tuning };
  if (migration?.when === 'before') {
    await executeMigration(migration, registered.arnByService.get(request.services[0]!.service)!, step);
  }
  return { prepared, migration, registered, step, preflight: checked.preflight };
}

/** The plan's line for the migration (nothing of it runs in plan mode). */
function migrationPlanLine(m: MigrationInputs): string {
  return `Migration: would run \`${displayCommand(m.command)}\` on the revision being deployed, ${m.when} the services are updated (network of ${m.service}).`;
}

/** The rendered task definition as a file in RUNNER_TEMP (the deploy's source, named in diffs and the summary). */
async function writeRendered(rendered: RenderedFromTemplate): Promise<string> {
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), `${ACTION}-`));
  const file = join(dir, `${rendered.family}.json`);
  await writeFile(file, `${JSON.stringify(rendered.taskDefinition, null, 2)}\n`);
  coreLogger.info(`Rendered ${rendered.family} from ${rendered.template.source}`);
  for (const { name, image } of containerImages(rendered.taskDefinition)) {
    const note = rendered.pinNotes.get(name);
    coreLogger.info(`  ${name}: ${image}${note ? ` (${note})` : ''}`);
  }
  return file;
}

/** The migration's plan (read-only), on the services the deploy's prepare step just described (and found ACTIVE). */
async function prepareMigration(
  migration: MigrationInputs,
  prepared: PreparedDeploy,
  rendered: RenderedFromTemplate,
  file: string,
  engine: DeployDeps,
): Promise<OneOffTaskPlan> {
  const plan = await prepareOneOffTask(
    { ecs: engine.ecs },
    {
      cluster: prepared.request.cluster,
      taskDefinition: { kind: 'file', path: file, taskDefinition: rendered.taskDefinition },
      container: migration.container,
      command: migration.command,
      environment: migration.environment,
      service: migration.service,
      describedServices: prepared.services.map((p) => p.current),
      inputNames: {
        container: 'migration-container',
        command: 'migration-command',
        environment: 'migration-environment',
        service: 'migration-service',
        taskDefinition: 'template',
      },
    },
    engine.signal,
  );
  for (const note of plan.notes) coreLogger.info(`[migration] ${note}`);
  return plan;
}

/**
 * Run the migration on revision `arn` (the one the deploy registered or reuses): outputs and its summary section
 * written at once, then a DeployFailure when it did not succeed.
 */
async function executeMigration(
  { plan, inputs: migration }: { plan: OneOffTaskPlan; inputs: MigrationInputs },
  arn: string,
  o: { clients: EcsClients; region: string; signal: AbortSignal; tuning: OneOffTaskTuning | undefined },
): Promise<void> {
  const command = displayCommand(migration.command);
  const result = await group(`Migration (${migration.when} the update): ${command}`, () =>
    executeOneOffTask(
      createOneOffTaskClients(ACTION, o.region, o.clients.ecs),
      { ...plan, register: undefined, taskDefinitionArn: arn },
      {
        timeoutMs: migration.timeoutMs,
        signal: o.signal,
        ...o.tuning,
        log: coreLogger,
        statusPrefix: '[migration] ',
        runKey: stepRunKey(),
      },
    ),
  );
  setOutputs({ 'migration-task-arn': result.taskArn, 'migration-exit-code': result.exitCode });
  await appendOneOffTaskSummary(new Summary(), result, { command, cluster: plan.cluster }).write();
  if (result.cancelled) throw new DeployFailure(`Migration cancelled: ${result.message}`);
  const failure = oneOffTaskFailure(result);
  if (failure) {
    const where = migration.when === 'before' ? '(services not updated)' : '(services already updated)';
    throw new DeployFailure(`Migration failed ${where}: ${failure.message}`);
  }
  coreLogger.info(`Migration succeeded: ${result.message}`);
}

/** @github/local-action's entry (it calls an exported `run()`): the same step src/index.ts runs. */
export const run = (): Promise<void> => runStep(main);
