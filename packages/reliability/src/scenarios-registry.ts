// The scenarios that need more than the emulator: tag-release-deploy (a GitHub API, the fake server of its own
// tests) and build-push-ecr (buildah, a real build pushed to the emulator's registry).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeGitHub } from '../../../actions/tag-release-deploy/test/fake-github';
import { normaliseOutputs } from './outcome';
import { GITHUB_ENV, type Scenario } from './scenarios';

const SHA = GITHUB_ENV.GITHUB_SHA;

/** tag-release-deploy on a v1.4.0 tag push: promote the image built for the commit, deployment, release. */
export function tagReleaseDeploy(gh: FakeGitHub): Scenario {
  return {
    name: 'tag-release-deploy: promote two images, deployment, release',
    action: 'tag-release-deploy',
    async prepare({ emu }) {
      await emu.control.reset();
      await emu.control.seed({
        repositories: [
          { name: 'team/api', images: [{ tag: SHA, content: 'api' }] },
          { name: 'team/worker', images: [{ tag: SHA, content: 'worker' }] },
        ],
      });
      gh.reset(['v1.3.0', 'v1.4.0']);
      return {
        action: 'tag-release-deploy',
        inputs: { repositories: 'team/api\nteam/worker', 'extra-tags': 'latest', 'major-minor-tags': 'true' },
        env: {
          ...GITHUB_ENV,
          GITHUB_REPOSITORY: 'acme/shop',
          GITHUB_API_URL: gh.url,
          GITHUB_SERVER_URL: 'https://github.com',
          GITHUB_REF: 'refs/tags/v1.4.0',
          GITHUB_TOKEN: 'ghs_reliability0123456789abcdefABCDEF',
        },
      };
    },
    outcome: (r) => ({
      exitCode: r.code,
      outputs: {
        ...normaliseOutputs(r.outputs),
        github: { releases: gh.releases.length, deployments: gh.deployments.length, statuses: gh.statuses.length },
      },
    }),
  };
}

/** build-push-ecr: buildah builds a small image and pushes it to the emulator's registry. */
export function buildPushEcr(): Scenario {
  return {
    name: 'build-push-ecr: buildah build and push',
    action: 'build-push-ecr',
    async prepare({ emu }) {
      await emu.control.reset();
      await emu.control.seed({ repositories: [{ name: 'shop/web' }] });
      const ws = mkdtempSync(join(tmpdir(), 'reliability-bpe-'));
      mkdirSync(join(ws, 'app'));
      writeFileSync(join(ws, 'app', 'hello.txt'), 'hello from the reliability suite\n');
      writeFileSync(join(ws, 'app', 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
      return {
        action: 'build-push-ecr',
        cwd: ws,
        inputs: { repository: 'shop/web', context: 'app' },
        env: {
          ...GITHUB_ENV,
          BUILD_PUSH_ECR_BUILDAH_STORAGE_DRIVER: 'vfs',
          BUILD_PUSH_ECR_BUILDAH_ROOT: join(ws, '.buildah', 'root'),
          BUILD_PUSH_ECR_BUILDAH_RUNROOT: join(ws, '.buildah', 'run'),
          BUILD_PUSH_ECR_BUILDAH_ISOLATION: 'chroot',
        },
        timeoutMs: 300_000,
      };
    },
    // buildah stamps the build time into the image config: every build has its own digest. Compared by shape.
    outcome: (r) => ({
      exitCode: r.code,
      outputs: Object.fromEntries(Object.entries(normaliseOutputs(r.outputs)).map(([k, v]) => [k, anyDigest(v)])),
    }),
    // The layer cache (images tagged only with 64-hex layer keys) is an optimisation: a build under faults may leave
    // it un-updated (a warning says so). Compared: the pushed image and its tags.
    endState: (state) => ({
      ...state,
      images: Object.fromEntries(
        Object.entries(state.images).map(([repo, list]) => [
          repo,
          list
            .map((i) => ({ digest: '<digest>', tags: i.tags.filter((t) => !LAYER_KEY.test(t)) }))
            .filter((i) => i.tags.length > 0),
        ]),
      ),
    }),
  };
}

const LAYER_KEY = /^[0-9a-f]{64}$/;
const anyDigest = (v: unknown) => (typeof v === 'string' ? v.replace(/sha256:[0-9a-f]{64}/g, 'sha256:<digest>') : v);
