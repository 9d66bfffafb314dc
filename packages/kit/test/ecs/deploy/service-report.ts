// A deploy's per-service report for the pure decision tests (verdict, cancel): one service moving web:1 → web:2.
import type { ServiceReport } from '../../../src/ecs/deploy/model';

export const tdArn = (rev: number) => `arn:aws:ecs:us-east-1:000000000000:task-definition/web:${rev}`;

/** Service `service` deploying web:2 over web:1, not started yet, with `over` applied. */
export function serviceReport(service: string, over: Partial<ServiceReport> = {}): ServiceReport {
  return {
    service,
    previousTaskDefinitionArn: tdArn(1),
    taskDefinitionArn: tdArn(2),
    registered: true,
    reused: false,
    status: 'not-started',
    ecsRolledBack: false,
    fallback: false,
    startedAt: 0,
    events: [],
    diffText: '',
    ...over,
  };
}
