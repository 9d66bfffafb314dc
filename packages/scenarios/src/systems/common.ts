// Shared pieces of the seed systems' emulator seeding: task definitions read from the examples (as committed, or as
// the IaC registers them), marked as the release that ran before deploy-actions was adopted (v0.9.0, known-good, so a
// rollback has a target), and one service per environment.
import { readdirSync, readFileSync } from 'node:fs';
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

/** Every file of an example as text (task definitions, IAM policies, IaC), for what the account must hold. */
function exampleTexts(app: string): string[] {
  const texts: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === '.git') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(json|ya?ml|ts|tf|md)$/.test(e.name)) texts.push(readFileSync(p, 'utf8'));
    }
  };
  walk(join(EXAMPLES, app));
  return texts;
}

/**
 * The execution and task roles an example's account holds: those its deploy roles may pass (`iam:PassRole` in
 * `iam/<role>/deploy-role-policy.json`, the example's IAM as code). A task definition naming any other role fails
 * the preflight, as it would fail in the account the example describes.
 */
export function passableRoles(app: string): string[] {
  const dir = join(EXAMPLES, app, 'iam');
  const roles = new Set<string>();
  for (const role of readdirSync(dir)) {
    const file = join(dir, role, 'deploy-role-policy.json');
    const policy = JSON.parse(readFileSync(file, 'utf8')) as {
      Statement: Array<{ Action: string | string[]; Resource: string | string[] }>;
    };
    for (const st of policy.Statement) {
      const actions = ([] as string[]).concat(st.Action);
      if (!actions.includes('iam:PassRole')) continue;
      for (const r of ([] as string[]).concat(st.Resource))
        if (/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(r)) roles.add(r);
    }
  }
  return [...roles];
}

/**
 * A secret's 6-character ARN suffix as the example writes it (`…:secret:<name>-AbCdEf`): Secrets Manager picks it
 * at creation, and the user pastes the real one into the task definition. Undefined when no file names one.
 */
export function secretArnSuffix(app: string, name: string): string | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const re = new RegExp(`:secret:${escaped}-([A-Za-z0-9]{6})(?=[:"\\s,]|$)`);
  for (const text of exampleTexts(app)) {
    const m = re.exec(text);
    if (m?.[1]) return m[1];
  }
  return undefined;
}
