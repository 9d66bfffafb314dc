// Registry data plane (OCI distribution API under /v2/) on the ECR store: raw fetch conformance, ECR token auth,
// and real clients (skopeo push/pull; buildah when it works here).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { peerTool, useEmulator } from '../src/index.ts';
import { parseRegistryPath } from '../src/services/registry.ts';
import {
  DOCKER_LIST,
  DOCKER_MANIFEST,
  OCI_INDEX,
  OCI_MANIFEST,
  RawRegistry,
  sha256,
  type TinyImage,
  tinyImage,
  writeOciLayout,
} from './registry-oci.ts';
import { ecrPassword, peerToolDir } from './registry-peers.ts';

const run = promisify(execFile);

const emu = useEmulator();
let ecr: ECRClient;
let password: string;
let registry: RawRegistry;

async function errorsOf(res: Response): Promise<Array<{ code: string; message: string }>> {
  return ((await res.json()) as { errors: Array<{ code: string; message: string }> }).errors;
}

beforeAll(async () => {
  await emu.start();
  ecr = new ECRClient(emu.clientConfig);
});

afterAll(async () => {
  ecr?.destroy();
  await emu.stop();
});

beforeEach(async () => {
  await emu.control.reset();
  password = await ecrPassword(ecr);
  registry = new RawRegistry(emu.url, password);
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/app' }));
});

test.each([
  ['/v2/', { kind: 'ping' }],
  ['/v2/team/app/blobs/uploads/', { kind: 'upload', name: 'team/app', uuid: '' }],
  ['/v2/a/b/c/blobs/uploads/1234', { kind: 'upload', name: 'a/b/c', uuid: '1234' }],
  ['/v2/team/app/blobs/sha256:abc', { kind: 'blob', name: 'team/app', digest: 'sha256:abc' }],
  ['/v2/team/manifests/manifests/v1', { kind: 'manifest', name: 'team/manifests', reference: 'v1' }],
  ['/v2/team/app/tags/list', { kind: 'tags', name: 'team/app' }],
])('parseRegistryPath(%s)', (path, expected) => {
  expect(parseRegistryPath(path)).toEqual(expected);
});

describe('auth (ECR token as HTTP Basic)', () => {
  test('GET /v2/ without credentials → 401 with the Basic challenge', async () => {
    const res = await fetch(`${emu.url}/v2/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Basic realm="${emu.url}/",service="ecr.amazonaws.com"`);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
  });

  test.each([
    ['a token this emulator never issued', () => `Basic ${Buffer.from('AWS:forged').toString('base64')}`],
    ['a user other than AWS', () => `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`],
    ['a bearer token', () => `Bearer ${password}`],
  ])('%s → 401 DENIED', async (_label, header) => {
    const res = await fetch(`${emu.url}/v2/team/app/tags/list`, { headers: { authorization: header() } });
    expect(res.status).toBe(401);
    expect((await errorsOf(res))[0]?.code).toBe('DENIED');
  });

  test('a valid token works until it expires 12 h later in simulated time', async () => {
    expect((await registry.fetch('/v2/')).status).toBe(200);
    await emu.control.advance(11 * 3600);
    expect((await registry.fetch('/v2/')).status).toBe(200);
    await emu.control.advance(3600 + 60);
    const expired = await registry.fetch('/v2/');
    expect(expired.status).toBe(401);
    expect((await errorsOf(expired))[0]).toMatchObject({
      code: 'DENIED',
      message: 'Your authorization token has expired. Reauthenticate and try again.',
    });
    const fresh = new RawRegistry(emu.url, await ecrPassword(ecr));
    expect((await fresh.fetch('/v2/')).status).toBe(200);
  });
});

describe('blobs', () => {
  test('chunked upload: POST 202 → PATCH with Content-Range → PUT ?digest= → HEAD/GET', async () => {
    const data = Buffer.from('x'.repeat(1000) + 'y'.repeat(1000));
    const start = await registry.fetch('/v2/team/app/blobs/uploads/', { method: 'POST' });
    expect(start.status).toBe(202);
    const uuid = start.headers.get('docker-upload-uuid');
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(start.headers.get('location')).toBe(`/v2/team/app/blobs/uploads/${uuid}`);
    expect(start.headers.get('range')).toBe('0-0');

    const location = start.headers.get('location') ?? '';
    const first = await registry.fetch(location, {
      method: 'PATCH',
      headers: { 'content-range': '0-1199', 'content-type': 'application/octet-stream' },
      body: data.subarray(0, 1200),
    });
    expect(first.status).toBe(202);
    expect(first.headers.get('range')).toBe('0-1199');
    const wrong = await registry.fetch(location, {
      method: 'PATCH',
      headers: { 'content-range': '0-799' },
      body: data.subarray(0, 800),
    });
    expect(wrong.status).toBe(416);
    const status = await registry.fetch(location);
    expect(status.status).toBe(204);
    expect(status.headers.get('range')).toBe('0-1199');
    const second = await registry.fetch(location, {
      method: 'PATCH',
      headers: { 'content-range': '1200-1999' },
      body: data.subarray(1200),
    });
    expect(second.headers.get('range')).toBe('0-1999');

    const bad = await registry.fetch(`${location}?digest=${sha256('other')}`, { method: 'PUT' });
    expect(bad.status).toBe(400);
    expect((await errorsOf(bad))[0]?.code).toBe('DIGEST_INVALID');

    const done = await registry.fetch(`${location}?digest=${sha256(data)}`, { method: 'PUT' });
    expect(done.status).toBe(201);
    expect(done.headers.get('docker-content-digest')).toBe(sha256(data));
    expect(done.headers.get('location')).toBe(`/v2/team/app/blobs/${sha256(data)}`);

    const head = await registry.fetch(`/v2/team/app/blobs/${sha256(data)}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('2000');
    expect(head.headers.get('docker-content-digest')).toBe(sha256(data));
    const get = await registry.fetch(`/v2/team/app/blobs/${sha256(data)}`);
    expect(Buffer.from(await get.arrayBuffer()).equals(data)).toBe(true);
    expect((await registry.fetch(location)).status).toBe(404); // the session is gone
  });

  test('the RawRegistry chunked helper and a monolithic POST ?digest= both land', async () => {
    const a = Buffer.from('chunked blob '.repeat(500));
    const b = Buffer.from('monolithic blob');
    expect((await registry.pushChunked('team/app', a, 1024)).status).toBe(201);
    const mono = await registry.pushMonolithic('team/app', b);
    expect(mono.status).toBe(201);
    expect(mono.headers.get('docker-content-digest')).toBe(sha256(b));
    for (const blob of [a, b]) {
      const res = await registry.fetch(`/v2/team/app/blobs/${sha256(blob)}`);
      expect(Buffer.from(await res.arrayBuffer()).equals(blob)).toBe(true);
    }
  });

  test('unknown blob → 404 BLOB_UNKNOWN (HEAD: bare 404); blob DELETE is unsupported as on ECR', async () => {
    const get = await registry.fetch(`/v2/team/app/blobs/${sha256('nope')}`);
    expect(get.status).toBe(404);
    expect((await errorsOf(get))[0]?.code).toBe('BLOB_UNKNOWN');
    expect((await registry.fetch(`/v2/team/app/blobs/${sha256('nope')}`, { method: 'HEAD' })).status).toBe(404);
    expect((await registry.fetch(`/v2/team/app/blobs/${sha256('nope')}`, { method: 'DELETE' })).status).toBe(405);
  });

  test('cross-repository mount: 201 when the source has the blob, else a new upload (202)', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'other' }));
    const blob = Buffer.from('shared layer');
    await registry.pushMonolithic('team/app', blob);
    const mounted = await registry.fetch(`/v2/other/blobs/uploads/?mount=${sha256(blob)}&from=team/app`, {
      method: 'POST',
    });
    expect(mounted.status).toBe(201);
    expect(mounted.headers.get('docker-content-digest')).toBe(sha256(blob));
    expect((await registry.fetch(`/v2/other/blobs/${sha256(blob)}`, { method: 'HEAD' })).status).toBe(200);
    const notThere = await registry.fetch(`/v2/other/blobs/uploads/?mount=${sha256('absent')}&from=team/app`, {
      method: 'POST',
    });
    expect(notThere.status).toBe(202);
  });

  test('a repository that does not exist → 404 NAME_UNKNOWN (ECR needs CreateRepository first)', async () => {
    const res = await registry.fetch('/v2/nope/blobs/uploads/', { method: 'POST' });
    expect(res.status).toBe(404);
    expect((await errorsOf(res))[0]).toMatchObject({
      code: 'NAME_UNKNOWN',
      message: "The repository with name 'nope' does not exist in the registry with id '000000000000'",
    });
  });
});

describe('manifests', () => {
  test('PUT by tag stores the exact bytes; GET/HEAD by tag and digest; DescribeImages/BatchGetImage agree', async () => {
    const image = await tinyImage({ 'hello.txt': 'hello\n' });
    const put = await registry.pushImage('team/app', image, 'v1');
    expect(put.status).toBe(201);
    expect(put.headers.get('docker-content-digest')).toBe(image.manifestDigest);
    expect(put.headers.get('location')).toBe(`/v2/team/app/manifests/${image.manifestDigest}`);

    for (const ref of ['v1', image.manifestDigest]) {
      const get = await registry.fetch(`/v2/team/app/manifests/${ref}`, { headers: { accept: OCI_MANIFEST } });
      expect(get.status).toBe(200);
      expect(get.headers.get('content-type')).toBe(OCI_MANIFEST);
      expect(get.headers.get('docker-content-digest')).toBe(image.manifestDigest);
      expect(Buffer.from(await get.arrayBuffer()).equals(image.manifest)).toBe(true);
    }
    const head = await registry.fetch('/v2/team/app/manifests/v1', { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(image.manifest.length));

    const described = await ecr.send(new DescribeImagesCommand({ repositoryName: 'team/app' }));
    expect(described.imageDetails).toHaveLength(1);
    expect(described.imageDetails?.[0]).toMatchObject({
      imageDigest: image.manifestDigest,
      imageTags: ['v1'],
      imageSizeInBytes: image.config.length + image.layer.length,
      imageManifestMediaType: OCI_MANIFEST,
      artifactMediaType: 'application/vnd.oci.image.config.v1+json',
    });
    const got = await ecr.send(
      new BatchGetImageCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'v1' }] }),
    );
    expect(got.images?.[0]?.imageManifest).toBe(image.manifest.toString('utf8'));

    const tags = await registry.fetch('/v2/team/app/tags/list');
    expect(await tags.json()).toEqual({ name: 'team/app', tags: ['v1'] });
  });

  test('unknown manifest → 404 MANIFEST_UNKNOWN; missing blobs → 400 MANIFEST_BLOB_UNKNOWN', async () => {
    const get = await registry.fetch('/v2/team/app/manifests/v404');
    expect(get.status).toBe(404);
    expect((await errorsOf(get))[0]?.code).toBe('MANIFEST_UNKNOWN');
    const image = await tinyImage({ 'a.txt': 'a' });
    const put = await registry.putManifest('team/app', 'v1', image.manifest, OCI_MANIFEST);
    expect(put.status).toBe(400);
    expect((await errorsOf(put))[0]?.code).toBe('MANIFEST_BLOB_UNKNOWN');
  });

  test('PUT by digest must match the bytes (DIGEST_INVALID); by digest creates an untagged image', async () => {
    const image = await tinyImage({ 'a.txt': 'a' }, 'docker');
    await registry.pushImage('team/app', image, sha256('x'), DOCKER_MANIFEST).then(async (r) => {
      expect(r.status).toBe(400);
      expect((await errorsOf(r))[0]?.code).toBe('DIGEST_INVALID');
    });
    const ok = await registry.putManifest('team/app', image.manifestDigest, image.manifest, DOCKER_MANIFEST);
    expect(ok.status).toBe(201);
    const untagged = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'team/app', filter: { tagStatus: 'UNTAGGED' } }),
    );
    expect(untagged.imageDetails?.[0]?.imageDigest).toBe(image.manifestDigest);
  });

  test('a manifest without its own mediaType → 405 UNSUPPORTED as ECR answers (containers/image#584)', async () => {
    const image = await tinyImage({ 'a.txt': 'a' });
    const doc = JSON.parse(image.manifest.toString('utf8')) as Record<string, unknown>;
    delete doc.mediaType;
    const res = await registry.pushImage('team/app', { ...image, manifest: Buffer.from(JSON.stringify(doc)) }, 'v1');
    expect(res.status).toBe(405);
    expect((await errorsOf(res))[0]).toMatchObject({ code: 'UNSUPPORTED' });
  });

  test.each([
    ['OCI image index', OCI_INDEX, 'oci' as const],
    ['Docker manifest list', DOCKER_LIST, 'docker' as const],
  ])('%s over per-platform manifests pushed by digest', async (_label, listType, format) => {
    const amd = await tinyImage({ 'arch.txt': 'amd64' }, format);
    const arm = await tinyImage({ 'arch.txt': 'arm64' }, format);
    const childType = format === 'oci' ? OCI_MANIFEST : DOCKER_MANIFEST;
    for (const img of [amd, arm])
      expect((await registry.pushImage('team/app', img, img.manifestDigest, childType)).status).toBe(201);
    const list = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: listType,
        manifests: [
          {
            mediaType: childType,
            digest: amd.manifestDigest,
            size: amd.manifest.length,
            platform: { architecture: 'amd64', os: 'linux' },
          },
          {
            mediaType: childType,
            digest: arm.manifestDigest,
            size: arm.manifest.length,
            platform: { architecture: 'arm64', os: 'linux' },
          },
        ],
      }),
    );
    const bad = await registry.putManifest(
      'team/app',
      'broken',
      JSON.stringify({
        schemaVersion: 2,
        mediaType: listType,
        manifests: [{ mediaType: childType, digest: sha256('zz'), size: 1 }],
      }),
      listType,
    );
    expect(bad.status).toBe(400);
    expect((await errorsOf(bad))[0]?.code).toBe('MANIFEST_BLOB_UNKNOWN');
    const put = await registry.putManifest('team/app', 'multi', list, listType);
    expect(put.status).toBe(201);
    const get = await registry.fetch('/v2/team/app/manifests/multi', { headers: { accept: listType } });
    expect(get.headers.get('content-type')).toBe(listType);
    expect(Buffer.from(await get.arrayBuffer()).equals(list)).toBe(true);
    const described = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'multi' }] }),
    );
    expect(described.imageDetails?.[0]).toMatchObject({ imageDigest: sha256(list), imageManifestMediaType: listType });
    expect(described.imageDetails?.[0]?.imageSizeInBytes).toBe(
      Math.max(amd.config.length + amd.layer.length, arm.config.length + arm.layer.length),
    );
  });

  test('tag mutability: mutable re-push is a no-op, moving works; immutable refuses any re-push of the tag', async () => {
    const one = await tinyImage({ 'v.txt': '1' });
    const two = await tinyImage({ 'v.txt': '2' });
    expect((await registry.pushImage('team/app', one, 'latest')).status).toBe(201);
    expect((await registry.pushImage('team/app', one, 'latest')).status).toBe(201);
    expect((await registry.pushImage('team/app', two, 'latest')).status).toBe(201);
    const moved = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'latest' }] }),
    );
    expect(moved.imageDetails?.[0]?.imageDigest).toBe(two.manifestDigest);

    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'locked', imageTagMutability: 'IMMUTABLE' }));
    expect((await registry.pushImage('locked', one, 'v1')).status).toBe(201);
    for (const img of [one, two]) {
      const res = await registry.pushImage('locked', img, 'v1');
      expect(res.status).toBe(400);
      expect((await errorsOf(res))[0]).toMatchObject({
        code: 'TAG_INVALID',
        message:
          "The image tag 'v1' already exists in the 'locked' repository and cannot be overwritten because the repository is immutable.",
      });
    }
  });

  test('an ECR PutImage retag is pullable from the registry under the new tag', async () => {
    const image = await tinyImage({ 'r.txt': 'retag' });
    await registry.pushImage('team/app', image, 'build-1');
    const got = await ecr.send(
      new BatchGetImageCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'build-1' }] }),
    );
    await ecr.send(
      new PutImageCommand({
        repositoryName: 'team/app',
        imageTag: 'prod',
        imageManifest: got.images?.[0]?.imageManifest,
        imageManifestMediaType: got.images?.[0]?.imageManifestMediaType,
      }),
    );
    const res = await registry.fetch('/v2/team/app/manifests/prod');
    expect(res.headers.get('docker-content-digest')).toBe(image.manifestDigest);
    expect(Buffer.from(await res.arrayBuffer()).equals(image.manifest)).toBe(true);
  });

  test('tags/list paginates with n and last (Link header)', async () => {
    const image = await tinyImage({ 't.txt': 't' });
    for (const tag of ['c', 'a', 'b']) await registry.pushImage('team/app', image, tag);
    const first = await registry.fetch('/v2/team/app/tags/list?n=2');
    expect(await first.json()).toEqual({ name: 'team/app', tags: ['a', 'b'] });
    expect(first.headers.get('link')).toBe('</v2/team/app/tags/list?n=2&last=b>; rel="next"');
    const rest = await registry.fetch('/v2/team/app/tags/list?n=2&last=b');
    expect(await rest.json()).toEqual({ name: 'team/app', tags: ['c'] });
  });

  test('seeded images can be pulled through the registry', async () => {
    await emu.control.seed({ repositories: [{ name: 'seeded', images: [{ tag: 'v1', format: 'oci' }] }] });
    const res = await registry.fetch('/v2/seeded/manifests/v1');
    expect(res.headers.get('content-type')).toBe(OCI_MANIFEST);
    const manifest = (await res.json()) as { layers: Array<{ digest: string }> };
    const layer = await registry.fetch(`/v2/seeded/blobs/${manifest.layers[0]?.digest}`);
    expect(sha256(Buffer.from(await layer.arrayBuffer()))).toBe(manifest.layers[0]?.digest);
  });
});

describe('wire behaviour', () => {
  test('throttling fault → 429 TOOMANYREQUESTS', async () => {
    await emu.control.faults({ seed: 1, throttle: 1, services: ['registry'] });
    const res = await registry.fetch('/v2/team/app/tags/list');
    expect(res.status).toBe(429);
    expect((await errorsOf(res))[0]?.code).toBe('TOOMANYREQUESTS');
    await emu.control.faults({ seed: 1, throttle: 0 });
  });

  test('request log names registry operations and marks writes as mutating', async () => {
    await emu.control.clearRequests();
    const image = await tinyImage({ 'l.txt': 'log' });
    await registry.pushImage('team/app', image, 'v1');
    await registry.fetch('/v2/team/app/manifests/v1');
    const ops = (await emu.control.requests())
      .filter((e) => e.service === 'registry')
      .map((e) => [e.operation, e.mutating]);
    expect(ops).toEqual([
      ['UploadBlob', true],
      ['UploadBlob', true],
      ['PutManifest', true],
      ['GetManifest', false],
    ]);
  });
});

const skopeoTool = peerTool('skopeo');

describe.skipIf(skopeoTool.skip)(skopeoTool.title('skopeo (real client)'), () => {
  const dir = peerToolDir(skopeoTool, 'ecr-skopeo-');
  const skopeo = (...args: string[]) => run('/usr/bin/skopeo', ['--insecure-policy', ...args], { timeout: 60_000 });

  /** Writes `image` as the OCI layout `name`, copies it to team/app:<tag> with the ECR token; the pushed digest. */
  async function pushLayout(image: TinyImage, name: string, tag: string, ...flags: string[]): Promise<string> {
    const src = join(dir(), name);
    await writeOciLayout(src, image, 'latest');
    const digestFile = join(dir(), `${name}.digest`);
    await skopeo(
      'copy',
      ...flags,
      '--dest-tls-verify=false',
      '--dest-creds',
      `AWS:${password}`,
      '--digestfile',
      digestFile,
      `oci:${src}:latest`,
      `docker://${new URL(emu.url).host}/team/app:${tag}`,
    );
    return (await readFile(digestFile, 'utf8')).trim();
  }

  test('push an OCI layout with the ECR token; DescribeImages/BatchGetImage see its digest; pull gives identical bytes', async () => {
    const image = await tinyImage({ 'app/hello.txt': 'hello from skopeo\n', 'app/other.txt': 'second file\n' });
    const pushedDigest = await pushLayout(image, 'src', 'v1');
    const host = new URL(emu.url).host;
    expect(pushedDigest).toBe(image.manifestDigest); // same format: skopeo keeps the manifest bytes

    const described = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'v1' }] }),
    );
    expect(described.imageDetails?.[0]?.imageDigest).toBe(pushedDigest);
    const got = await ecr.send(
      new BatchGetImageCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'v1' }] }),
    );
    expect(got.images?.[0]?.imageId?.imageDigest).toBe(pushedDigest);
    expect(sha256(got.images?.[0]?.imageManifest ?? '')).toBe(pushedDigest);

    const dst = join(dir(), 'dst');
    await skopeo(
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      `AWS:${password}`,
      `docker://${host}/team/app:v1`,
      `oci:${dst}:v1`,
    );
    const blobs = await readdir(join(dst, 'blobs', 'sha256'));
    expect(blobs.sort()).toEqual(
      [image.configDigest, image.layerDigest, image.manifestDigest].map((d) => d.slice(7)).sort(),
    );
    for (const [digest, data] of [
      [image.configDigest, image.config],
      [image.layerDigest, image.layer],
      [image.manifestDigest, image.manifest],
    ] as const) {
      expect((await readFile(join(dst, 'blobs', 'sha256', digest.slice(7)))).equals(data)).toBe(true);
    }
    const inspect = JSON.parse(
      (await skopeo('inspect', '--tls-verify=false', '--creds', `AWS:${password}`, `docker://${host}/team/app:v1`))
        .stdout,
    ) as { Digest: string };
    expect(inspect.Digest).toBe(pushedDigest);
  });

  test('skopeo with a wrong token is refused', async () => {
    const image = await tinyImage({ 'x.txt': 'x' });
    const src = join(dir(), 'bad');
    await writeOciLayout(src, image, 'latest');
    const host = new URL(emu.url).host;
    await expect(
      skopeo(
        'copy',
        '--dest-tls-verify=false',
        '--dest-creds',
        'AWS:forged',
        `oci:${src}:latest`,
        `docker://${host}/team/app:v1`,
      ),
    ).rejects.toThrow(/unauthorized|authentication|denied/i);
  });

  test('skopeo converting to Docker v2s2 on push: DescribeImages shows the converted digest', async () => {
    const image = await tinyImage({ 'c.txt': 'convert' });
    const digest = await pushLayout(image, 'conv', 'v2s2', '--format', 'v2s2');
    const described = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'v2s2' }] }),
    );
    expect(described.imageDetails?.[0]).toMatchObject({
      imageDigest: digest,
      imageManifestMediaType: DOCKER_MANIFEST,
    });
  });
});

const buildahTool = peerTool('buildah');

describe.skipIf(buildahTool.skip)(buildahTool.title('buildah (real client)'), () => {
  beforeAll(buildahTool.require);
  test('buildah bud --isolation chroot (vfs) + push with the ECR token shows up in DescribeImages', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecr-buildah-'));
    const storage = ['--storage-driver', 'vfs', '--root', join(dir, 'root'), '--runroot', join(dir, 'run')];
    try {
      const context = join(dir, 'ctx');
      await mkdir(context);
      await writeFile(join(context, 'hi.txt'), 'hello from buildah\n');
      await writeFile(join(context, 'Containerfile'), 'FROM scratch\nCOPY hi.txt /hi.txt\n');
      const host = new URL(emu.url).host;
      const ref = `${host}/team/app:buildah`;
      await run('/usr/bin/buildah', [...storage, 'bud', '--isolation', 'chroot', '-q', '-t', ref, context], {
        timeout: 60_000,
      });
      const digestFile = join(dir, 'digest');
      await run(
        '/usr/bin/buildah',
        [...storage, 'push', '--tls-verify=false', '--creds', `AWS:${password}`, '--digestfile', digestFile, ref],
        { timeout: 60_000 },
      );
      const digest = (await readFile(digestFile, 'utf8')).trim();
      const described = await ecr.send(
        new DescribeImagesCommand({ repositoryName: 'team/app', imageIds: [{ imageTag: 'buildah' }] }),
      );
      expect(described.imageDetails?.[0]?.imageDigest).toBe(digest);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
