import * as core from '@actions/core';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createClient } from '../../runtime/aws';
import { DeployFailure } from '../../runtime/errors';
import { setOutputs } from '../../runtime/outputs';
import { cancellationSignal } from '../../runtime/poll';
import { Summary } from '../../runtime/summary';
import {
  type DeployDeps,
  type DeployReport,
  type DeployRequest,
  type ExecuteHooks,
  executeDeploy,
  type PreparedDeploy,
  prepareDeploy,
} from './deploy';
import { deployOutputs, deploySummaryMarkdown } from './summary';

// The glue both ECS deploy actions share: clients → prepare (read-only) → [caller's step] → execute → outputs +
// summary → fail the step when the deploy failed.

export interface EcsClients {
  ecs: ECSClient;
  logs: CloudWatchLogsClient;
  elbv2: ElasticLoadBalancingV2Client;
}

export function createEcsClients(action: string, region: string): EcsClients {
  return {
    ecs: createClient(ECSClient, { action, region }),
    logs: createClient(CloudWatchLogsClient, { action, region }),
    elbv2: createClient(ElasticLoadBalancingV2Client, { action, region }),
  };
}

export interface RunEcsDeployOptions {
  action: string;
  request: DeployRequest;
  clients?: EcsClients;
  deps?: Partial<DeployDeps>;
  hooks?: ExecuteHooks;
  /** Extra markdown placed before the deploy summary (deploy-ecs: render and migration sections). */
  summaryPrefix?: () => string;
  /** Called after prepare, before anything mutates (deploy-ecs prints the plan). */
  afterPrepare?: (prepared: PreparedDeploy) => Promise<void> | void;
}

/** Run a deploy end to end as an action step. Throws DeployFailure when the deploy did not succeed. */
export async function runEcsDeploy(options: RunEcsDeployOptions): Promise<DeployReport> {
  const clients = options.clients ?? createEcsClients(options.action, options.request.region);
  const signal = options.deps?.signal ?? cancellationSignal();
  const deps: DeployDeps = { ...clients, ...options.deps, signal };
  const prepared = await prepareDeploy(options.request, deps);
  await options.afterPrepare?.(prepared);
  const report = await executeDeploy(prepared, deps, options.hooks);
  setOutputs(deployOutputs(report));
  const summary = new Summary();
  const prefix = options.summaryPrefix?.();
  if (prefix) summary.raw(prefix);
  summary.raw(deploySummaryMarkdown(report));
  await summary.write();
  if (report.status === 'success' || report.status === 'unchanged' || report.status === 'started') {
    core.info(report.message);
    return report;
  }
  throw new DeployFailure(report.message || `Deploy ${report.status}`);
}
