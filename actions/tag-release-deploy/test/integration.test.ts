// main() in process: ECR for real against the emulator (control plane + registry, seeded images), GitHub against the
// in-test fake REST server (fake-github.ts) that records every request.
import { BatchGetImageCommand, DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { imagesSection } from '../src/plan';
import { putTag, readRepository } from '../src/registry';
import { githubEnv, runMain, SHA, TOKEN, useFakeGitHub, useTestEmulator } from './helpers';

const emu = useTestEmulator();
const gh = useFakeGitHub();
let ecr: ECRClient;

beforeAll(() => {
  ecr = new ECRClient(emu.clientConfig);
});
afterAll(() => ecr?.destroy());
beforeEach(async () => {
  await emu.control.reset();
  gh.reset(['v1.3.0', 'v1.4.0-rc.1', 'v1.2.0', 'v1.4.0']);
});

type SeedImage = { tag?: string; tags?: string[]; content?: string };
async function seed(repos: Record<string, SeedImage[]>, mutability = 'MUTABLE'): Promise<void> {
  await emu.control.seed({
    repositories: Object.entries(repos).map(([name, images]) => ({ name, imageTagMutability: mutability, images })),
  } as never);
  await emu.control.clearRequests();
}

async function digestOf(repo: string, tag: string): Promise<string | undefined> {
  try {
    const out = await ecr.send(new DescribeImagesCommand({ repositoryName: repo, imageIds: [{ imageTag: tag }] }));
    return out.imageDetails?.[0]?.imageDigest;
  } catch {
    return undefined;
  }
}

const ecrWrites = async () => (await emu.mutatingRequests()).map((e) => `${e.operation}`);
const ghWrites = () => gh.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);

const inputs = { repositories: 'team/api\nteam/worker', 'github-token': TOKEN };
const env = () => githubEnv(gh);

describe('release: promote, deployment, release', () => {
  test('promotes both repositories, opens the deployment, creates the release with notes since v1.3.0', async () => {
    await seed({ 'team/api': [{ tag: SHA, content: 'api' }], 'team/worker': [{ tag: SHA, content: 'worker' }] });
    const api = (await digestOf('team/api', SHA))!;
    const worker = (await digestOf('team/worker', SHA))!;
    expect(api).not.toBe(worker);

    const r = await runMain({ ...inputs, 'extra-tags': 'latest', 'major-minor-tags': 'true' }, env());
    expect(r.message).toBeUndefined();

    for (const tag of ['v1.4.0', 'v1', 'v1.4', 'latest', SHA]) {
      expect(await digestOf('team/api', tag), tag).toBe(api);
      expect(await digestOf('team/worker', tag), tag).toBe(worker);
    }
    expect(await ecrWrites()).toEqual(Array(8).fill('PutImage'));
    const host = new URL(emu.url).host;
    expect(r.outputs).toEqual({
      version: '1.4.0',
      tag: 'v1.4.0',
      images: `${host}/team/api@${api}\n${host}/team/worker@${worker}`,
      digests: JSON.stringify({ 'team/api': api, 'team/worker': worker }),
      'deployment-id': '1000',
      'release-url': 'https://github.com/acme/shop/releases/tag/v1.4.0',
      prerelease: 'false',
    });

    expect(gh.calls()).toEqual([
      'GET /repos/acme/shop/tags',
      'POST /repos/acme/shop/deployments',
      'POST /repos/acme/shop/deployments/1000/statuses',
      'GET /repos/acme/shop/releases/tags/v1.4.0',
      'POST /repos/acme/shop/releases/generate-notes',
      'POST /repos/acme/shop/releases',
    ]);
    const [tags, deployment, status, , notes, release] = gh.requests;
    expect(tags!.query).toMatchObject({ per_page: '100' });
    expect(tags!.authorization).toBe(`token ${TOKEN}`);
    expect(deployment!.body).toEqual({
      ref: 'v1.4.0',
      task: 'deploy',
      environment: 'production',
      description: 'Release v1.4.0',
      auto_merge: false,
      required_contexts: [],
      payload: { version: '1.4.0', tag: 'v1.4.0', images: { 'team/api': api, 'team/worker': worker } },
      production_environment: true,
      transient_environment: false,
    });
    expect(status!.body).toEqual({
      state: 'in_progress',
      environment: 'production',
      description: 'Deploying v1.4.0',
      log_url: 'https://github.com/acme/shop/actions/runs/77',
    });
    expect(notes!.body).toEqual({ tag_name: 'v1.4.0', previous_tag_name: 'v1.3.0' });
    expect(release!.body).toMatchObject({
      tag_name: 'v1.4.0',
      name: 'v1.4.0',
      prerelease: false,
      draft: false,
      make_latest: 'legacy',
    });
    expect(gh.releases).toHaveLength(1);
    const body = gh.releases[0]!.body;
    expect(body).toContain('compare/v1.3.0...v1.4.0');
    expect(body).toContain(`| team/api | \`${host}/team/api@${api}\` | \`v1.4.0\`, \`v1\`, \`v1.4\`, \`latest\` |`);
    expect(r.summary).toContain('tag-release-deploy: v1.4.0');
    expect(r.summary).toContain(`${host}/team/worker@${worker}`);
    expect(r.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(r.stdout.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
  });

  test('re-run: no PutImage (tags already on the digest), a new deployment, the same release updated', async () => {
    await seed({ 'team/api': [{ tag: SHA, content: 'api' }], 'team/worker': [{ tag: SHA, content: 'worker' }] });
    const first = await runMain(inputs, env());
    expect(first.message).toBeUndefined();
    const body = gh.releases[0]!.body;
    gh.releases[0]!.body = `${body}\n\nEdited on GitHub.`;
    await emu.control.clearRequests();
    gh.requests = [];

    const again = await runMain(inputs, env());
    expect(again.message).toBeUndefined();
    expect(await ecrWrites()).toEqual([]);
    expect(again.outputs).toMatchObject({ images: first.outputs.images, digests: first.outputs.digests });
    expect(gh.calls()).toEqual([
      'GET /repos/acme/shop/tags',
      'POST /repos/acme/shop/deployments',
      `POST /repos/acme/shop/deployments/${gh.deployments[1]!.id}/statuses`,
      'GET /repos/acme/shop/releases/tags/v1.4.0',
      `PATCH /repos/acme/shop/releases/${gh.releases[0]!.id}`,
    ]);
    expect(gh.releases).toHaveLength(1);
    expect(gh.releases[0]!.body).toBe(`${body}\n\nEdited on GitHub.`);
    expect(again.outputs['release-url']).toBe(first.outputs['release-url']);
    expect(again.summary).toContain('updated');
  });

  test('release tag already on ANOTHER digest in one repository: fails before anything is written', async () => {
    await seed({
      'team/api': [{ tag: SHA, content: 'api' }],
      'team/worker': [
        { tag: SHA, content: 'worker' },
        { tag: 'v1.4.0', content: 'an older worker' },
      ],
    });
    const old = await digestOf('team/worker', 'v1.4.0');
    const r = await runMain(inputs, env());
    expect(r.message).toMatch(
      /^Input 'tag': team\/worker:v1\.4\.0 already exists on sha256:[0-9a-f]{64}, not on sha256:.*never moved.*nothing was changed/,
    );
    expect(await ecrWrites()).toEqual([]);
    expect(await digestOf('team/api', 'v1.4.0')).toBeUndefined();
    expect(await digestOf('team/worker', 'v1.4.0')).toBe(old);
    expect(ghWrites()).toEqual([]);
    expect(r.outputs).toEqual({});
  });

  test('source tag missing: one clear failure naming repository and tag, nothing written', async () => {
    await seed({ 'team/api': [{ tag: SHA, content: 'api' }], 'team/worker': [{ tag: 'other', content: 'w' }] });
    const r = await runMain(inputs, env());
    expect(r.message).toBe(
      `Input 'source-tag': team/worker:${SHA} not found: was this commit built? staging pushes team/worker:<commit sha> (build-push-ecr), ` +
        `so team/worker:${SHA} must exist before it can be promoted (nothing was changed)`,
    );
    expect(await ecrWrites()).toEqual([]);
    expect(ghWrites()).toEqual([]);
  });

  test('repository missing: an error naming the input and the repository', async () => {
    await seed({ 'team/api': [{ tag: SHA }] });
    const r = await runMain(inputs, env());
    expect(r.message).toMatch(/^Input 'repositories': ECR repository 'team\/worker' does not exist in us-east-1/);
    expect(await ecrWrites()).toEqual([]);
  });

  test('immutable repository: new release tags are written; moving `latest` is refused up front', async () => {
    await seed({ 'team/api': [{ tag: SHA, content: 'api' }] }, 'IMMUTABLE');
    const ok = await runMain({ ...inputs, repositories: 'team/api', 'major-minor-tags': 'true' }, env());
    expect(ok.message).toBeUndefined();
    expect(await digestOf('team/api', 'v1.4')).toBe(await digestOf('team/api', SHA));

    await seed(
      {
        'team/web': [
          { tag: SHA, content: 'web' },
          { tag: 'latest', content: 'old web' },
        ],
      },
      'IMMUTABLE',
    );
    const r = await runMain({ ...inputs, repositories: 'team/web', 'extra-tags': 'latest' }, githubEnv(gh, 'v1.5.0'));
    expect(r.message).toMatch(/team\/web:latest is on sha256:.* immutable \(IMMUTABLE\).*nothing was changed/);
    expect(await ecrWrites()).toEqual([]);
  });

  test('mutable repository: `latest` moves from the previous release', async () => {
    await seed({
      'team/api': [
        { tag: SHA, content: 'new' },
        { tags: ['v1.3.0', 'latest'], content: 'old' },
      ],
    });
    const r = await runMain({ ...inputs, repositories: 'team/api', 'extra-tags': 'latest' }, env());
    expect(r.message).toBeUndefined();
    expect(await digestOf('team/api', 'latest')).toBe(await digestOf('team/api', SHA));
    expect(await digestOf('team/api', 'v1.3.0')).not.toBe(await digestOf('team/api', SHA));
    expect(r.stdout).toMatch(/team\/api:latest → sha256:[0-9a-f]+ \(moved from sha256:/);
  });

  test('prerelease without repositories: no AWS call, prerelease release with notes since the last rc', async () => {
    gh.reset(['v1.3.0', 'v2.0.0-rc.1']);
    const r = await runMain(
      { 'github-token': TOKEN, 'aws-region': '' },
      { ...githubEnv(gh, 'v2.0.0-rc.2'), AWS_REGION: '' },
    );
    expect(r.message).toBeUndefined();
    expect(await emu.control.requests()).toEqual([]);
    expect(r.outputs).toMatchObject({ version: '2.0.0-rc.2', images: '', digests: '{}', prerelease: 'true' });
    expect(gh.requests.find((q) => q.path.endsWith('generate-notes'))!.body.previous_tag_name).toBe('v2.0.0-rc.1');
    expect(gh.releases[0]).toMatchObject({ prerelease: true, make_latest: 'false' });
    expect(gh.releases[0]!.body).not.toContain('Container images');
  });

  test('create-release false and environment staging: deployment only', async () => {
    await seed({ 'team/api': [{ tag: SHA, content: 'api' }] });
    const r = await runMain(
      { ...inputs, repositories: 'team/api', 'create-release': 'false', environment: 'staging' },
      env(),
    );
    expect(r.message).toBeUndefined();
    expect(gh.calls()).toEqual([
      'GET /repos/acme/shop/tags',
      'POST /repos/acme/shop/deployments',
      'POST /repos/acme/shop/deployments/1000/statuses',
    ]);
    expect(gh.requests[1]!.body).toMatchObject({ environment: 'staging', production_environment: false });
    expect(r.outputs['release-url']).toBe('');
  });

  test('create-deployment false (a job with environment:): release only, no deployment requests', async () => {
    await seed({ 'team/api': [{ tag: SHA, content: 'api' }] });
    const r = await runMain({ ...inputs, repositories: 'team/api', 'create-deployment': 'false' }, env());
    expect(r.message).toBeUndefined();
    expect(gh.calls().filter((c) => c.includes('/deployments'))).toEqual([]);
    expect(gh.releases).toHaveLength(1);
    expect(r.outputs['deployment-id']).toBe('');
    expect(r.summary).toContain('not opened (create-deployment: false)');
  });

  test('tag list paginates (250 tags): the previous version is found on page 3', async () => {
    const many = Array.from({ length: 249 }, (_, i) => `v0.${i}.0`);
    gh.reset([...many, 'v1.3.9']);
    const r = await runMain({ 'github-token': TOKEN }, env());
    expect(r.message).toBeUndefined();
    expect(gh.calls().filter((c) => c.endsWith('/tags'))).toHaveLength(3);
    expect(gh.requests.find((q) => q.path.endsWith('generate-notes'))!.body.previous_tag_name).toBe('v1.3.9');
  });

  test('GitHub refuses the deployment (403): clear failure with the permissions hint, token never printed', async () => {
    gh.failures.push({
      method: 'POST',
      path: /\/deployments$/,
      status: 403,
      message: 'Resource not accessible by integration',
    });
    const r = await runMain({ 'github-token': TOKEN }, env());
    expect(r.message).toMatch(
      /^GitHub create deployment failed: HTTP 403 Resource not accessible by integration.*permissions: \{ contents: write, deployments: write \}/,
    );
    expect(r.stdout.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
  });

  test('the release fails after the deployment opened: deployment-id is already an output for the finishing step', async () => {
    gh.failures.push({ method: 'POST', path: /\/releases$/, status: 500, message: 'boom' });
    const r = await runMain({ 'github-token': TOKEN }, env());
    expect(r.message).toMatch(/GitHub create release failed: HTTP 500/);
    expect(r.outputs['deployment-id']).toBe('1000');
  });
});

describe('finishing mode', () => {
  test('only sets the deployment status (environment url, run log url) and exits', async () => {
    gh.deployments.push({ id: 42, environment: 'production' });
    const r = await runMain(
      {
        'deployment-id': '42',
        'deployment-status': 'success',
        'environment-url': 'https://shop.example.com',
        'github-token': TOKEN,
        repositories: 'team/api',
      },
      env(),
    );
    expect(r.message).toBeUndefined();
    expect(gh.calls()).toEqual([
      'GET /repos/acme/shop/deployments/42',
      'POST /repos/acme/shop/deployments/42/statuses',
    ]);
    expect(gh.requests[1]!.body).toEqual({
      state: 'success',
      environment: 'production',
      description: 'Deployment success',
      environment_url: 'https://shop.example.com',
      log_url: 'https://github.com/acme/shop/actions/runs/77',
    });
    expect(await emu.control.requests()).toEqual([]);
    expect(r.outputs).toEqual({ 'deployment-id': '42' });
    expect(r.summary).toContain('marked **success**');
  });

  test('unknown deployment: read before the write, an error naming deployment-id, nothing written', async () => {
    const r = await runMain({ 'deployment-id': '7', 'deployment-status': 'failure', 'github-token': TOKEN }, env());
    expect(r.message).toMatch(/^Input 'deployment-id': deployment 7 does not exist in acme\/shop/);
    expect(gh.calls()).toEqual(['GET /repos/acme/shop/deployments/7']);
  });

  test("the deployment's own environment is kept; another one given explicitly is refused", async () => {
    gh.deployments.push({ id: 43, environment: 'staging' });
    const kept = await runMain({ 'deployment-id': '43', 'deployment-status': 'success', 'github-token': TOKEN }, env());
    expect(kept.message).toBeUndefined();
    expect(gh.requests[1]!.body).toMatchObject({ environment: 'staging' });
    const moved = await runMain(
      { 'deployment-id': '43', 'deployment-status': 'success', environment: 'production', 'github-token': TOKEN },
      env(),
    );
    expect(moved.message).toMatch(/^Input 'environment': deployment 43 is for "staging", not "production"/);
    expect(gh.calls().filter((c) => c.startsWith('POST'))).toHaveLength(1);
  });
});

describe('registry helpers', () => {
  test('PutImage of a tag already on the digest → ImageAlreadyExistsException handled as success', async () => {
    await seed({ 'team/api': [{ tags: [SHA, 'v1.4.0'], content: 'api' }] });
    const state = await readRepository(ecr, 'team/api', 'us-east-1', SHA, ['v1.4.0']);
    expect(state.existing['v1.4.0']).toBe(state.source!.digest);
    const plan = { ...state, ...state.source!, write: ['v1.4.0'], unchanged: [], moved: [] };
    expect(await putTag(ecr, plan, 'v1.4.0')).toBe('already-exists');
    const log = await emu.control.requests();
    expect(log.filter((e) => e.operation === 'PutImage').map((e) => e.status)).toEqual([400]);
  });

  test('the exact manifest and media type are re-put (OCI manifests too)', async () => {
    await seed({ 'team/api': [{ tag: SHA, content: 'oci', format: 'oci' } as never] });
    const state = await readRepository(ecr, 'team/api', 'us-east-1', SHA, ['v9.0.0']);
    expect(state.source!.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    const plan = { ...state, ...state.source!, write: ['v9.0.0'], unchanged: [], moved: [] };
    expect(await putTag(ecr, plan, 'v9.0.0')).toBe('written');
    const out = await ecr.send(
      new BatchGetImageCommand({ repositoryName: 'team/api', imageIds: [{ imageTag: 'v9.0.0' }] }),
    );
    expect(out.images?.[0]?.imageManifest).toBe(state.source!.manifest);
    expect(out.images?.[0]?.imageId?.imageDigest).toBe(state.source!.digest);
    expect(imagesSection([], 'x')).toBe('');
  });
});
