// The only file of deploy-ecs that reads inputs. Three groups, each parsed by the kit code that owns the rules:
// render inputs (the kit's render parsers, shared with render-task-def: template, template-family, template-arn,
// containers, environment, …, and pin-digest), deploy inputs (shared with deploy-ecs-wait) and the optional
// migration step (the one-off task parsers, shared with run-migration-task).

import { type EcsDeployInputs, readEcsDeployInputs } from '@deploy-actions/kit/ecs/deploy';
import { parseTaskDefRenderInputs, type TaskDefRenderInputs } from '@deploy-actions/kit/ecs/taskdef';
import {
  ConfigurationError,
  getBoolean,
  getDuration,
  getEnum,
  getKeyValue,
  getOptionalString,
  getRawInput,
  parseCommand,
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

export function getInputs(): Inputs {
  const render = parseTaskDefRenderInputs(getRawInput, process.cwd());
  const pinDigest = getBoolean('pin-digest', false);
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
  return { render, pinDigest, deploy, migration };
}
