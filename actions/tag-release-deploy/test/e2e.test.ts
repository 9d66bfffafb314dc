// The bundled dist run exactly as the runner runs it (node dist/index.js, INPUT_* env, command files): ECR against
// the emulator, GitHub against the fake REST server. Release step, re-run, then the finishing step.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { REPO_ROOT, runActionBundle } from '@deploy-actions/kit/testing';
import { describe, expect, test } from 'vitest';
import { githubEnv, SHA, TOKEN, useFakeGitHub, useTestEmulator } from './helpers';

const built = existsSync(join(REPO_ROOT, 'actions', 'tag-release-deploy', 'dist', 'index.js'));
const emu = useTestEmulator();
const gh = useFakeGitHub();

describe.skipIf(!built)('bundled dist (node dist/index.js)', () => {
  test('release on v1.4.0: promote, deployment in_progress, release; re-run idempotent; finishing step', async () => {
    await emu.control.seed({ repositories: [{ name: 'team/api', images: [{ tag: SHA, content: 'api' }] }] } as never);
    gh.reset(['v1.3.0', 'v1.4.0']);
    const env = { ...emu.env, ...githubEnv(gh), GITHUB_TOKEN: TOKEN };
    const inputs = { repositories: 'team/api', 'extra-tags': 'latest', 'major-minor-tags': 'true' };

    const r = await runActionBundle({ action: 'tag-release-deploy', inputs, env });
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const ecr = new ECRClient(emu.clientConfig);
    const out = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'team/api', imageIds: [{ imageTag: SHA }] }),
    );
    ecr.destroy();
    const digest = out.imageDetails?.[0]?.imageDigest;
    expect(out.imageDetails?.[0]?.imageTags?.sort()).toEqual([SHA, 'latest', 'v1', 'v1.4', 'v1.4.0'].sort());
    const host = new URL(emu.url).host;
    expect(r.outputs).toEqual({
      version: '1.4.0',
      tag: 'v1.4.0',
      images: `${host}/team/api@${digest}`,
      digests: JSON.stringify({ 'team/api': digest }),
      'deployment-id': '1000',
      'release-url': 'https://github.com/acme/shop/releases/tag/v1.4.0',
      prerelease: 'false',
    });
    expect(r.summary).toContain(`${host}/team/api@${digest}`);
    expect(r.stdout.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);

    const again = await runActionBundle({ action: 'tag-release-deploy', inputs, env });
    expect(again.code).toBe(0);
    expect(gh.releases).toHaveLength(1);
    expect((await emu.mutatingRequests()).filter((e) => e.operation === 'PutImage')).toHaveLength(4);

    const fin = await runActionBundle({
      action: 'tag-release-deploy',
      inputs: { 'deployment-id': again.outputs['deployment-id'], 'deployment-status': 'failure' },
      env,
    });
    expect(fin.errors).toEqual([]);
    expect(gh.statuses.map((s) => s.state)).toEqual(['in_progress', 'in_progress', 'failure']);
    expect(gh.statuses[2]!.deployment_id).toBe(Number(again.outputs['deployment-id']));
    for (const run of [r, again, fin]) rmSync(run.tempDir, { recursive: true, force: true });
  });

  test('bad input: one error line naming the input, exit 1, no request anywhere', async () => {
    gh.reset();
    await emu.control.clearRequests();
    const r = await runActionBundle({
      action: 'tag-release-deploy',
      inputs: { tag: 'v1.4', repositories: 'team/api' },
      env: { ...emu.env, ...githubEnv(gh), GITHUB_TOKEN: TOKEN },
    });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([
      'Input \'tag\': "v1.4" is not a semantic version tag (expected v1.2.3, 1.2.3 or v1.2.3-rc.1; see semver.org)',
    ]);
    expect(gh.requests).toEqual([]);
    expect(await emu.control.requests()).toEqual([]);
    rmSync(r.tempDir, { recursive: true, force: true });
  });
});
