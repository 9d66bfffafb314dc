import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { checkShortPaths, renderShortPath } from '../../../scripts/short-paths.mjs';
import { findRepoRoot, listActionDirs } from '../src/index';

// The short paths (<name>/action.yml at the root, for `uses: <owner>/<repo>/<name>@v1`) against
// actions/<name>/action.yml: the same interface, entry points into ../actions/<name>/dist. `pnpm check-dist` runs
// the same checkShortPaths; the planted differences below prove it fails.
const root = findRepoRoot();
const actions = listActionDirs(root);
const yamlOf = (path: string) => parse(readFileSync(path, 'utf8')) as Record<string, any>;

describe.each(actions)('%s/action.yml (short path)', (name) => {
  test('same name, description, inputs, outputs and branding as actions/%s/action.yml; entries into its dist', () => {
    const long = yamlOf(join(root, 'actions', name, 'action.yml'));
    const short = yamlOf(join(root, name, 'action.yml'));
    for (const key of ['name', 'description', 'author', 'inputs', 'outputs', 'branding']) {
      expect(short[key], key).toEqual(long[key]);
    }
    expect(short.runs.using).toBe(long.runs.using);
    for (const entry of ['main', 'pre', 'post'] as const) {
      if (long.runs[entry] === undefined) {
        expect(short.runs[entry]).toBeUndefined();
        continue;
      }
      expect(short.runs[entry]).toBe(`../actions/${name}/${long.runs[entry]}`);
      expect(existsSync(join(root, name, short.runs[entry])), short.runs[entry]).toBe(true);
    }
    expect(short.runs['post-if']).toEqual(long.runs['post-if']);
  });
});

test('every short path is what the build writes (what pnpm check-dist checks)', () => {
  expect(checkShortPaths(root)).toEqual([]);
});

describe('a planted difference fails the check', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  /** A copy of the repository's action.yml files (long and short) for one action with a post entry. */
  function copy(): string {
    const dir = mkdtempSync(join(tmpdir(), 'short-paths-'));
    dirs.push(dir);
    for (const name of ['run-migration-task', 'deploy-ecs']) {
      cpSync(join(root, 'actions', name, 'action.yml'), join(dir, 'actions', name, 'action.yml'));
      cpSync(join(root, name, 'action.yml'), join(dir, name, 'action.yml'));
    }
    expect(checkShortPaths(dir)).toEqual([]);
    return dir;
  }
  const cli = (dir: string) =>
    spawnSync(process.execPath, [join(root, 'scripts', 'short-paths.mjs'), '--check', '--root', dir], {
      encoding: 'utf8',
    });
  const edit = (file: string, from: string | RegExp, to: string) => {
    const text = readFileSync(file, 'utf8');
    const next = text.replace(from, to);
    expect(next, `${from} not found in ${file}`).not.toBe(text);
    writeFileSync(file, next);
  };

  test.each([
    [
      'an input added to the short path',
      'run-migration-task/action.yml',
      /^inputs:\n/m,
      'inputs:\n  extra:\n    description: x\n',
    ],
    ['an output renamed in the short path', 'run-migration-task/action.yml', /^ {2}exit-code:/m, '  exitcode:'],
    [
      'runs.main pointing elsewhere',
      'deploy-ecs/action.yml',
      'main: ../actions/deploy-ecs/dist/index.js',
      'main: dist/index.js',
    ],
    ['runs.post dropped', 'run-migration-task/action.yml', /^ {2}post: .*\n/m, ''],
    [
      'an input added to actions/<name>/action.yml only',
      'actions/deploy-ecs/action.yml',
      /^inputs:\n/m,
      'inputs:\n  extra:\n    description: x\n',
    ],
  ])('%s', (_label, file, from, to) => {
    const dir = copy();
    edit(join(dir, file), from, to);
    const problems = checkShortPaths(dir);
    expect(problems.length).toBe(1);
    expect(problems[0]).toMatch(/differs from actions\/.+\/action\.yml at line \d+/);
    const run = cli(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('(run pnpm build)');
  });

  test('a missing short path and a left-over one', () => {
    const dir = copy();
    rmSync(join(dir, 'deploy-ecs'), { recursive: true });
    rmSync(join(dir, 'actions', 'run-migration-task'), { recursive: true });
    expect(checkShortPaths(dir)).toEqual([
      'deploy-ecs/action.yml is missing (run pnpm build)',
      'run-migration-task/action.yml is a short path for an action that no longer exists: delete run-migration-task/',
    ]);
  });
});

test('renderShortPath keeps quotes and comments, and refuses an action without a JavaScript entry', () => {
  const text = 'name: x\nruns:\n  using: node24\n  main: "dist/index.js" # bundle\n  post-if: always()\n';
  expect(renderShortPath('x', text)).toMatch(
    /\n {2}main: "\.\.\/actions\/x\/dist\/index\.js" # bundle\n {2}post-if: always\(\)\n$/,
  );
  expect(() => renderShortPath('y', 'name: y\nruns:\n  using: composite\n  steps: []\n')).toThrow(/no main entry/);
  expect(() => renderShortPath('z', 'name: z\n')).toThrow(/no top-level runs/);
});
