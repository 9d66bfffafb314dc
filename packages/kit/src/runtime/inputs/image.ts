import { ConfigurationError } from '../errors';
import { quote } from './readers';

// Docker image references `[registry/]repository[:tag][@digest]`: pure parsing and formatting, the one rule for image
// inputs (render-task-def / deploy-ecs `containers`) and for the images digest pinning reads. A digest is
// `sha256:` + 64 hex digits (or `sha512:` + 128, the other OCI-registered algorithm): a shorter "digest" is refused.

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
const DIGEST = 'sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128}';
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

/** The parts of `[repository]@<digest>` that decide whether a digest is well-formed (for a precise message). */
function digestProblem(image: string): string | undefined {
  const at = image.lastIndexOf('@');
  if (at === -1) return undefined;
  const digest = image.slice(at + 1);
  if (/^sha256:[0-9a-f]{64}$|^sha512:[0-9a-f]{128}$/.test(digest)) return undefined;
  const hex = /^[a-z0-9]+:([0-9a-fA-F]*)$/.exec(digest);
  if (hex && digest.startsWith('sha256:')) {
    return `the digest has ${hex[1]!.length} hex digits; a sha256 digest has 64 (lower case)`;
  }
  return `${JSON.stringify(digest)} is not a digest: expected sha256: and 64 hex digits`;
}

/** An image input (one per line): the reference grammar, and a well-formed digest when one is given. */
export function parseImage(input: string, raw: string, line?: number): string {
  const value = raw.trim();
  const at = line === undefined ? '' : `line ${line}: `;
  const problem = digestProblem(value);
  if (problem) throw new ConfigurationError(input, `${at}${JSON.stringify(value)}: ${problem}`);
  if (!parseImageRef(value)) {
    throw new ConfigurationError(
      input,
      `${at}${quote(value)} is not an image reference: expected [registry/]repository[:tag][@sha256:digest] (repository in lower case)`,
    );
  }
  return value;
}
