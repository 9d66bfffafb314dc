// The only file of deploy-ecs that reads inputs. Three groups, each parsed by the kit code that owns the rules:
// render inputs (the kit's render parsers, shared with render-task-def: template, template-family, template-arn,
// containers, environment, …, and pin-digest), deploy inputs (shared with deploy-ecs-wait) and the optional
// migration step (the one command grammar and task timeout, shared with run-migration-task).
import { type EcsDeployInputs, maskDeployInputSecrets, parseDeployInputs } from '@deploy-actions/kit/ecs/deploy';
import { parseTaskDefRenderInputs, type TaskDefRenderInputs } from '@deploy-actions/kit/ecs/taskdef';
import {
  actionInputs,
  ConfigurationError,
  ECS_NAME_RE,
  maskNamedValue,
  optionalInput,
  parseBoolean,
  parseCommand,
  parseDurationInput,
  parseEnum,
  parseKeyValue,
  quote,
  type RawInputs,
  rawInput,
  validateEnvironmentNames,
  workspaceDir,
} from '@deploy-actions/kit/runtime';

export const ACTION = 'deploy-ecs';

export type MigrationWhen = 'before' | 'after';

export interface MigrationInputs {
  command: string[];
  container: string | undefined;
  when: MigrationWhen;
  timeoutMs: number;
  /** Service whose network the task copies (default: the first of `services`). */
  service: string;
  environment: Array<[string, string]>;
}

export interface Inputs {
  render: TaskDefRenderInputs;
  /** Resolve ECR tags to digests (as render-task-def's pin-digest) before registering. */
  pinDigest: boolean;
  deploy: EcsDeployInputs;
  migration: MigrationInputs | undefined;
}

/** Every input parsed and validated (pure apart from reading the template file). */
export function parseInputs(raw: RawInputs, env: NodeJS.ProcessEnv = process.env): Inputs {
  const render = parseTaskDefRenderInputs(raw, workspaceDir(env));
  const pinDigest = parseBoolean('pin-digest', rawInput(raw, 'pin-digest'), false);
  const deploy = parseDeployInputs(raw, env, { rendered: true });
  return { render, pinDigest, deploy, migration: parseMigration(raw, deploy) };
}

function parseMigration(raw: RawInputs, deploy: EcsDeployInputs): MigrationInputs | undefined {
  const command = parseCommand('migration-command', rawInput(raw, 'migration-command'));
  const container = optionalInput(raw, 'migration-container');
  const environment = parseKeyValue('migration-environment', rawInput(raw, 'migration-environment'));
  validateEnvironmentNames('migration-environment', environment);
  if (command === undefined) {
    // Reusable workflows pass migration-container / migration-service through even when there is no migration:
    // those are ignored; options that only make sense with a command are a mistake.
    for (const name of ['migration-when', 'migration-environment']) {
      if (optionalInput(raw, name) !== undefined) {
        throw new ConfigurationError(name, 'is set but migration-command is empty');
      }
    }
    return undefined;
  }
  const service = optionalInput(raw, 'migration-service') ?? deploy.request.services[0]!.service;
  if (!ECS_NAME_RE.test(service)) {
    throw new ConfigurationError('migration-service', `expected a service name, got ${quote(service)}`);
  }
  return {
    command,
    container,
    when: parseEnum('migration-when', rawInput(raw, 'migration-when'), ['before', 'after'] as const, 'before'),
    timeoutMs: parseDurationInput('migration-timeout', rawInput(raw, 'migration-timeout'), 'task-timeout'),
    service,
    environment,
  };
}

export function getInputs(): Inputs {
  const inputs = parseInputs(actionInputs(), process.env);
  // Values given for secret-looking names never show in the log, whatever prints them.
  for (const section of inputs.render.overrides.environment) {
    for (const e of section.entries) maskNamedValue(e.key, e.value);
  }
  for (const [name, value] of inputs.migration?.environment ?? []) maskNamedValue(name, value);
  maskDeployInputSecrets(inputs.deploy.request, inputs.deploy.plan);
  return inputs;
}
