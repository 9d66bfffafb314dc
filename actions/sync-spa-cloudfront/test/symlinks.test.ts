import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { createClient, DeployFailure } from '@deploy-actions/kit/runtime';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dotName } from '../src/dotfiles';
import { assertUnchanged, childPath, realPathOf } from '../src/walk';
import {
  emulatorClock,
  expectRefused,
  getText,
  head,
  mutating,
  requests,
  runMain,
  tempDir,
  useSite,
  WORKSPACE,
  writeSpa,
} from './helpers';

// Finding 1 and 2 of issue #14: nothing outside `source` is read or published, and no dot name is published
// (except `.well-known/`). Every refusal names the link (or input) and its target, before any AWS call.

const site = useSite('links', { spa: true });
const { e } = site;
/** A directory outside the workspace, standing for /home/runner, another checkout, or anything else. */
let outside: string;
beforeAll(async () => {
  outside = await mkdtemp(join(tmpdir(), 'spa-outside-'));
  await writeFile(join(outside, 'secret.txt'), 'OUTSIDE-SECRET\n');
});
afterAll(async () => {
  await rm(outside, { recursive: true, force: true });
});

const deploy = (inputs: Record<string, string> = {}) => site.deploy({ 'release-id': 'r1', ...inputs });

/**
 * A deploy (concurrency 1, no distribution) that runs `change` on the source at its first upload: after the hashing,
 * before robots.txt is uploaded (later, in plan order). `changed`: whether it ran.
 */
async function deployChangingSource(change: () => Promise<void>) {
  const s3 = createClient(S3Client, { action: 'test', maxAttempts: 1 });
  let changed = false;
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PutObjectCommand' && !changed) {
        changed = true;
        await change();
      }
      return next(args);
    },
    { step: 'initialize', name: 'changeAfterHashing' },
  );
  const r = await runMain(
    { source: site.dir, prefix: 'site', 'release-id': 'r1', concurrency: 1 },
    { s3, clock: emulatorClock(e.control) },
  );
  return { r, changed };
}

async function link(target: string, path: string): Promise<void> {
  await mkdir(dirname(join(site.dir, path)), { recursive: true });
  await symlink(target, join(site.dir, path));
}

describe('a symlink that leaves source is an error naming the link and its target, before any AWS call', () => {
  const cases: Array<[string, () => Promise<void>, RegExp]> = [
    [
      '/proc/self/environ (the step environment: AWS keys, ACTIONS_RUNTIME_TOKEN)',
      () => link('/proc/self/environ', 'env.txt'),
      /^env\.txt is a symbolic link \(→ \/proc\/self\/environ\) outside source \(.*\); only links that stay inside source are followed$/,
    ],
    [
      '../.env (the checkout next to the build output)',
      async () => {
        await writeFile(join(dirname(site.dir), '.env'), 'DATABASE_URL=postgres://u:p@db/x\n');
        await link('../.env', 'config.txt');
      },
      /^config\.txt is a symbolic link \(→ \.\.\/\.env\) outside source/,
    ],
    [
      '/etc/hostname',
      () => link('/etc/hostname', 'hostname.txt'),
      /^hostname\.txt is a symbolic link \(→ \/etc\/hostname\) outside source/,
    ],
    [
      'a directory outside',
      () => link(outside, 'vendor'),
      /^vendor is a symbolic link \(→ .*spa-outside-.*\) outside source/,
    ],
    [
      'a chain that leaves and comes back (the outside hop could be changed at any time)',
      async () => {
        await writeFile(join(site.dir, 'real.txt'), 'inside\n');
        await symlink(join(site.dir, 'real.txt'), join(outside, 'hop'));
        await link(join(outside, 'hop'), 'a.txt');
      },
      /^a\.txt is a symbolic link \(→ .*\/hop\) outside source/,
    ],
    [
      'a link inside whose path passes through a directory link that leaves',
      async () => {
        await link('zz/secret.txt', 'a.txt'); // walked before zz itself
        await link(outside, 'zz');
      },
      /^a\.txt is a symbolic link \(→ zz\/secret\.txt\) whose target .*\/zz\/secret\.txt passes through a directory link to .*spa-outside-.*, outside source/,
    ],
  ];
  test.each(cases)('%s', async (_name, setup, message) => {
    await setup();
    await e.control.clearRequests();
    const r = await deploy();
    expect(await expectRefused(r, e.control, 'source', message)).toEqual([]); // not even a read: the walk comes first
    expect(await e.listKeys()).toEqual([]);
  });
});

describe('dangling links and loops: one clear error each, never a crash or a hang', () => {
  const cases: Array<[string, () => Promise<void>, RegExp]> = [
    [
      'dangling',
      () => link('missing.js', 'assets/app.js'),
      /^assets\/app\.js is a symbolic link \(→ missing\.js\) that points to nothing \(.*\/assets\/missing\.js\): a dangling link$/,
    ],
    [
      'dangling through a missing directory',
      () => link('nowhere/x.js', 'x.js'),
      /^x\.js is a symbolic link \(→ nowhere\/x\.js\) that points to nothing .*: a dangling link$/,
    ],
    [
      'a directory link to its own parent',
      () => link('..', 'assets/loop'),
      /^assets\/loop is a symbolic link \(→ \.\.\) to source itself, which contains it: a directory loop; remove the link$/,
    ],
    [
      'a directory link to an ancestor below the root',
      async () => {
        await mkdir(join(site.dir, 'a/b'), { recursive: true });
        await link('../../a', 'a/b/up');
      },
      /^a\/b\/up is a symbolic link \(→ \.\.\/\.\.\/a\) to a\/, which contains it: a directory loop/,
    ],
    [
      'two links pointing at each other',
      async () => {
        await link('l2', 'l1');
        await link('l1', 'l2');
      },
      /^l1 is a symbolic link \(→ l2\) that never resolves \(more than 40 links\): a symbolic link loop$/,
    ],
    ['a link to itself', () => link('self', 'self'), /^self is a symbolic link \(→ self\) that never resolves/],
    [
      'follow-symlinks: false refuses a link that stays inside',
      () => link('robots.txt', 'robots2.txt'),
      /^robots2\.txt is a symbolic link \(→ robots\.txt\) and follow-symlinks is false/,
    ],
  ];
  test.each(cases)('%s', async (name, setup, message) => {
    await setup();
    await e.control.clearRequests();
    const r = await deploy(name.startsWith('follow-symlinks') ? { 'follow-symlinks': 'false' } : {});
    expect(await expectRefused(r, e.control, 'source', message)).toEqual([]);
  });
});

describe('links that stay inside source are followed (follow-symlinks: inside, the default)', () => {
  test('a file link and a directory link publish their targets under the link names', async () => {
    await mkdir(join(site.dir, 'pages'));
    await writeFile(join(site.dir, 'pages/a.html'), '<p>a</p>\n');
    await link('robots.txt', 'robots-copy.txt');
    await link('pages', 'docs');
    const r = await deploy();
    expect(r.error).toBeUndefined();
    expect(await getText(e.s3, 'site/robots-copy.txt')).toBe('User-agent: *\n');
    expect(await getText(e.s3, 'site/docs/a.html')).toBe('<p>a</p>\n');
    expect(await getText(e.s3, 'site/pages/a.html')).toBe('<p>a</p>\n');
  });

  test('a link to a dotfile inside source is not published (the dot rule applies to the real path too)', async () => {
    await writeFile(join(site.dir, '.env'), 'SECRET=1\n');
    await mkdir(join(site.dir, 'vendor/lib/.git'), { recursive: true });
    await writeFile(join(site.dir, 'vendor/lib/.git/config'), '[core]\n');
    await link('.env', 'public.txt');
    await link('vendor/lib/.git', 'gitdir');
    const r = await deploy();
    expect(r.error).toBeUndefined();
    const keys = await e.listKeys('site/');
    expect(keys).not.toContain('site/public.txt');
    expect(keys.filter((k) => k.includes('gitdir') || k.includes('.git') || k.includes('.env'))).toEqual([]);
    expect(r.summary).toContain('| `public.txt` | link to .env (dot names are never published) |');
    expect(r.summary).toContain('| `gitdir` | link to vendor/lib/.git/ (dot names are never published) |');
  });

  test('a dot-named link is excluded by its name and never followed (no error, nothing read)', async () => {
    await link('/proc/self/environ', '.env');
    const r = await deploy();
    expect(r.error).toBeUndefined();
    expect((await e.listKeys('site/')).filter((k) => k.includes('.env'))).toEqual([]);
    expect(r.summary).toContain('| `.env` | dotfile |');
  });
});

describe('dotfiles and dot directories are never published, except .well-known/', () => {
  test('.env, .npmrc, .git/config stay local; .well-known/assetlinks.json is served; each name is listed', async () => {
    const dots: Record<string, string> = {
      '.env': 'AWS_SECRET_ACCESS_KEY=abc\n',
      '.env.production': 'X=1\n',
      '.npmrc': '//registry.npmjs.org/:_authToken=npm_abc\n',
      // (a `.git` at the root of source is refused outright: inputs.test.ts)
      'vendor/lib/.git/config': '[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic eC1hY2Nlc3M=\n',
      'assets/.cache/x.json': '{}',
      '.well-known/assetlinks.json': '[{"relation":["delegate_permission/common.handle_all_urls"]}]\n',
      '.well-known/.secret': 'no\n',
      'sub/.well-known/x.json': '{}',
    };
    for (const [path, body] of Object.entries(dots)) {
      await mkdir(dirname(join(site.dir, path)), { recursive: true });
      await writeFile(join(site.dir, path), body);
    }
    await e.control.clearRequests();
    const r = await deploy({ exclude: 'none' }); // `none` turns off the globs, not the dot rule
    expect(r.error).toBeUndefined();
    const keys = await e.listKeys('site/');
    const dotKeys = keys.filter((k) =>
      k
        .slice('site/'.length)
        .split('/')
        .some((s) => s.startsWith('.')),
    );
    expect(dotKeys.filter((k) => !k.startsWith('site/.deploy-actions/'))).toEqual(['site/.well-known/assetlinks.json']);
    expect(await getText(e.s3, 'site/.well-known/assetlinks.json')).toBe(dots['.well-known/assetlinks.json']);
    expect((await head(e.s3, 'site/.well-known/assetlinks.json')).ContentType).toBe('application/json; charset=utf-8');
    const puts = mutating(await requests(e.control)).map((x) => x.path);
    for (const p of puts) expect(p).not.toMatch(/\/\.(env|npmrc|git|cache|secret|vite)/);
    for (const name of [
      '.env',
      '.env.production',
      '.npmrc',
      '.vite/',
      '.well-known/.secret',
      'assets/.cache/',
      'sub/.well-known/',
      'vendor/lib/.git/',
    ]) {
      expect(r.summary).toContain(`| \`${name}\` |`);
    }
  });

  test.each([
    ['.env', false, '.env'],
    ['.git/config', false, '.git/'],
    ['.git', true, '.git/'],
    ['assets/.DS_Store', false, 'assets/.DS_Store'],
    ['.well-known/assetlinks.json', false, undefined],
    ['.well-known', true, undefined],
    ['.well-known', false, '.well-known'], // a file named .well-known is not the directory
    ['.well-known/.x', false, '.well-known/.x'],
    ['a/.well-known/x', false, 'a/.well-known/'],
    ['index.html', false, undefined],
    ['a.b/c', false, undefined],
  ])('dotName(%j, dir=%j) → %j', (path, isDir, expected) => {
    expect(dotName(path, isDir)).toBe(expected);
  });
});

describe('TOCTOU: a file swapped for a link after the walk is not read', () => {
  test('assertUnchanged refuses a path that became a symlink', async () => {
    const file = join(site.dir, 'robots.txt');
    await expect(assertUnchanged(file, 'robots.txt')).resolves.toBeUndefined();
    await rm(file);
    await symlink('/etc/hostname', file);
    await expect(assertUnchanged(file, 'robots.txt')).rejects.toThrow(
      /robots\.txt changed while this deploy was running/,
    );
  });

  test('a file replaced by a link to /proc/self/environ between hashing and upload stops the deploy', async () => {
    const { r, changed: swapped } = await deployChangingSource(async () => {
      await rm(join(site.dir, 'robots.txt'));
      await symlink('/proc/self/environ', join(site.dir, 'robots.txt'));
    });
    expect(swapped).toBe(true);
    expect(r.error).toBeInstanceOf(DeployFailure);
    expect(r.error?.message).toMatch(/1 assets write\(s\) failed\. No HTML was published/);
    expect((r.error as DeployFailure).details).toMatch(/robots\.txt changed while this deploy was running/);
    expect(await e.listKeys('site/robots.txt')).toEqual([]);
    const keys = await e.listKeys('site/');
    for (const key of keys) expect(await getText(e.s3, key)).not.toContain('AWS_SECRET_ACCESS_KEY');
  });
});

describe('a file whose bytes change between hashing and upload', () => {
  test('is refused by S3 (the upload is signed with the sha256 of the scan), not published with a stale record', async () => {
    const { r, changed: edited } = await deployChangingSource(async () => {
      await writeFile(join(site.dir, 'robots.txt'), 'User-agent: X\n'); // same size, other bytes
    });
    expect(edited).toBe(true);
    expect(r.error).toBeInstanceOf(DeployFailure);
    expect(r.error?.message).toMatch(/assets write\(s\) failed\. No HTML was published/);
    expect((r.error as DeployFailure).details).toMatch(/robots\.txt: .*(XAmzContentSHA256Mismatch|BadDigest)/);
    expect(await e.listKeys('site/robots.txt')).toEqual([]);
  });
});

describe('source as the reusable workflows pass it', () => {
  test('spa-directory/spa-output (frontend/dist), relative to a checkout with .git at its root, is published', async () => {
    const checkout = await tempDir('checkout');
    await mkdir(join(checkout, '.git'));
    await writeFile(join(checkout, '.git/config'), '[core]\n');
    await writeSpa(join(checkout, 'frontend/dist'));
    const r = await runMain(
      { source: 'frontend/dist', prefix: 'site', 'release-id': 'r1' },
      { env: { ...process.env, GITHUB_WORKSPACE: checkout }, clock: emulatorClock(e.control) },
    );
    expect(r.error).toBeUndefined();
    expect(r.outputs.uploaded).toBe('7');
    expect((await e.listKeys('site/')).filter((k) => k.includes('.git'))).toEqual([]);
  });

  test('the test builds are inside the workspace (GITHUB_WORKSPACE)', () => {
    expect(site.dir.startsWith(WORKSPACE)).toBe(true);
  });
});

describe('childPath and realPathOf: join without its normalising pass, same answers', () => {
  test.each([
    ['/work/site', 'index.html'],
    ['/', 'etc'],
    ['/work/site', '..not-dot-dot'],
    ['/work/site', 'a b'],
    ['/work/s\u00e9', '\u{1F600}.js'],
  ])('%s + %s', (dir, name) => {
    expect(childPath(dir, name)).toBe(join(dir, name));
  });
  test('a walked path under the root, or the real path a link led to', () => {
    expect(realPathOf('/work/site', { path: 'assets/x/a.js' })).toBe(join('/work/site', 'assets', 'x', 'a.js'));
    expect(realPathOf('/', { path: 'a/b' })).toBe('/a/b');
    expect(realPathOf('/work/site', { path: 'l/a.js', real: '/work/site/r/a.js' })).toBe('/work/site/r/a.js');
  });
});
