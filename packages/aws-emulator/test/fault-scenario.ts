// A short, realistic deploy sequence (ECS rollout, S3 uploads, CloudWatch Logs, CloudFront invalidation) driven by
// SDK v3 clients at their DEFAULT retry settings, and a normalised snapshot of the final state. Used by
// faults.test.ts to compare a run under injected faults with a run without them.
//
// Every call is awaited in turn, so the emulator sees the same request sequence on every run and the seeded fault
// injector makes the same decisions: the test is deterministic. Simulated time moves only through explicit
// advances (the emulator is started with a tiny time scale), so the number of DescribeServices polls is fixed too.
import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
} from '@aws-sdk/client-cloudfront';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { EmulatorControl } from '../src/index.ts';
import { fargateTd, NETWORK } from './ecs-helpers.ts';

export const DISTRIBUTION_ID = 'E2FAULTSDIST01';
/** What the scenario expects to exist: the distribution it invalidates, the service's awslogs group (ECS validates
 * it at task start). */
export const SCENARIO_SEED = {
  distributions: [{ id: DISTRIBUTION_ID, originBucket: 'site' }],
  logGroups: ['/ecs/web'],
};

export interface Clients {
  ecs: ECSClient;
  s3: S3Client;
  logs: CloudWatchLogsClient;
  cf: CloudFrontClient;
  destroy(): void;
}

/** SDK v3 clients with nothing but endpoint, region and credentials (S3 path-style, as the kit sets it). */
export function defaultClients(url: string): Clients {
  const config = { endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const c = {
    ecs: new ECSClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    logs: new CloudWatchLogsClient(config),
    cf: new CloudFrontClient(config),
  };
  return {
    ...c,
    destroy: () => {
      for (const x of Object.values(c)) x.destroy();
    },
  };
}

export const SITE_FILES: Record<string, { body: string; contentType: string; cacheControl: string }> = {
  'index.html': {
    body: '<html><script src="/assets/app.js"></script></html>',
    contentType: 'text/html',
    cacheControl: 'no-cache',
  },
  'assets/app.js': {
    body: 'console.log("v2")',
    contentType: 'text/javascript',
    cacheControl: 'max-age=31536000,immutable',
  },
  'assets/app.css': { body: 'body{margin:0}', contentType: 'text/css', cacheControl: 'max-age=31536000,immutable' },
};

async function waitForRollout(ecs: ECSClient, control: EmulatorControl): Promise<number> {
  for (let polls = 1; polls <= 20; polls++) {
    await control.advance(15);
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web'] }));
    const primary = services?.[0]?.deployments?.find((d) => d.status === 'PRIMARY');
    if (primary?.rolloutState === 'COMPLETED' && services?.[0]?.deployments?.length === 1) return polls;
    if (primary?.rolloutState === 'FAILED') throw new Error('rollout failed');
  }
  throw new Error('rollout did not complete after 20 polls');
}

/** The deploy sequence. Throws if any call fails after the SDK's retries. */
export async function runScenario(url: string): Promise<void> {
  const control = new EmulatorControl(url);
  const c = defaultClients(url);
  try {
    // ECS: register, create a service, roll out a new revision, wait for COMPLETED
    await c.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    await c.ecs.send(new RegisterTaskDefinitionCommand(fargateTd('web', 'repo/web:v1')));
    await c.ecs.send(
      new CreateServiceCommand({
        cluster: 'prod',
        serviceName: 'web',
        taskDefinition: 'web',
        desiredCount: 2,
        launchType: 'FARGATE',
        networkConfiguration: NETWORK,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    );
    await waitForRollout(c.ecs, control);
    const v2 = await c.ecs.send(new RegisterTaskDefinitionCommand(fargateTd('web', 'repo/web:v2')));
    await c.ecs.send(
      new UpdateServiceCommand({
        cluster: 'prod',
        service: 'web',
        taskDefinition: v2.taskDefinition?.taskDefinitionArn,
      }),
    );
    await waitForRollout(c.ecs, control);

    // S3: upload the site, read it back
    await c.s3.send(new CreateBucketCommand({ Bucket: 'site' }));
    for (const [key, f] of Object.entries(SITE_FILES)) {
      await c.s3.send(
        new PutObjectCommand({
          Bucket: 'site',
          Key: key,
          Body: f.body,
          ContentType: f.contentType,
          CacheControl: f.cacheControl,
        }),
      );
    }
    const index = await c.s3.send(new GetObjectCommand({ Bucket: 'site', Key: 'index.html' }));
    if ((await index.Body?.transformToString()) !== SITE_FILES['index.html']?.body)
      throw new Error('index.html differs');
    await c.s3.send(new ListObjectsV2Command({ Bucket: 'site' }));

    // CloudWatch Logs: a deploy log
    await c.logs.send(new CreateLogGroupCommand({ logGroupName: '/deploy/web' }));
    await c.logs.send(new CreateLogStreamCommand({ logGroupName: '/deploy/web', logStreamName: 'run-1' }));
    const t = Date.now();
    await c.logs.send(
      new PutLogEventsCommand({
        logGroupName: '/deploy/web',
        logStreamName: 'run-1',
        logEvents: ['deploy started', 'service updated', 'deploy finished'].map((message, i) => ({
          timestamp: t + i,
          message,
        })),
      }),
    );
    await c.logs.send(
      new GetLogEventsCommand({ logGroupName: '/deploy/web', logStreamName: 'run-1', startFromHead: true }),
    );

    // CloudFront: invalidate, wait for Completed
    const inv = await c.cf.send(
      new CreateInvalidationCommand({
        DistributionId: DISTRIBUTION_ID,
        InvalidationBatch: { CallerReference: 'deploy-1', Paths: { Quantity: 2, Items: ['/index.html', '/assets/*'] } },
      }),
    );
    await control.advance(61);
    const got = await c.cf.send(
      new GetInvalidationCommand({ DistributionId: DISTRIBUTION_ID, Id: inv.Invalidation?.Id }),
    );
    if (got.Invalidation?.Status !== 'Completed') throw new Error(`invalidation ${got.Invalidation?.Status}`);
  } finally {
    c.destroy();
  }
}

/** The final state, without random ids (ARN suffixes of tasks, deployment ids, request ids). */
export async function snapshot(url: string): Promise<unknown> {
  const c = defaultClients(url);
  try {
    const tds = await c.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web' }));
    const svc = (await c.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web'] }))).services?.[0];
    const objects = (await c.s3.send(new ListObjectsV2Command({ Bucket: 'site' }))).Contents ?? [];
    const heads = [];
    for (const o of objects) {
      const h = await c.s3.send(new HeadObjectCommand({ Bucket: 'site', Key: o.Key }));
      heads.push({ key: o.Key, etag: h.ETag, size: h.ContentLength, type: h.ContentType, cache: h.CacheControl });
    }
    const events = await c.logs.send(
      new GetLogEventsCommand({ logGroupName: '/deploy/web', logStreamName: 'run-1', startFromHead: true }),
    );
    const invs = await c.cf.send(new ListInvalidationsCommand({ DistributionId: DISTRIBUTION_ID }));
    return {
      taskDefinitions: tds.taskDefinitionArns,
      service: {
        taskDefinition: svc?.taskDefinition,
        desiredCount: svc?.desiredCount,
        runningCount: svc?.runningCount,
        pendingCount: svc?.pendingCount,
        deployments: svc?.deployments?.map((d) => ({
          status: d.status,
          taskDefinition: d.taskDefinition,
          rolloutState: d.rolloutState,
          runningCount: d.runningCount,
          failedTasks: d.failedTasks,
        })),
      },
      objects: heads,
      logEvents: events.events?.map((e) => e.message),
      invalidations: invs.InvalidationList?.Items?.map((i) => i.Status),
    };
  } finally {
    c.destroy();
  }
}
