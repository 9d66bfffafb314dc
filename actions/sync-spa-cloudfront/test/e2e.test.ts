import { createHash } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { runActionBundle, startFakeGitHub } from '@deploy-actions/kit/testing';
import { expect, test } from 'vitest';
import { WORKER_MIN_FILES } from '../src/hash-worker-client';
import { LARGE_SITE } from '../src/stages/scan';
import { awsEnv, BUCKET, DIST_ID, getText, mutating, requests, tempDir, useEmu, WORKSPACE, writeSpa } from './helpers';

// The bundled dist/index.js, run exactly as the runner runs it, against the emulator.
const e = useEmu({ reset: 'once' });
const GITHUB_SHA = 'abcdef0123456789abcdef0123456789abcdef01';

test('bundle: first deploy, then a no-change redeploy of the same commit writes nothing', async () => {
  const dir = await tempDir('e2e');
  const files = await writeSpa(dir);
  const env = { ...awsEnv(e.emu.url), GITHUB_SHA, GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: '1' };
  const inputs = { source: dir, bucket: BUCKET, prefix: 'www', 'distribution-id': DIST_ID };
  const first = await runActionBundle({ action: 'sync-spa-cloudfront', inputs, env, cwd: WORKSPACE });
  expect(first.errors).toEqual([]);
  expect(first.code).toBe(0);
  expect(first.outputs).toMatchObject({
    uploaded: '7',
    'metadata-updated': '0',
    deleted: '0',
    unchanged: '0',
    'release-id': 'abcdef012345',
  });
  expect(first.outputs['invalidation-id']).not.toBe('');
  expect(first.summary).toMatch(/Sync of s3:\/\/spa-site\/www\/ \(release `abcdef012345`\)/);
  expect(await getText(e.s3, 'www/index.html')).toBe(files['index.html']);

  await e.control.clearRequests();
  const second = await runActionBundle({
    action: 'sync-spa-cloudfront',
    inputs,
    env: { ...env, GITHUB_RUN_ATTEMPT: '2' },
    cwd: WORKSPACE,
  });
  expect(second.code).toBe(0);
  expect(second.outputs).toMatchObject({
    uploaded: '0',
    'metadata-updated': '0',
    deleted: '0',
    unchanged: '7',
    'invalidation-id': '',
  });
  expect(mutating(await requests(e.control))).toEqual([]);
});

test('bundle: a site of a few hundred files is hashed by the worker and the main thread; what they found is what S3 holds', async () => {
  const dir = await tempDir('e2e-worker');
  await mkdir(join(dir, 'assets'));
  const bodies = new Map<string, string>();
  for (let i = 0; i < WORKER_MIN_FILES + 44; i++) bodies.set(`assets/chunk-${i}.js`, `export const n = ${i};\n`);
  bodies.set('index.html', '<!doctype html><title>worker</title>\n');
  for (const [name, body] of bodies) await writeFile(join(dir, name), body);
  const env = { ...awsEnv(e.emu.url), GITHUB_SHA, GITHUB_RUN_ID: '43', GITHUB_RUN_ATTEMPT: '1' };
  const inputs = { source: dir, bucket: BUCKET, prefix: 'worker', 'distribution-id': DIST_ID };
  const first = await runActionBundle({ action: 'sync-spa-cloudfront', inputs, env, cwd: WORKSPACE });
  expect(first.code).toBe(0);
  expect(first.outputs.uploaded).toBe(String(bodies.size));
  // the worker takes files from the front, the main thread from the back (how many each depends on the worker's boot)
  const split = /::debug::hashed (\d+) files on the worker thread, (\d+) on this one/.exec(first.stdout);
  if (availableParallelism() >= 2) expect(Number(split?.[1]) + Number(split?.[2])).toBe(bodies.size);
  else expect(split).toBeNull();
  // its assets/ promised enough files: the worker was started as the bundle loaded, before the walk
  if (availableParallelism() >= 2) expect(first.stdout).toContain('::debug::hash worker started as the bundle loaded');
  const listed = await e.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'worker/assets/' }));
  expect(listed.Contents).toHaveLength(bodies.size - 1);
  for (const o of listed.Contents ?? []) {
    const body = bodies.get(o.Key!.slice('worker/'.length))!;
    expect(o.ETag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
  }

  // one file changed: only it is uploaded, so every other hash from the worker matched its object's ETag
  await writeFile(join(dir, 'assets/chunk-7.js'), 'export const n = "seven";\n');
  const second = await runActionBundle({
    action: 'sync-spa-cloudfront',
    inputs,
    env: { ...env, GITHUB_SHA: '1'.repeat(40), GITHUB_RUN_ID: '44' },
    cwd: WORKSPACE,
  });
  expect(second.code).toBe(0);
  expect(second.outputs).toMatchObject({ uploaded: '1', unchanged: String(bodies.size - 1), deleted: '0' });
});

// Where source and its assets/ hold few names the entry starts no worker; the walk does, at its WORKER_MIN_FILES-th
// file. Where they promise many but `exclude` leaves few, the scan stops the early worker and the run still ends.
test('bundle: the walk starts the worker when assets/ did not promise it; exclude stops an early one', async () => {
  const nested = await tempDir('e2e-nested');
  await mkdir(join(nested, 'js', 'chunks'), { recursive: true });
  for (let i = 0; i < WORKER_MIN_FILES + 10; i++) await writeFile(join(nested, 'js', 'chunks', `c${i}.js`), `${i};\n`);
  const env = { ...awsEnv(e.emu.url), GITHUB_SHA, GITHUB_RUN_ATTEMPT: '1' };
  const base = { bucket: BUCKET, 'distribution-id': DIST_ID, 'dry-run': 'true' };
  const byWalk = await runActionBundle({
    action: 'sync-spa-cloudfront',
    inputs: { ...base, source: nested, prefix: 'nested' },
    env: { ...env, GITHUB_RUN_ID: '47' },
    cwd: WORKSPACE,
  });
  expect(byWalk.code).toBe(0);
  expect(byWalk.stdout).not.toContain('hash worker started as the bundle loaded');
  if (availableParallelism() >= 2) {
    expect(byWalk.stdout).toContain(`::debug::hash worker started at the walk's file ${WORKER_MIN_FILES}`);
  }

  const maps = await tempDir('e2e-maps');
  await mkdir(join(maps, 'assets'));
  for (let i = 0; i < WORKER_MIN_FILES + 10; i++) await writeFile(join(maps, 'assets', `c${i}.js.map`), '{}\n');
  await writeFile(join(maps, 'index.html'), '<!doctype html>\n');
  const excluded = await runActionBundle({
    action: 'sync-spa-cloudfront',
    inputs: { ...base, source: maps, prefix: 'maps', exclude: '**/*.map' },
    env: { ...env, GITHUB_RUN_ID: '48' },
    cwd: WORKSPACE,
  });
  expect(excluded.code).toBe(0);
  expect(excluded.stdout).toContain('1 local files');
  if (availableParallelism() >= 2) expect(excluded.stdout).toContain('hash worker started as the bundle loaded');
  expect(excluded.stdout).not.toMatch(/hashed \d+ files on the worker thread/);
});

// The worker is started at the walk's WORKER_MIN_FILES-th file, before the count is known: a large site (which hashes
// on the main thread, for memory) stops it again. One left waiting for its job would keep the process alive.
test('bundle: a large site is hashed on the main thread; the worker started during the walk is stopped', async () => {
  const dir = await tempDir('e2e-large');
  await mkdir(join(dir, 'assets'));
  await Promise.all(
    Array.from({ length: LARGE_SITE }, (_, i) => writeFile(join(dir, 'assets', `a${i}.js`), `export const n=${i};\n`)),
  );
  const r = await runActionBundle({
    action: 'sync-spa-cloudfront',
    inputs: { source: dir, bucket: BUCKET, prefix: 'large', 'distribution-id': DIST_ID, 'dry-run': 'true' },
    env: { ...awsEnv(e.emu.url), GITHUB_SHA, GITHUB_RUN_ID: '46', GITHUB_RUN_ATTEMPT: '1' },
    cwd: WORKSPACE,
  });
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`${LARGE_SITE} local files`);
  expect(r.stdout).not.toContain('on the worker thread');
  expect(r.outputs.uploaded).toBe(String(LARGE_SITE));
});

test('bundle: a site big enough for the hash worker with a broken Vite manifest fails naming it; nothing is written', async () => {
  const dir = await tempDir('e2e-worker-manifest');
  await mkdir(join(dir, '.vite'));
  await writeFile(join(dir, '.vite', 'manifest.json'), '{ not json');
  for (let i = 0; i < WORKER_MIN_FILES; i++) await writeFile(join(dir, `f${i}.js`), `export const n = ${i};\n`);
  await e.control.clearRequests();
  const r = await runActionBundle({
    action: 'sync-spa-cloudfront',
    inputs: { source: dir, bucket: BUCKET, prefix: 'worker-manifest', 'distribution-id': DIST_ID },
    env: { ...awsEnv(e.emu.url), GITHUB_SHA, GITHUB_RUN_ID: '45', GITHUB_RUN_ATTEMPT: '1' },
    cwd: WORKSPACE,
  });
  expect(r.code).toBe(1);
  expect(r.errors).toEqual(["Input 'source': .vite/manifest.json is not valid JSON"]);
  expect(mutating(await requests(e.control))).toEqual([]);
});

test('bundle: a bad input is one ::error:: line naming the input, exit 1', async () => {
  const r = await runActionBundle({
    action: 'sync-spa-cloudfront',
    inputs: { source: '/no/such/dir', bucket: BUCKET },
    env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: e.emu.url },
  });
  expect(r.code).toBe(1);
  expect(r.errors).toHaveLength(1);
  expect(r.errors[0]).toMatch(/^Input 'source': directory "\/no\/such\/dir" does not exist/);
});

test('bundle: a build output linking to /proc/self/environ fails naming the link; nothing is read or written', async () => {
  const dir = await tempDir('e2e-environ');
  await writeSpa(dir);
  await symlink('/proc/self/environ', join(dir, 'env.txt'));
  await e.control.clearRequests();
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY'; // what the step's environment would hold
  const r = await runActionBundle({
    action: 'sync-spa-cloudfront',
    inputs: { source: dir, bucket: BUCKET, prefix: 'leak', 'distribution-id': DIST_ID },
    env: { ...awsEnv(e.emu.url), AWS_SECRET_ACCESS_KEY: secret, ACTIONS_RUNTIME_TOKEN: 'runtime-token-value' },
    cwd: WORKSPACE,
  });
  expect(r.code).toBe(1);
  expect(r.errors).toHaveLength(1);
  expect(r.errors[0]).toMatch(
    /^Input 'source': env\.txt is a symbolic link \(→ \/proc\/self\/environ\) outside source \(.*\); only links that stay inside source are followed$/,
  );
  expect(await requests(e.control)).toEqual([]);
  expect(mutating(await requests(e.control))).toEqual([]);
  const listed = await e.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'leak/' }));
  expect(listed.KeyCount ?? 0).toBe(0);
  for (const text of [r.stdout, r.stderr, r.summary]) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain('runtime-token-value');
  }
});

test('bundle: plan mode on a pull request writes one comment with the plan and makes no mutating AWS call', async () => {
  const gh = await startFakeGitHub();
  try {
    const dir = await tempDir('e2e-plan');
    await writeSpa(dir);
    const event = join(dir, '..', `event-${Date.now()}.json`);
    await writeFile(event, JSON.stringify({ number: 9, pull_request: { number: 9 } }));
    await e.control.clearRequests();
    const env = {
      ...awsEnv(e.emu.url),
      GITHUB_SHA,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_API_URL: gh.url,
    };
    const inputs = {
      source: dir,
      bucket: BUCKET,
      prefix: 'preview',
      plan: 'true',
      comment: 'true',
      'github-token': 'ghs_e2e',
    };
    const r = await runActionBundle({ action: 'sync-spa-cloudfront', inputs, env, cwd: WORKSPACE });
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ uploaded: '7', 'invalidation-id': '' });
    expect(r.summary).toContain('Plan: sync of s3://spa-site/preview/');
    const comments = gh.comments.get(9) ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toMatch(/^<!-- deploy-actions: sync-spa-cloudfront s3:\/\/spa-site\/preview\/ -->\n/);
    // the token is masked (the runner hides what follows ::add-mask::) and printed nowhere else
    expect(r.stdout).toContain('::add-mask::ghs_e2e');
    expect(r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::') && l.includes('ghs_e2e'))).toEqual([]);
    expect(mutating(await requests(e.control))).toEqual([]);
  } finally {
    await gh.stop();
  }
});
