// Glue: inputs → template (file / family / ARN) → render (the kit's pure renderer, shared with render-task-def) →
// optional digest pinning (the kit's ecr-digest) → prepare the deploy and the migration (read-only) → register when
// different → migration before → UpdateService + wait (deploy-ecs-wait's engine in the kit) → migration after →
// outputs + summary. No logic of its own beyond the sequencing.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { createEcsClients, type DeployReport, type EcsClients, runEcsDeploy } from '@deploy-actions/kit/ecs/deploy';
import {
  appendOneOffTaskSummary,
  createOneOffTaskClients,
  executeOneOffTask,
  type OneOffTaskPlan,
  type OneOffTaskResult,
  type OneOffTaskTuning,
  oneOffTaskFailure,
  prepareOneOffTask,
} from '@deploy-actions/kit/ecs/one-off-task';
import {
  containerImages,
  loadTaskDefTemplate,
  pinImageDigests,
  renderTaskDefinition,
  toRegisterInput,
} from '@deploy-actions/kit/ecs/taskdef';
import {
  cancellationSignal,
  coreLogger,
  DeployFailure,
  formatCommand,
  isSecretLookingName,
  maskValue,
  Summary,
  setOutputs,
} from '@deploy-actions/kit/runtime';
import { ACTION, getInputs } from './inputs';

/** Knobs for in-process tests (the bundle reads none of them from inputs). */
export interface MainOptions {
  signal?: AbortSignal;
  clients?: EcsClients;
  /** Deploy waiter delays. */
  pollDelays?: { minDelayMs?: number; afterChangeMs?: number; maxDelayMs?: number };
  /** Migration task poll / log intervals and drain times. */
  migrationTuning?: OneOffTaskTuning;
}

export async function main(options: MainOptions = {}): Promise<void> {
  const inputs = getInputs();
  for (const section of inputs.render.overrides.environment) {
    for (const e of section.entries) if (isSecretLookingName(e.key)) maskValue(e.value);
  }
  const request = inputs.deploy.request;
  const signal = options.signal ?? cancellationSignal();
  const clients = options.clients ?? createEcsClients(ACTION, request.region);

  // 1. Render (read-only AWS calls only for template-family / template-arn and pin-digest).
  const template = await loadTaskDefTemplate(() => clients.ecs, inputs.render.template, signal);
  const rendered = renderTaskDefinition(template.taskDefinition, inputs.render.overrides, { region: request.region });
  for (const w of rendered.warnings) core.warning(w);
  let td = rendered.taskDefinition;
  let pinNotes = new Map<string, string>();
  if (inputs.pinDigest) {
    const pinned = await pinImageDigests(td, { action: ACTION, region: request.region, signal });
    td = pinned.taskDefinition;
    pinNotes = pinned.notes;
  }
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), `${ACTION}-`));
  const file = join(dir, `${rendered.family}.json`);
  await writeFile(file, `${JSON.stringify(td, null, 2)}\n`);
  core.info(`Rendered ${rendered.family} from ${template.source}`);
  for (const { name, image } of containerImages(td))
    core.info(`  ${name}: ${image}${pinNotes.has(name) ? ` (${pinNotes.get(name)})` : ''}`);
  request.services = request.services.map((s) => ({
    service: s.service,
    taskDefinition: { kind: 'json', json: td, source: file },
  }));

  // 2. Migration step (optional), run with the revision the deploy registers or reuses.
  const migration = inputs.migration;
  let plan: OneOffTaskPlan | undefined;
  let result: OneOffTaskResult | undefined;
  const commandText = migration ? formatCommand(migration.command) : '';
  const runMigration = async (arn: string) => {
    if (!migration || !plan) return;
    result = await core.group(`Migration (${migration.when} the update): ${commandText}`, () =>
      executeOneOffTask(
        createOneOffTaskClients(ACTION, request.region, clients.ecs),
        { ...plan!, register: undefined, taskDefinitionArn: arn },
        {
          timeoutMs: migration.timeoutMs,
          signal,
          ...options.migrationTuning,
          log: coreLogger,
          statusPrefix: '[migration] ',
        },
      ),
    );
    setOutputs({ 'migration-task-arn': result.taskArn, 'migration-exit-code': result.exitCode });
    if (result.cancelled) throw new DeployFailure(`Migration cancelled: ${result.message}`);
    const failure = oneOffTaskFailure(result);
    if (failure) {
      throw new DeployFailure(
        `Migration failed ${migration.when === 'before' ? '(services not updated)' : '(services already updated)'}: ${failure.message}`,
      );
    }
    core.info(`Migration succeeded: ${result.message}`);
  };
  const migrationSummary = (r: OneOffTaskResult) =>
    appendOneOffTaskSummary(new Summary(), r, { command: commandText, cluster: request.cluster });
  let migrationSummaryWritten = false;
  const migrationMarkdown = () => {
    if (!result) return '';
    migrationSummaryWritten = true;
    return migrationSummary(result).toString();
  };
  const writeMigrationSummary = async () => {
    if (result && !migrationSummaryWritten) {
      migrationSummaryWritten = true;
      await migrationSummary(result).write();
    }
  };

  let report: DeployReport | undefined;
  try {
    report = await runEcsDeploy({
      action: ACTION,
      request,
      clients,
      deps: { signal, ...(options.pollDelays ? { pollDelays: options.pollDelays } : {}) },
      afterPrepare: async (prepared) => {
        if (!migration) return;
        plan = await prepareOneOffTask(
          { ecs: clients.ecs },
          {
            cluster: request.cluster,
            taskDefinition: { kind: 'register', input: toRegisterInput(td), path: file },
            container: migration.container,
            command: migration.command,
            environment: migration.environment,
            service: migration.service,
            // The deploy's services were just described (and found ACTIVE) by the prepare step.
            describedServices: prepared.services.map((p) => p.current),
            inputNames: {
              container: 'migration-container',
              command: 'migration-command',
              environment: 'migration-environment',
              service: 'migration-service',
              taskDefinition: 'template',
            },
          },
          signal,
        );
        for (const note of plan.notes) core.info(`[migration] ${note}`);
      },
      hooks: migration?.when === 'before' ? { beforeUpdate: async (arns) => runMigration([...arns.values()][0]!) } : {},
      summaryPrefix: migrationMarkdown,
    });
    if (migration?.when === 'after') await runMigration(report.services[0]!.taskDefinitionArn!);
  } finally {
    // A migration that failed before the update (no deploy summary) or ran after it: its own summary section.
    await writeMigrationSummary();
  }
}
