import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  checkActionManifest,
  checkReadmeInputs,
  findRepoRoot,
  formatFindings,
  listActionDirs,
  loadActionSpec,
  readmeTableNames,
} from '../src/index';

// Every action under actions/: runs.using node24, main dist/index.js present, descriptions, branding, and the
// README's inputs table listing exactly the action.yml inputs (one test per action, so a gap fails by name).
const root = findRepoRoot();
const actions = listActionDirs(root);
const readme = (dir: string) =>
  existsSync(join(dir, 'README.md')) ? readFileSync(join(dir, 'README.md'), 'utf8') : undefined;

test('finds the actions', () => {
  expect(actions.length).toBeGreaterThanOrEqual(4);
});

describe.each(actions)('actions/%s', (name) => {
  const dir = join(root, 'actions', name);
  test('action.yml follows the layout rules', () => {
    const spec = loadActionSpec(root, name);
    expect(spec, `actions/${name}/action.yml is missing`).toBeDefined();
    const findings = checkActionManifest(spec!, dir);
    expect(findings, formatFindings(findings)).toEqual([]);
  });
  test('README inputs table matches action.yml', () => {
    const spec = loadActionSpec(root, name);
    expect(spec, `actions/${name}/action.yml is missing`).toBeDefined();
    const findings = checkReadmeInputs(spec!, readme(dir), `actions/${name}/README.md`);
    expect(findings, formatFindings(findings)).toEqual([]);
  });
});

describe('negative fixtures', () => {
  const repo = join(import.meta.dirname, 'fixtures', 'repo');
  test('a broken action.yml trips every manifest rule', () => {
    const spec = loadActionSpec(repo, 'broken')!;
    const rules = checkActionManifest(spec, join(repo, 'actions', 'broken')).map((f) => f.rule);
    for (const rule of [
      'action-runs-node24',
      'action-main-dist',
      'action-entry-exists',
      'action-input-description',
      'action-output-description',
      'action-branding',
    ]) {
      expect(rules).toContain(rule);
    }
  });
  test('the demo action.yml passes the manifest rules', () => {
    const spec = loadActionSpec(repo, 'demo')!;
    expect(checkActionManifest(spec, join(repo, 'actions', 'demo'))).toEqual([]);
  });
  test('README table: names only on one side are reported', () => {
    const spec = loadActionSpec(repo, 'demo')!;
    const messages = checkReadmeInputs(spec, readme(join(repo, 'actions', 'demo')), 'README.md').map((f) => f.message);
    expect(messages).toEqual([
      "input 'note' is in action.yml but not in the README table",
      "input 'colour' is in the README table but not in action.yml",
    ]);
  });
  test('README without an inputs table, and a missing README', () => {
    const spec = loadActionSpec(repo, 'broken')!;
    expect(checkReadmeInputs(spec, readme(join(repo, 'actions', 'broken')), 'README.md')[0]?.message).toMatch(
      /no inputs table/,
    );
    expect(checkReadmeInputs(spec, undefined, 'README.md')[0]?.message).toMatch(/missing/);
  });
  test('table parsing skips code fences and stops at the next heading', () => {
    const md =
      '## Inputs\n\n```\n| `fake` |\n```\n\n| name | d |\n|---|---|\n| `a` | x |\n| b | y |\n\n## Outputs\n\n| name |\n|---|\n| `o` |\n';
    expect(readmeTableNames(md, 'Inputs')).toEqual(['a', 'b']);
    expect(readmeTableNames(md, 'Outputs')).toEqual(['o']);
  });
});
