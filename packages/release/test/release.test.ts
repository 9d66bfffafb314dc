import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { type Check, ReleaseRefused, release, releaseNotes, verifyRelease } from '../src/index';

// Real git repositories in a temp dir: a work tree whose origin is a bare repository standing in for GitHub.
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function sh(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

const PKG = `{
  "name": "deploy-actions",
  "private": true,
  "version": "1.0.0",
  "license": "MIT",
  "repository": {
    "type": "git",
    "url": "https://github.com/deploy-actions/deploy-actions"
  }
}
`;
const WORKFLOW = `jobs:
  deploy:
    steps:
      - uses: deploy-actions/deploy-actions/deploy-ecs@v1.0.0
      - uses: deploy-actions/deploy-actions/actions/render-task-def@v1.0.0
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
`;
const README = `# deploy-actions

    uses: deploy-actions/deploy-actions/.github/workflows/deploy-staging.yml@v1
    uses: deploy-actions/deploy-actions/deploy-ecs@v1.0.0
`;

/** A work tree with origin = a bare repo, one commit on main pushed with upstream set. */
function repository(files: Record<string, string> = {}): { work: string; remote: string } {
  const base = mkdtempSync(join(tmpdir(), 'release-'));
  dirs.push(base);
  const remote = join(base, 'remote.git');
  const work = join(base, 'work');
  sh(base, 'init', '-q', '--bare', '-b', 'main', remote);
  sh(base, 'init', '-q', '-b', 'main', work);
  sh(work, 'config', 'user.name', 'Release Test');
  sh(work, 'config', 'user.email', 'release@example.com');
  sh(work, 'config', 'commit.gpgsign', 'false');
  sh(work, 'config', 'tag.gpgsign', 'false');
  const all = {
    'package.json': PKG,
    '.github/workflows/deploy-staging.yml': WORKFLOW,
    'README.md': README,
    'actions/deploy-ecs/src/main.ts': 'export {};\n',
    'packages/workflow-checks/test/fixtures/bad.yml': 'uses: deploy-actions/deploy-actions/deploy-ecs@v0.1.0\n',
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), text);
  }
  sh(work, 'add', '-A');
  sh(work, 'commit', '-q', '-m', 'initial');
  sh(work, 'remote', 'add', 'origin', remote);
  sh(work, 'push', '-q', '-u', 'origin', 'main');
  return { work, remote };
}

const pass: Check[] = [
  { name: 'check-dist', command: ['node', '-e', ''] },
  { name: 'test', command: ['node', '-e', ''] },
];
const failing = (name: string): Check[] =>
  pass.map((c) => (c.name === name ? { ...c, command: ['node', '-e', 'process.exit(3)'] } : c));

function run(work: string, version: string, extra: Partial<Parameters<typeof release>[0]> = {}) {
  const out: string[] = [];
  const result = release({
    root: work,
    version,
    checks: pass,
    checkOutput: 'ignore',
    log: (l) => out.push(l),
    ...extra,
  });
  return { result, out: out.join('\n') };
}
const read = (work: string, file: string) => readFileSync(join(work, file), 'utf8');
/** tag -> commit on the remote (annotated tags peeled) */
function remoteTags(remote: string): Record<string, string> {
  const out: Record<string, string> = {};
  const list = sh(remote, 'for-each-ref', 'refs/tags', '--format=%(refname:short) %(*objectname) %(objectname)');
  for (const line of list.split('\n').filter(Boolean)) {
    const [name = '', peeled = '', sha = ''] = line.split(' ');
    out[name] = peeled || sha;
  }
  return out;
}

describe('a dry run', () => {
  test('shows the stamps, the tags and the push, and writes nothing', () => {
    const { work, remote } = repository();
    const head = sh(work, 'rev-parse', 'HEAD');
    const { result, out } = run(work, '1.1.0', { dryRun: true });
    expect(out).toContain('release v1.1.0 of deploy-actions/deploy-actions (dry run: nothing is written)');
    expect(out).toContain('package.json version: 1.0.0 -> 1.1.0');
    expect(out).toContain(
      'stamp .github/workflows/deploy-staging.yml:4  deploy-actions/deploy-actions/deploy-ecs@v1.0.0 -> deploy-actions/deploy-actions/deploy-ecs@v1.1.0',
    );
    expect(out).toContain('stamp README.md:4  deploy-actions/deploy-actions/deploy-ecs@v1.0.0');
    expect(out).toContain('would create the annotated tag v1.1.0 and move v1, v1.1');
    expect(out).toContain('would push main and v1.1.0 to origin, and force-push v1, v1.1');
    expect(result.tags.map((t) => t.tag)).toEqual(['v1.1.0', 'v1', 'v1.1']);
    expect(result.pushedTo).toBeUndefined();
    // nothing written: same HEAD, clean tree, no tags here or on the remote
    expect(sh(work, 'rev-parse', 'HEAD')).toBe(head);
    expect(sh(work, 'status', '--porcelain')).toBe('');
    expect(read(work, 'package.json')).toBe(PKG);
    expect(sh(work, 'tag', '--list')).toBe('');
    expect(remoteTags(remote)).toEqual({});
  });
});

describe('real releases against a bare remote', () => {
  const { work, remote } = repository();

  test('1.1.0: stamps, bumps, commits, tags v1.1.0 (annotated), creates v1 and v1.1, pushes, prints the SHAs', () => {
    const { result, out } = run(work, '1.1.0');
    const commit = sh(work, 'rev-parse', 'HEAD');
    expect(sh(work, 'log', '-1', '--format=%s')).toBe('Release v1.1.0');
    expect(JSON.parse(read(work, 'package.json')).version).toBe('1.1.0');
    expect(read(work, 'package.json')).toBe(PKG.replace('"version": "1.0.0"', '"version": "1.1.0"'));
    expect(read(work, '.github/workflows/deploy-staging.yml')).toBe(WORKFLOW.replaceAll('@v1.0.0', '@v1.1.0'));
    // the README's major (@v1) stays, its exact version moves; the fixture's deliberate mistake is not touched
    expect(read(work, 'README.md')).toBe(README.replace('deploy-ecs@v1.0.0', 'deploy-ecs@v1.1.0'));
    expect(read(work, 'packages/workflow-checks/test/fixtures/bad.yml')).toContain('@v0.1.0');
    for (const t of ['v1.1.0', 'v1', 'v1.1']) {
      expect(sh(work, 'cat-file', '-t', t), t).toBe('tag'); // annotated
      expect(sh(work, 'rev-parse', `${t}^{commit}`), t).toBe(commit);
    }
    expect(remoteTags(remote)).toEqual({ 'v1.1.0': commit, v1: commit, 'v1.1': commit });
    expect(sh(remote, 'rev-parse', 'main')).toBe(commit);
    expect(result.tags).toEqual([
      { tag: 'v1.1.0', commit },
      { tag: 'v1', commit },
      { tag: 'v1.1', commit },
    ]);
    expect(out).toMatch(new RegExp(`v1\\.1\\.0\\s+${commit}`));
    expect(out).toContain(
      `uses: deploy-actions/deploy-actions/.github/workflows/deploy-staging.yml@${commit} # v1.1.0`,
    );
    expect(verifyRelease(work, 'v1.1.0')).toMatchObject({
      version: '1.1.0',
      commit,
      problems: [],
      move: ['v1', 'v1.1'],
    });
  });

  test('the same version again is refused, and so is an older one', () => {
    expect(() => run(work, '1.1.0')).toThrow(new ReleaseRefused('v1.1.0 already exists: a release is never re-tagged'));
    sh(work, 'tag', '-d', 'v1.1.0'); // even without the local tag, the remote's tags come back on fetch
    sh(work, 'fetch', '-q', '--tags', 'origin');
    expect(() => run(work, 'v1.1.0')).toThrow(/already exists/);
    expect(() => run(work, '1.0.9')).toThrow(new ReleaseRefused('1.0.9 is not greater than the last release v1.1.0'));
  });

  test('1.1.1 force-moves v1 and v1.1 on the remote; 2.0.0 stamps the majors and leaves v1 where it was', () => {
    const before = remoteTags(remote);
    run(work, '1.1.1');
    const patch = sh(work, 'rev-parse', 'HEAD');
    expect(remoteTags(remote)).toEqual({ ...before, 'v1.1.1': patch, v1: patch, 'v1.1': patch });

    run(work, '2.0.0');
    const major = sh(work, 'rev-parse', 'HEAD');
    expect(read(work, 'README.md')).toContain('deploy-staging.yml@v2\n');
    expect(read(work, 'README.md')).toContain('deploy-ecs@v2.0.0\n');
    expect(remoteTags(remote)).toMatchObject({ 'v2.0.0': major, v2: major, 'v2.0': major, v1: patch, 'v1.1': patch });
  });

  test('release notes: the actions changes since the previous release and the tag -> SHA table', () => {
    writeFileSync(join(work, 'actions/deploy-ecs/src/main.ts'), 'export const fixed = true;\n');
    sh(work, 'commit', '-q', '-am', 'deploy-ecs: fix the wait');
    writeFileSync(join(work, 'NOTES.txt'), 'x\n');
    sh(work, 'add', 'NOTES.txt');
    sh(work, 'commit', '-q', '-m', 'unrelated housekeeping');
    run(work, '2.0.1');
    const commit = sh(work, 'rev-parse', 'HEAD');
    const notes = releaseNotes(work, 'v2.0.1');
    expect(notes).toContain('## Changes to the actions since v2.0.0');
    expect(notes).toMatch(/- deploy-ecs: fix the wait \([0-9a-f]+\)/);
    expect(notes).not.toContain('unrelated housekeeping');
    expect(notes).not.toContain('Release v2.0.1'); // the stamping commit is not a change to the actions
    expect(notes).toContain(`| \`v2.0.1\` | \`${commit}\` |`);
    expect(notes).toContain(`| \`v2\` | \`${commit}\` |`);
    expect(notes).toContain(`| \`v2.0\` | \`${commit}\` |`);
  });
});

test('a first release of the version package.json already names tags HEAD without a commit', () => {
  const { work, remote } = repository();
  const head = sh(work, 'rev-parse', 'HEAD');
  const { out } = run(work, '1.0.0');
  expect(sh(work, 'rev-parse', 'HEAD')).toBe(head);
  expect(out).toContain(`nothing to commit, tagged HEAD ${head.slice(0, 12)}, tagged v1.0.0, moved v1, v1.0`);
  expect(remoteTags(remote)).toEqual({ 'v1.0.0': head, v1: head, 'v1.0': head });
});

describe('refusals (each leaves the repository as it was)', () => {
  const unchanged = (work: string, head: string) => {
    expect(sh(work, 'rev-parse', 'HEAD')).toBe(head);
    expect(sh(work, 'tag', '--list')).toBe('');
    expect(read(work, 'package.json')).toBe(PKG);
  };
  test.each([
    ['1.2', '1.2 is not a semver version X.Y.Z'],
    ['latest', 'latest is not a semver version X.Y.Z'],
    ['1.2.3-rc.1', '1.2.3-rc.1 is a prerelease/build version: releases are X.Y.Z (they move the vX and vX.Y tags)'],
    ['01.2.3', '01.2.3 is not a semver version X.Y.Z'],
  ])('version %s', (version, message) => {
    const { work } = repository();
    const head = sh(work, 'rev-parse', 'HEAD');
    expect(() => run(work, version)).toThrow(new ReleaseRefused(message));
    unchanged(work, head);
  });

  test('a version not greater than the last release tag', () => {
    const { work } = repository();
    sh(work, 'tag', '-a', 'v1.4.0', '-m', 'v1.4.0');
    expect(() => run(work, '1.3.9')).toThrow(new ReleaseRefused('1.3.9 is not greater than the last release v1.4.0'));
    expect(() => run(work, '1.4.0')).toThrow(/v1\.4\.0 already exists/);
  });

  test('a dirty working tree', () => {
    const { work } = repository();
    const head = sh(work, 'rev-parse', 'HEAD');
    writeFileSync(join(work, 'README.md'), `${README}\nlocal edit\n`);
    expect(() => run(work, '1.1.0')).toThrow(
      /the working tree is not clean \(commit or stash first\):\n {3}M README\.md/,
    );
    expect(sh(work, 'rev-parse', 'HEAD')).toBe(head);
    expect(sh(work, 'tag', '--list')).toBe('');
  });

  test.each(['check-dist', 'test'])('a failing %s run', (name) => {
    const { work } = repository();
    const head = sh(work, 'rev-parse', 'HEAD');
    expect(() => run(work, '1.1.0', { checks: failing(name) })).toThrow(
      new ReleaseRefused(`${name} failed (node -e process.exit(3) exited with 3): fix it before releasing`),
    );
    unchanged(work, head);
  });

  test('an unknown remote', () => {
    const { work } = repository();
    expect(() => run(work, '1.1.0', { remote: 'upstream' })).toThrow(
      new ReleaseRefused('there is no git remote named upstream'),
    );
  });

  test('--no-push releases locally and says how to publish', () => {
    const { work, remote } = repository();
    const { out } = run(work, '1.1.0', { push: false });
    expect(sh(work, 'tag', '--list').split('\n').sort()).toEqual(['v1', 'v1.1', 'v1.1.0']);
    expect(remoteTags(remote)).toEqual({});
    expect(out).toContain('not pushed (no remote: --no-push)');
  });
});

describe('verifyRelease (what release.yml runs on a pushed tag)', () => {
  test('a tag cut by hand, without stamping, is refused', () => {
    const { work } = repository();
    writeFileSync(join(work, 'package.json'), PKG.replace('1.0.0', '1.1.0'));
    sh(work, 'commit', '-q', '-am', 'bump by hand');
    sh(work, 'tag', '-a', 'v1.1.0', '-m', 'v1.1.0');
    expect(verifyRelease(work, 'v1.1.0').problems).toEqual([
      '.github/workflows/deploy-staging.yml:4 deploy-actions/deploy-actions/deploy-ecs@v1.0.0 is @v1.0.0; this release is v1.1.0 (package.json "version"), so use @v1.1.0',
      '.github/workflows/deploy-staging.yml:5 deploy-actions/deploy-actions/actions/render-task-def@v1.0.0 is @v1.0.0; this release is v1.1.0 (package.json "version"), so use @v1.1.0',
      'README.md:4 deploy-actions/deploy-actions/deploy-ecs@v1.0.0 is @v1.0.0; this release is v1.1.0 (package.json "version"), so use @v1.1.0 or @v1',
    ]);
  });

  test('a tag whose package.json names another version is refused', () => {
    const { work } = repository();
    sh(work, 'tag', '-a', 'v1.2.0', '-m', 'v1.2.0');
    expect(verifyRelease(work, 'v1.2.0').problems[0]).toBe(
      'package.json at v1.2.0 says version 1.0.0: the tag must be cut by pnpm release 1.2.0',
    );
  });

  test('an older patch released later does not move v1', () => {
    const { work } = repository();
    run(work, '1.0.1', { push: false });
    run(work, '1.1.0', { push: false });
    sh(work, 'checkout', '-q', 'v1.0.1');
    // a hotfix cut on the 1.0 line after 1.1.0 exists (by hand here: pnpm release refuses versions below the last)
    sh(work, 'checkout', '-q', '-b', 'hotfix');
    writeFileSync(join(work, 'package.json'), PKG.replace('1.0.0', '1.0.2'));
    writeFileSync(join(work, '.github/workflows/deploy-staging.yml'), WORKFLOW.replaceAll('@v1.0.0', '@v1.0.2'));
    writeFileSync(join(work, 'README.md'), README.replace('deploy-ecs@v1.0.0', 'deploy-ecs@v1.0.2'));
    sh(work, 'commit', '-q', '-am', 'Release v1.0.2');
    sh(work, 'tag', '-a', 'v1.0.2', '-m', 'v1.0.2');
    expect(verifyRelease(work, 'v1.0.2')).toMatchObject({ problems: [], move: ['v1.0'] });
  });
});
