// actions/setup-node stand-in: no download; the local Node (the one JavaScript actions run on) is put first on
// PATH. A different requested major version is a warning (the build then runs on the local one), `cache:` a notice.

import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { addPath, input, type Standin, setOutput } from './types.ts';

export const setupNode: Standin = async (ctx) => {
  const node = ctx.host.run.nodePath;
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const wanted = input(ctx, 'node-version');
  const major = /^v?(\d+)/.exec(wanted)?.[1];
  if (wanted && major && `v${major}` !== version.split('.')[0]) {
    ctx.host.annotate(
      'warning',
      `actions/setup-node stand-in: node-version ${wanted} requested; the local runner has only ${version} (no downloads here)`,
    );
  }
  if (input(ctx, 'cache'))
    ctx.host.annotate('notice', 'actions/setup-node stand-in: `cache` is ignored (no cache service)');
  addPath(ctx, dirname(node));
  setOutput(ctx, 'node-version', version);
  ctx.host.print(`Using local Node ${version} (${node})`);
};
