import type { ContainerDefinition, ECSClient } from '@aws-sdk/client-ecs';
import { coreLogger, type Logger } from '../../runtime/log';
import { registerTaskDefinitionOnce } from '../taskdef/register-once';
import { type TaskDefJson, toRegisterInput } from '../taskdef/taskdef';
import { type Provenance, registrationTags } from './known-good';
import type { DeployDeps, PreparedDeploy } from './model';
import { shortTaskDef } from './rollout-verdict';

/** The revision each service will be updated to, once registration is done. */
export interface RegisteredRevisions {
  arnByService: Map<string, string>;
  /** Container definitions by revision ARN (diagnostics read the awslogs settings from them). */
  containerDefs: Map<string, ContainerDefinition[]>;
}

/**
 * Register a rendered task definition, tagged with the commit and run that registered it; a lost response is
 * recovered without an orphan revision (registerTaskDefinitionOnce).
 */
async function register(ecs: ECSClient, json: TaskDefJson, provenance: Provenance, log: Logger, signal?: AbortSignal) {
  const input = toRegisterInput(json);
  const ours = registrationTags(provenance);
  const keys = new Set(ours.map((t) => t.key));
  const tags = [...(input.tags ?? []).filter((t) => !keys.has(t.key)), ...ours];
  const { taskDefinition } = await registerTaskDefinitionOnce(
    ecs,
    { ...input, ...(tags.length ? { tags } : {}) },
    { signal, log },
  );
  return taskDefinition;
}

/**
 * The first mutating step: register each distinct rendered task definition that prepare found no equal revision
 * for (once, however many services share it). deploy-ecs runs its "before" migration between this and the update.
 */
export async function registerRevisions(prepared: PreparedDeploy, deps: DeployDeps): Promise<RegisteredRevisions> {
  const { request } = prepared;
  const log = deps.log ?? coreLogger;
  const registered = new Map<string, string>();
  const result: RegisteredRevisions = { arnByService: new Map(), containerDefs: new Map() };
  for (const p of prepared.services) {
    let arn: string;
    if (p.target.kind === 'register') {
      const existing = registered.get(p.target.key);
      if (existing) arn = existing;
      else {
        const td = await register(deps.ecs, p.target.json, request.provenance, log, deps.signal);
        arn = td.taskDefinitionArn!;
        registered.set(p.target.key, arn);
        if (td.containerDefinitions) result.containerDefs.set(arn, td.containerDefinitions);
        log.info(
          `Registered ${shortTaskDef(arn)} (differs from ${p.latestArn ? shortTaskDef(p.latestArn) : 'no earlier revision'})`,
        );
      }
    } else {
      arn = p.target.arn;
      if (p.target.containerDefinitions) result.containerDefs.set(arn, p.target.containerDefinitions);
      const rendered = request.services.find((s) => s.service === p.service)?.taskDefinition?.kind === 'file';
      if (!request.rollbackTo && p.target.reused && rendered) {
        log.info(
          `${p.service}: the rendered task definition equals ${shortTaskDef(arn)}; reusing it (no new revision)`,
        );
      }
    }
    result.arnByService.set(p.service, arn);
  }
  return result;
}
