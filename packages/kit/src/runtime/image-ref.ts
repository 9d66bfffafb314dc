// Docker image references `[registry/]repository[:tag][@digest]`: pure parsing and formatting (input validation,
// digest pinning).

/** A parsed Docker image reference `[registry/]repository[:tag][@digest]`. */
export interface ImageRef {
  /** Registry host (with port), undefined for Docker Hub short names (`nginx`, `library/nginx`). */
  registry: string | undefined;
  repository: string;
  tag: string | undefined;
  digest: string | undefined;
}

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const HOST =
  '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::\\d+)?';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE_RE = new RegExp(
  `^(?:(${HOST})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);

/**
 * Parse an image reference following the Docker reference grammar. The first path component is a registry host
 * when it contains '.' or ':' or is 'localhost' (as Docker decides). Returns undefined when it is not a valid
 * reference (upper-case repository, spaces, bad tag, ...).
 */
export function parseImageRef(image: string): ImageRef | undefined {
  const m = REFERENCE_RE.exec(image);
  if (!m) {
    // `host/path` where the host has no dot/colon was matched as a path above; anything else is invalid.
    return undefined;
  }
  let registry = m[1];
  let repository = m[2]!;
  if (registry !== undefined && !/[.:]/.test(registry) && registry !== 'localhost' && !registry.startsWith('[')) {
    // e.g. `myorg/app`: the first component is part of the path (Docker Hub), but HOST matched it.
    if (!new RegExp(`^${PATH_COMPONENT}$`).test(registry)) return undefined;
    repository = `${registry}/${repository}`;
    registry = undefined;
  }
  return { registry, repository, tag: m[3], digest: m[4] };
}

export function formatImageRef(ref: ImageRef): string {
  return `${ref.registry ? `${ref.registry}/` : ''}${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
