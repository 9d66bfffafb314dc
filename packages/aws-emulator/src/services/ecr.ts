// Amazon ECR control plane (awsJson1_1, X-Amz-Target AmazonEC2ContainerRegistry_V20150921.<Operation>).
// The images live in the shared store (ecr-store.ts) that the OCI data plane (registry.ts) also writes, so what
// skopeo/buildah push shows up in DescribeImages/BatchGetImage and PutImage retags are pullable.
import type { EmuContext, EmuRequest, EmuResponse, SeedFixture, ServiceModule } from '../types.ts';
import { DOWNLOAD_URL_LIFETIME_SECONDS, downloadUrl, manifestFor } from './ecr-images.ts';
import {
  createEcrStore,
  DIGEST_PATTERN,
  type EcrStore,
  type ExclusionFilter,
  type ImageRecord,
  ImageStoreError,
  REPOSITORY_NAME_PATTERN,
  type RepositoryRecord,
  type SeedImage,
  TAG_MUTABILITY_VALUES,
  TAG_PATTERN,
  type TagMutability,
} from './ecr-store.ts';

export const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';
/** Authorization tokens are valid for 12 hours (ECR docs; amazon-ecr-login#526). */
export const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;

/** The ECR module as other services see it: `ctx.state.services.get('ecr') as EcrServiceModule`. */
export interface EcrServiceModule extends ServiceModule {
  store: EcrStore;
}

const MUTATING = new Set([
  'CreateRepository',
  'DeleteRepository',
  'PutImage',
  'BatchDeleteImage',
  'PutImageTagMutability',
  'TagResource',
  'UntagResource',
]);

class EcrError extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

type Json = Record<string, unknown>;

function jsonResponse(status: number, value: unknown): EmuResponse {
  return { status, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(value) };
}

function errorResponse(type: string, message: string, status = 400): EmuResponse {
  return jsonResponse(status, { __type: type, message });
}

const seconds = (ms: number) => ms / 1000;

function str(body: Json, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' ? v : undefined;
}

function requireString(body: Json, key: string): string {
  const v = str(body, key);
  if (v === undefined || v === '') {
    throw new EcrError(
      'InvalidParameterException',
      `Invalid parameter at '${key}' failed to satisfy constraint: 'must not be null'`,
    );
  }
  return v;
}

function pageParams(body: Json, forbidWith?: string): { start: number; max: number } {
  const token = str(body, 'nextToken');
  const maxRaw = body.maxResults;
  if (forbidWith && (token !== undefined || maxRaw !== undefined)) {
    throw new EcrError(
      'InvalidParameterException',
      `Invalid parameter: maxResults and nextToken cannot be used together with ${forbidWith}`,
    );
  }
  let start = 0;
  if (token !== undefined) {
    const decoded = Number(Buffer.from(token, 'base64').toString('utf8').replace(/^emu:/, ''));
    if (!Number.isInteger(decoded) || decoded < 0)
      throw new EcrError('InvalidParameterException', 'Invalid parameter at nextToken');
    start = decoded;
  }
  let max = 100;
  if (maxRaw !== undefined) {
    max = Number(maxRaw);
    if (!Number.isInteger(max) || max < 1 || max > 1000) {
      throw new EcrError(
        'InvalidParameterException',
        "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value between 1 and 1000'",
      );
    }
  }
  return { start, max };
}

function page<T>(items: T[], { start, max }: { start: number; max: number }): { items: T[]; nextToken?: string } {
  const slice = items.slice(start, start + max);
  const end = start + slice.length;
  return end < items.length
    ? { items: slice, nextToken: Buffer.from(`emu:${end}`).toString('base64') }
    : { items: slice };
}

function validateMutability(body: Json): { mutability?: TagMutability; filters?: ExclusionFilter[] } {
  const raw = body.imageTagMutability;
  if (raw === undefined) {
    if (body.imageTagMutabilityExclusionFilters !== undefined) {
      throw new EcrError(
        'InvalidParameterException',
        'imageTagMutabilityExclusionFilters can only be used with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION',
      );
    }
    return {};
  }
  if (!TAG_MUTABILITY_VALUES.includes(raw as TagMutability)) {
    throw new EcrError(
      'InvalidParameterException',
      `Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [${TAG_MUTABILITY_VALUES.join(', ')}]'`,
    );
  }
  const mutability = raw as TagMutability;
  const withExclusion = mutability.endsWith('_WITH_EXCLUSION');
  const rawFilters = body.imageTagMutabilityExclusionFilters;
  if (!withExclusion) {
    if (Array.isArray(rawFilters) && rawFilters.length > 0) {
      throw new EcrError(
        'InvalidParameterException',
        `imageTagMutabilityExclusionFilters cannot be specified when imageTagMutability is ${mutability}`,
      );
    }
    return { mutability, filters: [] };
  }
  if (!Array.isArray(rawFilters) || rawFilters.length === 0 || rawFilters.length > 5) {
    throw new EcrError(
      'InvalidParameterException',
      `imageTagMutabilityExclusionFilters must contain 1 to 5 filters when imageTagMutability is ${mutability}`,
    );
  }
  const filters = rawFilters.map((f) => {
    const filter = (f as Json)?.filter;
    const filterType = (f as Json)?.filterType;
    if (filterType !== 'WILDCARD' || typeof filter !== 'string' || !/^[0-9a-zA-Z._*-]{1,128}$/.test(filter)) {
      throw new EcrError(
        'InvalidParameterException',
        "Invalid parameter at 'imageTagMutabilityExclusionFilters': each filter needs filterType WILDCARD and a filter matching [0-9a-zA-Z._*-]{1,128}",
      );
    }
    return { filterType: 'WILDCARD' as const, filter };
  });
  return { mutability, filters };
}

interface ImageId {
  imageDigest?: string;
  imageTag?: string;
}

function imageIdLabel(id: ImageId): string {
  return `{imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'}`;
}

export function createEcrService(sharedStore?: EcrStore): EcrServiceModule {
  const store = sharedStore ?? createEcrStore();

  const repoNotFound = (name: string, accountId: string) =>
    new EcrError(
      'RepositoryNotFoundException',
      `The repository with name '${name}' does not exist in the registry with id '${accountId}'`,
    );

  const getRepo = (body: Json, ctx: EmuContext): RepositoryRecord => {
    const name = requireString(body, 'repositoryName');
    const repo = store.getRepository(name);
    if (!repo) throw repoNotFound(name, ctx.accountId);
    return repo;
  };

  const repositoryJson = (repo: RepositoryRecord, req: EmuRequest, ctx: EmuContext) => ({
    repositoryArn: `arn:aws:ecr:${repo.region}:${ctx.accountId}:repository/${repo.name}`,
    registryId: ctx.accountId,
    repositoryName: repo.name,
    repositoryUri: `${new URL(req.baseUrl).host}/${repo.name}`,
    createdAt: seconds(repo.createdAt),
    imageTagMutability: repo.imageTagMutability,
    ...(repo.exclusionFilters.length > 0 ? { imageTagMutabilityExclusionFilters: repo.exclusionFilters } : {}),
    imageScanningConfiguration: { scanOnPush: false },
    encryptionConfiguration: { encryptionType: 'AES256' },
  });

  const imageDetail = (repo: RepositoryRecord, image: ImageRecord, ctx: EmuContext) => {
    const tags = store.tagsOf(repo, image.digest);
    // An image reports its config media type; an OCI artifact its artifactType; an index neither.
    const artifactMediaType = image.artifactType ?? image.config?.mediaType;
    return {
      registryId: ctx.accountId,
      repositoryName: repo.name,
      imageDigest: image.digest,
      ...(tags.length > 0 ? { imageTags: tags } : {}),
      imageSizeInBytes: store.imageSize(repo, image),
      imagePushedAt: seconds(image.pushedAt),
      imageManifestMediaType: image.mediaType,
      ...(artifactMediaType ? { artifactMediaType } : {}),
      ...(image.subject ? { subjectManifestDigest: image.subject } : {}),
    };
  };

  /** Resolve one imageId; a failure code/reason as BatchGetImage reports it, or the image. */
  const lookup = (
    repo: RepositoryRecord,
    id: ImageId,
  ): { image: ImageRecord } | { failureCode: string; failureReason: string } => {
    if (!id.imageDigest && !id.imageTag) {
      return {
        failureCode: 'MissingDigestAndTag',
        failureReason: 'Invalid request parameters: both tag and digest cannot be null',
      };
    }
    if (id.imageDigest && !DIGEST_PATTERN.test(id.imageDigest)) {
      return {
        failureCode: 'InvalidImageDigest',
        failureReason:
          "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
      };
    }
    if (id.imageTag && !TAG_PATTERN.test(id.imageTag)) {
      return { failureCode: 'InvalidImageTag', failureReason: 'Invalid request parameters: image tag is invalid' };
    }
    if (id.imageTag) {
      const digest = repo.tags.get(id.imageTag);
      if (!digest) return { failureCode: 'ImageNotFound', failureReason: 'Requested image not found' };
      if (id.imageDigest && id.imageDigest !== digest) {
        return {
          failureCode: 'ImageTagDoesNotMatchDigest',
          failureReason: 'Invalid request parameters: given tag does not match the given digest',
        };
      }
      const image = repo.images.get(digest);
      return image ? { image } : { failureCode: 'ImageNotFound', failureReason: 'Requested image not found' };
    }
    const image = repo.images.get(id.imageDigest as string);
    return image ? { image } : { failureCode: 'ImageNotFound', failureReason: 'Requested image not found' };
  };

  const imageIdsOf = (body: Json): ImageId[] => {
    const raw = body.imageIds;
    if (!Array.isArray(raw) || raw.length === 0) {
      throw new EcrError(
        'InvalidParameterException',
        "Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length greater than or equal to 1'",
      );
    }
    if (raw.length > 100) {
      throw new EcrError(
        'InvalidParameterException',
        "Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length less than or equal to 100'",
      );
    }
    return raw.map((r) => {
      const o = (r ?? {}) as Json;
      return {
        ...(typeof o.imageDigest === 'string' ? { imageDigest: o.imageDigest } : {}),
        ...(typeof o.imageTag === 'string' ? { imageTag: o.imageTag } : {}),
      };
    });
  };

  const tagStatusFilter = (body: Json): 'ANY' | 'TAGGED' | 'UNTAGGED' => {
    const status = ((body.filter as Json | undefined)?.tagStatus as string | undefined) ?? 'ANY';
    if (!['ANY', 'TAGGED', 'UNTAGGED'].includes(status)) {
      throw new EcrError(
        'InvalidParameterException',
        "Invalid parameter at 'filter.tagStatus' failed to satisfy constraint: 'Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]'",
      );
    }
    return status as 'ANY' | 'TAGGED' | 'UNTAGGED';
  };

  const repoByArn = (body: Json, ctx: EmuContext): RepositoryRecord => {
    const arn = requireString(body, 'resourceArn');
    const m = /^arn:aws:ecr:[^:]*:[^:]*:repository\/(.+)$/.exec(arn);
    const repo = m?.[1] ? store.getRepository(m[1]) : undefined;
    if (!m?.[1])
      throw new EcrError(
        'InvalidParameterException',
        `Invalid parameter at 'resourceArn': '${arn}' is not a repository ARN`,
      );
    if (!repo) throw repoNotFound(m[1], ctx.accountId);
    return repo;
  };

  const operations: Record<string, (body: Json, req: EmuRequest, ctx: EmuContext) => unknown> = {
    GetAuthorizationToken(_body, req, ctx) {
      const expiresAt = ctx.clock.now() + TOKEN_LIFETIME_MS;
      const password = store.issueToken(expiresAt);
      ctx.state.issuedCredentials.add(password);
      return {
        authorizationData: [
          {
            authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'),
            expiresAt: seconds(expiresAt),
            proxyEndpoint: req.baseUrl,
          },
        ],
      };
    },

    CreateRepository(body, req, ctx) {
      const name = requireString(body, 'repositoryName');
      if (name.length < 2 || name.length > 256 || !REPOSITORY_NAME_PATTERN.test(name)) {
        throw new EcrError(
          'InvalidParameterException',
          `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '${REPOSITORY_NAME_PATTERN.source.slice(1, -1)}''`,
        );
      }
      const { mutability, filters } = validateMutability(body);
      if (store.getRepository(name)) {
        throw new EcrError(
          'RepositoryAlreadyExistsException',
          `The repository with name '${name}' already exists in the registry with id '${ctx.accountId}'`,
        );
      }
      const tags = Array.isArray(body.tags) ? (body.tags as Array<{ Key: string; Value: string }>) : [];
      const repo = store.createRepository({
        name,
        region: req.region,
        now: ctx.clock.now(),
        ...(mutability ? { imageTagMutability: mutability } : {}),
        ...(filters ? { exclusionFilters: filters } : {}),
        resourceTags: tags.map((t) => ({ Key: String(t.Key), Value: String(t.Value ?? '') })),
      });
      return { repository: repositoryJson(repo, req, ctx) };
    },

    DescribeRepositories(body, req, ctx) {
      const names = body.repositoryNames;
      if (Array.isArray(names) && names.length > 0) {
        const repos = names.map((n) => {
          const repo = store.getRepository(String(n));
          if (!repo) throw repoNotFound(String(n), ctx.accountId);
          return repo;
        });
        return { repositories: repos.map((r) => repositoryJson(r, req, ctx)) };
      }
      const all = [...store.repositories.values()].sort((a, b) => a.name.localeCompare(b.name));
      const { items, nextToken } = page(all, pageParams(body));
      return { repositories: items.map((r) => repositoryJson(r, req, ctx)), ...(nextToken ? { nextToken } : {}) };
    },

    DeleteRepository(body, req, ctx) {
      const repo = getRepo(body, ctx);
      if (repo.images.size > 0 && body.force !== true) {
        throw new EcrError(
          'RepositoryNotEmptyException',
          `The repository with name '${repo.name}' in registry with id '${ctx.accountId}' cannot be deleted because it still contains images`,
        );
      }
      const json = repositoryJson(repo, req, ctx);
      store.repositories.delete(repo.name);
      for (const [id, upload] of store.uploads) if (upload.repository === repo.name) store.uploads.delete(id);
      return { repository: json };
    },

    PutImageTagMutability(body, _req, ctx) {
      const repo = getRepo(body, ctx);
      if (body.imageTagMutability === undefined) {
        throw new EcrError(
          'InvalidParameterException',
          "Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'must not be null'",
        );
      }
      const { mutability, filters } = validateMutability(body);
      repo.imageTagMutability = mutability as TagMutability;
      repo.exclusionFilters = filters ?? [];
      return {
        registryId: ctx.accountId,
        repositoryName: repo.name,
        imageTagMutability: repo.imageTagMutability,
        ...(repo.exclusionFilters.length > 0 ? { imageTagMutabilityExclusionFilters: repo.exclusionFilters } : {}),
      };
    },

    DescribeImages(body, _req, ctx) {
      const repo = getRepo(body, ctx);
      if (body.imageIds !== undefined) {
        pageParams(body, 'imageIds');
        const ids = imageIdsOf(body);
        const seen = new Set<string>();
        const details = [];
        for (const id of ids) {
          const found = lookup(repo, id);
          if ('failureCode' in found) {
            if (found.failureCode === 'ImageNotFound' || found.failureCode === 'ImageTagDoesNotMatchDigest') {
              throw new EcrError(
                'ImageNotFoundException',
                `The image with imageId ${imageIdLabel(id)} does not exist within the repository with name '${repo.name}' in the registry with id '${ctx.accountId}'`,
              );
            }
            throw new EcrError('InvalidParameterException', found.failureReason);
          }
          if (seen.has(found.image.digest)) continue;
          seen.add(found.image.digest);
          details.push(imageDetail(repo, found.image, ctx));
        }
        return { imageDetails: details };
      }
      const status = tagStatusFilter(body);
      const images = [...repo.images.values()].filter((img) => {
        const tagged = store.tagsOf(repo, img.digest).length > 0;
        return status === 'ANY' || (status === 'TAGGED' ? tagged : !tagged);
      });
      const { items, nextToken } = page(images, pageParams(body));
      return { imageDetails: items.map((img) => imageDetail(repo, img, ctx)), ...(nextToken ? { nextToken } : {}) };
    },

    ListImages(body, _req, ctx) {
      const repo = getRepo(body, ctx);
      const status = tagStatusFilter(body);
      const ids: ImageId[] = [];
      for (const img of repo.images.values()) {
        const tags = store.tagsOf(repo, img.digest);
        if (tags.length === 0) {
          if (status !== 'TAGGED') ids.push({ imageDigest: img.digest });
        } else if (status !== 'UNTAGGED') {
          for (const t of tags) ids.push({ imageDigest: img.digest, imageTag: t });
        }
      }
      const { items, nextToken } = page(ids, pageParams(body));
      return { imageIds: items, ...(nextToken ? { nextToken } : {}) };
    },

    BatchGetImage(body, _req, ctx) {
      const repo = getRepo(body, ctx);
      const accepted = Array.isArray(body.acceptedMediaTypes) ? body.acceptedMediaTypes.map(String) : undefined;
      if (accepted && (accepted.length === 0 || accepted.length > 100)) {
        throw new EcrError(
          'InvalidParameterException',
          "Invalid parameter at 'acceptedMediaTypes' failed to satisfy constraint: 'Member must have length between 1 and 100'",
        );
      }
      const images = [];
      const failures = [];
      for (const id of imageIdsOf(body)) {
        const found = lookup(repo, id);
        if ('failureCode' in found) {
          failures.push({ imageId: id, ...found });
          continue;
        }
        // acceptedMediaTypes: the stored format, a by-tag conversion, or nothing acceptable (reported as not found,
        // as the registry answers a GET whose Accept excludes the stored type).
        const chosen = manifestFor(found.image, accepted, id.imageTag !== undefined && id.imageDigest === undefined);
        if (!chosen) {
          failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
          continue;
        }
        images.push({
          registryId: ctx.accountId,
          repositoryName: repo.name,
          imageId: { imageDigest: found.image.digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) },
          imageManifest: chosen.manifest,
          imageManifestMediaType: chosen.mediaType,
        });
      }
      return { images, failures };
    },

    GetDownloadUrlForLayer(body, req, ctx) {
      const repo = getRepo(body, ctx);
      const digest = requireString(body, 'layerDigest');
      if (!/^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$/.test(digest)) {
        throw new EcrError(
          'InvalidParameterException',
          "Invalid parameter at 'layerDigest' failed to satisfy constraint: 'must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+''",
        );
      }
      if (!repo.blobs.has(digest)) {
        throw new EcrError(
          'LayersNotFoundException',
          'The specified layers could not be found, or the specified layer is not valid for this repository.',
        );
      }
      // ECR answers with a pre-signed S3 URL; ours is a signed registry URL: a plain GET, no credentials.
      const expiresAt = ctx.clock.now() + DOWNLOAD_URL_LIFETIME_SECONDS * 1000;
      return { downloadUrl: downloadUrl(req.baseUrl, repo.name, digest, expiresAt), layerDigest: digest };
    },

    PutImage(body, _req, ctx) {
      const repo = getRepo(body, ctx);
      const manifest = requireString(body, 'imageManifest');
      const tag = str(body, 'imageTag');
      const digest = str(body, 'imageDigest');
      const declared = str(body, 'imageManifestMediaType');
      if (digest !== undefined && !DIGEST_PATTERN.test(digest)) {
        throw new EcrError(
          'InvalidParameterException',
          "Invalid parameter at 'imageDigest' failed to satisfy constraint: 'must be a valid digest'",
        );
      }
      const { image } = store.putManifest(repo, Buffer.from(manifest, 'utf8'), {
        ...(tag !== undefined ? { tag } : {}),
        ...(digest !== undefined ? { expectedDigest: digest } : {}),
        ...(declared !== undefined ? { declaredMediaType: declared } : {}),
        mode: 'api',
        now: ctx.clock.now(),
        accountId: ctx.accountId,
      });
      return {
        image: {
          registryId: ctx.accountId,
          repositoryName: repo.name,
          imageId: { imageDigest: image.digest, ...(tag !== undefined ? { imageTag: tag } : {}) },
          imageManifest: manifest,
          imageManifestMediaType: image.mediaType,
        },
      };
    },

    BatchDeleteImage(body, _req, ctx) {
      const repo = getRepo(body, ctx);
      const deleted: ImageId[] = [];
      const failures = [];
      for (const id of imageIdsOf(body)) {
        const found = lookup(repo, id);
        if ('failureCode' in found) {
          failures.push({ imageId: id, ...found });
          continue;
        }
        const digest = found.image.digest;
        const parents = [...repo.images.values()].filter((img) => img.manifests.some((m) => m.digest === digest));
        if (id.imageTag && store.tagsOf(repo, digest).length > 1) {
          // Other tags keep the image: only this tag goes.
          repo.tags.delete(id.imageTag);
          deleted.push({ imageDigest: digest, imageTag: id.imageTag });
          continue;
        }
        if (parents.length > 0) {
          failures.push({
            imageId: id,
            failureCode: 'ImageReferencedByManifestList',
            failureReason: `Requested image referenced by manifest list: [${parents.map((p) => p.digest).join(', ')}]`,
          });
          continue;
        }
        const tags = store.tagsOf(repo, digest);
        store.deleteImage(repo, digest);
        if (tags.length === 0) deleted.push({ imageDigest: digest });
        for (const t of tags) deleted.push({ imageDigest: digest, imageTag: t });
      }
      return { imageIds: deleted, failures };
    },

    BatchCheckLayerAvailability(body, _req, ctx) {
      const repo = getRepo(body, ctx);
      const digests = Array.isArray(body.layerDigests) ? body.layerDigests.map(String) : [];
      const layers = [];
      const failures = [];
      for (const d of digests) {
        if (!DIGEST_PATTERN.test(d)) {
          failures.push({
            layerDigest: d,
            failureCode: 'InvalidLayerDigest',
            failureReason: `Invalid layer digest: '${d}'`,
          });
          continue;
        }
        const blob = repo.blobs.get(d);
        if (blob) layers.push({ layerDigest: d, layerAvailability: 'AVAILABLE', layerSize: blob.length });
        else
          failures.push({
            layerDigest: d,
            failureCode: 'MissingLayerDigest',
            failureReason: `Could not find layer with digest '${d}'`,
          });
      }
      return { layers, failures };
    },

    ListTagsForResource(body, _req, ctx) {
      return { tags: repoByArn(body, ctx).resourceTags };
    },

    TagResource(body, _req, ctx) {
      const repo = repoByArn(body, ctx);
      const tags = Array.isArray(body.tags) ? (body.tags as Array<{ Key: string; Value: string }>) : [];
      for (const t of tags) {
        repo.resourceTags = repo.resourceTags.filter((x) => x.Key !== t.Key);
        repo.resourceTags.push({ Key: String(t.Key), Value: String(t.Value ?? '') });
      }
      return {};
    },

    UntagResource(body, _req, ctx) {
      const repo = repoByArn(body, ctx);
      const keys = Array.isArray(body.tagKeys) ? body.tagKeys.map(String) : [];
      repo.resourceTags = repo.resourceTags.filter((t) => !keys.includes(t.Key));
      return {};
    },
  };

  const operationOf = (req: EmuRequest) => {
    const target = req.headers['x-amz-target'] ?? '';
    return target.startsWith(ECR_TARGET_PREFIX) ? target.slice(ECR_TARGET_PREFIX.length) : target || 'Unknown';
  };

  return {
    name: 'ecr',
    store,
    classify(req) {
      const operation = operationOf(req);
      return { operation, mutating: MUTATING.has(operation) };
    },
    handle(req, ctx) {
      const operation = operationOf(req);
      const fn = operations[operation];
      if (!fn)
        return errorResponse('UnknownOperationException', `Operation ${operation} is not supported by the emulator`);
      let body: Json;
      try {
        body = req.body.length > 0 ? (JSON.parse(req.body.toString('utf8')) as Json) : {};
      } catch {
        return errorResponse('SerializationException', 'Request body is not valid JSON');
      }
      try {
        return jsonResponse(200, fn(body ?? {}, req, ctx));
      } catch (err) {
        if (err instanceof EcrError) return errorResponse(err.type, err.message);
        if (err instanceof ImageStoreError) {
          const type = err.code === 'UnsupportedManifest' ? 'InvalidParameterException' : err.code;
          return errorResponse(type, err.message);
        }
        throw err;
      }
    },
    reset() {
      store.reset();
    },
    async seed(fixture: SeedFixture, ctx: EmuContext) {
      const list = fixture.repositories;
      if (!Array.isArray(list)) return;
      for (const raw of list) {
        const entry = (raw ?? {}) as Json;
        const name = str(entry, 'name') ?? str(entry, 'repositoryName');
        if (!name || !REPOSITORY_NAME_PATTERN.test(name))
          throw new Error(`seed repositories[]: invalid repository name ${JSON.stringify(name)}`);
        let repo = store.getRepository(name);
        const { mutability, filters } = validateMutability(entry);
        if (!repo) {
          const tags = Array.isArray(entry.tags) ? (entry.tags as Array<{ Key: string; Value: string }>) : [];
          repo = store.createRepository({
            name,
            region: str(entry, 'region') ?? 'us-east-1',
            now: ctx.clock.now(),
            ...(mutability ? { imageTagMutability: mutability } : {}),
            ...(filters ? { exclusionFilters: filters } : {}),
            resourceTags: tags,
          });
        }
        const images = Array.isArray(entry.images) ? (entry.images as SeedImage[]) : [];
        for (const image of images) await store.synthesizeImage(repo, image, ctx.clock.now(), ctx.accountId);
      }
    },
    throttleError() {
      return errorResponse('ThrottlingException', 'Rate exceeded');
    },
  };
}
