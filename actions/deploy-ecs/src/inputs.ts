// The only file of deploy-ecs that reads inputs. Three groups, each parsed by the code that owns the rules:
// render inputs (render-task-def's parser: template, template-family, template-arn, containers, environment, …),
// deploy inputs (the kit's, shared with deploy-ecs-wait) and the optional migration step (the kit's one-off task
// parsers, shared with run-migration-task).
import {
  ConfigurationError,
  type EcsDeployInputs,
  getDuration,
  getEnum,
  getKeyValue,
  getOptionalString,
  getRawInput,
  parseCommand,
  readEcsDeployInputs,
} from '@deploy-actions/kit';
import { getInputs as getRenderInputs, type Inputs as RenderInputs } from '../../render-task-def/src/inputs';

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
  render: RenderInputs;
  deploy: EcsDeployInputs;
  migration: MigrationInputs | undefined;
}

/** Inputs render-task-def reads that this action does not offer (its own defaults apply). */
const NOT_OFFERED = new Set(['pin-digest', 'compare', 'timeout', 'output-file']);

export function getInputs(): Inputs {
  const render = getRenderInputs((name) => (NOT_OFFERED.has(name) ? '' : getRawInput(name)));
  const deploy = readEcsDeployInputs({ rendered: true });
  const commandRaw = getOptionalString('migration-command');
  let migration: MigrationInputs | undefined;
  const container = getOptionalString('migration-container');
  const environment = getKeyValue('migration-environment');
  if (commandRaw !== undefined) {
    const command = parseCommand('migration-command', commandRaw);
    const service = getOptionalString('migration-service') ?? deploy.request.services[0]!.service;
    if (!deploy.request.services.some((s) => s.service === service) && !/^[A-Za-z0-9_-]{1,255}$/.test(service)) {
      throw new ConfigurationError('migration-service', `expected a service name, got ${JSON.stringify(service)}`);
    }
    migration = {
      command: command!,
      container,
      when: getEnum('migration-when', ['before', 'after'] as const, 'before'),
      timeoutMs: getDuration('migration-timeout', '30m'),
      service,
      environment,
    };
  } else {
    // Reusable workflows pass migration-container / migration-service through even when there is no migration:
    // those are ignored; options that only make sense with a command are a mistake.
    for (const name of ['migration-when', 'migration-environment']) {
      if (getOptionalString(name) !== undefined) {
        throw new ConfigurationError(name, 'is set but migration-command is empty');
      }
    }
  }
  return { render, deploy, migration };
}
