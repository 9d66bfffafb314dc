import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { createClient, lazyClient } from '../../runtime/aws';
import type { OneOffTaskClients } from './prepare';

/**
 * The clients a one-off task needs: ECS, Logs in the action's region, and Logs for an `awslogs-region` elsewhere.
 * The Logs SDK is loaded on the first log read (lazyClient), after RunTask: not compiled before the first request.
 */
export function createOneOffTaskClients(
  action: string,
  region: string | undefined,
  ecs?: ECSClient,
): OneOffTaskClients & { ecs: ECSClient } {
  const logsIn = (where: string | undefined) =>
    lazyClient<CloudWatchLogsClient>(async () => {
      const { CloudWatchLogsClient } = await import('@aws-sdk/client-cloudwatch-logs');
      return createClient(CloudWatchLogsClient, { action, region: where });
    });
  return {
    ecs: ecs ?? createClient(ECSClient, { action, region }),
    logs: logsIn(region),
    logsForRegion: (other) => logsIn(other),
  };
}
