// `pnpm demo [--all] [--only <id prefix>] [--out DIR] [--time-scale N]`: the seed pipelines as their users run them.
// Each run is one of an example app's caller workflows (examples/<app>/.github/workflows/), run by the workflow
// runner as GitHub would — our reusable workflows, the committed dist/ of our actions, OIDC against the example's
// trust policies — against the local AWS emulator, with the app's URLs served by a local app host that answers from
// the emulator's ECS state. The scenarios (emulator seeding, event, expected end state) are defined once, in
// packages/scenarios, and the e2e suite runs the same ones.
//
//   pnpm demo          seed 000 (Pikaia): staging (push to main), production (tag v1.0.0), rollback (dispatch)
//   pnpm demo --all    all five seed systems: their fifteen workflows plus the failure scenarios and seed gaps
//
// It prints each run's step tree and verdict and writes demo-report/index.html (the job summaries, rendered) and,
// per run, the full output: job log, tree, result.json, each step's summary, the runner's state (workspaces,
// RUNNER_TEMP, HOME, artifacts) — everything a leak scan needs, with secrets.json listing the seeded secret values.
// Exit 0 when every run concluded and left AWS as expected.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { preflightLines, type RunRecord, runScenarios, SYSTEMS, writeReport } from '../packages/scenarios/src/index.ts';

const USAGE =
  'usage: pnpm demo [--all] [--only <scenario id prefix>] [--out DIR] [--time-scale N] [--no-buildah] [--quiet]';
const root = resolve(import.meta.dirname, '..');
const MARKER = '.deploy-actions-demo';

const { values } = parseArgs({
  options: {
    all: { type: 'boolean' },
    only: { type: 'string', multiple: true },
    out: { type: 'string' },
    'time-scale': { type: 'string' },
    'no-buildah': { type: 'boolean' },
    quiet: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const outDir = resolve(values.out ?? join(root, 'demo-report'));
// The output directory is emptied first: refuse one that holds anything but an earlier demo's output.
if (existsSync(outDir) && readdirSync(outDir).length > 0 && !existsSync(join(outDir, MARKER))) {
  console.error(`demo: ${outDir} is not empty and was not written by pnpm demo; choose another --out`);
  process.exit(2);
}
const timeScale = values['time-scale'] ? Number(values['time-scale']) : 30;
if (!Number.isFinite(timeScale) || timeScale <= 0) {
  console.error(`demo: --time-scale ${values['time-scale']}: expected a positive number\n${USAGE}`);
  process.exit(2);
}
const only = values.only ?? [];
const select = values.all
  ? (id: string) => only.length === 0 || only.some((o) => id.startsWith(o))
  : only.length
    ? (id: string) => only.some((o) => id.startsWith(o))
    : (id: string) => ['pikaia/staging', 'pikaia/production', 'pikaia/rollback'].includes(id);

// --no-buildah: what a machine without buildah does (also to try that path where buildah is installed)
const buildah = existsSync('/usr/bin/buildah') && !values['no-buildah'];
console.log(
  buildah
    ? 'demo: images are built with buildah'
    : `demo: ${values['no-buildah'] ? 'without buildah (--no-buildah)' : 'buildah is not installed'}: each commit's image is seeded in the emulator and promoted instead of built`,
);

const line = (r: RunRecord) =>
  `${r.ok ? '✔' : '✘'} ${r.scenario.id}: ${r.result?.conclusion ?? 'error'} (expected ${r.scenario.expect.conclusion}) in ${(r.durationMs / 1000).toFixed(1)} s`;

const result = await runScenarios({
  systems: SYSTEMS,
  select: (s) => select(s.id),
  outDir,
  timeScale,
  buildah,
  onStart: (s, system) =>
    console.log(`▶ ${s.id}: ${system.app}/.github/workflows/${s.workflow} (${s.event} ${s.ref}) — ${s.title}`),
  onRun: (r) => {
    if (!values.quiet) console.log(`\n━━ ${r.scenario.id} — ${r.scenario.title}\n${r.tree}`);
    for (const n of r.notes) console.log(`  · ${n}`);
    for (const p of preflightLines(r.result)) console.log(`  ${p}`);
    if (r.result?.conclusion === 'failure' && r.rootCause) console.log(`  root cause: ${r.rootCause.split('\n')[0]}`);
    for (const c of r.checks)
      console.log(`  ${c.problem ? '✗' : '✓'} ${c.label}${c.problem ? `\n      ${c.problem}` : ''}`);
    if (r.scenario.expect.rootCause && !r.rootCauseOk)
      console.log(`  ✗ the root cause ${r.scenario.expect.rootCause} was not reported`);
    if (r.error) console.log(`  ✗ ${r.error}`);
    console.log(`${line(r)}\n`);
  },
});
writeFileSync(join(outDir, MARKER), 'written by pnpm demo; emptied by the next run\n');
const report = writeReport(
  result,
  outDir,
  values.all
    ? 'deploy-actions: the five seed pipelines, run locally'
    : 'deploy-actions: seed 000 (Pikaia), run locally',
);

console.log('━━ runs');
for (const r of result.runs) console.log(line(r));
const bad = result.runs.filter((r) => !r.ok);
console.log(
  `\n${result.runs.length} runs in ${(result.durationMs / 1000).toFixed(1)} s (emulator time scale ${timeScale}×), ${
    bad.length === 0 ? 'every one as expected' : `${bad.length} NOT as expected`
  }`,
);
console.log(
  `report: ${relative(process.cwd(), report) || report}   full output of every run: ${relative(process.cwd(), join(outDir, 'runs'))}/`,
);
process.exit(bad.length === 0 ? 0 : 1);
