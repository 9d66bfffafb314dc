// The bundled dist run exactly as the runner runs it (node dist/index.js, INPUT_* env, command files) against the
// emulator, builder `auto` (no docker buildx here → buildah), real buildah build + push.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { REPO_ROOT, runActionBundle } from '@deploy-actions/kit/testing';
import { describe, expect, test } from 'vitest';
import { buildahEnv, hasBuildah, makeWorkspace, maskedValues, SHA, useTestEmulator, visibleOutput } from './helpers';

const built = existsSync(join(REPO_ROOT, 'actions', 'build-push-ecr', 'dist', 'index.js'));
const emu = useTestEmulator();

describe.skipIf(!built || !hasBuildah)('bundled dist (node dist/index.js)', () => {
  test('happy path: builds with buildah, pushes, outputs the digest ECR has; a re-run skips', async () => {
    const ecr = new ECRClient(emu.clientConfig);
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'shop/web' }));
    const ws = makeWorkspace();
    const env = { ...emu.env, ...buildahEnv(), GITHUB_SHA: SHA };
    const inputs = { repository: 'shop/web', context: 'app', cache: 'ecr' };

    const r = await runActionBundle({ action: 'build-push-ecr', inputs, env, cwd: ws });
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const described = await ecr.send(
      new DescribeImagesCommand({ repositoryName: 'shop/web', imageIds: [{ imageTag: SHA }] }),
    );
    const digest = described.imageDetails?.[0]?.imageDigest;
    const host = new URL(emu.url).host;
    expect(r.outputs).toEqual({
      image: `${host}/shop/web@${digest}`,
      digest,
      tags: SHA,
      'repository-uri': `${host}/shop/web`,
      skipped: 'false',
    });
    expect(r.summary).toContain('buildah');
    for (const secret of maskedValues(r.stdout)) expect(visibleOutput(r.stdout)).not.toContain(secret);

    // Re-run with an extra tag: skipped, and the `tags` output lists only the tags that point at the image.
    const again = await runActionBundle({
      action: 'build-push-ecr',
      inputs: { ...inputs, tags: `${SHA}\nstable` },
      env,
      cwd: ws,
    });
    expect(again.code).toBe(0);
    expect(again.outputs).toMatchObject({ digest, skipped: 'true', tags: SHA });
    expect(again.stdout).toContain('::warning::skip-existing: tag stable does not exist and was not changed');
    expect(again.summary).toContain('not run');
    for (const run of [r, again]) rmSync(run.tempDir, { recursive: true, force: true });
    ecr.destroy();
  });
});
