// Test helpers for the registry data plane: a tiny on-disk OCI image layout (config + one tar.gz layer + manifest,
// index.json) that skopeo can copy, and a raw OCI distribution client speaking fetch.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

export const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export function tarOf(files: Record<string, string>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = pack();
    const chunks: Buffer[] = [];
    p.on('data', (c: unknown) => chunks.push(c as Buffer));
    p.on('end', () => resolve(Buffer.concat(chunks)));
    p.on('error', reject);
    const entries = Object.entries(files);
    const next = (i: number) => {
      const entry = entries[i];
      if (!entry) {
        p.finalize();
        return;
      }
      const [name, content] = entry;
      const data = Buffer.from(content);
      p.entry({ name, size: data.length, mode: 0o644, mtime: new Date(0) }, data, (err) =>
        err ? reject(err) : next(i + 1),
      );
    };
    next(0);
  });
}

export interface TinyImage {
  config: Buffer;
  configDigest: string;
  layer: Buffer;
  layerDigest: string;
  manifest: Buffer;
  manifestDigest: string;
}

/** A real single-layer image. The manifest is pretty-printed on purpose: digests are over the exact bytes. */
export async function tinyImage(
  files: Record<string, string>,
  mediaTypes: 'oci' | 'docker' = 'oci',
  platform: { architecture: string; os?: string; variant?: string } = { architecture: 'amd64' },
): Promise<TinyImage> {
  const tar = await tarOf(files);
  const layer = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: platform.architecture,
      os: platform.os ?? 'linux',
      ...(platform.variant ? { variant: platform.variant } : {}),
      config: { Cmd: ['/hello'] },
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    }),
  );
  const oci = mediaTypes === 'oci';
  const manifest = Buffer.from(
    JSON.stringify(
      {
        schemaVersion: 2,
        mediaType: oci ? OCI_MANIFEST : DOCKER_MANIFEST,
        config: {
          mediaType: oci
            ? 'application/vnd.oci.image.config.v1+json'
            : 'application/vnd.docker.container.image.v1+json',
          digest: sha256(config),
          size: config.length,
        },
        layers: [
          {
            mediaType: oci
              ? 'application/vnd.oci.image.layer.v1.tar+gzip'
              : 'application/vnd.docker.image.rootfs.diff.tar.gzip',
            digest: sha256(layer),
            size: layer.length,
          },
        ],
      },
      null,
      3,
    ),
  );
  return {
    config,
    configDigest: sha256(config),
    layer,
    layerDigest: sha256(layer),
    manifest,
    manifestDigest: sha256(manifest),
  };
}

/** Write `image` as an OCI image layout at `dir` with `tag` as its ref name. */
export async function writeOciLayout(dir: string, image: TinyImage, tag: string): Promise<void> {
  await writeLayoutBlobs(dir, [image]);
  await writeRefIndex(dir, { mediaType: OCI_MANIFEST, digest: image.manifestDigest, size: image.manifest.length }, tag);
}

/** The `oci-layout` marker and every blob of `images` under blobs/sha256/; returns that blobs folder. */
async function writeLayoutBlobs(dir: string, images: TinyImage[]): Promise<string> {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  for (const image of images) {
    for (const [digest, data] of [
      [image.configDigest, image.config],
      [image.layerDigest, image.layer],
      [image.manifestDigest, image.manifest],
    ] as const) {
      await writeFile(join(blobs, digest.slice('sha256:'.length)), data);
    }
  }
  return blobs;
}

/** The layout's index.json: one descriptor (a manifest or an index), named `tag` by the ref-name annotation. */
async function writeRefIndex(
  dir: string,
  descriptor: { mediaType: string; digest: string; size: number },
  tag: string,
): Promise<void> {
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ ...descriptor, annotations: { 'org.opencontainers.image.ref.name': tag } }],
    }),
  );
}

/** A raw OCI distribution client (fetch), authenticating as ECR clients do. */
export class RawRegistry {
  readonly url: string;
  readonly auth: string;
  constructor(url: string, password: string) {
    this.url = url;
    this.auth = `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`;
  }

  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (!headers.has('authorization')) headers.set('authorization', this.auth);
    const target = /^https?:/.test(path) ? path : `${this.url}${path}`;
    return fetch(target, { ...init, headers });
  }

  /** POST + PATCH chunks (with Content-Range) + PUT ?digest=. Returns the final response. */
  async pushChunked(repo: string, data: Buffer, chunkSize: number): Promise<Response> {
    const start = await this.fetch(`/v2/${repo}/blobs/uploads/`, { method: 'POST' });
    if (start.status !== 202) throw new Error(`POST upload: ${start.status} ${await start.text()}`);
    let location = start.headers.get('location') ?? '';
    for (let offset = 0; offset < data.length; offset += chunkSize) {
      const chunk = data.subarray(offset, offset + chunkSize);
      const res = await this.fetch(location, {
        method: 'PATCH',
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `${offset}-${offset + chunk.length - 1}`,
        },
        body: chunk,
      });
      if (res.status !== 202) throw new Error(`PATCH: ${res.status} ${await res.text()}`);
      if (res.headers.get('range') !== `0-${offset + chunk.length - 1}`)
        throw new Error(`bad Range ${res.headers.get('range')}`);
      location = res.headers.get('location') ?? location;
    }
    const sep = location.includes('?') ? '&' : '?';
    return this.fetch(`${location}${sep}digest=${encodeURIComponent(sha256(data))}`, { method: 'PUT' });
  }

  async pushMonolithic(repo: string, data: Buffer): Promise<Response> {
    return this.fetch(`/v2/${repo}/blobs/uploads/?digest=${encodeURIComponent(sha256(data))}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: data,
    });
  }

  putManifest(repo: string, reference: string, body: Buffer | string, contentType: string): Promise<Response> {
    return this.fetch(`/v2/${repo}/manifests/${reference}`, {
      method: 'PUT',
      headers: { 'content-type': contentType },
      body,
    });
  }

  /** Push blobs (monolithic) and the manifest by tag. */
  async pushImage(repo: string, image: TinyImage, tag: string, contentType = OCI_MANIFEST): Promise<Response> {
    for (const blob of [image.config, image.layer]) {
      const res = await this.pushMonolithic(repo, blob);
      if (res.status !== 201) throw new Error(`blob push: ${res.status} ${await res.text()}`);
    }
    return this.putManifest(repo, tag, image.manifest, contentType);
  }
}

/**
 * An OCI image layout holding a multi-platform image: every image's blobs and an image index (`tag` as its ref
 * name) listing each with its platform, as `skopeo copy --all oci:<dir>:<tag> docker://…` pushes it.
 */
export async function writeOciIndexLayout(
  dir: string,
  images: Array<{ image: TinyImage; platform: { architecture: string; os?: string; variant?: string } }>,
  tag: string,
): Promise<{ index: Buffer; indexDigest: string }> {
  const blobs = await writeLayoutBlobs(
    dir,
    images.map(({ image }) => image),
  );
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: images.map(({ image, platform }) => ({
        mediaType: OCI_MANIFEST,
        digest: image.manifestDigest,
        size: image.manifest.length,
        platform: {
          architecture: platform.architecture,
          os: platform.os ?? 'linux',
          ...(platform.variant ? { variant: platform.variant } : {}),
        },
      })),
    }),
  );
  const indexDigest = sha256(index);
  await writeFile(join(blobs, indexDigest.slice('sha256:'.length)), index);
  await writeRefIndex(dir, { mediaType: OCI_INDEX, digest: indexDigest, size: index.length }, tag);
  return { index, indexDigest };
}
