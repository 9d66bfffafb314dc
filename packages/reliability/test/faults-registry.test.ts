// The actions that talk to more than the emulator's APIs, under the same faults: tag-release-deploy (ECR, and the
// GitHub API of its own tests' fake server, which gets no faults) and build-push-ecr (buildah pushing to the
// emulator's registry, which gets the faults too).
import { peerTool, useEmulator } from '@deploy-actions/aws-emulator';
import { afterAll, beforeAll, describe } from 'vitest';
import { FakeGitHub } from '../../../actions/tag-release-deploy/test/fake-github';
import { buildPushEcr, tagReleaseDeploy } from '../src/index';
import { faultSuite } from './fault-suite';

const emu = useEmulator({ timeScale: 100 }, { beforeAll, afterAll });
const gh = new FakeGitHub('acme', 'shop');
beforeAll(() => gh.start());
afterAll(() => gh.stop());

describe('tag-release-deploy', () => faultSuite(emu, tagReleaseDeploy(gh)));

const buildah = peerTool('buildah');
describe.skipIf(buildah.skip)(buildah.title('build-push-ecr'), () => {
  beforeAll(buildah.require);
  faultSuite(emu, buildPushEcr());
});
