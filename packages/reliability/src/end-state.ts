// The AWS end state of a run, read from the emulator with SDK clients at default settings (faults off): what a
// faulted run must leave exactly as the fault-free baseline does.
import { CloudFrontClient, ListDistributionsCommand, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { HeadObjectCommand, ListBucketsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { sdkClientConfig } from '@deploy-actions/aws-emulator';

export interface EndState {
  /** `cluster/service` → the revision it runs (family:revision) and its desired count. */
  services: Record<string, { taskDefinition: string; desiredCount: number }>;
  /** family → ACTIVE revisions, each with the deploy-actions tags that are not timestamps (known-good: present). */
  revisions: Record<string, Array<{ revision: string; status: string; knownGood: boolean; version?: string }>>;
  /** `cluster` → one-off tasks still desired RUNNING (a migration left running would show here). */
  runningOneOffTasks: Record<string, number>;
  /** `bucket/key` → ETag, Content-Type, Cache-Control. */
  objects: Record<string, { etag: string; contentType: string; cacheControl: string }>;
  /** `repository` → image digests with their sorted tags. */
  images: Record<string, Array<{ digest: string; tags: string[] }>>;
  /** distribution id → invalidations created (count). */
  invalidations: Record<string, number>;
}

const short = (arn: string | undefined) => arn?.replace(/^.*task-definition\//, '') ?? '';

export async function readEndState(url: string, region = 'us-east-1'): Promise<EndState> {
  const config = sdkClientConfig(url, region);
  const ecs = new ECSClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const ecr = new ECRClient(config);
  const cloudfront = new CloudFrontClient(config);
  try {
    const [ecsState, objects, images, invalidations] = await Promise.all([
      readEcs(ecs),
      readObjects(s3),
      readImages(ecr),
      readInvalidations(cloudfront),
    ]);
    return { ...ecsState, objects, images, invalidations };
  } finally {
    for (const c of [ecs, s3, ecr, cloudfront]) c.destroy();
  }
}

async function readEcs(ecs: ECSClient): Promise<Pick<EndState, 'services' | 'revisions' | 'runningOneOffTasks'>> {
  const services: EndState['services'] = {};
  const runningOneOffTasks: EndState['runningOneOffTasks'] = {};
  const clusters = (await ecs.send(new ListClustersCommand({}))).clusterArns ?? [];
  for (const clusterArn of clusters) {
    const cluster = clusterArn.split('/').pop()!;
    const names = (await ecs.send(new ListServicesCommand({ cluster, maxResults: 100 }))).serviceArns ?? [];
    for (let i = 0; i < names.length; i += 10) {
      const out = await ecs.send(new DescribeServicesCommand({ cluster, services: names.slice(i, i + 10) }));
      for (const s of out.services ?? []) {
        services[`${cluster}/${s.serviceName}`] = {
          taskDefinition: short(s.taskDefinition),
          desiredCount: s.desiredCount ?? 0,
        };
      }
    }
    const tasks = (await ecs.send(new ListTasksCommand({ cluster, desiredStatus: 'RUNNING' }))).taskArns ?? [];
    let oneOff = 0;
    for (let i = 0; i < tasks.length; i += 100) {
      const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: tasks.slice(i, i + 100) }));
      oneOff += (out.tasks ?? []).filter((t) => !t.group?.startsWith('service:')).length;
    }
    runningOneOffTasks[cluster] = oneOff;
  }
  const revisions: EndState['revisions'] = {};
  const families = (await ecs.send(new ListTaskDefinitionFamiliesCommand({ status: 'ALL' }))).families ?? [];
  for (const family of families) {
    const list: EndState['revisions'][string] = [];
    for (const status of ['ACTIVE', 'INACTIVE'] as const) {
      const arns = (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status, sort: 'ASC' })))
        .taskDefinitionArns;
      for (const arn of arns ?? []) {
        const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
        const tags = Object.fromEntries((out.tags ?? []).map((t) => [t.key, t.value]));
        list.push({
          revision: short(arn),
          status,
          knownGood: tags['deploy-actions:known-good'] !== undefined,
          ...(tags['deploy-actions:version'] ? { version: tags['deploy-actions:version'] } : {}),
        });
      }
    }
    revisions[family] = list;
  }
  return { services, revisions, runningOneOffTasks };
}

async function readObjects(s3: S3Client): Promise<EndState['objects']> {
  const objects: EndState['objects'] = {};
  for (const bucket of (await s3.send(new ListBucketsCommand({}))).Buckets ?? []) {
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket.Name, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        const head = await s3.send(new HeadObjectCommand({ Bucket: bucket.Name, Key: o.Key }));
        objects[`${bucket.Name}/${o.Key}`] = {
          etag: head.ETag ?? '',
          contentType: head.ContentType ?? '',
          cacheControl: head.CacheControl ?? '',
        };
      }
      token = page.NextContinuationToken;
    } while (token);
  }
  return objects;
}

async function readImages(ecr: ECRClient): Promise<EndState['images']> {
  const images: EndState['images'] = {};
  for (const repo of (await ecr.send(new DescribeRepositoriesCommand({}))).repositories ?? []) {
    const out = await ecr.send(new DescribeImagesCommand({ repositoryName: repo.repositoryName }));
    images[repo.repositoryName!] = (out.imageDetails ?? [])
      .map((d) => ({ digest: d.imageDigest ?? '', tags: [...(d.imageTags ?? [])].sort() }))
      .sort((a, b) => a.digest.localeCompare(b.digest));
  }
  return images;
}

async function readInvalidations(cloudfront: CloudFrontClient): Promise<EndState['invalidations']> {
  const out: EndState['invalidations'] = {};
  const list = await cloudfront.send(new ListDistributionsCommand({}));
  for (const d of list.DistributionList?.Items ?? []) {
    const inv = await cloudfront.send(new ListInvalidationsCommand({ DistributionId: d.Id }));
    out[d.Id!] = inv.InvalidationList?.Quantity ?? 0;
  }
  return out;
}
