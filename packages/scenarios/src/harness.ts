// Runs scenarios: one emulator (compressed clock), one app host, and per seed system a git repository of the app,
// the emulator seeding, then its scenarios in order through the workflow runner (the example's caller workflow →
// our reusable workflows → the committed dist/ of our actions). Systems run concurrently (their AWS resources are
// disjoint); the scenarios of one system run one after another (production promotes what staging built).
// Every run's full output lands under `outDir/runs/<app>/<nn>-<name>/`: the job log, the step tree, result.json,
// each step's job summary, and the runner's state (workspaces, RUNNER_TEMP, HOME, artifacts).

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EmulatorControl, type SeedFixture } from '@deploy-actions/aws-emulator';
import { formatTree, type JobResult, REPO_ROOT, type RunResult, runWorkflow } from '@deploy-actions/workflow-runner';
import { AppHost } from './app-host.ts';
import { AppRepo } from './app-repo.ts';
import { Probe } from './probe.ts';
import { EXAMPLES, passableRoles, secretArnSuffix } from './systems/common.ts';

/**
 * Node's on-disk compile cache for the action bundles' processes (about 25% of a step's CPU: ~180 node starts of
 * 3-5 MB bundles per `--all`); bytecode only, keyed by the file's content, so it never changes what a step does.
 */
const COMPILE_CACHE = join(tmpdir(), 'deploy-actions-node-compile-cache');

/** The account every example's ARNs name. */
const EXAMPLES_ACCOUNT = '123456789012';

import type { Env, Scenario, SeedSystem } from './types.ts';

export interface HarnessOptions {
  systems: readonly SeedSystem[];
  /** Which scenarios run (default all). A system whose scenarios are all left out is not seeded. */
  select?: (scenario: Scenario, system: SeedSystem) => boolean;
  /** Where everything is written (emptied first). */
  outDir: string;
  /** Simulated seconds per real second (default 20, the emulator's). */
  timeScale?: number;
  /** Build images with buildah (default: when /usr/bin/buildah exists). */
  buildah?: boolean;
  /** Called when a run starts and when it has been verified. */
  onStart?: (scenario: Scenario, system: SeedSystem) => void;
  onRun?: (run: RunRecord) => void;
}

export interface CheckOutcome {
  label: string;
  /** What differs; undefined when the expectation holds. */
  problem?: string;
}

export interface RunRecord {
  system: SeedSystem;
  scenario: Scenario;
  /** `runs/<app>/<nn>-<name>` under outDir. */
  dir: string;
  result?: RunResult;
  /** The runner threw (a workflow-file or usage error): the message. */
  error?: string;
  tree: string;
  checks: CheckOutcome[];
  conclusionOk: boolean;
  /** The failure's root cause as the run reported it (first error of the first failed step). */
  rootCause?: string;
  rootCauseOk: boolean;
  notes: string[];
  startedAt: number;
  durationMs: number;
  /** Everything expected held. */
  ok: boolean;
}

export interface HarnessResult {
  runs: RunRecord[];
  durationMs: number;
  buildah: boolean;
  timeScale: number;
}

const hasBuildah = () => existsSync('/usr/bin/buildah');

const EMULATOR_BIN = join(REPO_ROOT, 'packages', 'aws-emulator', 'bin', 'emulator.mjs');

/**
 * The emulator in a process of its own (its CLI prints `ready <url>`): the runner does some work synchronously (git
 * through execFileSync), and an emulator in this process would stop answering every concurrent run meanwhile.
 */
/**
 * What the example's account holds besides the system's own seeding: the roles its deploy roles may pass, and each
 * seeded secret under the ARN suffix the example's task definitions name.
 */
function accountOfExample(app: string, fixture: SeedFixture): SeedFixture {
  const secrets = (fixture.secrets ?? []).map((raw) => {
    const s = raw as { name: string; arnSuffix?: string };
    const arnSuffix = s.arnSuffix ?? secretArnSuffix(app, s.name);
    return arnSuffix ? { ...s, arnSuffix } : s;
  });
  return { ...fixture, secrets, roles: [...(fixture.roles ?? []), ...passableRoles(app).map((arn) => ({ arn }))] };
}

async function startEmulatorProcess(timeScale: number): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      EMULATOR_BIN,
      '--port',
      '0',
      '--time-scale',
      String(timeScale),
      // The examples' account (their task definitions, roles and secrets name 123456789012), so the preflight judges
      // every role and secret; task starts check secrets, images and their platform, and log groups as ECS does.
      '--account-id',
      EXAMPLES_ACCOUNT,
      '--realism',
      'all',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^ready (\S+)/m.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.on('exit', (code) =>
      reject(new Error(`the emulator exited (${code}) before it was ready: ${stderr.trim()}`)),
    );
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Every job of a run, depth first (called workflows' jobs after their caller job). */
export function allJobs(jobs: readonly JobResult[]): JobResult[] {
  return jobs.flatMap((j) => [j, ...allJobs(j.jobs ?? [])]);
}

/** The errors a failed run reported: failed steps' errors and error annotations, job messages, in order. */
export function failureTexts(result: RunResult): string[] {
  const out: string[] = [];
  for (const j of allJobs(result.jobs)) {
    for (const s of j.steps) {
      if (s.conclusion !== 'failure') continue;
      for (const a of s.annotations) if (a.level === 'error') out.push(a.message);
      if (s.error) out.push(s.error);
    }
    if (j.result === 'failure' && j.message) out.push(j.message);
  }
  return [...new Set(out)];
}

function slug(text: string): string {
  return text
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}

function writeRunFiles(dir: string, record: RunRecord, log: string[]): void {
  writeFileSync(join(dir, 'log.txt'), `${log.join('\n')}\n`);
  writeFileSync(join(dir, 'tree.txt'), `${record.tree}\n`);
  if (record.result) writeFileSync(join(dir, 'result.json'), `${JSON.stringify(record.result, null, 2)}\n`);
  const summaries = join(dir, 'summaries');
  let n = 0;
  for (const j of allJobs(record.result?.jobs ?? [])) {
    for (const s of j.steps) {
      if (!s.summary) continue;
      mkdirSync(summaries, { recursive: true });
      writeFileSync(join(summaries, `${String(++n).padStart(2, '0')}-${slug(j.path)}--${slug(s.name)}.md`), s.summary);
    }
  }
  const verdict = {
    id: record.scenario.id,
    title: record.scenario.title,
    ok: record.ok,
    conclusion: record.result?.conclusion,
    expected: record.scenario.expect.conclusion,
    rootCause: record.rootCause,
    checks: record.checks,
    notes: record.notes,
    durationMs: record.durationMs,
  };
  writeFileSync(join(dir, 'verdict.json'), `${JSON.stringify(verdict, null, 2)}\n`);
}

/** A placeholder `buildah` for machines without it: build-push-ecr needs a builder on PATH even when it skips. */
function noBuilderPath(outDir: string): string {
  const bin = join(outDir, 'no-buildah', 'bin');
  mkdirSync(bin, { recursive: true });
  const script = join(bin, 'buildah');
  writeFileSync(
    script,
    '#!/bin/sh\necho "buildah is not installed here: this local run seeds each commit\'s image instead of building it" >&2\nexit 1\n',
    { mode: 0o755 },
  );
  return [bin, dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'].join(':');
}

export async function runScenarios(opts: HarnessOptions): Promise<HarnessResult> {
  const started = Date.now();
  const buildah = opts.buildah ?? hasBuildah();
  const timeScale = opts.timeScale ?? 20;
  rmSync(opts.outDir, { recursive: true, force: true });
  mkdirSync(opts.outDir, { recursive: true });
  const selected = opts.systems
    .map((system) => ({ system, scenarios: system.scenarios.filter((s) => opts.select?.(s, system) ?? true) }))
    .filter((s) => s.scenarios.length > 0);

  let emu: { url: string; stop(): Promise<void> } | undefined;
  const probe = { current: undefined as Probe | undefined };
  const appHost = { current: undefined as AppHost | undefined };
  try {
    emu = await startEmulatorProcess(timeScale);
    const control = new EmulatorControl(emu.url);
    probe.current = new Probe(emu.url);
    appHost.current = new AppHost(probe.current);
    await appHost.current.start();
    const registry = new URL(emu.url).host;
    const machinePath = buildah ? undefined : noBuilderPath(opts.outDir);
    const runs: RunRecord[] = [];

    /** A system that could not be set up: each of its scenarios is reported as not run, with the reason. */
    const notRun = (system: SeedSystem, selected: Scenario[], err: unknown) => {
      for (const scenario of selected.filter((s) => !runs.some((r) => r.scenario === s))) {
        const n = selected.indexOf(scenario) + 1;
        const dir = join(opts.outDir, 'runs', system.app, `${String(n).padStart(2, '0')}-${scenario.id.split('/')[1]}`);
        mkdirSync(dir, { recursive: true });
        const message = `${system.app} could not be set up: ${(err as Error).stack ?? String(err)}`;
        const record: RunRecord = {
          system,
          scenario,
          dir,
          error: message,
          tree: `error: ${(err as Error).message}`,
          checks: [],
          conclusionOk: false,
          rootCauseOk: false,
          notes: [],
          startedAt: Date.now(),
          durationMs: 0,
          ok: false,
        };
        writeRunFiles(dir, record, []);
        runs.push(record);
        opts.onRun?.(record);
      }
    };

    const runSystem = async (system: SeedSystem, scenarios: Scenario[]) => {
      try {
        await runSystemScenarios(system, scenarios);
      } catch (err) {
        notRun(system, scenarios, err);
      }
    };

    const runSystemScenarios = async (system: SeedSystem, scenarios: Scenario[]) => {
      const p = probe.current as Probe;
      const host = appHost.current as AppHost;
      const repo = new AppRepo(join(opts.outDir, 'repos', system.app), join(EXAMPLES, system.app));
      repo.init();
      // The AWS side before the first run: images first (task definitions pin their digests), then the rest.
      await control.seed({
        repositories: [...new Set(system.images.map((i) => i.repository))].map((name) => ({
          name,
          region: system.region,
          images: system.images.filter((i) => i.repository === name).map((i) => ({ tag: i.tag, content: i.content })),
        })),
      });
      const digests = new Map<string, string>();
      for (const i of system.images) {
        const d = await p.imageDigest(system.region, i.repository, i.tag);
        if (!d) throw new Error(`${system.app}: seeded ${i.repository}:${i.tag} is not in ECR`);
        digests.set(`${i.repository}:${i.tag}`, d);
      }
      await control.seed(
        accountOfExample(
          system.app,
          system.fixture({
            registry,
            image: (repository, tag) => {
              const d = digests.get(`${repository}:${tag}`);
              if (!d) throw new Error(`${system.app}: no seeded image ${repository}:${tag}`);
              return `${registry}/${repository}@${d}`;
            },
          }),
        ),
      );
      if (system.behaviors.length) await control.behaviors(system.behaviors);
      for (const site of system.sites) host.addSite(site);
      const vars = system.vars(host);

      let n = 0;
      for (const scenario of scenarios) {
        n++;
        const dir = join(opts.outDir, 'runs', system.app, `${String(n).padStart(2, '0')}-${scenario.id.split('/')[1]}`);
        mkdirSync(dir, { recursive: true });
        const notes: string[] = [];
        const env: Env = {
          control,
          emulatorUrl: emu?.url ?? '',
          registry,
          probe: p,
          appHost: host,
          repo,
          buildah,
          seedImage: async (repository, tag, content) => {
            await control.seed({
              repositories: [{ name: repository, region: system.region, images: [{ tag, content }] }],
            });
            const d = await p.imageDigest(system.region, repository, tag);
            if (!d) throw new Error(`seeding ${repository}:${tag} failed`);
            return d;
          },
          behaviors: async (rules) => {
            await control.behaviors(rules);
          },
          appBehavior: (b) => host.addBehavior(b),
          note: (line) => notes.push(line),
        };
        opts.onStart?.(scenario, system);
        const t0 = Date.now();
        const log: string[] = [];
        const record: RunRecord = {
          system,
          scenario,
          dir,
          tree: '',
          checks: [],
          conclusionOk: false,
          rootCauseOk: scenario.expect.rootCause === undefined,
          notes,
          startedAt: t0,
          durationMs: 0,
          ok: false,
        };
        try {
          for (const change of scenario.git ?? []) repo.apply(change);
          const sha = repo.resolve(scenario.ref);
          if (!buildah && scenario.workflow !== 'rollback.yml') {
            for (const repository of system.builtRepositories) {
              if (await p.imageDigest(system.region, repository, sha)) continue;
              await env.seedImage(repository, sha, `${repository} built from ${sha}\n`);
              notes.push(`no buildah: seeded ${repository}:${sha.slice(0, 12)} (promoted instead of built)`);
            }
          }
          await scenario.prepare?.(env);
          const checkCtx = { probe: p, repo, registry, buildah };
          for (const c of scenario.expect.checks) await c.before?.(checkCtx);
          const result = await runWorkflow({
            workflow: join(EXAMPLES, system.app, '.github', 'workflows', scenario.workflow),
            repo: repo.dir,
            event: scenario.event,
            ref: scenario.ref,
            ...(scenario.inputs ? { inputs: scenario.inputs } : {}),
            secrets: system.secrets,
            vars,
            repository: system.repository,
            emulatorUrl: emu?.url ?? '',
            stateDir: join(dir, 'state'),
            keepState: true,
            machineEnv: { ...(machinePath ? { PATH: machinePath } : {}), NODE_COMPILE_CACHE: COMPILE_CACHE },
            log: { line: (job, text) => log.push(`[${job}] ${text}`) },
          });
          record.result = result;
          record.tree = formatTree(result);
          record.conclusionOk = result.conclusion === scenario.expect.conclusion;
          const texts = failureTexts(result);
          record.rootCause = texts[0];
          if (scenario.expect.rootCause) {
            const haystack = [...texts, ...allJobs(result.jobs).map((j) => j.summary ?? '')].join('\n');
            record.rootCauseOk = scenario.expect.rootCause.test(haystack);
            const inText = texts.find((t) => scenario.expect.rootCause?.test(t));
            // the expected cause may be in a job summary (a stopped task's log lines): show that line too
            const line = haystack.split('\n').find((l) => scenario.expect.rootCause?.test(l));
            record.rootCause = inText ?? [texts[0], line].filter(Boolean).join('\n…\n');
          }
          for (const c of scenario.expect.checks) {
            let problem: string | undefined;
            try {
              problem = await c.verify({ ...checkCtx, result });
            } catch (err) {
              problem = `check failed to run: ${(err as Error).message}`;
            }
            record.checks.push(problem ? { label: c.label, problem } : { label: c.label });
          }
        } catch (err) {
          record.error = (err as Error).stack ?? String(err);
          record.tree = `error: ${(err as Error).message}`;
        } finally {
          try {
            await scenario.cleanup?.(env);
          } catch (err) {
            notes.push(`cleanup failed: ${(err as Error).message}`);
          }
        }
        record.durationMs = Date.now() - t0;
        record.ok =
          !record.error && record.conclusionOk && record.rootCauseOk && record.checks.every((c) => !c.problem);
        writeRunFiles(dir, record, log);
        runs.push(record);
        opts.onRun?.(record);
      }
    };

    await Promise.all(selected.map(({ system, scenarios }) => runSystem(system, scenarios)));
    // the order of the definitions, whatever order the systems finished in
    const order = selected.flatMap(({ scenarios }) => scenarios.map((s) => s.id));
    runs.sort((a, b) => order.indexOf(a.scenario.id) - order.indexOf(b.scenario.id));
    // Every credential the emulator handed out (registry passwords, STS secret keys and session tokens): the leak
    // scan (packages/leak-scan, run by CI over this directory) looks for them next to the seeded secrets.
    const issued = await control.issuedCredentials();
    writeFileSync(
      join(opts.outDir, 'secrets.json'),
      `${JSON.stringify(
        {
          note: 'Values seeded or passed as secrets in these runs, and the credentials the emulator issued. `secret` and `issued` must appear nowhere in this directory (plain, base64, JSON-escaped; `pnpm leak-scan`); `publicByDesign` are compiled into an SPA bundle on purpose.',
          secret: [...new Set(selected.flatMap(({ system }) => system.secretValues.secret))],
          issued,
          publicByDesign: [...new Set(selected.flatMap(({ system }) => system.secretValues.publicByDesign))],
        },
        null,
        2,
      )}\n`,
    );
    return { runs, durationMs: Date.now() - started, buildah, timeScale };
  } finally {
    await appHost.current?.stop();
    probe.current?.destroy();
    await emu?.stop();
  }
}
