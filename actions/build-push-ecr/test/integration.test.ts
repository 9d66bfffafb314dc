// main() in process against the emulator's ECR control plane and OCI registry, with REAL buildah (vfs storage,
// chroot isolation, tiny FROM scratch images).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  buildahEnv,
  hasBuildah,
  makeWorkspace,
  maskedValues,
  operations,
  registryWrites,
  runMain,
  SHA,
  tempDir,
  useTestEmulator,
  visibleOutput,
} from './helpers';

const emu = useTestEmulator();
let ecr: ECRClient;
const ws = makeWorkspace();
const storage = buildahEnv();
let env: Record<string, string>;

beforeAll(() => {
  ecr = new ECRClient(emu.clientConfig);
  env = {
    ...storage,
    GITHUB_WORKSPACE: ws,
    GITHUB_SHA: SHA,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'acme/shop',
  };
});
afterAll(() => ecr?.destroy());

beforeEach(async () => {
  await emu.control.reset();
});

async function createRepo(name: string, mutability = 'MUTABLE', filters: string[] = []): Promise<void> {
  await ecr.send(
    new CreateRepositoryCommand({
      repositoryName: name,
      imageTagMutability: mutability as 'MUTABLE',
      ...(filters.length
        ? { imageTagMutabilityExclusionFilters: filters.map((filter) => ({ filterType: 'WILDCARD', filter })) }
        : {}),
    }),
  );
}

async function digestOf(repo: string, tag: string): Promise<string | undefined> {
  const out = await ecr.send(new DescribeImagesCommand({ repositoryName: repo, imageIds: [{ imageTag: tag }] }));
  return out.imageDetails?.[0]?.imageDigest;
}

/** GET from the registry with a fresh ECR token (what a puller does). */
async function registryGet(path: string, accept?: string): Promise<Response> {
  const out = await ecr.send(new GetAuthorizationTokenCommand({}));
  const headers: Record<string, string> = { authorization: `Basic ${out.authorizationData?.[0]?.authorizationToken}` };
  if (accept) headers.accept = accept;
  return fetch(`${emu.url}${path}`, { headers });
}

const base = { repository: 'team/api', context: 'app', builder: 'buildah' };

describe.skipIf(!hasBuildah)('real buildah against the emulator', () => {
  test('build + push: truthful digest, every tag, pullable, OCI labels, token masked, logout', async () => {
    await createRepo('team/api');
    await emu.control.clearRequests();
    const r = await runMain(
      {
        ...base,
        tags: `${SHA}\nlatest`,
        'build-args': 'GREETING=greeting-from-ci\nNPM_TOKEN=npm-token-value-42\nAPP_VERSION=1.4.0',
        'public-build-args': 'APP_VERSION',
      },
      env,
    );
    expect(r.message).toBeUndefined();

    const digest = await digestOf('team/api', SHA);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await digestOf('team/api', 'latest')).toBe(digest);
    const host = new URL(emu.url).host;
    expect(r.outputs).toEqual({
      image: `${host}/team/api@${digest}`,
      digest,
      tags: `${SHA},latest`,
      'repository-uri': `${host}/team/api`,
      skipped: 'false',
    });

    // Pullable: the manifest by digest, and its config carries the OCI labels.
    const manifest = await registryGet(`/v2/team/api/manifests/${digest}`);
    expect(manifest.status).toBe(200);
    const body = (await manifest.json()) as { config: { digest: string } };
    const config = (await (await registryGet(`/v2/team/api/blobs/${body.config.digest}`)).json()) as {
      config: { Labels: Record<string, string> };
    };
    expect(config.config.Labels).toMatchObject({
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.source': 'https://github.com/acme/shop',
    });

    // Token fetched after the repository checks, i.e. right before the build+push.
    const ops = operations(await emu.control.requests());
    expect(ops.indexOf('GetAuthorizationToken')).toBeGreaterThan(ops.lastIndexOf('DescribeRepositories'));
    expect(ops.indexOf('GetAuthorizationToken')).toBeLessThan(ops.indexOf('PutManifest'));

    // The token and the password are masked and never printed (login reads the password on stdin).
    const masked = maskedValues(r.stdout);
    expect(masked.length).toBeGreaterThanOrEqual(2);
    const visible = visibleOutput(r.stdout);
    for (const secret of masked) expect(visible).not.toContain(secret);
    expect(visible).toMatch(/buildah .*login .*--password-stdin/);
    // #14: build-arg values are masked in the echoed command line and registered, unless public.
    expect(visible).toMatch(
      /--build-arg GREETING=\*\*\* --build-arg NPM_TOKEN=\*\*\* --build-arg APP_VERSION=1\.4\.0 /,
    );
    expect(masked).toEqual(expect.arrayContaining(['greeting-from-ci', 'npm-token-value-42']));
    expect(masked).not.toContain('1.4.0');
    expect(visible).not.toContain('npm-token-value-42');
    expect(visible).toMatch(/buildah .*logout --authfile/);
    expect(r.summary).toContain(`${host}/team/api@${digest}`);
    expect(r.summary).toContain('buildah');
  });

  test('re-run with the same tag: skipped, nothing built or pushed, same digest', async () => {
    await createRepo('team/api');
    const first = await runMain({ ...base, tags: 'v1' }, env);
    expect(first.message).toBeUndefined();
    await emu.control.clearRequests();

    const again = await runMain({ ...base, tags: 'v1' }, env);
    expect(again.message).toBeUndefined();
    expect(again.outputs).toMatchObject({ digest: first.outputs.digest, skipped: 'true' });
    const log = await emu.control.requests();
    expect(registryWrites(log)).toEqual([]);
    expect(operations(log)).not.toContain('GetAuthorizationToken');
    expect(again.stdout).not.toMatch(/buildah .*bud/);
    expect(again.summary).toContain('skip-existing is on');
  });

  test('immutable repository: existing tag with skip-existing off fails before any build', async () => {
    await createRepo('team/api');
    const first = await runMain({ ...base, tags: 'v1', cache: 'off' }, env);
    expect(first.message).toBeUndefined();
    await ecr.send(
      new (await import('@aws-sdk/client-ecr')).PutImageTagMutabilityCommand({
        repositoryName: 'team/api',
        imageTagMutability: 'IMMUTABLE',
      }),
    );
    await emu.control.clearRequests();

    const r = await runMain({ ...base, tags: 'v1', cache: 'off', 'skip-existing': 'false' }, env);
    expect(r.message).toMatch(/tag v1 already exists in team\/api .* IMMUTABLE/);
    expect(registryWrites(await emu.control.requests())).toEqual([]);
    expect(r.stdout).not.toMatch(/buildah .*bud/);

    // ... and with skip-existing (default) the same run is an idempotent success.
    const skipped = await runMain({ ...base, tags: 'v1', cache: 'off' }, env);
    expect(skipped.outputs).toMatchObject({ skipped: 'true', digest: first.outputs.digest });
  });

  test('immutable repository + cache ecr fails before building and names the fix', async () => {
    await createRepo('team/api', 'IMMUTABLE');
    await emu.control.clearRequests();
    const r = await runMain({ ...base, tags: 'v2' }, env);
    expect(r.message).toMatch(/IMMUTABLE_WITH_EXCLUSION/);
    expect(r.message).toMatch(/cache: off/);
    expect(operations(await emu.control.requests())).not.toContain('GetAuthorizationToken');
  });

  test('immutable repository + cache off: builds and pushes a new tag', async () => {
    await createRepo('team/api', 'IMMUTABLE');
    const r = await runMain({ ...base, tags: 'v3', cache: 'off' }, env);
    expect(r.message).toBeUndefined();
    expect(r.outputs.digest).toBe(await digestOf('team/api', 'v3'));
  });

  test('missing repository: one clear failure naming repository and region, before any build', async () => {
    const r = await runMain({ ...base, repository: 'team/nope', tags: 'v1' }, env);
    expect(r.message).toMatch(/ECR repository 'team\/nope' does not exist in region us-east-1/);
    expect(registryWrites(await emu.control.requests())).toEqual([]);
    expect(operations(await emu.control.requests())).not.toContain('GetAuthorizationToken');
    expect(r.stdout).not.toMatch(/buildah .*bud/);
  });

  test('a failing build still logs out, and nothing is pushed', async () => {
    await createRepo('team/api');
    const r = await runMain({ ...base, context: 'broken', tags: 'v1', cache: 'off' }, env);
    expect(r.message).toMatch(/buildah bud failed/);
    expect(r.summary).toContain('build-push-ecr: failed');
    expect(r.stdout).toMatch(/buildah .*logout --authfile/);
    expect(await emu.control.requests().then((l) => l.filter((e) => e.operation === 'PutManifest'))).toEqual([]);
  });
});

// No Docker engine here: a stand-in `docker` on PATH records its argv and stdin and "builds" by writing a digest
// to --metadata-file without pushing anything. This drives main()'s buildx path (probe, login on stdin, argv,
// logout) and proves the digest check refuses a digest ECR does not have.
describe('buildx path with a stand-in docker', () => {
  test('auto picks buildx; login via stdin; a reported digest ECR does not have fails the step; logout', async () => {
    const dir = tempDir('bpe-fake-docker-');
    const log = join(dir, 'log');
    writeFileSync(
      join(dir, 'docker'),
      [
        '#!/bin/bash',
        'echo "ARGS $*" >> "$FAKE_DOCKER_LOG"',
        'case "$1" in',
        '  login) echo "STDIN $(cat)" >> "$FAKE_DOCKER_LOG"; echo "CONFIG $DOCKER_CONFIG" >> "$FAKE_DOCKER_LOG" ;;',
        '  buildx)',
        '    if [ "$2" = version ]; then echo "github.com/docker/buildx v0.19.0"; exit 0; fi',
        '    if [ "$2" = inspect ]; then printf "Name:   default\\nDriver: docker\\n"; exit 0; fi',
        '    if [ "$2" = create ] || [ "$2" = rm ]; then exit 0; fi',
        '    while [ $# -gt 0 ]; do',
        `      if [ "$1" = --metadata-file ]; then shift; printf '{"containerimage.digest":"sha256:${'f'.repeat(64)}"}' > "$1"; fi`,
        '      shift',
        '    done ;;',
        'esac',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    await createRepo('team/api');
    const savedPath = process.env.PATH;
    process.env.PATH = `${dir}:${savedPath}`;
    process.env.FAKE_DOCKER_LOG = log;
    let r: Awaited<ReturnType<typeof runMain>>;
    try {
      r = await runMain({ repository: 'team/api', context: 'app', tags: 'v1' }, { ...env, PATH: process.env.PATH });
    } finally {
      process.env.PATH = savedPath;
      delete process.env.FAKE_DOCKER_LOG;
    }
    expect(r.message).toMatch(/buildx reported digest sha256:f{64} but ECR has no image for team\/api:v1/);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    const host = new URL(emu.url).host;
    expect(lines[0]).toBe('ARGS buildx version');
    expect(lines[1]).toBe(`ARGS login --username AWS --password-stdin ${host}`);
    const password = lines[2]?.replace(/^STDIN /, '') ?? '';
    expect(password.length).toBeGreaterThan(10);
    expect(maskedValues(r.stdout)).toContain(password);
    // docker logs in to a config directory of this run (never ~/.docker), deleted afterwards
    const dockerConfig = lines[3]?.replace(/^CONFIG /, '') ?? '';
    expect(dockerConfig).toMatch(/\/in-process-[^/]+\/build-push-ecr-[^/]+\/docker$/); // under RUNNER_TEMP
    expect(existsSync(dockerConfig)).toBe(false);
    // the runner's default builder uses the docker driver (no cache export): a docker-container builder for the run
    expect(lines[4]).toBe('ARGS buildx inspect');
    const builder = /^ARGS buildx create --name (deploy-actions-\S+) --driver docker-container --bootstrap$/.exec(
      lines[5] ?? '',
    )?.[1];
    expect(builder).toBeDefined();
    expect(lines[6]).toMatch(new RegExp(`^ARGS buildx build --builder ${builder} `));
    expect(lines[6]).toContain(
      `--cache-to type=registry,ref=${host}/team/api:buildcache,mode=max,image-manifest=true,oci-mediatypes=true`,
    );
    expect(lines[6]).toContain('--provenance=false');
    expect(lines[7]).toBe(`ARGS logout ${host}`);
    expect(lines[8]).toBe(`ARGS buildx rm ${builder}`);
    expect(lines.join('\n')).not.toContain(`ARGS ${password}`);
  });
});
