// The fake GitHub every case talks to (tag-release-deploy's in-test REST server), shared by the suite and its cases.
import { FakeGitHub } from '../../../actions/tag-release-deploy/test/fake-github';

export const gh = new FakeGitHub('acme', 'shop');

/** Requests that change something on GitHub (generate-notes is a POST that only reads). */
export function githubWrites(): string[] {
  return gh.requests
    .filter((r) => r.method !== 'GET' && !r.path.endsWith('/releases/generate-notes'))
    .map((r) => `${r.method} ${r.path}`);
}
