// hashFiles(patterns...): as the runner computes it (actions/runner src/Misc/expressionFunc/hashFiles): the files
// under the workspace matching the patterns (`!` excludes), each hashed with SHA-256, and the SHA-256 of those
// digests in path order; '' when nothing matches.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import picomatch from 'picomatch';

function walk(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '.git') continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.isFile()) out.push(full);
  }
}

export function hashFiles(workspace: string, patterns: string[]): string {
  const include = patterns.filter((p) => !p.startsWith('!')).map((p) => picomatch(p, { dot: true }));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => picomatch(p.slice(1), { dot: true }));
  const files: string[] = [];
  walk(workspace, files);
  const matched = files
    .map((f) => relative(workspace, f))
    .filter((rel) => include.some((m) => m(rel)) && !exclude.some((m) => m(rel)))
    .sort();
  if (matched.length === 0) return '';
  const outer = createHash('sha256');
  for (const rel of matched)
    outer.update(
      createHash('sha256')
        .update(readFileSync(join(workspace, rel)))
        .digest(),
    );
  return outer.digest('hex');
}
