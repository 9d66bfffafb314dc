// ECR control plane conformance: SDK v3 ECRClient at default settings and the real AWS CLI v2.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  ListImagesCommand,
  ListTagsForResourceCommand,
  PutImageCommand,
  PutImageTagMutabilityCommand,
  paginateDescribeImages,
  paginateDescribeRepositories,
} from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { awsCliEnv, EmulatorControl, peerTool, startEmulator, useEmulator } from '../src/index.ts';
import { createEcrStore, isTagImmutable, type TagMutability } from '../src/services/ecr-store.ts';

const run = promisify(execFile);
const AWS_CLI = '/usr/bin/aws';

const emu = useEmulator();
let ecr: ECRClient;

const sha256 = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

async function errorOf(
  p: Promise<unknown>,
): Promise<Error & { name: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { name: string };
  }
  throw new Error('expected the call to fail');
}

async function manifestOf(
  repositoryName: string,
  imageTag: string,
): Promise<{ manifest: string; digest: string; mediaType: string }> {
  const out = await ecr.send(new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag }] }));
  const image = out.images?.[0];
  if (!image?.imageManifest || !image.imageId?.imageDigest) throw new Error(`no image ${repositoryName}:${imageTag}`);
  return {
    manifest: image.imageManifest,
    digest: image.imageId.imageDigest,
    mediaType: image.imageManifestMediaType ?? '',
  };
}

beforeAll(async () => {
  await emu.start();
  // Default client settings: only endpoint, region and static credentials.
  ecr = new ECRClient(emu.clientConfig);
});

afterAll(async () => {
  ecr?.destroy();
  await emu.stop();
});

beforeEach(emu.reset);

describe('GetAuthorizationToken', () => {
  test('returns base64("AWS:<password>"), 12 h expiry and the emulator as proxyEndpoint', async () => {
    const before = Date.now();
    const out = await ecr.send(new GetAuthorizationTokenCommand({}));
    const data = out.authorizationData?.[0];
    expect(data?.proxyEndpoint).toBe(emu.url);
    const decoded = Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8');
    expect(decoded).toMatch(/^AWS:.{40,}$/);
    const expiresIn = (data?.expiresAt?.getTime() ?? 0) - before;
    expect(expiresIn).toBeGreaterThan(11.9 * 3600_000);
    expect(expiresIn).toBeLessThan(12.5 * 3600_000 + 60_000 * emu.runtime.clock.timeScale);
  });
});

describe('repositories', () => {
  test('CreateRepository returns ARN, registry id, emulator-host URI and MUTABLE by default', async () => {
    const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/web-app' }));
    const host = new URL(emu.url).host;
    expect(repository).toMatchObject({
      repositoryArn: 'arn:aws:ecr:us-east-1:000000000000:repository/team/web-app',
      registryId: '000000000000',
      repositoryName: 'team/web-app',
      repositoryUri: `${host}/team/web-app`,
      imageTagMutability: 'MUTABLE',
    });
    expect(repository?.createdAt).toBeInstanceOf(Date);
  });

  test('duplicate name → RepositoryAlreadyExistsException; bad name → InvalidParameterException', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'app' }));
    const dup = await errorOf(ecr.send(new CreateRepositoryCommand({ repositoryName: 'app' })));
    expect(dup.name).toBe('RepositoryAlreadyExistsException');
    expect(dup.message).toBe("The repository with name 'app' already exists in the registry with id '000000000000'");
    expect(dup.$metadata?.httpStatusCode).toBe(400);
    const bad = await errorOf(ecr.send(new CreateRepositoryCommand({ repositoryName: 'Bad_Name/' })));
    expect(bad.name).toBe('InvalidParameterException');
  });

  test.each([
    ['IMMUTABLE_WITH_EXCLUSION', [{ filterType: 'WILDCARD' as const, filter: 'latest' }]],
    ['MUTABLE_WITH_EXCLUSION', [{ filterType: 'WILDCARD' as const, filter: 'release-*' }]],
  ] as const)('tag mutability %s with exclusion filters round-trips', async (mutability, filters) => {
    await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: 'excl',
        imageTagMutability: mutability,
        imageTagMutabilityExclusionFilters: [...filters],
      }),
    );
    const out = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['excl'] }));
    expect(out.repositories?.[0]?.imageTagMutability).toBe(mutability);
    expect(out.repositories?.[0]?.imageTagMutabilityExclusionFilters).toEqual(filters);
  });

  test('exclusion filters without a *_WITH_EXCLUSION mode are rejected', async () => {
    const err = await errorOf(
      ecr.send(
        new CreateRepositoryCommand({
          repositoryName: 'x1',
          imageTagMutability: 'IMMUTABLE',
          imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }],
        }),
      ),
    );
    expect(err.name).toBe('InvalidParameterException');
  });

  test('DescribeRepositories: by name, RepositoryNotFoundException, pagination', async () => {
    for (const n of ['r1', 'r2', 'r3', 'r4', 'r5']) await ecr.send(new CreateRepositoryCommand({ repositoryName: n }));
    const missing = await errorOf(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['r1', 'nope'] })));
    expect(missing.name).toBe('RepositoryNotFoundException');
    expect(missing.message).toBe(
      "The repository with name 'nope' does not exist in the registry with id '000000000000'",
    );
    const names: string[] = [];
    let pages = 0;
    for await (const p of paginateDescribeRepositories({ client: ecr, pageSize: 2 }, {})) {
      pages++;
      names.push(...(p.repositories ?? []).map((r) => r.repositoryName ?? ''));
    }
    expect(pages).toBe(3);
    expect(names).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
  });

  test('DeleteRepository refuses a non-empty repository unless force', async () => {
    await emu.control.seed({ repositories: [{ name: 'full', images: [{ tag: 'v1' }] }] });
    const err = await errorOf(ecr.send(new DeleteRepositoryCommand({ repositoryName: 'full' })));
    expect(err.name).toBe('RepositoryNotEmptyException');
    const out = await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'full', force: true }));
    expect(out.repository?.repositoryName).toBe('full');
    const gone = await errorOf(ecr.send(new DescribeImagesCommand({ repositoryName: 'full' })));
    expect(gone.name).toBe('RepositoryNotFoundException');
  });

  test('PutImageTagMutability and ListTagsForResource', async () => {
    const { repository } = await ecr.send(
      new CreateRepositoryCommand({ repositoryName: 'tagged', tags: [{ Key: 'team', Value: 'web' }] }),
    );
    const out = await ecr.send(
      new PutImageTagMutabilityCommand({ repositoryName: 'tagged', imageTagMutability: 'IMMUTABLE' }),
    );
    expect(out.imageTagMutability).toBe('IMMUTABLE');
    const tags = await ecr.send(new ListTagsForResourceCommand({ resourceArn: repository?.repositoryArn }));
    expect(tags.tags).toEqual([{ Key: 'team', Value: 'web' }]);
  });
});

describe('images', () => {
  beforeEach(async () => {
    await emu.control.seed({ repositories: [{ name: 'app', images: [{ tag: 'v1' }, { tags: ['v2', 'latest'] }] }] });
  });

  test('seeded images are real: DescribeImages digest = sha256 of the BatchGetImage manifest, size = config + layers', async () => {
    const { manifest, digest, mediaType } = await manifestOf('app', 'v1');
    expect(digest).toBe(sha256(manifest));
    expect(mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    const doc = JSON.parse(manifest) as { config: { size: number }; layers: Array<{ size: number }> };
    const out = await ecr.send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }] }));
    expect(out.imageDetails).toHaveLength(1);
    expect(out.imageDetails?.[0]).toMatchObject({
      registryId: '000000000000',
      repositoryName: 'app',
      imageDigest: digest,
      imageTags: ['v1'],
      imageSizeInBytes: doc.config.size + doc.layers.reduce((s, l) => s + l.size, 0),
      imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      artifactMediaType: 'application/vnd.docker.container.image.v1+json',
    });
    expect(out.imageDetails?.[0]?.imagePushedAt).toBeInstanceOf(Date);
  });

  test('seeding is deterministic: the same fixture gives the same digest in another emulator', async () => {
    const other = await startEmulator({ port: 0 });
    try {
      await new EmulatorControl(other.url).seed({ repositories: [{ name: 'app', images: [{ tag: 'v1' }] }] });
      const client = new ECRClient({
        endpoint: other.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      });
      const theirs = await client.send(new DescribeImagesCommand({ repositoryName: 'app' }));
      client.destroy();
      expect(theirs.imageDetails?.[0]?.imageDigest).toBe((await manifestOf('app', 'v1')).digest);
    } finally {
      await other.stop();
    }
  });

  test('DescribeImages: by digest, unknown ids → ImageNotFoundException with ECR message', async () => {
    const { digest } = await manifestOf('app', 'latest');
    const byDigest = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageDigest: digest }] }),
    );
    expect(byDigest.imageDetails?.[0]?.imageTags?.sort()).toEqual(['latest', 'v2']);
    const err = await errorOf(
      ecr.send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v9' }] })),
    );
    expect(err.name).toBe('ImageNotFoundException');
    expect(err.message).toBe(
      "The image with imageId {imageDigest:'null', imageTag:'v9'} does not exist within the repository with name 'app' in the registry with id '000000000000'",
    );
  });

  test('PutImage retag: same digest, new tag visible everywhere; re-put → ImageAlreadyExistsException exactly as ECR', async () => {
    const { manifest, digest, mediaType } = await manifestOf('app', 'v1');
    const put = await ecr.send(
      new PutImageCommand({ repositoryName: 'app', imageManifest: manifest, imageTag: 'prod' }),
    );
    expect(put.image?.imageId).toEqual({ imageDigest: digest, imageTag: 'prod' });
    expect(put.image?.imageManifestMediaType).toBe(mediaType);
    const again = await errorOf(
      ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: manifest, imageTag: 'prod' })),
    );
    expect(again.name).toBe('ImageAlreadyExistsException');
    expect(again.message).toBe(
      `Image with digest '${digest}' and tag 'prod' already exists in the repository with name 'app' in the registry with id '000000000000'`,
    );
    const listed = await ecr.send(new ListImagesCommand({ repositoryName: 'app', filter: { tagStatus: 'TAGGED' } }));
    expect(listed.imageIds).toContainEqual({ imageDigest: digest, imageTag: 'prod' });
  });

  test('PutImage moving a tag leaves the old image untagged (tagStatus filters)', async () => {
    const v1 = await manifestOf('app', 'v1');
    const latest = await manifestOf('app', 'latest');
    await ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: v1.manifest, imageTag: 'v2' }));
    await ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: v1.manifest, imageTag: 'latest' }));
    const untagged = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'app', filter: { tagStatus: 'UNTAGGED' } }),
    );
    expect(untagged.imageDetails?.map((d) => d.imageDigest)).toEqual([latest.digest]);
    expect(untagged.imageDetails?.[0]?.imageTags).toBeUndefined();
    const list = await ecr.send(new ListImagesCommand({ repositoryName: 'app', filter: { tagStatus: 'UNTAGGED' } }));
    expect(list.imageIds).toEqual([{ imageDigest: latest.digest }]);
  });

  test('PutImage with imageDigest that does not match the manifest → ImageDigestDoesNotMatchException', async () => {
    const { manifest } = await manifestOf('app', 'v1');
    const err = await errorOf(
      ecr.send(
        new PutImageCommand({
          repositoryName: 'app',
          imageManifest: manifest,
          imageTag: 'x',
          imageDigest: sha256('other'),
        }),
      ),
    );
    expect(err.name).toBe('ImageDigestDoesNotMatchException');
  });

  test('PutImage referencing layers the repository lacks → LayersNotFoundException', async () => {
    const { manifest } = await manifestOf('app', 'v1');
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'empty' }));
    const err = await errorOf(
      ecr.send(new PutImageCommand({ repositoryName: 'empty', imageManifest: manifest, imageTag: 'v1' })),
    );
    expect(err.name).toBe('LayersNotFoundException');
    expect(err.message).toContain("required for pushing image into repository with name 'empty'");
  });

  test('OCI manifest without top-level mediaType needs imageManifestMediaType (containers-roadmap#1873)', async () => {
    const { manifest } = await manifestOf('app', 'v1');
    const doc = JSON.parse(manifest) as Record<string, unknown> & {
      config: { mediaType: string };
      layers: Array<{ mediaType: string }>;
    };
    delete doc.mediaType;
    doc.config.mediaType = 'application/vnd.oci.image.config.v1+json';
    for (const l of doc.layers) l.mediaType = 'application/vnd.oci.image.layer.v1.tar+gzip';
    const oci = JSON.stringify(doc, null, 2);
    const err = await errorOf(
      ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: oci, imageTag: 'oci' })),
    );
    expect(err.name).toBe('InvalidParameterException');
    expect(err.message).toBe(
      "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'",
    );
    const ok = await ecr.send(
      new PutImageCommand({
        repositoryName: 'app',
        imageManifest: oci,
        imageTag: 'oci',
        imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      }),
    );
    expect(ok.image?.imageId?.imageDigest).toBe(sha256(oci));
    const described = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'oci' }] }),
    );
    expect(described.imageDetails?.[0]).toMatchObject({
      imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactMediaType: 'application/vnd.oci.image.config.v1+json',
    });
  });

  test('immutable repository: moving a tag → ImageTagAlreadyExistsException; excluded tags stay mutable', async () => {
    await emu.control.seed({
      repositories: [
        {
          name: 'locked',
          imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
          imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest*' }],
          images: [{ tags: ['v1', 'latest'] }, { tag: 'v2' }],
        },
      ],
    });
    const v2 = await manifestOf('locked', 'v2');
    const err = await errorOf(
      ecr.send(new PutImageCommand({ repositoryName: 'locked', imageManifest: v2.manifest, imageTag: 'v1' })),
    );
    expect(err.name).toBe('ImageTagAlreadyExistsException');
    expect(err.message).toBe(
      "The image tag 'v1' already exists in the 'locked' repository and cannot be overwritten because the repository is immutable.",
    );
    const moved = await ecr.send(
      new PutImageCommand({ repositoryName: 'locked', imageManifest: v2.manifest, imageTag: 'latest' }),
    );
    expect(moved.image?.imageId?.imageDigest).toBe(v2.digest);
  });

  test('image index: children must exist (ReferencedImagesNotFoundException); size is the largest child', async () => {
    const v1 = await manifestOf('app', 'v1');
    const index = (digests: string[]) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: digests.map((d) => ({
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          digest: d,
          size: 100,
          platform: { architecture: 'amd64', os: 'linux' },
        })),
      });
    const missing = await errorOf(
      ecr.send(
        new PutImageCommand({ repositoryName: 'app', imageManifest: index([sha256('nope')]), imageTag: 'multi' }),
      ),
    );
    expect(missing.name).toBe('ReferencedImagesNotFoundException');
    const put = await ecr.send(
      new PutImageCommand({ repositoryName: 'app', imageManifest: index([v1.digest]), imageTag: 'multi' }),
    );
    const detail = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'multi' }] }),
    );
    const child = await ecr.send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'v1' }] }));
    expect(detail.imageDetails?.[0]?.imageDigest).toBe(put.image?.imageId?.imageDigest);
    expect(detail.imageDetails?.[0]?.imageSizeInBytes).toBe(child.imageDetails?.[0]?.imageSizeInBytes);
    expect(detail.imageDetails?.[0]?.imageManifestMediaType).toBe('application/vnd.oci.image.index.v1+json');
    const del = await ecr.send(
      new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: [{ imageDigest: v1.digest }] }),
    );
    expect(del.failures?.[0]?.failureCode).toBe('ImageReferencedByManifestList');
  });

  test('BatchGetImage reports ImageNotFound and ImageTagDoesNotMatchDigest failures', async () => {
    const v1 = await manifestOf('app', 'v1');
    const latest = await manifestOf('app', 'latest');
    const out = await ecr.send(
      new BatchGetImageCommand({
        repositoryName: 'app',
        imageIds: [
          { imageTag: 'v1' },
          { imageTag: 'gone' },
          { imageTag: 'v1', imageDigest: latest.digest },
          { imageDigest: v1.digest },
        ],
      }),
    );
    expect(out.images?.map((i) => i.imageId)).toEqual([
      { imageDigest: v1.digest, imageTag: 'v1' },
      { imageDigest: v1.digest },
    ]);
    expect(out.failures?.map((f) => f.failureCode)).toEqual(['ImageNotFound', 'ImageTagDoesNotMatchDigest']);
    expect(out.failures?.[0]).toMatchObject({
      imageId: { imageTag: 'gone' },
      failureReason: 'Requested image not found',
    });
  });

  test('BatchDeleteImage: a tag of a multi-tagged image only untags; by digest deletes; missing → failure', async () => {
    const latest = await manifestOf('app', 'latest');
    const v1 = await manifestOf('app', 'v1');
    const untag = await ecr.send(
      new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: [{ imageTag: 'latest' }] }),
    );
    expect(untag.imageIds).toEqual([{ imageDigest: latest.digest, imageTag: 'latest' }]);
    expect((await manifestOf('app', 'v2')).digest).toBe(latest.digest);
    const del = await ecr.send(
      new BatchDeleteImageCommand({
        repositoryName: 'app',
        imageIds: [{ imageDigest: v1.digest }, { imageTag: 'nope' }],
      }),
    );
    expect(del.imageIds).toEqual([{ imageDigest: v1.digest, imageTag: 'v1' }]);
    expect(del.failures).toEqual([
      { imageId: { imageTag: 'nope' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' },
    ]);
    const left = await ecr.send(new DescribeImagesCommand({ repositoryName: 'app' }));
    expect(left.imageDetails?.map((d) => d.imageDigest)).toEqual([latest.digest]);
  });

  test('DescribeImages paginates with maxResults/nextToken; imageIds with maxResults is rejected', async () => {
    await emu.control.seed({
      repositories: [{ name: 'many', images: ['a', 'b', 'c', 'd', 'e'].map((tag) => ({ tag })) }],
    });
    const seen: string[] = [];
    let pages = 0;
    for await (const p of paginateDescribeImages({ client: ecr, pageSize: 2 }, { repositoryName: 'many' })) {
      pages++;
      seen.push(...(p.imageDetails ?? []).flatMap((d) => d.imageTags ?? []));
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
    const err = await errorOf(
      ecr.send(new DescribeImagesCommand({ repositoryName: 'many', imageIds: [{ imageTag: 'a' }], maxResults: 2 })),
    );
    expect(err.name).toBe('InvalidParameterException');
  });
});

describe('wire behaviour', () => {
  test('throttling fault → ThrottlingException (400 JSON); the SDK retries it', async () => {
    const raw = async () => {
      const res = await fetch(emu.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRepositories',
        },
        body: '{}',
      });
      return { status: res.status, body: await res.json() };
    };
    await emu.control.faults({ seed: 7, throttle: 1, services: ['ecr'] });
    expect(await raw()).toEqual({ status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } });
    await emu.control.faults({ seed: 3, throttle: 0.3, services: ['ecr'] });
    await emu.control.clearRequests();
    for (let i = 0; i < 4; i++) await ecr.send(new DescribeRepositoriesCommand({}));
    const log = await emu.control.requests();
    expect(log.filter((e) => e.operation === 'DescribeRepositories').length).toBeGreaterThan(4);
    await emu.control.faults({ seed: 1, throttle: 0 });
  });

  test('request log marks PutImage/CreateRepository mutating and reads as not mutating', async () => {
    await emu.control.seed({ repositories: [{ name: 'app', images: [{ tag: 'v1' }] }] });
    const { manifest } = await manifestOf('app', 'v1');
    await ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: manifest, imageTag: 'v9' }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'other' }));
    await ecr.send(new GetAuthorizationTokenCommand({}));
    const log = await emu.control.requests();
    const byOp = Object.fromEntries(log.filter((e) => e.service === 'ecr').map((e) => [e.operation, e.mutating]));
    expect(byOp).toEqual({
      BatchGetImage: false,
      PutImage: true,
      CreateRepository: true,
      GetAuthorizationToken: false,
    });
  });
});

const awsCli = peerTool('aws');

describe.skipIf(awsCli.skip)(awsCli.title('AWS CLI v2'), () => {
  beforeAll(awsCli.require);
  const cli = async (...args: string[]) => {
    const { stdout } = await run(AWS_CLI, [...args, '--endpoint-url', emu.url, '--output', 'json'], {
      env: awsCliEnv(),
    });
    return stdout;
  };

  test('get-login-password prints a password the registry accepts', async () => {
    const password = (await cli('ecr', 'get-login-password')).trim();
    expect(password.length).toBeGreaterThan(40);
    const ok = await fetch(`${emu.url}/v2/`, {
      headers: { authorization: `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}` },
    });
    expect(ok.status).toBe(200);
  });

  test('create-repository, describe-repositories and describe-images', async () => {
    const created = JSON.parse(
      await cli('ecr', 'create-repository', '--repository-name', 'cli/app', '--image-tag-mutability', 'IMMUTABLE'),
    );
    expect(created.repository.repositoryUri).toBe(`${new URL(emu.url).host}/cli/app`);
    await emu.control.seed({ repositories: [{ name: 'cli/app', images: [{ tag: 'v1' }] }] });
    // CLI start-up dominates (seconds per call): the independent reads run in parallel.
    const [reposOut, imagesOut, manifestOut] = await Promise.all([
      cli('ecr', 'describe-repositories', '--repository-names', 'cli/app'),
      cli('ecr', 'describe-images', '--repository-name', 'cli/app', '--image-ids', 'imageTag=v1'),
      cli(
        'ecr',
        'batch-get-image',
        '--repository-name',
        'cli/app',
        '--image-ids',
        'imageTag=v1',
        '--query',
        'images[0].imageManifest',
      ),
    ]);
    const repos = JSON.parse(reposOut);
    expect(repos.repositories[0].imageTagMutability).toBe('IMMUTABLE');
    const images = JSON.parse(imagesOut);
    const { digest } = await manifestOf('cli/app', 'v1');
    expect(images.imageDetails[0].imageDigest).toBe(digest);
    expect(images.imageDetails[0].imageTags).toEqual(['v1']);
    const manifests = JSON.parse(manifestOut) as string;
    expect(sha256(manifests)).toBe(digest);
  });

  test('put-image re-tag of the same tag fails with ImageAlreadyExistsException (exit 254)', async () => {
    await emu.control.seed({ repositories: [{ name: 'cli2', images: [{ tag: 'v1' }] }] });
    const { manifest } = await manifestOf('cli2', 'v1');
    const err = await errorOf(
      cli('ecr', 'put-image', '--repository-name', 'cli2', '--image-tag', 'v1', '--image-manifest', manifest),
    );
    expect((err as Error & { code?: number }).code).toBe(254);
    expect((err as Error & { stderr?: string }).stderr).toContain('ImageAlreadyExistsException');
  });
});

describe('ecr-store helpers', () => {
  test.each([
    ['MUTABLE', [], 'v1', false],
    ['IMMUTABLE', [], 'latest', true],
    ['IMMUTABLE_WITH_EXCLUSION', ['latest', 'dev-*'], 'latest', false],
    ['IMMUTABLE_WITH_EXCLUSION', ['latest', 'dev-*'], 'dev-abc', false],
    ['IMMUTABLE_WITH_EXCLUSION', ['latest', 'dev-*'], 'v1.2.3', true],
    ['MUTABLE_WITH_EXCLUSION', ['release-*'], 'release-1', true],
    ['MUTABLE_WITH_EXCLUSION', ['release-*'], 'main', false],
  ])('%s with filters %j: tag %s immutable = %s', (mode, filters, tag, expected) => {
    const store = createEcrStore();
    const repo = store.createRepository({
      name: 'r',
      region: 'us-east-1',
      now: 0,
      imageTagMutability: mode as TagMutability,
      exclusionFilters: filters.map((filter) => ({ filterType: 'WILDCARD' as const, filter })),
    });
    expect(isTagImmutable(repo, tag)).toBe(expected);
  });

  test('findImage resolves image URIs with a registry host, tag or digest (for other services, e.g. ECS)', async () => {
    const store = createEcrStore();
    const repo = store.createRepository({ name: 'team/app', region: 'us-east-1', now: 0 });
    const image = await store.synthesizeImage(repo, { tag: 'v1' }, 0, '000000000000');
    expect(store.findImage('127.0.0.1:4566/team/app:v1')?.image.digest).toBe(image.digest);
    expect(store.findImage(`000000000000.dkr.ecr.us-east-1.amazonaws.com/team/app@${image.digest}`)?.image).toBe(image);
    expect(store.findImage('team/app:v1')?.repository).toBe(repo);
    expect(store.findImage('team/app')).toBeUndefined(); // no :latest
    expect(store.findImage('127.0.0.1:4566/team/app:v2')).toBeUndefined();
  });
});
