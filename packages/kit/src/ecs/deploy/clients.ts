import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createClient } from '../../runtime/aws';

/** The clients a deploy uses: ECS, and Logs + ELBv2 for root causes when it fails. */
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
