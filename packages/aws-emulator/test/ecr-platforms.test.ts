// What a preflight reads to learn an image's platform, answered as ECR does: BatchGetImage (manifest or index, with
// acceptedMediaTypes), GetDownloadUrlForLayer (a URL that serves the config blob without credentials) and
// DescribeImages (imageManifestMediaType / artifactMediaType), for seeded images and for REAL arm64 and amd64 images
// pushed with skopeo (a hand-made OCI layout) and built and pushed with buildah (--arch, manifest push --all).
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  ECRClient,
  GetDownloadUrlForLayerCommand,
} from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { peerTool, useEmulator } from '../src/index.ts';
import {
  DOCKER_LIST,
  DOCKER_MANIFEST,
  OCI_INDEX,
  OCI_MANIFEST,
  tinyImage,
  writeOciIndexLayout,
} from './registry-oci.ts';
import { ecrPassword, peerToolDir } from './registry-peers.ts';

const run = promisify(execFile);
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';

const emu = useEmulator({ timeScale: 1 }, { beforeAll, afterAll, beforeEach });
let ecr: ECRClient;
beforeAll(() => {
  ecr = new ECRClient(emu.clientConfig);
});
afterAll(() => ecr?.destroy());

interface Manifest {
  mediaType: string;
  config?: { digest: string; mediaType: string };
  layers?: Array<{ mediaType: string }>;
  manifests?: Array<{ digest: string; mediaType: string; platform?: { architecture: string; os: string } }>;
}

async function manifestOf(
  repositoryName: string,
  imageId: { imageTag?: string; imageDigest?: string },
  accepted?: string[],
) {
  const out = await ecr.send(
    new BatchGetImageCommand({
      repositoryName,
      imageIds: [imageId],
      ...(accepted ? { acceptedMediaTypes: accepted } : {}),
    }),
  );
  const image = out.images?.[0];
  return {
    failures: out.failures ?? [],
    mediaType: image?.imageManifestMediaType,
    digest: image?.imageId?.imageDigest,
    manifest: image ? (JSON.parse(image.imageManifest ?? '{}') as Manifest) : undefined,
  };
}

/** What a preflight does for a single-platform image: manifest → config digest → download URL → config JSON. */
async function configOf(repositoryName: string, imageId: { imageTag?: string; imageDigest?: string }) {
  const { manifest } = await manifestOf(repositoryName, imageId);
  const digest = manifest?.config?.digest as string;
  const { downloadUrl, layerDigest } = await ecr.send(
    new GetDownloadUrlForLayerCommand({ repositoryName, layerDigest: digest }),
  );
  expect(layerDigest).toBe(digest);
  const res = await fetch(downloadUrl as string); // no credentials: the URL is pre-signed
  expect(res.status).toBe(200);
  return (await res.json()) as { architecture: string; os: string };
}

async function details(repositoryName: string) {
  const out = await ecr.send(new DescribeImagesCommand({ repositoryName }));
  return (out.imageDetails ?? []).map((d) => ({
    tags: d.imageTags ?? [],
    digest: d.imageDigest,
    imageManifestMediaType: d.imageManifestMediaType,
    artifactMediaType: d.artifactMediaType,
  }));
}

describe('seeded images (no peer tools)', () => {
  beforeEach(async () => {
    await emu.control.seed({
      repositories: [
        {
          name: 'team/app',
          images: [
            { tag: 'arm', architecture: 'arm64' },
            { tag: 'amd' },
            { tag: 'multi', platforms: ['linux/amd64', 'linux/arm64'], format: 'oci' },
            { tag: 'list', platforms: ['linux/amd64'] },
          ],
        },
      ],
    });
  });

  test('GetDownloadUrlForLayer: the config blob tells the architecture, for each single-platform image', async () => {
    expect(await configOf('team/app', { imageTag: 'arm' })).toMatchObject({ architecture: 'arm64', os: 'linux' });
    expect(await configOf('team/app', { imageTag: 'amd' })).toMatchObject({ architecture: 'amd64', os: 'linux' });
  });

  test('an index: BatchGetImage returns it with its platforms; each child resolves to its own config', async () => {
    const index = await manifestOf('team/app', { imageTag: 'multi' });
    expect(index.mediaType).toBe(OCI_INDEX);
    const platforms = index.manifest?.manifests?.map((m) => `${m.platform?.os}/${m.platform?.architecture}`);
    expect(platforms).toEqual(['linux/amd64', 'linux/arm64']);
    for (const child of index.manifest?.manifests ?? []) {
      const config = await configOf('team/app', { imageDigest: child.digest });
      expect(config.architecture).toBe(child.platform?.architecture);
    }
    const list = await manifestOf('team/app', { imageTag: 'list' });
    expect(list.mediaType).toBe(DOCKER_LIST);
  });

  test('DescribeImages: imageManifestMediaType, and artifactMediaType (the config type) only for images', async () => {
    const all = await details('team/app');
    expect(all.find((d) => d.tags.includes('multi'))).toMatchObject({ imageManifestMediaType: OCI_INDEX });
    expect(all.find((d) => d.tags.includes('multi'))?.artifactMediaType).toBeUndefined();
    expect(all.find((d) => d.tags.includes('arm'))).toMatchObject({
      imageManifestMediaType: DOCKER_MANIFEST,
      artifactMediaType: DOCKER_CONFIG,
    });
    // the index's children are stored untagged, as OCI manifests with an OCI config
    const untagged = all.filter((d) => d.tags.length === 0);
    expect(untagged.map((d) => [d.imageManifestMediaType, d.artifactMediaType])).toContainEqual([
      OCI_MANIFEST,
      OCI_CONFIG,
    ]);
  });

  test('acceptedMediaTypes: an index is returned only when accepted; by tag Docker v2 converts to OCI, by digest not', async () => {
    const notAccepted = await manifestOf('team/app', { imageTag: 'multi' }, [OCI_MANIFEST, DOCKER_MANIFEST]);
    expect(notAccepted.failures).toEqual([
      { imageId: { imageTag: 'multi' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' },
    ]);
    expect((await manifestOf('team/app', { imageTag: 'multi' }, [OCI_INDEX])).mediaType).toBe(OCI_INDEX);

    const stored = await manifestOf('team/app', { imageTag: 'arm' });
    const converted = await manifestOf('team/app', { imageTag: 'arm' }, [OCI_MANIFEST]);
    expect(converted.mediaType).toBe(OCI_MANIFEST);
    expect(converted.manifest?.config).toEqual({ ...stored.manifest?.config, mediaType: OCI_CONFIG });
    expect(converted.manifest?.layers?.[0]?.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
    const byDigest = await manifestOf('team/app', { imageDigest: stored.digest as string }, [OCI_MANIFEST]);
    expect(byDigest.failures[0]?.failureCode).toBe('ImageNotFound');
  });

  test('download URLs: no credentials needed, expire after an hour (simulated), refuse a tampered signature', async () => {
    const { manifest } = await manifestOf('team/app', { imageTag: 'arm' });
    const { downloadUrl } = await ecr.send(
      new GetDownloadUrlForLayerCommand({ repositoryName: 'team/app', layerDigest: manifest?.config?.digest }),
    );
    const url = downloadUrl as string;
    expect((await fetch(url.replace(/X-Amz-Signature=[0-9a-f]{4}/, 'X-Amz-Signature=0000'))).status).toBe(403);
    expect((await fetch(url.replace('/team/app/', '/team/other/'))).status).toBe(403);
    await emu.control.advance(3601);
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');
    // without the signature the registry's own auth applies
    expect((await fetch(url.split('?')[0] as string)).status).toBe(401);
  });

  test('GetDownloadUrlForLayer of an unknown blob is LayersNotFoundException; of a bad digest InvalidParameter', async () => {
    await expect(
      ecr.send(
        new GetDownloadUrlForLayerCommand({ repositoryName: 'team/app', layerDigest: `sha256:${'0'.repeat(64)}` }),
      ),
    ).rejects.toMatchObject({ name: 'LayersNotFoundException' });
    await expect(
      ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'team/app', layerDigest: 'nope' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    const log = (await emu.control.requests()).filter((e) => e.operation === 'GetDownloadUrlForLayer');
    expect(log.every((e) => !e.mutating)).toBe(true);
  });
});

const skopeoTool = peerTool('skopeo');

describe.skipIf(skopeoTool.skip)(skopeoTool.title('real arm64 + amd64 images pushed with skopeo'), () => {
  const dir = peerToolDir(skopeoTool, 'ecr-platforms-skopeo-');

  test('skopeo copy --all of an OCI layout with an index: stored and described as ECR does', async () => {
    await emu.control.seed({ repositories: [{ name: 'team/web' }] });
    const arm = await tinyImage({ 'bin/app': 'arm64 binary' }, 'oci', { architecture: 'arm64', variant: 'v8' });
    const amd = await tinyImage({ 'bin/app': 'amd64 binary' }, 'oci', { architecture: 'amd64' });
    const layout = join(dir(), 'multi');
    const { indexDigest } = await writeOciIndexLayout(
      layout,
      [
        { image: amd, platform: { architecture: 'amd64' } },
        { image: arm, platform: { architecture: 'arm64', variant: 'v8' } },
      ],
      'v1',
    );
    const host = new URL(emu.url).host;
    const digestFile = join(dir(), 'digest');
    await run(
      '/usr/bin/skopeo',
      [
        '--insecure-policy',
        'copy',
        '--all',
        '--dest-tls-verify=false',
        '--dest-creds',
        `AWS:${await ecrPassword(ecr)}`,
        '--digestfile',
        digestFile,
        `oci:${layout}:v1`,
        `docker://${host}/team/web:v1`,
      ],
      { timeout: 60_000 },
    );
    expect((await readFile(digestFile, 'utf8')).trim()).toBe(indexDigest); // the index went up byte for byte

    const all = await details('team/web');
    expect(all).toHaveLength(3);
    expect(all.find((d) => d.tags.includes('v1'))).toMatchObject({
      digest: indexDigest,
      imageManifestMediaType: OCI_INDEX,
    });
    const index = await manifestOf('team/web', { imageTag: 'v1' }, [OCI_INDEX, OCI_MANIFEST]);
    expect(index.manifest?.manifests?.map((m) => m.platform)).toEqual([
      { architecture: 'amd64', os: 'linux' },
      { architecture: 'arm64', os: 'linux', variant: 'v8' },
    ]);
    expect((await configOf('team/web', { imageDigest: arm.manifestDigest })).architecture).toBe('arm64');
    expect((await configOf('team/web', { imageDigest: amd.manifestDigest })).architecture).toBe('amd64');
  });
});

const buildahTool = peerTool('buildah');

describe.skipIf(buildahTool.skip)(buildahTool.title('real arm64 + amd64 images built and pushed with buildah'), () => {
  const dir = peerToolDir(buildahTool, 'ecr-platforms-buildah-');
  let storage: string[];
  const buildah = (...args: string[]) => run('/usr/bin/buildah', [...storage, ...args], { timeout: 120_000 });
  beforeAll(async () => {
    storage = ['--storage-driver', 'vfs', '--root', join(dir(), 'root'), '--runroot', join(dir(), 'run')];
    await mkdir(join(dir(), 'ctx'));
    await writeFile(join(dir(), 'ctx', 'app.txt'), 'hello\n');
    await writeFile(join(dir(), 'ctx', 'Containerfile'), 'FROM scratch\nCOPY app.txt /app.txt\n');
  });

  test('buildah bud --arch arm64 / amd64, manifest create/add, manifest push --all: a list of both platforms', async () => {
    await emu.control.seed({ repositories: [{ name: 'team/api' }] });
    const host = new URL(emu.url).host;
    const password = await ecrPassword(ecr);
    for (const arch of ['arm64', 'amd64']) {
      await buildah(
        'bud',
        '--isolation',
        'chroot',
        '-q',
        '--arch',
        arch,
        '-t',
        `localhost/api:${arch}`,
        join(dir(), 'ctx'),
      );
    }
    // a single-platform arm64 image, as a laptop build would push it
    await buildah(
      'push',
      '--tls-verify=false',
      '--creds',
      `AWS:${password}`,
      'localhost/api:arm64',
      `docker://${host}/team/api:arm-only`,
    );
    expect(await configOf('team/api', { imageTag: 'arm-only' })).toMatchObject({ architecture: 'arm64', os: 'linux' });

    await buildah('manifest', 'create', 'localhost/api:multi');
    for (const arch of ['arm64', 'amd64'])
      await buildah('manifest', 'add', 'localhost/api:multi', `localhost/api:${arch}`);
    const digestFile = join(dir(), 'digest');
    await buildah(
      'manifest',
      'push',
      '--all',
      '--tls-verify=false',
      '--creds',
      `AWS:${password}`,
      '--digestfile',
      digestFile,
      'localhost/api:multi',
      `docker://${host}/team/api:v1`,
    );
    const pushed = (await readFile(digestFile, 'utf8')).trim();
    const listed = (await details('team/api')).find((d) => d.tags.includes('v1'));
    expect(listed?.digest).toBe(pushed);
    expect([DOCKER_LIST, OCI_INDEX]).toContain(listed?.imageManifestMediaType);
    const index = await manifestOf('team/api', { imageTag: 'v1' });
    const archs = index.manifest?.manifests?.map((m) => m.platform?.architecture).sort();
    expect(archs).toEqual(['amd64', 'arm64']);
    for (const child of index.manifest?.manifests ?? []) {
      expect((await configOf('team/api', { imageDigest: child.digest })).architecture).toBe(
        child.platform?.architecture,
      );
    }
  });
});
