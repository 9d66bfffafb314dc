// The SPA sync under the fault soak (issue #16): the bundle, run as the runner runs it, deploys a generated Vite-like
// SPA into a fresh prefix while the emulator throttles 20% of S3/CloudFront calls, answers 5% with a 5xx and adds
// 0–200 ms to each; every run is compared with a fault-free baseline: exit code, outputs, and the end state of every
// object (key, ETag, Content-Type, Cache-Control; the release record by count, its key has a time in it).
//
// A library, so the reliability suite can run it N times (`soakSpa({ runs: 50 })`); `spa-soak.bench.mjs` prints it.
// Retry modes: `ours` (the kit's default), `standard` / `adaptive` (the SDK's own, through AWS_RETRY_MODE).
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild } from './child.mjs';
import { generateSpa } from './gen-spa.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SOAK = { throttle: 0.2, error: 0.05, latencyMs: [0, 200], services: ['s3', 'cloudfront'] };
const BUCKET = 'soak-site';
const DIST = 'ESOAK00000001';

const runBundle = (bundle, env, cwd) => runChild(process.execPath, [bundle], { env, cwd });

function parseOutputs(text) {
  const out = {};
  for (const m of text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) out[m[1]] = m[3];
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0 && !line.includes('<<')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Every object under `prefix/`: key (relative), ETag, Content-Type, Cache-Control; release records by count. */
async function endState(s3, sdk, prefix) {
  const objects = [];
  let records = 0;
  let token;
  do {
    const page = await s3.send(
      new sdk.ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/`, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      const key = o.Key.slice(prefix.length + 1);
      if (key.startsWith('.deploy-actions/releases/')) {
        records += 1;
        continue;
      }
      const head = await s3.send(new sdk.HeadObjectCommand({ Bucket: BUCKET, Key: o.Key }));
      objects.push([key, o.ETag, head.ContentType, head.CacheControl].join(' '));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { objects: objects.sort(), records };
}

function sameOutcome(a, b) {
  const outputs = (r) => ({ ...r.outputs, 'invalidation-id': r.outputs['invalidation-id'] ? 'yes' : '' });
  const diffs = [];
  if (a.code !== b.code) diffs.push(`exit ${b.code} (baseline ${a.code})`);
  if (JSON.stringify(outputs(a)) !== JSON.stringify(outputs(b))) diffs.push(`outputs ${JSON.stringify(outputs(b))}`);
  if (a.state.records !== b.state.records)
    diffs.push(`${b.state.records} release records (baseline ${a.state.records})`);
  const want = new Set(a.state.objects);
  const got = new Set(b.state.objects);
  const missing = a.state.objects.filter((o) => !got.has(o));
  const extra = b.state.objects.filter((o) => !want.has(o));
  if (missing.length || extra.length) diffs.push(`objects: ${missing.length} missing/different, ${extra.length} extra`);
  return diffs;
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length === 0 ? Number.NaN : s[Math.floor((s.length - 1) / 2)];
};

/**
 * Run the soak. `runs` per mode (`runsByMode` overrides per mode), `files` in the generated SPA, `baselineRuns`
 * fault-free deploys for the reference wall time (median). Returns per mode: every run's wall time, whether it
 * equalled the baseline (and how not), and the summary figures.
 */
export async function soakSpa({
  runs = 5,
  runsByMode = {},
  modes = ['ours'],
  files = 200,
  baselineRuns = 3,
  seed0 = 1,
  bundle = join(root, 'actions/sync-spa-cloudfront/dist/index.js'),
  log = () => {},
} = {}) {
  if (!existsSync(bundle)) throw new Error(`no bundle at ${bundle}: run node scripts/build.mjs sync-spa-cloudfront`);
  const { startEmulator, EmulatorControl } = await import('../packages/aws-emulator/src/index.ts');
  // the action's own SDK (bench/ has no dependencies of its own)
  const sdk = createRequire(join(root, 'actions/sync-spa-cloudfront/package.json'))('@aws-sdk/client-s3');
  const emu = await startEmulator({ port: 0, timeScale: 1 });
  const control = new EmulatorControl(emu.url);
  const s3 = new sdk.S3Client({
    region: 'us-east-1',
    endpoint: emu.url,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  try {
    await control.seed({ buckets: [{ name: BUCKET }], distributions: [{ id: DIST, originBucket: BUCKET }] });
    const work = await mkdtemp(join(tmpdir(), 'spa-soak-'));
    const site = join(work, 'dist');
    await generateSpa(site, { files });
    let n = 0;
    const deploy = async (mode, faults) => {
      n += 1;
      const prefix = `run${n}`;
      const tmp = await mkdtemp(join(tmpdir(), 'spa-soak-run-'));
      const outFile = join(tmp, 'out');
      await writeFile(outFile, '');
      await writeFile(join(tmp, 'summary.md'), '');
      const env = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_REGION: 'us-east-1',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_ENDPOINT_URL: emu.url,
        ...(mode === 'ours' ? {} : { AWS_RETRY_MODE: mode }),
        GITHUB_OUTPUT: outFile,
        GITHUB_STEP_SUMMARY: join(tmp, 'summary.md'),
        GITHUB_SHA: 'abcdef0123456789abcdef0123456789abcdef01',
        GITHUB_RUN_ID: String(1000 + n),
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_WORKSPACE: work,
        INPUT_SOURCE: site,
        INPUT_BUCKET: BUCKET,
        INPUT_PREFIX: prefix,
        'INPUT_DISTRIBUTION-ID': DIST,
      };
      await control.faults(faults ?? { throttle: 0, error: 0, latencyMs: [0, 0] });
      const r = await runBundle(bundle, env, tmp);
      await control.faults({ throttle: 0, error: 0, latencyMs: [0, 0] });
      const outputs = parseOutputs(await readFile(outFile, 'utf8'));
      const state = await endState(s3, sdk, prefix);
      const errors = r.stdout.split('\n').filter((l) => l.startsWith('::error'));
      return { code: r.code, ms: r.ms, outputs, state, errors };
    };

    const baseline = [];
    for (let i = 0; i < baselineRuns; i++) baseline.push(await deploy('ours'));
    const reference = baseline[0];
    const baselineMs = median(baseline.map((b) => b.ms));
    log(`baseline (no faults): ${baselineMs.toFixed(0)} ms median of ${baselineRuns}, exit ${reference.code}`);
    const results = { files, soak: SOAK, baselineMs, baselineMsAll: baseline.map((b) => b.ms), modes: {} };
    for (const mode of modes) {
      const count = runsByMode[mode] ?? runs;
      const rows = [];
      for (let i = 0; i < count; i++) {
        const seed = seed0 + i;
        const r = await deploy(mode, { seed, ...SOAK });
        const diffs = sameOutcome(reference, r);
        rows.push({ seed, ms: r.ms, equal: diffs.length === 0, diffs, errors: r.errors });
        log(
          `${mode} seed ${seed}: ${(r.ms / 1000).toFixed(2)} s (${(r.ms / baselineMs).toFixed(2)}x) ${diffs.length === 0 ? 'equal' : `DIFFERENT: ${diffs.join('; ')} ${r.errors.join(' ')}`}`,
        );
      }
      const ms = rows.map((r) => r.ms);
      results.modes[mode] = {
        runs: rows,
        equal: rows.filter((r) => r.equal).length,
        medianMs: median(ms),
        maxMs: Math.max(...ms),
        medianRatio: median(ms) / baselineMs,
        maxRatio: Math.max(...ms) / baselineMs,
      };
    }
    return results;
  } finally {
    s3.destroy();
    await emu.stop();
  }
}
