// Node 24 for JavaScript actions (`runs.using: node24`): this process's own when it is 24, else the one pnpm puts
// in node_modules/.bin (the root devDependency `node@24`).
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './self-repo.ts';

export function findNode24(): string {
  if (process.version.startsWith('v24.')) return process.execPath;
  const bin = join(REPO_ROOT, 'node_modules', '.bin', 'node');
  if (existsSync(bin)) return realpathSync(bin);
  throw new Error(`Node 24 is needed for node24 actions; this is ${process.version} and ${bin} does not exist`);
}
