// The shared rule for tests that need a real peer (buildah, skopeo, the AWS CLI): skip with a message locally, fail
// in CI (issue #16: "In CI, a missing peer tool fails the run instead of skipping 15 tests silently").
import { describe, expect, test } from 'vitest';
import { peerTool } from '../src/index.ts';

const present = () => true;
const absent = () => false;

describe('peerTool', () => {
  test.each([
    ['installed, local', present, {}, false, 'skopeo (real client)'],
    ['installed, CI', present, { CI: 'true' }, false, 'skopeo (real client)'],
    [
      'missing, local: skipped with the package to install',
      absent,
      {},
      true,
      'skopeo (real client) SKIPPED: /usr/bin/skopeo missing (apt-get install -y skopeo)',
    ],
    [
      'missing, CI=true: not skipped, so it fails',
      absent,
      { CI: 'true' },
      false,
      'skopeo (real client) FAILS IN CI: /usr/bin/skopeo missing (apt-get install -y skopeo)',
    ],
  ])('%s', (_name, exists, env, skip, title) => {
    const tool = peerTool('skopeo', env, exists);
    expect(tool.skip).toBe(skip);
    expect(tool.title('skopeo (real client)')).toBe(title);
  });

  test('require() throws when missing, naming CI when CI=true', () => {
    expect(() => peerTool('buildah', { CI: 'true' }, absent).require()).toThrow(
      'buildah is required in CI (CI=true): /usr/bin/buildah missing (apt-get install -y buildah)',
    );
    expect(() => peerTool('aws', {}, absent).require()).toThrow('aws is required: /usr/bin/aws missing');
    expect(() => peerTool('aws', { CI: 'true' }, present).require()).not.toThrow();
  });
});
