// The stand-in GitHub API on its own, outside a workflow run: for an action's tests that call the REST API (e.g. the
// deploy actions' plan comments) and want GitHub's shapes and permission rules checked against its OpenAPI
// description, without a workflow around them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Permissions } from '../jobs/permissions.ts';
import { REPOSITORY_DEFAULT } from '../jobs/permissions.ts';
import { prepareAppRepo } from '../repo/app-repo.ts';
import { OidcIssuer } from '../standins/oidc-token.ts';
import { GitHubApi } from './server.ts';

export interface StandaloneGitHubApi {
  api: GitHubApi;
  /** GITHUB_API_URL for the code under test. */
  url: string;
  /** A GITHUB_TOKEN carrying these permissions (added to the repository default: contents/packages read). */
  token(permissions?: Permissions): string;
  stop(): Promise<void>;
}

/** Start the stand-in for `repository` (owner/name) over an empty app repository on branch main. */
export async function startGitHubApiStandIn(repository = 'acme/app'): Promise<StandaloneGitHubApi> {
  const dir = mkdtempSync(join(tmpdir(), 'gh-standin-'));
  const source = join(dir, 'source');
  mkdirSync(source);
  writeFileSync(join(source, 'README.md'), 'app\n');
  const app = prepareAppRepo({ dir: source, stateDir: join(dir, 'state'), ref: 'main', refType: 'branch' });
  const api = new GitHubApi({ repository, app, oidc: new OidcIssuer() });
  await api.start();
  return {
    api,
    url: api.url,
    token: (permissions = {}) => api.issueToken({ ...REPOSITORY_DEFAULT, ...permissions }),
    stop: async () => {
      await api.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
