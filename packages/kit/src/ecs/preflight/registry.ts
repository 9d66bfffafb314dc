import { ACCEPTED_MANIFEST_TYPES, type ManifestJson, type PlatformSpec } from './platform';
import type { ImageLocation } from './requirements';

// Images outside ECR (Docker Hub, ghcr.io, public.ecr.aws, …), read anonymously through the registry's OCI
// distribution API (https://github.com/opencontainers/distribution-spec): GET /v2/<name>/manifests/<ref>, and on a 401
// with `WWW-Authenticate: Bearer realm=…,service=…,scope=…` an anonymous token from the realm (Docker's token
// protocol), then the config blob. No credentials are ever sent: a registry that wants them is "not reachable
// anonymously" and the preflight says so in a one-line warning.

type RegistryLocation = Extract<ImageLocation, { kind: 'registry' }>;

/** The registry could not be asked (network, auth, rate limit): the image is not judged. */
export class RegistryUnavailable extends Error {
  override name = 'RegistryUnavailable';
}

const base = (loc: RegistryLocation) => `${loc.insecure ? 'http' : 'https'}://${loc.host}/v2/${loc.repository}`;

/** `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"`. */
export function parseBearerChallenge(header: string | null): Record<string, string> | undefined {
  if (!header || !/^bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!.toLowerCase()] = m[2]!;
  return params.realm ? params : undefined;
}

async function anonymousToken(
  challenge: Record<string, string>,
  loc: RegistryLocation,
  fetchImpl: typeof fetch,
  signal: AbortSignal,
): Promise<string> {
  const url = new URL(challenge.realm!);
  if (challenge.service) url.searchParams.set('service', challenge.service);
  url.searchParams.set('scope', challenge.scope ?? `repository:${loc.repository}:pull`);
  const res = await fetchImpl(url, { signal });
  if (!res.ok) throw new RegistryUnavailable(`refused an anonymous token (HTTP ${res.status})`);
  const body = (await res.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new RegistryUnavailable('answered no token');
  return token;
}

/** GET with the anonymous token dance; returns the response (a 404 included) or throws RegistryUnavailable. */
async function get(
  url: string,
  loc: RegistryLocation,
  accept: string,
  fetchImpl: typeof fetch,
  signal: AbortSignal,
  token?: string,
): Promise<{ res: Response; token?: string }> {
  const call = (t?: string) =>
    fetchImpl(url, { headers: { accept, ...(t ? { authorization: `Bearer ${t}` } : {}) }, signal, redirect: 'follow' });
  let res: Response;
  try {
    res = await call(token);
    if (res.status === 401 && !token) {
      const challenge = parseBearerChallenge(res.headers.get('www-authenticate'));
      if (!challenge) throw new RegistryUnavailable('wants credentials (not reachable anonymously)');
      token = await anonymousToken(challenge, loc, fetchImpl, signal);
      res = await call(token);
    }
  } catch (err) {
    if (err instanceof RegistryUnavailable || signal.aborted) throw err;
    throw new RegistryUnavailable(`is not reachable: ${(err as Error).message}`);
  }
  if (res.status === 401 || res.status === 403) {
    throw new RegistryUnavailable('wants credentials (not reachable anonymously)');
  }
  if (res.status === 429) throw new RegistryUnavailable('rate-limited the request (HTTP 429)');
  if (res.status >= 500) throw new RegistryUnavailable(`answered HTTP ${res.status}`);
  return { res, ...(token ? { token } : {}) };
}

export interface RegistryManifest {
  manifest: ManifestJson;
  mediaType?: string;
  digest?: string;
  token?: string;
}

/** The manifest (or index) of an image; undefined when the registry says it does not exist (404). */
export async function fetchRegistryManifest(
  loc: RegistryLocation,
  fetchImpl: typeof fetch,
  signal: AbortSignal,
): Promise<RegistryManifest | undefined> {
  const { res, token } = await get(
    `${base(loc)}/manifests/${loc.reference}`,
    loc,
    ACCEPTED_MANIFEST_TYPES.join(', '),
    fetchImpl,
    signal,
  );
  if (res.status === 404) return undefined;
  if (!res.ok) throw new RegistryUnavailable(`answered HTTP ${res.status}`);
  let manifest: ManifestJson;
  try {
    manifest = (await res.json()) as ManifestJson;
  } catch {
    throw new RegistryUnavailable('answered a manifest that is not JSON');
  }
  const mediaType = res.headers.get('content-type')?.split(';')[0]?.trim() || manifest.mediaType;
  const digest =
    res.headers.get('docker-content-digest') ?? (loc.reference.startsWith('sha256:') ? loc.reference : undefined);
  return { manifest, ...(mediaType ? { mediaType } : {}), ...(digest ? { digest } : {}), ...(token ? { token } : {}) };
}

/** The image config's platform fields (the blob follows redirects to the registry's storage). */
export async function fetchRegistryConfig(
  loc: RegistryLocation,
  digest: string,
  token: string | undefined,
  fetchImpl: typeof fetch,
  signal: AbortSignal,
): Promise<PlatformSpec> {
  const { res } = await get(`${base(loc)}/blobs/${digest}`, loc, '*/*', fetchImpl, signal, token);
  if (!res.ok) throw new RegistryUnavailable(`answered HTTP ${res.status} for the image config`);
  const config = (await res.json()) as PlatformSpec;
  return {
    ...(config.os ? { os: config.os } : {}),
    ...(config.architecture ? { architecture: config.architecture } : {}),
    ...(config.variant ? { variant: config.variant } : {}),
  };
}
