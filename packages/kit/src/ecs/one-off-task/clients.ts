import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { createClient } from '../../runtime/aws';
import type { OneOffTaskClients } from './prepare';

/** The clients a one-off task needs: ECS, Logs in the action's region, and Logs for an `awslogs-region` elsewhere. */
export function createOneOffTaskClients(
  action: string,
  region: string | undefined,
  ecs?: ECSClient,
): OneOffTaskClients & { ecs: ECSClient } {
  return {
    ecs: ecs ?? createClient(ECSClient, { action, region }),
    logs: createClient(CloudWatchLogsClient, { action, region }),
    logsForRegion: (other) => createClient(CloudWatchLogsClient, { action, region: other }),
  };
}
