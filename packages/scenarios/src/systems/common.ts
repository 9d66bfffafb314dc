// Shared pieces of the seed systems' emulator seeding: task definitions read from the examples (as committed, or as
// the IaC registers them), marked as the release that ran before deploy-actions was adopted (v0.9.0, known-good, so a
// rollback has a target), and one service per environment.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@deploy-actions/workflow-runner';

export const EXAMPLES = join(REPO_ROOT, 'examples');

/** When the v0.9.0 release was marked known-good (before any scenario runs). */
const MARKED_AT = '2026-01-01T12:00:00Z';

export function knownGood(version: string): Array<{ key: string; value: string }> {
  return [
    { key: 'deploy-actions:known-good', value: MARKED_AT },
    { key: 'deploy-actions:version', value: version },
  ];
}

/**
 * A task definition from `examples/<app>/<path>` with every container's image replaced (the committed templates name
 * `…:latest` placeholders) and the known-good marker of `version`, as the release that runs before the scenarios.
 */
export function taskDefinition(
  app: string,
  path: string,
  images: Record<string, string>,
  version = 'v0.9.0',
): Record<string, unknown> {
  const td = JSON.parse(readFileSync(join(EXAMPLES, app, path), 'utf8')) as {
    containerDefinitions: Array<{ name: string; image: string }>;
    tags?: Array<{ key: string; value: string }>;
  };
  for (const c of td.containerDefinitions) {
    const image = images[c.name];
    if (!image) throw new Error(`${app}/${path}: no image given for container ${c.name}`);
    c.image = image;
  }
  td.tags = [...(td.tags ?? []), ...knownGood(version)];
  return td;
}

/** The JSON of a task definition file of an example (for a scenario that registers a changed revision). */
export function readTaskDefinition(app: string, path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(EXAMPLES, app, path), 'utf8')) as Record<string, unknown>;
}

/** Migration output the emulator prints for one-off tasks of an image (what the seed's command would log). */
export function migrationRule(image: string, logs: string[], exitCode = 0) {
  return { image, run: { logs, exitCode, durationSeconds: 20 } };
}
