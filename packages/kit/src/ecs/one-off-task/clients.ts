import { ECSClient } from '@aws-sdk/client-ecs';
import { createClient } from '../../runtime/aws';
import { lazyLogsClient } from '../logs';
import type { OneOffTaskClients } from './prepare';

/**
 * The clients a one-off task needs: ECS, Logs in the action's region, and Logs for an `awslogs-region` elsewhere.
 * The Logs SDK is loaded on the first log read, after RunTask: not compiled before the first request.
 */
export function createOneOffTaskClients(
  action: string,
  region: string | undefined,
  ecs?: ECSClient,
): OneOffTaskClients & { ecs: ECSClient } {
  return {
    ecs: ecs ?? createClient(ECSClient, { action, region }),
    logs: lazyLogsClient(action, region),
    logsForRegion: (other) => lazyLogsClient(action, other),
  };
}
