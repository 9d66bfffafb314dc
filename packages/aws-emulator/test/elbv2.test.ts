// ELBv2 conformance (query protocol): target groups from the seed and from ECS services, target health that
// follows the tasks. Rollout-driven health transitions are covered in ecs-deployment-sim.test.ts.
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, test } from 'vitest';
import { fargateTd, seededService, useHarness } from './ecs-helpers.ts';

const h = useHarness();

const LB = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web/50dc6c495c0c9188';
const TG = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/api-tg/73e2d6bc24d8a067';
const TG2 = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/from-service/1111111111111111';

async function seed() {
  await h.control('seed', {
    clusters: ['prod'],
    targetGroups: [
      { targetGroupArn: TG, targetGroupName: 'api-tg', port: 8080, healthCheckPath: '/health', loadBalancerArns: [LB] },
    ],
    taskDefinitions: [fargateTd('api', 'repo/app:v1')],
    services: [
      seededService({ loadBalancers: [{ targetGroupArn: TG, containerName: 'app', containerPort: 8080 }] }),
      seededService({
        serviceName: 'other',
        desiredCount: 1,
        loadBalancers: [{ targetGroupArn: TG2, containerName: 'app', containerPort: 8080 }],
      }),
    ],
  });
}

describe('elbv2', () => {
  test('DescribeTargetGroups by ARN, name, load balancer; groups created from service loadBalancers', async () => {
    await seed();
    const all = await h.elb.send(new DescribeTargetGroupsCommand({}));
    expect(all.TargetGroups?.map((g) => g.TargetGroupArn).sort()).toEqual([TG, TG2].sort());
    const byArn = await h.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [TG] }));
    expect(byArn.TargetGroups?.[0]).toMatchObject({
      TargetGroupName: 'api-tg',
      Port: 8080,
      Protocol: 'HTTP',
      HealthCheckPath: '/health',
      TargetType: 'ip',
      LoadBalancerArns: [LB],
      Matcher: { HttpCode: '200' },
    });
    const byName = await h.elb.send(new DescribeTargetGroupsCommand({ Names: ['from-service'] }));
    expect(byName.TargetGroups?.[0]?.TargetGroupArn).toBe(TG2);
    const byLb = await h.elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: LB }));
    expect(byLb.TargetGroups?.map((g) => g.TargetGroupArn)).toEqual([TG]);
    const missing = await h.elb.send(new DescribeTargetGroupsCommand({ Names: ['nope'] })).catch((e) => e);
    expect(missing.name).toBe('TargetGroupNotFoundException');
    expect(missing.$metadata.httpStatusCode).toBe(400);
  });

  test('DescribeTargetHealth lists the RUNNING tasks of the service by IP; unknown targets are unused', async () => {
    await seed();
    const th = await h.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: TG }));
    expect(th.TargetHealthDescriptions).toHaveLength(2);
    for (const d of th.TargetHealthDescriptions ?? []) {
      expect(d.Target?.Id).toMatch(/^10\.0\.\d+\.\d+$/);
      expect(d.Target?.Port).toBe(8080);
      expect(d.TargetHealth?.State).toBe('healthy');
    }
    const one = await h.elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: TG, Targets: [{ Id: '10.9.9.9', Port: 8080 }] }),
    );
    expect(one.TargetHealthDescriptions?.[0]?.TargetHealth).toMatchObject({
      State: 'unused',
      Reason: 'Target.NotRegistered',
    });
    const cli = await h.aws(['elbv2', 'describe-target-health', '--target-group-arn', TG2]);
    expect(cli.stderr).toBe('');
    expect(JSON.parse(cli.stdout).TargetHealthDescriptions[0].TargetHealth.State).toBe('healthy');
  });

  test('Throttling as a 400 query error', async () => {
    await h.control('faults', { throttle: 1, services: ['elasticloadbalancing'] });
    const once = new ElasticLoadBalancingV2Client({
      endpoint: h.emu.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 't', secretAccessKey: 't' },
      maxAttempts: 1,
    });
    const err = await once.send(new DescribeTargetGroupsCommand({})).catch((e) => e);
    expect(err.name).toBe('Throttling');
    expect(err.$metadata.httpStatusCode).toBe(400);
    once.destroy();
  });
});
