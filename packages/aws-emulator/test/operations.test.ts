// Audit of issue 3's operation list: every operation it names, driven once through its SDK v3 client at default
// settings, with a sane response. Table rows run in order against one emulator (later rows use what earlier rows
// created); the last test checks the request log holds every listed operation with a 2xx status. Deeper
// conformance (errors, pagination, edge cases, the AWS CLI) lives in the per-service test files.
import { createHash } from 'node:crypto';
import {
  CloudFrontClient,
  CreateDistributionCommand,
  CreateInvalidationCommand,
  GetDistributionCommand,
  GetInvalidationCommand,
  ListDistributionsCommand,
  ListInvalidationsCommand,
} from '@aws-sdk/client-cloudfront';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTagsForResourceCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useEmulator } from '../src/index.ts';
import { fargateRun, fargateTd, NETWORK } from './ecs-helpers.ts';

/** Issue 3's list, per request-log service name. */
const ISSUE_OPERATIONS: Record<string, string[]> = {
  ecs: [
    'RegisterTaskDefinition',
    'DescribeTaskDefinition',
    'ListTaskDefinitions',
    'DeregisterTaskDefinition',
    'TagResource',
    'ListTagsForResource',
    'CreateCluster',
    'CreateService',
    'UpdateService',
    'DescribeServices',
    'RunTask',
    'DescribeTasks',
    'ListTasks',
    'StopTask',
  ],
  ecr: [
    'GetAuthorizationToken',
    'CreateRepository',
    'DescribeRepositories',
    'DescribeImages',
    'BatchGetImage',
    'PutImage',
    'BatchDeleteImage',
  ],
  s3: [
    'CreateBucket',
    'ListObjectsV2',
    'PutObject',
    'GetObject',
    'HeadObject',
    'CopyObject',
    'DeleteObject',
    'DeleteObjects',
    'CreateMultipartUpload',
    'UploadPart',
    'CompleteMultipartUpload',
    'AbortMultipartUpload',
  ],
  cloudfront: [
    'CreateDistribution',
    'GetDistribution',
    'ListDistributions',
    'CreateInvalidation',
    'GetInvalidation',
    'ListInvalidations',
  ],
  logs: ['CreateLogGroup', 'CreateLogStream', 'PutLogEvents', 'GetLogEvents', 'FilterLogEvents'],
  sts: ['GetCallerIdentity'],
  elasticloadbalancing: ['DescribeTargetGroups', 'DescribeTargetHealth'],
  secretsmanager: ['DescribeSecret', 'GetSecretValue'],
};

const TG = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web-tg/0123456789abcdef';
const MiB = 1024 * 1024;

const emu = useEmulator({ timeScale: 1 });
let c: {
  ecs: ECSClient;
  ecr: ECRClient;
  s3: S3Client;
  cf: CloudFrontClient;
  logs: CloudWatchLogsClient;
  sts: STSClient;
  elb: ElasticLoadBalancingV2Client;
  sm: SecretsManagerClient;
};
/** Values later rows need from earlier ones. */
const ctx: Record<string, string> = {};

beforeAll(async () => {
  await emu.start();
  const config = emu.clientConfig;
  c = {
    ecs: new ECSClient(config),
    ecr: new ECRClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    cf: new CloudFrontClient(config),
    logs: new CloudWatchLogsClient(config),
    sts: new STSClient(config),
    elb: new ElasticLoadBalancingV2Client(config),
    sm: new SecretsManagerClient(config),
  };
  await emu.control.seed({
    repositories: [{ name: 'team/web', images: [{ tag: 'v1' }] }],
    secrets: [{ name: 'prod/db', value: { username: 'app', password: 's3cret' } }],
    targetGroups: [{ targetGroupArn: TG, targetGroupName: 'web-tg', port: 8080, healthCheckPath: '/health' }],
    logGroups: ['/ecs/web'], // ECS validates awslogs groups at task start
  });
});

afterAll(async () => {
  for (const client of Object.values(c ?? {})) client.destroy();
  await emu.stop();
});

type Row = [service: string, operation: string, run: () => Promise<void>];

const ecsRows: Row[] = [
  [
    'ecs',
    'CreateCluster',
    async () => {
      const r = await c.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
      expect(r.cluster).toMatchObject({ clusterName: 'prod', status: 'ACTIVE' });
    },
  ],
  [
    'ecs',
    'RegisterTaskDefinition',
    async () => {
      for (const image of ['repo/web:v1', 'repo/web:v2', 'repo/web:v3']) {
        const r = await c.ecs.send(
          new RegisterTaskDefinitionCommand({ ...fargateTd('web', image), tags: [{ key: 'image', value: image }] }),
        );
        expect(r.taskDefinition?.containerDefinitions?.[0]?.image).toBe(image);
      }
    },
  ],
  [
    'ecs',
    'DescribeTaskDefinition',
    async () => {
      const r = await c.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web', include: ['TAGS'] }));
      expect(r.taskDefinition).toMatchObject({ family: 'web', revision: 3, status: 'ACTIVE' });
      expect(r.tags).toEqual([{ key: 'image', value: 'repo/web:v3' }]);
    },
  ],
  [
    'ecs',
    'DeregisterTaskDefinition',
    async () => {
      const r = await c.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web:3' }));
      expect(r.taskDefinition?.status).toBe('INACTIVE');
    },
  ],
  [
    'ecs',
    'ListTaskDefinitions',
    async () => {
      const active = await c.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web', sort: 'DESC' }));
      expect(active.taskDefinitionArns?.map((a) => a.split('/')[1])).toEqual(['web:2', 'web:1']);
      const inactive = await c.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web', status: 'INACTIVE' }));
      expect(inactive.taskDefinitionArns?.map((a) => a.split('/')[1])).toEqual(['web:3']);
    },
  ],
  [
    'ecs',
    'TagResource',
    async () => {
      const arn = 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1';
      await c.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'known-good', value: 'yes' }] }));
    },
  ],
  [
    'ecs',
    'ListTagsForResource',
    async () => {
      const arn = 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1';
      const r = await c.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
      expect(r.tags).toEqual([
        { key: 'image', value: 'repo/web:v1' },
        { key: 'known-good', value: 'yes' },
      ]);
    },
  ],
  [
    'ecs',
    'CreateService',
    async () => {
      const r = await c.ecs.send(
        new CreateServiceCommand({
          cluster: 'prod',
          serviceName: 'web',
          taskDefinition: 'web:1',
          desiredCount: 2,
          launchType: 'FARGATE',
          networkConfiguration: NETWORK,
          loadBalancers: [{ targetGroupArn: TG, containerName: 'app', containerPort: 8080 }],
          deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
        }),
      );
      expect(r.service?.deployments).toMatchObject([{ status: 'PRIMARY', rolloutState: 'IN_PROGRESS' }]);
      await emu.control.advance(60);
    },
  ],
  [
    'ecs',
    'UpdateService',
    async () => {
      const r = await c.ecs.send(
        new UpdateServiceCommand({ cluster: 'prod', service: 'web', taskDefinition: 'web:2' }),
      );
      expect(r.service?.deployments?.map((d) => [d.status, d.taskDefinition?.split('/')[1], d.rolloutState])).toEqual([
        ['PRIMARY', 'web:2', 'IN_PROGRESS'],
        ['ACTIVE', 'web:1', 'COMPLETED'],
      ]);
      await emu.control.advance(90);
    },
  ],
  [
    'ecs',
    'DescribeServices',
    async () => {
      const r = await c.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web', 'ghost'] }));
      expect(r.services?.[0]).toMatchObject({ runningCount: 2, pendingCount: 0 });
      expect(r.services?.[0]?.deployments).toMatchObject([{ rolloutState: 'COMPLETED', runningCount: 2 }]);
      expect(r.services?.[0]?.events?.[0]?.message).toBe('(service web) has reached a steady state.');
      expect(r.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:000000000000:service/prod/ghost', reason: 'MISSING' }]);
    },
  ],
  [
    'ecs',
    'RunTask',
    async () => {
      await emu.control.behaviors({
        image: 'repo/web:v1',
        run: { logs: ['migrating'], exitCode: 0, durationSeconds: 60 },
      });
      const r = await c.ecs.send(
        new RunTaskCommand(
          fargateRun('web:1', { overrides: { containerOverrides: [{ name: 'app', command: ['migrate'] }] } }),
        ),
      );
      expect(r.failures).toEqual([]);
      expect(r.tasks?.[0]).toMatchObject({ lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING' });
      ctx.task = r.tasks?.[0]?.taskArn as string;
      await emu.control.advance(40);
    },
  ],
  [
    'ecs',
    'ListTasks',
    async () => {
      const r = await c.ecs.send(new ListTasksCommand({ cluster: 'prod', family: 'web' }));
      expect(r.taskArns).toContain(ctx.task);
    },
  ],
  [
    'ecs',
    'DescribeTasks',
    async () => {
      const r = await c.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: [ctx.task as string] }));
      expect(r.tasks?.[0]).toMatchObject({ lastStatus: 'RUNNING', group: 'family:web' });
    },
  ],
  [
    'ecs',
    'StopTask',
    async () => {
      const r = await c.ecs.send(new StopTaskCommand({ cluster: 'prod', task: ctx.task, reason: 'operator' }));
      expect(r.task).toMatchObject({ desiredStatus: 'STOPPED', stoppedReason: 'operator' });
      await emu.control.advance(30);
      const d = await c.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: [ctx.task as string] }));
      expect(d.tasks?.[0]).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated' });
      expect(d.tasks?.[0]?.containers?.[0]?.exitCode).toBe(143);
    },
  ],
];

const elbRows: Row[] = [
  [
    'elasticloadbalancing',
    'DescribeTargetGroups',
    async () => {
      const r = await c.elb.send(new DescribeTargetGroupsCommand({ Names: ['web-tg'] }));
      expect(r.TargetGroups?.[0]).toMatchObject({ TargetGroupArn: TG, Port: 8080, HealthCheckPath: '/health' });
    },
  ],
  [
    'elasticloadbalancing',
    'DescribeTargetHealth',
    async () => {
      const r = await c.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: TG }));
      expect(r.TargetHealthDescriptions?.map((t) => t.TargetHealth?.State)).toEqual(['healthy', 'healthy']);
    },
  ],
];

const ecrRows: Row[] = [
  [
    'ecr',
    'GetAuthorizationToken',
    async () => {
      const r = await c.ecr.send(new GetAuthorizationTokenCommand({}));
      const data = r.authorizationData?.[0];
      expect(Buffer.from(data?.authorizationToken ?? '', 'base64').toString()).toMatch(/^AWS:.+/);
      expect(data?.proxyEndpoint).toBe(emu.url);
    },
  ],
  [
    'ecr',
    'CreateRepository',
    async () => {
      const r = await c.ecr.send(
        new CreateRepositoryCommand({ repositoryName: 'team/api', imageTagMutability: 'IMMUTABLE' }),
      );
      expect(r.repository).toMatchObject({ repositoryName: 'team/api', imageTagMutability: 'IMMUTABLE' });
    },
  ],
  [
    'ecr',
    'DescribeRepositories',
    async () => {
      const r = await c.ecr.send(new DescribeRepositoriesCommand({}));
      expect(r.repositories?.map((x) => [x.repositoryName, x.imageTagMutability])).toEqual([
        ['team/api', 'IMMUTABLE'],
        ['team/web', 'MUTABLE'],
      ]);
    },
  ],
  [
    'ecr',
    'BatchGetImage',
    async () => {
      const r = await c.ecr.send(
        new BatchGetImageCommand({ repositoryName: 'team/web', imageIds: [{ imageTag: 'v1' }] }),
      );
      const image = r.images?.[0];
      ctx.manifest = image?.imageManifest as string;
      ctx.digest = image?.imageId?.imageDigest as string;
      expect(`sha256:${createHash('sha256').update(ctx.manifest).digest('hex')}`).toBe(ctx.digest);
      expect(r.failures).toEqual([]);
    },
  ],
  [
    'ecr',
    'PutImage',
    async () => {
      const r = await c.ecr.send(
        new PutImageCommand({ repositoryName: 'team/web', imageTag: 'stable', imageManifest: ctx.manifest }),
      );
      expect(r.image?.imageId).toEqual({ imageDigest: ctx.digest, imageTag: 'stable' });
    },
  ],
  [
    'ecr',
    'DescribeImages',
    async () => {
      const r = await c.ecr.send(new DescribeImagesCommand({ repositoryName: 'team/web' }));
      expect(r.imageDetails).toHaveLength(1);
      expect(r.imageDetails?.[0]).toMatchObject({ imageDigest: ctx.digest });
      expect(r.imageDetails?.[0]?.imageTags?.sort()).toEqual(['stable', 'v1']);
      expect(r.imageDetails?.[0]?.imageSizeInBytes).toBeGreaterThan(0);
    },
  ],
  [
    'ecr',
    'BatchDeleteImage',
    async () => {
      const r = await c.ecr.send(
        new BatchDeleteImageCommand({ repositoryName: 'team/web', imageIds: [{ imageTag: 'stable' }] }),
      );
      expect(r.imageIds).toEqual([{ imageDigest: ctx.digest, imageTag: 'stable' }]);
      expect(r.failures).toEqual([]);
    },
  ],
];

const s3Rows: Row[] = [
  [
    's3',
    'CreateBucket',
    async () => {
      const r = await c.s3.send(new CreateBucketCommand({ Bucket: 'site' }));
      expect(r.Location).toBe('/site');
    },
  ],
  [
    's3',
    'PutObject',
    async () => {
      const r = await c.s3.send(
        new PutObjectCommand({
          Bucket: 'site',
          Key: 'index.html',
          Body: '<html/>',
          ContentType: 'text/html',
          CacheControl: 'no-cache',
          Metadata: { build: '42' },
        }),
      );
      expect(r.ETag).toBe(`"${createHash('md5').update('<html/>').digest('hex')}"`);
    },
  ],
  [
    's3',
    'GetObject',
    async () => {
      const r = await c.s3.send(new GetObjectCommand({ Bucket: 'site', Key: 'index.html' }));
      expect(await r.Body?.transformToString()).toBe('<html/>');
      expect(r).toMatchObject({ ContentType: 'text/html', CacheControl: 'no-cache', Metadata: { build: '42' } });
    },
  ],
  [
    's3',
    'HeadObject',
    async () => {
      const r = await c.s3.send(new HeadObjectCommand({ Bucket: 'site', Key: 'index.html' }));
      expect(r).toMatchObject({ ContentLength: 7, ContentType: 'text/html' });
    },
  ],
  [
    's3',
    'CopyObject',
    async () => {
      await c.s3.send(
        new CopyObjectCommand({
          Bucket: 'site',
          Key: 'index.html',
          CopySource: 'site/index.html',
          MetadataDirective: 'REPLACE',
          ContentType: 'text/html; charset=utf-8',
          CacheControl: 'max-age=60',
        }),
      );
      const h = await c.s3.send(new HeadObjectCommand({ Bucket: 'site', Key: 'index.html' }));
      expect(h).toMatchObject({ ContentType: 'text/html; charset=utf-8', CacheControl: 'max-age=60', Metadata: {} });
    },
  ],
  [
    's3',
    'CreateMultipartUpload',
    async () => {
      const r = await c.s3.send(new CreateMultipartUploadCommand({ Bucket: 'site', Key: 'big.bin' }));
      ctx.uploadId = r.UploadId as string;
      expect(ctx.uploadId).toBeTruthy();
    },
  ],
  [
    's3',
    'UploadPart',
    async () => {
      const etags: string[] = [];
      for (const [n, size] of [
        [1, 5 * MiB],
        [2, 1024],
      ] as const) {
        const r = await c.s3.send(
          new UploadPartCommand({
            Bucket: 'site',
            Key: 'big.bin',
            UploadId: ctx.uploadId,
            PartNumber: n,
            Body: Buffer.alloc(size, n),
          }),
        );
        etags.push(r.ETag as string);
      }
      ctx.parts = JSON.stringify(etags);
    },
  ],
  [
    's3',
    'CompleteMultipartUpload',
    async () => {
      const etags = JSON.parse(ctx.parts as string) as string[];
      const r = await c.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'site',
          Key: 'big.bin',
          UploadId: ctx.uploadId,
          MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
        }),
      );
      const md5s = Buffer.concat(etags.map((e) => Buffer.from(e.replace(/"/g, ''), 'hex')));
      expect(r.ETag).toBe(`"${createHash('md5').update(md5s).digest('hex')}-2"`);
    },
  ],
  [
    's3',
    'AbortMultipartUpload',
    async () => {
      const u = await c.s3.send(new CreateMultipartUploadCommand({ Bucket: 'site', Key: 'abandoned.bin' }));
      const r = await c.s3.send(
        new AbortMultipartUploadCommand({ Bucket: 'site', Key: 'abandoned.bin', UploadId: u.UploadId }),
      );
      expect(r.$metadata.httpStatusCode).toBe(204);
    },
  ],
  [
    's3',
    'ListObjectsV2',
    async () => {
      await c.s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'assets/a.js', Body: 'a' }));
      await c.s3.send(new PutObjectCommand({ Bucket: 'site', Key: 'assets/b.js', Body: 'b' }));
      const r = await c.s3.send(new ListObjectsV2Command({ Bucket: 'site', Delimiter: '/' }));
      expect(r.Contents?.map((o) => o.Key)).toEqual(['big.bin', 'index.html']);
      expect(r.CommonPrefixes).toEqual([{ Prefix: 'assets/' }]);
      const page = await c.s3.send(new ListObjectsV2Command({ Bucket: 'site', Prefix: 'assets/', MaxKeys: 1 }));
      expect(page).toMatchObject({ KeyCount: 1, IsTruncated: true });
    },
  ],
  [
    's3',
    'DeleteObject',
    async () => {
      const r = await c.s3.send(new DeleteObjectCommand({ Bucket: 'site', Key: 'assets/a.js' }));
      expect(r.$metadata.httpStatusCode).toBe(204);
    },
  ],
  [
    's3',
    'DeleteObjects',
    async () => {
      const r = await c.s3.send(
        new DeleteObjectsCommand({ Bucket: 'site', Delete: { Objects: [{ Key: 'assets/b.js' }, { Key: 'big.bin' }] } }),
      );
      expect(r.Deleted?.map((d) => d.Key).sort()).toEqual(['assets/b.js', 'big.bin']);
      const left = await c.s3.send(new ListObjectsV2Command({ Bucket: 'site' }));
      expect(left.Contents?.map((o) => o.Key)).toEqual(['index.html']);
    },
  ],
];

const cloudfrontRows: Row[] = [
  [
    'cloudfront',
    'CreateDistribution',
    async () => {
      const r = await c.cf.send(
        new CreateDistributionCommand({
          DistributionConfig: {
            CallerReference: 'ops-1',
            Comment: 'spa',
            Enabled: true,
            DefaultRootObject: 'index.html',
            Origins: { Quantity: 1, Items: [{ Id: 's3-site', DomainName: 'site.s3.amazonaws.com' }] },
            DefaultCacheBehavior: { TargetOriginId: 's3-site', ViewerProtocolPolicy: 'redirect-to-https' },
          },
        }),
      );
      ctx.distribution = r.Distribution?.Id as string;
      expect(ctx.distribution).toMatch(/^E[A-Z0-9]{13}$/);
      expect(r.Distribution?.Status).toBe('InProgress');
    },
  ],
  [
    'cloudfront',
    'GetDistribution',
    async () => {
      const r = await c.cf.send(new GetDistributionCommand({ Id: ctx.distribution }));
      expect(r.ETag).toBeTruthy();
      expect(r.Distribution?.DistributionConfig?.Comment).toBe('spa');
    },
  ],
  [
    'cloudfront',
    'ListDistributions',
    async () => {
      const r = await c.cf.send(new ListDistributionsCommand({}));
      expect(r.DistributionList?.Items?.map((d) => d.Id)).toEqual([ctx.distribution]);
    },
  ],
  [
    'cloudfront',
    'CreateInvalidation',
    async () => {
      const batch = { CallerReference: 'deploy-1', Paths: { Quantity: 2, Items: ['/index.html', '/assets/*'] } };
      const r = await c.cf.send(
        new CreateInvalidationCommand({ DistributionId: ctx.distribution, InvalidationBatch: batch }),
      );
      ctx.invalidation = r.Invalidation?.Id as string;
      expect(r.Invalidation?.Status).toBe('InProgress');
      // same CallerReference and paths: the same invalidation, not a new one
      const again = await c.cf.send(
        new CreateInvalidationCommand({ DistributionId: ctx.distribution, InvalidationBatch: batch }),
      );
      expect(again.Invalidation?.Id).toBe(ctx.invalidation);
    },
  ],
  [
    'cloudfront',
    'GetInvalidation',
    async () => {
      await emu.control.advance(61);
      const r = await c.cf.send(new GetInvalidationCommand({ DistributionId: ctx.distribution, Id: ctx.invalidation }));
      expect(r.Invalidation?.Status).toBe('Completed');
    },
  ],
  [
    'cloudfront',
    'ListInvalidations',
    async () => {
      const r = await c.cf.send(new ListInvalidationsCommand({ DistributionId: ctx.distribution }));
      expect(r.InvalidationList?.Items?.map((i) => [i.Id, i.Status])).toEqual([[ctx.invalidation, 'Completed']]);
    },
  ],
];

const logsRows: Row[] = [
  [
    'logs',
    'CreateLogGroup',
    async () => {
      await c.logs.send(new CreateLogGroupCommand({ logGroupName: '/ops/app' }));
    },
  ],
  [
    'logs',
    'CreateLogStream',
    async () => {
      await c.logs.send(new CreateLogStreamCommand({ logGroupName: '/ops/app', logStreamName: 'a' }));
      await c.logs.send(new CreateLogStreamCommand({ logGroupName: '/ops/app', logStreamName: 'b' }));
    },
  ],
  [
    'logs',
    'PutLogEvents',
    async () => {
      const now = (await emu.control.advance(0)).nowMs;
      for (const [stream, messages] of [
        ['a', ['one', 'ERROR two']],
        ['b', ['three']],
      ] as const) {
        const r = await c.logs.send(
          new PutLogEventsCommand({
            logGroupName: '/ops/app',
            logStreamName: stream,
            logEvents: messages.map((message, i) => ({ timestamp: now + i * 10, message })),
          }),
        );
        expect(r.rejectedLogEventsInfo).toBeUndefined();
      }
    },
  ],
  [
    'logs',
    'GetLogEvents',
    async () => {
      const first = await c.logs.send(
        new GetLogEventsCommand({ logGroupName: '/ops/app', logStreamName: 'a', startFromHead: true }),
      );
      expect(first.events?.map((e) => e.message)).toEqual(['one', 'ERROR two']);
      const next = await c.logs.send(
        new GetLogEventsCommand({ logGroupName: '/ops/app', logStreamName: 'a', nextToken: first.nextForwardToken }),
      );
      expect(next.events).toEqual([]);
      expect(next.nextForwardToken).toBe(first.nextForwardToken); // end of stream: the same token again
    },
  ],
  [
    'logs',
    'FilterLogEvents',
    async () => {
      const all = await c.logs.send(new FilterLogEventsCommand({ logGroupName: '/ops/app' }));
      expect(all.events?.map((e) => [e.logStreamName, e.message])).toEqual([
        ['a', 'one'],
        ['b', 'three'],
        ['a', 'ERROR two'],
      ]);
      const errors = await c.logs.send(
        new FilterLogEventsCommand({ logGroupName: '/ops/app', filterPattern: 'ERROR' }),
      );
      expect(errors.events?.map((e) => e.message)).toEqual(['ERROR two']);
    },
  ],
];

const otherRows: Row[] = [
  [
    'sts',
    'GetCallerIdentity',
    async () => {
      const r = await c.sts.send(new GetCallerIdentityCommand({}));
      expect(r.Account).toBe('000000000000');
      expect(r.Arn).toMatch(/^arn:aws:sts::000000000000:assumed-role\//);
    },
  ],
  [
    'secretsmanager',
    'DescribeSecret',
    async () => {
      const r = await c.sm.send(new DescribeSecretCommand({ SecretId: 'prod/db' }));
      expect(r.Name).toBe('prod/db');
      expect(Object.values(r.VersionIdsToStages ?? {})).toEqual([['AWSCURRENT']]);
    },
  ],
  [
    'secretsmanager',
    'GetSecretValue',
    async () => {
      const r = await c.sm.send(new GetSecretValueCommand({ SecretId: 'prod/db' }));
      expect(JSON.parse(r.SecretString ?? '{}')).toEqual({ username: 'app', password: 's3cret' });
    },
  ],
];

describe.each([
  ['ECS', ecsRows],
  ['ELBv2', elbRows],
  ['ECR', ecrRows],
  ['S3', s3Rows],
  ['CloudFront', cloudfrontRows],
  ['CloudWatch Logs', logsRows],
  ['STS and Secrets Manager', otherRows],
] as const)('%s', (_name, rows) => {
  test.each(rows)('%s %s', async (_service, _operation, run) => {
    await run();
  });
});

test('every operation of the issue was called and answered 2xx (request log audit)', async () => {
  const log = await emu.control.requests();
  const missing: string[] = [];
  for (const [service, operations] of Object.entries(ISSUE_OPERATIONS)) {
    for (const operation of operations) {
      const calls = log.filter((e) => e.service === service && e.operation === operation);
      if (!calls.some((e) => e.status >= 200 && e.status < 300)) missing.push(`${service} ${operation}`);
    }
  }
  expect(missing).toEqual([]);
  expect(log.filter((e) => e.status >= 300).map((e) => `${e.operation} ${e.status}`)).toEqual([]);
});
