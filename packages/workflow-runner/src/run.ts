// runWorkflow(options): one caller workflow for one event, as GitHub would run it, against the emulator.
//   load + validate every workflow file (exit 2 before any step on an error) → on: filters (skipped, and why) →
//   start the emulator (unless given), the stand-in GitHub API and the OIDC issuer → the caller's jobs → result.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { startEmulator } from '@deploy-actions/aws-emulator';
import { UsageError, WorkflowFileError } from './errors.ts';
import { dispatchInputs } from './events/dispatch-inputs.ts';
import { decide, type EventKind } from './events/filters.ts';
import { eventPayload, githubContext, type RunIdentity } from './events/github-context.ts';
import { GitHubApi } from './github-api/server.ts';
import { ConcurrencyManager } from './jobs/concurrency.ts';
import { acquireGroup } from './jobs/concurrency-lease.ts';
import { runInvocation } from './jobs/graph.ts';
import type { Invocation, RunLogger, RunRuntime } from './jobs/runtime.ts';
import { findNode24 } from './node.ts';
import { loadWorkflow } from './parse/load.ts';
import { checkNestedPermissions } from './parse/permissions-check.ts';
import { literalString, prop } from './parse/tokens.ts';
import { prepareAppRepo, readRunnerConfig } from './repo/app-repo.ts';
import type { Result, RunResult } from './report/result.ts';
import { REPO_ROOT, readSelfRepository } from './self-repo.ts';
import { ArtifactStore } from './standins/artifacts.ts';
import { OidcIssuer } from './standins/oidc-token.ts';
import { Masker } from './steps/masker.ts';

export interface RunOptions {
  /** The caller workflow file. */
  workflow: string;
  /** The app repository: a git repository or a plain folder (committed deterministically). */
  repo: string;
  event: EventKind;
  /** Branch (push, dispatch) or tag (tag) name, or a full ref. */
  ref: string;
  sha?: string;
  inputs?: Record<string, string>;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** owner/name of the app repository (default: <repo>/.github/deploy-actions-runner.json). */
  repository?: string;
  /** An emulator to use; without it one is started in-process and stopped at the end. */
  emulatorUrl?: string;
  /** Where job workspaces, temp dirs and the generated repository live (default a temp dir, removed unless keepState). */
  stateDir?: string;
  keepState?: boolean;
  /** Log lines of the jobs (default: nothing). */
  log?: RunLogger;
  /** Abort to cancel the run as GitHub does (SIGINT to steps, always() steps and post steps still run). */
  signal?: AbortSignal;
  /** The deploy-actions checkout our `uses:` resolve to (default this one). */
  selfRoot?: string;
  /** Extra environment of the simulated runner machine (e.g. buildah storage settings). */
  machineEnv?: Record<string, string>;
  /** Called with the stand-in GitHub API once it listens (tests use it to plant faults). */
  onApi?: (api: GitHubApi) => void;
  actor?: string;
}

/**
 * The runner machine's own environment: PATH and locale only (HOME is per run; nothing else of this process leaks
 * in, AWS credentials included), plus how this machine builds images: no Docker engine here, so build-push-ecr falls
 * back to buildah, which works unprivileged with vfs storage and chroot isolation (kept in the run's state dir).
 */
function machineEnvironment(node: string, stateDir: string, extra: Record<string, string>): Record<string, string> {
  const path = [dirname(node), ...(process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':')]
    .filter((p, i, all) => p && all.indexOf(p) === i)
    .join(':');
  return {
    PATH: path,
    LANG: process.env.LANG ?? 'C.UTF-8',
    ...(process.env.TZ ? { TZ: process.env.TZ } : {}),
    BUILD_PUSH_ECR_BUILDAH_STORAGE_DRIVER: 'vfs',
    BUILD_PUSH_ECR_BUILDAH_ISOLATION: 'chroot',
    BUILD_PUSH_ECR_BUILDAH_ROOT: join(stateDir, 'buildah', 'root'),
    BUILD_PUSH_ECR_BUILDAH_RUNROOT: join(stateDir, 'buildah', 'run'),
    ...extra,
  };
}

export async function runWorkflow(opts: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const self = readSelfRepository(opts.selfRoot ? resolve(opts.selfRoot) : REPO_ROOT);
  const stateDir = opts.stateDir ? resolve(opts.stateDir) : mkdtempSync(join(tmpdir(), 'workflow-run-'));
  mkdirSync(stateDir, { recursive: true });
  const cleanups: Array<() => Promise<void> | void> = [];
  if (!opts.stateDir && !opts.keepState) cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
  try {
    const refType = opts.event === 'tag' ? 'tag' : 'branch';
    const app = prepareAppRepo({
      dir: opts.repo,
      stateDir,
      ref: opts.ref,
      refType,
      ...(opts.sha ? { sha: opts.sha } : {}),
    });
    const repository = opts.repository ?? readRunnerConfig(app.source).repository;
    if (!repository || !/^[\w.-]+\/[\w.-]+$/.test(repository)) {
      throw new UsageError(
        repository
          ? `repository ${repository} must be owner/name`
          : `which GitHub repository is ${opts.repo}? pass --repository owner/name (or put {"repository": "owner/name"} in ${join(opts.repo, '.github', 'deploy-actions-runner.json')})`,
      );
    }
    const workflowFile = resolve(opts.workflow);
    const spec = await loadWorkflow(workflowFile, { self, readCallerRepoFile: (p) => app.readFile(p) });
    const permissionErrors = checkNestedPermissions(spec);
    if (permissionErrors.length) throw new WorkflowFileError(permissionErrors);

    const workflowName = literalString(prop(spec.root, 'name')) ?? relative(app.source, workflowFile);
    const base: RunResult = {
      workflow: workflowName,
      file: spec.display,
      event: opts.event,
      ref: app.ref,
      sha: app.sha,
      repository,
      conclusion: 'skipped',
      jobs: [],
      durationMs: 0,
    };
    const decision = decide(spec.events, opts.event, app.refName, () => app.changedFiles());
    if (!decision.run) return { ...base, skipped: decision.reason, durationMs: Date.now() - started };

    let inputs: Record<string, string | number | boolean> = {};
    let eventInputs: Record<string, string> = {};
    if (opts.event === 'dispatch') {
      const d = dispatchInputs(spec.events.workflow_dispatch ?? {}, opts.inputs ?? {});
      inputs = d.typed;
      eventInputs = d.strings;
    } else if (opts.inputs && Object.keys(opts.inputs).length) {
      throw new UsageError('--input is only for --event dispatch');
    }

    let emulatorUrl = opts.emulatorUrl;
    if (!emulatorUrl) {
      const emu = await startEmulator({ port: 0 });
      cleanups.push(() => emu.stop());
      emulatorUrl = emu.url;
    }
    const oidc = new OidcIssuer();
    const api = new GitHubApi({ repository, app, oidc });
    await api.start();
    cleanups.push(() => api.stop());
    opts.onApi?.(api);

    const masker = new Masker();
    for (const v of Object.values(opts.secrets ?? {})) masker.add(v);
    const home = join(stateDir, 'home');
    mkdirSync(home, { recursive: true });
    const eventPath = join(stateDir, 'event.json');
    const workflowPath = relative(app.source, workflowFile).startsWith('..')
      ? `.github/workflows/${basename(workflowFile)}`
      : relative(app.source, workflowFile);
    const identity: RunIdentity = {
      repository,
      runId: String(Date.now()),
      runNumber: '1',
      actor: opts.actor ?? 'deploy-actions-runner',
      apiUrl: api.url,
      serverUrl: 'https://github.com',
      workflowName,
      workflowPath,
      token: `ghs_${randomBytes(18).toString('base64url')}`,
    };
    const event = eventPayload(opts.event, app, identity, eventInputs);
    writeFileSync(eventPath, JSON.stringify(event, null, 2));
    const node = findNode24();
    let jobCounter = 0;
    const cancel = new AbortController();
    if (opts.signal) {
      const onAbort = () => cancel.abort();
      if (opts.signal.aborted) onAbort();
      else opts.signal.addEventListener('abort', onAbort, { once: true });
    }
    const rt: RunRuntime = {
      self,
      app,
      repository,
      github: githubContext(opts.event, app, identity, event, eventPath),
      vars: opts.vars ?? {},
      emulatorUrl,
      api,
      oidc,
      masker,
      artifacts: new ArtifactStore(join(stateDir, 'artifacts')),
      concurrency: new ConcurrencyManager(),
      cancelled: cancel.signal,
      log: opts.log ?? { line: () => {} },
      stateDir,
      home,
      nodePath: node,
      machineEnv: machineEnvironment(node, stateDir, opts.machineEnv ?? {}),
      nextJobNumber: () => ++jobCounter,
    };
    const inv: Invocation = {
      workflow: spec,
      inputs,
      secrets: { ...(opts.secrets ?? {}) },
      heldGroups: [],
      prefix: '',
      workflowRef: String(rt.github.workflow_ref),
    };
    // The caller's workflow-level concurrency: held for the whole run (only a called workflow or job asking for the
    // same group can collide with it, which GitHub reports as a deadlock).
    const cc = prop(spec.root, 'concurrency');
    if (cc) {
      const lease = await acquireGroup(
        rt,
        inv,
        cc,
        { contexts: { github: rt.github, inputs, vars: rt.vars }, locate: spec.locate },
        'top level workflow',
        () => cancel.abort(),
      );
      if (lease?.group) {
        inv.heldGroups = [{ group: lease.group, holder: 'top level workflow' }];
        cleanups.push(() => lease.release());
      }
    }
    const result = await runInvocation(rt, inv, cancel.signal);
    let conclusion: Result = result.jobs.some((j) => j.conclusion === 'failure')
      ? 'failure'
      : cancel.signal.aborted || result.jobs.some((j) => j.conclusion === 'cancelled')
        ? 'cancelled'
        : 'success';
    const violations = api.violations.map((v) => `GitHub API stand-in: ${v}`);
    if (violations.length) {
      conclusion = 'failure';
      for (const v of violations) rt.log.line('github-api', `##[error]${v}`);
    }
    return {
      ...base,
      conclusion,
      jobs: result.jobs,
      durationMs: Date.now() - started,
      ...(violations.length ? { violations } : {}),
    };
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}
