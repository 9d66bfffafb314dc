// Elastic Load Balancing v2 (query protocol, XML): DescribeTargetGroups and DescribeTargetHealth. Target groups
// come from the seed and from ECS services' loadBalancers; targets are the IPs of the service's tasks, registered
// when a task reaches RUNNING, with the health state the task's behaviour gives it (see ecs-deployment-sim.ts).
import type { EmuContext, EmuRequest, EmuResponse, SeedFixture, ServiceModule } from '../types.ts';
import { AwsError, parseQueryParams, queryError, queryList, queryOk, randomHex, type XmlValue } from './ecs-wire.ts';

const NS = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';

export interface TargetGroup {
  arn: string;
  name: string;
  protocol: string;
  port: number;
  vpcId: string;
  healthCheckPath: string;
  healthCheckPort: string;
  healthCheckProtocol: string;
  healthCheckIntervalSeconds: number;
  healthCheckTimeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  matcher: string;
  loadBalancerArns: string[];
  targetType: string;
}

/** One target as ECS reports it (see EcsService.targetHealth). */
export interface TargetHealthRecord {
  id: string;
  port: number;
  availabilityZone: string;
  state: 'initial' | 'healthy' | 'unhealthy' | 'draining' | 'unused' | 'unavailable';
  reason?: string;
  description?: string;
}

export interface Elbv2Service extends ServiceModule {
  /** Make sure a target group exists (ECS calls this for services' loadBalancers[].targetGroupArn). */
  ensureTargetGroup(arn: string, hints?: { port?: number }): TargetGroup;
  getTargetGroup(arn: string): TargetGroup | undefined;
}

interface TargetSource {
  targetHealth(targetGroupArn: string): TargetHealthRecord[];
}

export function createElbv2Service(): Elbv2Service {
  const groups = new Map<string, TargetGroup>();
  let ctxRef: EmuContext | undefined;

  function make(
    spec: Partial<TargetGroup> & { name?: string; arn?: string },
    region: string,
    accountId: string,
  ): TargetGroup {
    const name = spec.name ?? /targetgroup\/([^/]+)\//.exec(spec.arn ?? '')?.[1] ?? `tg-${randomHex(4)}`;
    const arn = spec.arn ?? `arn:aws:elasticloadbalancing:${region}:${accountId}:targetgroup/${name}/${randomHex(8)}`;
    return {
      arn,
      name,
      protocol: spec.protocol ?? 'HTTP',
      port: spec.port ?? 80,
      vpcId: spec.vpcId ?? 'vpc-0emulator0000000',
      healthCheckPath: spec.healthCheckPath ?? '/',
      healthCheckPort: spec.healthCheckPort ?? 'traffic-port',
      healthCheckProtocol: spec.healthCheckProtocol ?? spec.protocol ?? 'HTTP',
      healthCheckIntervalSeconds: spec.healthCheckIntervalSeconds ?? 30,
      healthCheckTimeoutSeconds: spec.healthCheckTimeoutSeconds ?? 5,
      healthyThresholdCount: spec.healthyThresholdCount ?? 5,
      unhealthyThresholdCount: spec.unhealthyThresholdCount ?? 2,
      matcher: spec.matcher ?? '200',
      loadBalancerArns: spec.loadBalancerArns ?? [],
      targetType: spec.targetType ?? 'ip',
    };
  }

  function shape(g: TargetGroup): XmlValue {
    return {
      TargetGroupArn: g.arn,
      TargetGroupName: g.name,
      Protocol: g.protocol,
      Port: g.port,
      VpcId: g.vpcId,
      HealthCheckProtocol: g.healthCheckProtocol,
      HealthCheckPort: g.healthCheckPort,
      HealthCheckEnabled: true,
      HealthCheckIntervalSeconds: g.healthCheckIntervalSeconds,
      HealthCheckTimeoutSeconds: g.healthCheckTimeoutSeconds,
      HealthyThresholdCount: g.healthyThresholdCount,
      UnhealthyThresholdCount: g.unhealthyThresholdCount,
      HealthCheckPath: g.healthCheckPath,
      Matcher: { HttpCode: g.matcher },
      LoadBalancerArns: g.loadBalancerArns,
      TargetType: g.targetType,
      ProtocolVersion: 'HTTP1',
      IpAddressType: 'ipv4',
    };
  }

  function targetsOf(arn: string): TargetHealthRecord[] {
    const ecs = ctxRef?.state.services.get('ecs') as unknown as Partial<TargetSource> | undefined;
    return ecs?.targetHealth?.(arn) ?? [];
  }

  function handleOp(action: string, params: URLSearchParams, req: EmuRequest): EmuResponse {
    switch (action) {
      case 'DescribeTargetGroups': {
        const arns = queryList(params, 'TargetGroupArns');
        const names = queryList(params, 'Names');
        const lb = params.get('LoadBalancerArn');
        if ([arns.length > 0, names.length > 0, !!lb].filter(Boolean).length > 1) {
          throw new AwsError(
            'ValidationError',
            'Target group names, ARNs and a load balancer ARN cannot be specified at the same time',
          );
        }
        let list = [...groups.values()];
        if (arns.length > 0) {
          list = arns.map((a) => {
            const g = groups.get(a);
            if (!g) throw new AwsError('TargetGroupNotFound', 'One or more target groups not found');
            return g;
          });
        } else if (names.length > 0) {
          list = names.map((n) => {
            const g = [...groups.values()].find((x) => x.name === n);
            if (!g) throw new AwsError('TargetGroupNotFound', `Target groups '${n}' not found`);
            return g;
          });
        } else if (lb) {
          list = list.filter((g) => g.loadBalancerArns.includes(lb));
        }
        const pageSize = Math.max(1, Math.min(400, Number(params.get('PageSize') ?? 400)));
        const start = Number(params.get('Marker') ?? 0) || 0;
        const page = list.slice(start, start + pageSize);
        const next = start + pageSize < list.length ? String(start + pageSize) : undefined;
        return queryOk(action, NS, { TargetGroups: page.map(shape), NextMarker: next }, req.requestId);
      }
      case 'DescribeTargetHealth': {
        const arn = params.get('TargetGroupArn') ?? '';
        const g = groups.get(arn);
        if (!g) throw new AwsError('TargetGroupNotFound', 'One or more target groups not found');
        let targets = targetsOf(arn);
        const wanted: Array<{ id: string; port?: number }> = [];
        for (let i = 1; params.has(`Targets.member.${i}.Id`); i++) {
          const port = params.get(`Targets.member.${i}.Port`);
          wanted.push({ id: params.get(`Targets.member.${i}.Id`) as string, ...(port ? { port: Number(port) } : {}) });
        }
        if (wanted.length > 0) {
          targets = wanted.map(
            (w) =>
              targets.find((t) => t.id === w.id && (w.port === undefined || t.port === w.port)) ?? {
                id: w.id,
                port: w.port ?? g.port,
                availabilityZone: 'us-east-1a',
                state: 'unused',
                reason: 'Target.NotRegistered',
                description: 'Target is not registered to the target group',
              },
          );
        }
        return queryOk(
          action,
          NS,
          {
            TargetHealthDescriptions: targets.map((t) => ({
              Target: { Id: t.id, Port: t.port, AvailabilityZone: t.availabilityZone },
              HealthCheckPort: String(t.port),
              TargetHealth: { State: t.state, Reason: t.reason, Description: t.description },
            })),
          },
          req.requestId,
        );
      }
      default:
        throw new AwsError('InvalidAction', `Could not find operation ${action} for version 2015-12-01`);
    }
  }

  const service: Elbv2Service = {
    name: 'elasticloadbalancing',
    classify(req) {
      const action = parseQueryParams(req).get('Action') ?? 'Unknown';
      return { operation: action, mutating: !action.startsWith('Describe') };
    },
    handle(req, ctx) {
      ctxRef = ctx;
      try {
        return handleOp(parseQueryParams(req).get('Action') ?? '', parseQueryParams(req), req);
      } catch (err) {
        if (err instanceof AwsError) return queryError(NS, err, req.requestId);
        throw err;
      }
    },
    reset() {
      groups.clear();
    },
    seed(fixture: SeedFixture, ctx: EmuContext) {
      ctxRef = ctx;
      for (const raw of fixture.targetGroups ?? []) {
        const spec = raw as Partial<TargetGroup> & {
          targetGroupArn?: string;
          targetGroupName?: string;
          region?: string;
        };
        const arn = spec.targetGroupArn ?? spec.arn;
        const existing = arn ? groups.get(arn) : undefined;
        const g = make(
          {
            ...(existing ?? {}),
            ...spec,
            ...(arn ? { arn } : {}),
            ...(spec.targetGroupName || spec.name ? { name: spec.targetGroupName ?? spec.name } : {}),
          },
          spec.region ?? 'us-east-1',
          ctx.accountId,
        );
        groups.set(g.arn, g);
      }
    },
    throttleError(req) {
      return queryError(NS, new AwsError('Throttling', 'Rate exceeded'), req.requestId);
    },
    ensureTargetGroup(arn, hints) {
      const existing = groups.get(arn);
      if (existing) return existing;
      const g = make({ arn, ...(hints?.port !== undefined ? { port: hints.port } : {}) }, 'us-east-1', '000000000000');
      groups.set(arn, g);
      return g;
    },
    getTargetGroup(arn) {
      return groups.get(arn);
    },
  };
  return service;
}
