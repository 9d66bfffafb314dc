// A read-only view of the emulator's AWS state through the SDK at default settings, for the expected end states of
// the scenarios and for the app host: services and the revisions they run, ECR tags, the SPA's objects and release
// records, CloudFront invalidations.
import { CloudFrontClient, GetInvalidationCommand, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  type ContainerDefinition,
  type Deployment,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
} from '@aws-sdk/client-ecs';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

export interface ServiceView {
  status: string;
  taskDefinitionArn: string;
  /** `family:revision` of the service's task definition. */
  revision: string;
  family: string;
  revisionNumber: number;
  desiredCount: number;
  runningCount: number;
  deployments: Deployment[];
  primary: Deployment | undefined;
  containers: ContainerDefinition[];
  /** Tags of the running revision (known-good markers). */
  tags: Record<string, string>;
}

export interface SpaView {
  keys: string[];
  /** Release ids, newest record first (what sync-spa-cloudfront writes under .deploy-actions/releases/). */
  releases: string[];
  live: string | undefined;
  indexHtml: string | undefined;
}

export interface Invalidation {
  id: string;
  paths: string[];
}

const CREDENTIALS = { accessKeyId: 'scenario-probe', secretAccessKey: 'scenario-probe' };

export class Probe {
  private readonly clients = new Map<string, unknown>();

  constructor(readonly endpoint: string) {}

  private client<T>(kind: string, region: string, make: () => T): T {
    const key = `${kind}:${region}`;
    if (!this.clients.has(key)) this.clients.set(key, make());
    return this.clients.get(key) as T;
  }

  private config(region: string) {
    return { endpoint: this.endpoint, region, credentials: CREDENTIALS };
  }

  ecs(region: string): ECSClient {
    return this.client('ecs', region, () => new ECSClient(this.config(region)));
  }
  ecr(region: string): ECRClient {
    return this.client('ecr', region, () => new ECRClient(this.config(region)));
  }
  s3(region: string): S3Client {
    return this.client('s3', region, () => new S3Client({ ...this.config(region), forcePathStyle: true }));
  }
  cloudfront(): CloudFrontClient {
    return this.client('cloudfront', 'us-east-1', () => new CloudFrontClient(this.config('us-east-1')));
  }

  async service(region: string, cluster: string, name: string): Promise<ServiceView | undefined> {
    const out = await this.ecs(region).send(new DescribeServicesCommand({ cluster, services: [name] }));
    const svc = out.services?.[0];
    if (!svc?.taskDefinition) return undefined;
    const td = await this.ecs(region).send(
      new DescribeTaskDefinitionCommand({ taskDefinition: svc.taskDefinition, include: ['TAGS'] }),
    );
    const family = td.taskDefinition?.family ?? '';
    const revisionNumber = td.taskDefinition?.revision ?? 0;
    return {
      status: svc.status ?? '',
      taskDefinitionArn: svc.taskDefinition,
      revision: `${family}:${revisionNumber}`,
      family,
      revisionNumber,
      desiredCount: svc.desiredCount ?? 0,
      runningCount: svc.runningCount ?? 0,
      deployments: svc.deployments ?? [],
      primary: svc.deployments?.find((d) => d.status === 'PRIMARY'),
      containers: td.taskDefinition?.containerDefinitions ?? [],
      tags: Object.fromEntries((td.tags ?? []).map((t) => [t.key ?? '', t.value ?? ''])),
    };
  }

  /** `family:revision` or ARN → its containers and tags. */
  async taskDefinition(region: string, ref: string) {
    const td = await this.ecs(region).send(
      new DescribeTaskDefinitionCommand({ taskDefinition: ref, include: ['TAGS'] }),
    );
    return {
      containers: td.taskDefinition?.containerDefinitions ?? [],
      tags: Object.fromEntries((td.tags ?? []).map((t) => [t.key ?? '', t.value ?? ''])),
    };
  }

  async imageDigest(region: string, repository: string, tag: string): Promise<string | undefined> {
    try {
      const out = await this.ecr(region).send(
        new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }),
      );
      return out.imageDetails?.[0]?.imageDigest;
    } catch (err) {
      if ((err as { name?: string }).name === 'ImageNotFoundException') return undefined;
      throw err;
    }
  }

  /** Every tag of a repository → its digest. */
  async ecrTags(region: string, repository: string): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    let nextToken: string | undefined;
    do {
      const out = await this.ecr(region).send(new DescribeImagesCommand({ repositoryName: repository, nextToken }));
      for (const d of out.imageDetails ?? []) for (const t of d.imageTags ?? []) tags[t] = d.imageDigest ?? '';
      nextToken = out.nextToken;
    } while (nextToken);
    return tags;
  }

  async spa(region: string, bucket: string, prefix = ''): Promise<SpaView> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.s3(region).send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = out.NextContinuationToken;
    } while (token);
    const dir = `${prefix ? `${prefix.replace(/\/$/, '')}/` : ''}.deploy-actions/releases/`;
    const releases = keys
      .filter((k) => k.startsWith(dir))
      .map((k) => /^(\d{8}T\d{9}Z)_(.+)\.json$/.exec(k.slice(dir.length)))
      .filter((m): m is RegExpExecArray => m !== null)
      .sort((a, b) => (b[1] ?? '').localeCompare(a[1] ?? ''))
      .map((m) => m[2] ?? '');
    const indexKey = `${prefix ? `${prefix.replace(/\/$/, '')}/` : ''}index.html`;
    const indexHtml = keys.includes(indexKey)
      ? await (
          await this.s3(region).send(new GetObjectCommand({ Bucket: bucket, Key: indexKey }))
        ).Body?.transformToString()
      : undefined;
    return { keys: keys.sort(), releases, live: releases[0], indexHtml };
  }

  async invalidations(distributionId: string): Promise<Invalidation[]> {
    const cf = this.cloudfront();
    const list = await cf.send(new ListInvalidationsCommand({ DistributionId: distributionId }));
    const out: Invalidation[] = [];
    for (const item of list.InvalidationList?.Items ?? []) {
      const inv = await cf.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: item.Id }));
      out.push({ id: item.Id ?? '', paths: inv.Invalidation?.InvalidationBatch?.Paths?.Items ?? [] });
    }
    return out;
  }

  destroy(): void {
    for (const c of this.clients.values()) (c as { destroy(): void }).destroy();
    this.clients.clear();
  }
}
