import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createClient, lazyClient, type Sender } from '../../runtime/aws';
import { lazyLogsClient } from '../logs';

/**
 * The clients a deploy uses: ECS, and Logs + ELBv2 for root causes when it fails. Those two are loaded on their
 * first call (lazyClient): a deploy that succeeds never compiles them.
 */
export interface EcsClients {
  ecs: ECSClient;
  logs: Sender<CloudWatchLogsClient>;
  elbv2: Sender<ElasticLoadBalancingV2Client>;
}

export function createEcsClients(action: string, region: string): EcsClients {
  return {
    ecs: createClient(ECSClient, { action, region }),
    logs: lazyLogsClient(action, region),
    elbv2: lazyClient(async () => {
      const { ElasticLoadBalancingV2Client } = await import('@aws-sdk/client-elastic-load-balancing-v2');
      return createClient(ElasticLoadBalancingV2Client, { action, region });
    }),
  };
}
