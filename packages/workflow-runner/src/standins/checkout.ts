// actions/checkout stand-in: the app repository's files at the event's commit (or `ref`) in GITHUB_WORKSPACE (or
// `path` under it), as a git work tree with `origin` = the GitHub URL. `persist-credentials` (default true) leaves
// the job token in .git/config as http.<server>/.extraheader, exactly where actions/checkout puts it.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { gitAsync } from '../repo/git.ts';
import { booleanInput, input, type Standin, StandinFailure } from './types.ts';

export const checkout: Standin = async (ctx) => {
  const { host } = ctx;
  const app = host.run.app;
  const repository = input(ctx, 'repository', host.run.repository);
  if (repository.toLowerCase() !== host.run.repository.toLowerCase()) {
    throw new StandinFailure(
      `actions/checkout stand-in: only the app repository ${host.run.repository} can be checked out here, not ${repository}`,
    );
  }
  const dest = resolve(host.workspace, input(ctx, 'path'));
  const rel = relative(host.workspace, dest);
  if (rel.startsWith('..')) {
    throw new StandinFailure(`Repository path '${dest}' is not under '${host.workspace}'`);
  }
  const refInput = input(ctx, 'ref');
  const rev = refInput || app.sha;
  const sha = await gitAsync(app.dir, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]).catch(() => undefined);
  if (!sha) throw new StandinFailure(`A branch or tag with the name '${rev}' could not be found`);
  if (booleanInput(ctx, 'clean', true) && existsSync(dest)) {
    for (const e of readdirSync(dest)) rmSync(join(dest, e), { recursive: true, force: true });
  }
  mkdirSync(dest, { recursive: true });
  host.print(`Syncing repository: ${repository}`);
  await gitAsync(dest, ['init', '-q']);
  await gitAsync(dest, ['fetch', '-q', '--no-tags', app.dir, sha]);
  await gitAsync(dest, ['checkout', '-q', '--detach', sha]);
  const server = String(host.run.github.server_url ?? 'https://github.com');
  await gitAsync(dest, ['remote', 'add', 'origin', `${server}/${repository}`]);
  if (booleanInput(ctx, 'persist-credentials', true)) {
    const token = input(ctx, 'token', host.token);
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    host.mask(basic);
    await gitAsync(dest, ['config', '--local', `http.${server}/.extraheader`, `AUTHORIZATION: basic ${basic}`]);
  }
  const subject = await gitAsync(dest, ['log', '-1', '--format=%s', sha]).catch(() => '');
  host.print(`HEAD is now at ${sha.slice(0, 7)} ${subject}`);
};
