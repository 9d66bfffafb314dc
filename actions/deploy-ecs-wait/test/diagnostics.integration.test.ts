import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  collectDiagnostics,
  createEcsClients,
  diagnosticsMarkdown,
  diagnosticsText,
} from '@deploy-actions/kit/ecs/deploy';
import { IMAGE, REGION, seedServices, taskDefWith, useTestEmulator } from '@deploy-actions/kit/testing/ecs-deploy';
import { expect, test } from 'vitest';

// Time scale 1 and explicit time jumps: the moment the new tasks' targets are unhealthy is exact.
const t = useTestEmulator(1);

test('unhealthy load balancer targets with their reason codes, while the deployment is stuck', async () => {
  await seedServices(t.control, { loadBalancer: true, breaker: false, rollback: false });
  await t.control.behaviors({ image: '*:sick', service: 'unhealthy' });
  await t.control.seed({ taskDefinitions: [taskDefWith(IMAGE('sick'))] });
  const { ecs, logs, elbv2 } = createEcsClients('test', REGION);
  const updated = await ecs.send(new UpdateServiceCommand({ cluster: 'app', service: 'api', taskDefinition: 'web:2' }));
  const deploymentId = updated.service!.deployments!.find((d) => d.status === 'PRIMARY')!.id!;
  // PROVISIONING 10 s + PENDING 20 s + health checks 15 s → unhealthy; stopped 10 s later.
  await t.control.advance(48);
  const service = (await ecs.send(new DescribeServicesCommand({ cluster: 'app', services: ['api'] }))).services![0]!;
  const d = await collectDiagnostics({ ecs, logs, elbv2, cluster: 'app', service, serviceName: 'api', deploymentId });
  const unhealthy = d.unhealthyTargets.filter((x) => x.state === 'unhealthy');
  expect(unhealthy).toHaveLength(2);
  expect(unhealthy[0]!.reason).toMatch(/^Target\./);
  expect(unhealthy[0]!.port).toBe(8000);
  expect(diagnosticsText(d).join('\n')).toContain('Unhealthy load balancer targets:');
  expect(diagnosticsMarkdown(d)).toContain(unhealthy[0]!.reason!);
});
