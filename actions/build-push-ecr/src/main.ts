import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  cancellationSignal,
  core,
  createClient,
  DeployFailure,
  errorMessage,
  maskValue,
  realClock,
  requestSent,
  run as runStep,
  Summary,
  setOutputs,
} from '@deploy-actions/kit/runtime';
import { cleanUp, LeftoverTracker } from './cleanup';
import { prepareDockerConfig } from './docker-config';
import { ACTION, getInputs, type Inputs } from './inputs';
import {
  type BuildahStorage,
  type BuilderProbe,
  type BuildPlan,
  buildahArgs,
  buildxArgs,
  buildxCreateArgs,
  buildxDriver,
  buildxRemoveArgs,
  type Decision,
  decide,
  digestFromMetadata,
  displayArgs,
  loginArgs,
  logoutArgs,
  makePlan,
  needsOwnBuilder,
  passwordFromToken,
  registryFromEndpoint,
  resolveBuilder,
  verifyDigest,
} from './plan';
import {
  describeRepository,
  existingTags,
  getRegistryToken,
  type RegistryToken,
  tagDigest,
  tokenNeedsRefresh,
} from './registry';
import { classifyRegistryFailure, registryAttempts, registryRetryDelay } from './registry-retry';
import { runTool } from './tool-process';

/** The test hook: what in-process tests inject (the bundle uses none of it). */
export interface Deps {
  env?: NodeJS.ProcessEnv;
  /** What the runner has (default: probe `docker buildx version` and PATH). */
  probe?: BuilderProbe;
  now?: () => number;
  /** Cancellation (default: the kit's SIGINT/SIGTERM signal). */
  signal?: AbortSignal;
}

const noop = () => {};

/** buildah global options from the environment (tests use temp dirs; unset on a runner = buildah's defaults). */
export function buildahStorageFromEnv(env: NodeJS.ProcessEnv): BuildahStorage {
  return {
    driver: env.BUILD_PUSH_ECR_BUILDAH_STORAGE_DRIVER || undefined,
    root: env.BUILD_PUSH_ECR_BUILDAH_ROOT || undefined,
    runroot: env.BUILD_PUSH_ECR_BUILDAH_RUNROOT || undefined,
    isolation: env.BUILD_PUSH_ECR_BUILDAH_ISOLATION || undefined,
  };
}

function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

async function probeBuilders(choice: Inputs['builder'], env: NodeJS.ProcessEnv): Promise<BuilderProbe> {
  let buildx = false;
  if (choice !== 'buildah' && onPath('docker', env)) {
    const r = await runTool('docker', ['buildx', 'version'], {
      what: 'docker buildx version',
      env,
      silent: true,
      ignoreReturnCode: true,
    }).catch(() => ({ code: 1 }));
    buildx = r.code === 0;
  }
  return { buildx, buildah: onPath('buildah', env) };
}

function tool(plan: BuildPlan): string {
  return plan.builder === 'buildx' ? 'docker' : 'buildah';
}

/** How builder commands run in this step: environment, cancellation, and the leftovers they record. */
interface ToolContext {
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  tracker: LeftoverTracker;
  publicBuildArgs: readonly string[];
}

/** Run a builder command in its own process group, printed with secrets masked; `what` names it in a failure. */
async function execTool(
  ctx: ToolContext,
  what: string,
  command: string,
  args: string[],
  extra: { input?: Buffer; silent?: boolean; ignoreReturnCode?: boolean } = {},
) {
  return runTool(command, args, {
    what,
    display: displayArgs(args, ctx.publicBuildArgs),
    env: ctx.env,
    signal: ctx.signal,
    onStart: (p) => ctx.tracker.process(p),
    onExit: () => ctx.tracker.process(undefined),
    ...extra,
  });
}

/**
 * A registry command that is safe to repeat (login; a push, whose blobs already sent are skipped the next time),
 * repeated after a failure the registry may not repeat (429/5xx, a dropped connection): see registry-retry.ts for
 * which failures, how often and how long. A cancel is never retried.
 */
async function execRegistryTool(
  ctx: ToolContext,
  what: string,
  command: string,
  args: string[],
  extra: { input?: Buffer } = {},
) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await execTool(ctx, what, command, args, extra);
    } catch (err) {
      if (ctx.signal.aborted || !(err instanceof DeployFailure)) throw err;
      const kind = classifyRegistryFailure(typeof err.cause === 'string' ? err.cause : '');
      const delay = registryRetryDelay(kind, attempt);
      if (delay === undefined) throw err;
      core.info(
        `${what} failed (attempt ${attempt} of ${registryAttempts(kind)}, ${kind === 'transient' ? 'the registry may answer differently next time' : 'cause not recognised'}); trying again in ${delay / 1000} s`,
      );
      await realClock.sleep(delay, ctx.signal);
    }
  }
}

/**
 * `buildah bud --cache-to`: a layer cache that cannot be exported must not fail the build (the cache only makes
 * the next build faster). When bud fails while pushing the cache, it runs again without `--cache-to` (its layers
 * are built already) and a warning says the cache was not updated.
 */
async function buildahBud(ctx: ToolContext, args: string[]): Promise<void> {
  try {
    await execTool(ctx, 'buildah bud', 'buildah', args);
  } catch (err) {
    const output = err instanceof DeployFailure && typeof err.cause === 'string' ? err.cause : '';
    const at = args.indexOf('--cache-to');
    if (ctx.signal.aborted || at === -1 || !/failed pushing cache/.test(output)) throw err;
    core.warning('buildah could not push the layer cache to the repository; building again without updating it');
    await execTool(ctx, 'buildah bud', 'buildah', [...args.slice(0, at), ...args.slice(at + 2)]);
  }
}

interface Login {
  host: string;
  expiresAt: Date | undefined;
}

/** Mask the token, log in with the password on stdin (never in argv), record the logout for cleanup. */
async function login(ctx: ToolContext, plan: BuildPlan, token: RegistryToken): Promise<Login> {
  core.setSecret(token.token);
  const password = passwordFromToken(token.token);
  maskValue(password);
  const { host } = registryFromEndpoint(token.proxyEndpoint);
  // Recorded before the login runs: a kill during it must still lead to the logout and the auth file's removal.
  ctx.tracker.logout({ command: tool(plan), args: logoutArgs(plan, host), env: plan.dockerEnv });
  await execRegistryTool(ctx, `${tool(plan)} login to ${host}`, tool(plan), loginArgs(plan, host), {
    input: Buffer.from(password, 'utf8'),
  });
  return { host, expiresAt: token.expiresAt };
}

/** Build and push; returns the digest the builder reported. Cleanup (logout, builder, auth file) is the caller's. */
async function buildAndPush(
  ctx: ToolContext,
  ecr: ECRClient,
  plan: BuildPlan,
  token: RegistryToken,
  now: () => number,
): Promise<string> {
  let session = await login(ctx, plan, token);
  if (plan.builder === 'buildx') {
    const inspect = await execTool(ctx, 'docker buildx inspect', 'docker', ['buildx', 'inspect'], {
      silent: true,
      ignoreReturnCode: true,
    });
    const driver = buildxDriver(inspect.stdout);
    if (needsOwnBuilder(driver, plan.cache)) {
      const ownBuilder = `deploy-actions-${ctx.env.GITHUB_RUN_ID || 'local'}-${process.pid}`;
      core.info(
        `The current buildx builder uses the docker driver, which cannot export a registry cache: creating builder ${ownBuilder} (docker-container) for this run.`,
      );
      ctx.tracker.buildxBuilder({ command: 'docker', args: buildxRemoveArgs(ownBuilder), env: plan.dockerEnv });
      await execTool(ctx, 'docker buildx create', 'docker', buildxCreateArgs(ownBuilder));
      plan.buildxBuilder = ownBuilder;
    }
    await core.group('docker buildx build --push', () =>
      execTool(ctx, 'docker buildx build', 'docker', buildxArgs(plan)),
    );
    const digest = digestFromMetadata(await readFile(plan.metadataFile, 'utf8').catch(() => ''));
    if (!digest) throw new DeployFailure(`buildx wrote no containerimage.digest to ${plan.metadataFile}`);
    return digest;
  }
  const commands = buildahArgs(plan);
  await core.group('buildah bud', () => buildahBud(ctx, commands.build));
  if (tokenNeedsRefresh(session.expiresAt, now())) {
    session = await login(ctx, plan, await getRegistryToken(ecr, ctx.signal));
  }
  const digests: string[] = [];
  await core.group('buildah push', async () => {
    for (const push of commands.push) {
      await execRegistryTool(ctx, `buildah push ${push.ref}`, 'buildah', push.args);
      digests.push((await readFile(push.digestFile, 'utf8')).trim());
    }
  });
  const first = digests[0]!;
  if (digests.some((d) => d !== first)) {
    throw new DeployFailure(`buildah pushed different digests for the tags: ${digests.join(', ')}`);
  }
  return first;
}

interface Report {
  inputs: Inputs;
  builder: string;
  repositoryUri: string;
  digest: string;
  tags: string[];
  decision: Decision;
  durationMs: number;
}

async function writeSummary(r: Report): Promise<void> {
  const image = `${r.repositoryUri}@${r.digest}`;
  const skipped = r.decision.kind === 'skip';
  const s = new Summary().heading(`build-push-ecr: ${r.decision.kind === 'skip' ? 'skipped' : 'pushed'}`, 3);
  s.table(
    ['', ''],
    [
      ['Image', `\`${image}\``],
      ['Tags', r.tags.map((t) => `\`${t}\``).join(', ')],
      ['Builder', skipped ? `${r.builder} (not run)` : r.builder],
      ['Platforms', r.inputs.platforms.join(', ')],
      ['Cache', skipped ? 'not used' : r.inputs.cache === 'ecr' ? `ecr (${r.repositoryUri})` : 'off'],
      ['Duration', `${(r.durationMs / 1000).toFixed(1)} s`],
      ['Skipped', r.decision.kind === 'skip' ? r.decision.reason : 'no'],
    ],
  );
  await s.write();
}

/** Where things stand after a failed build or push (the error line itself comes from the kit's run). */
async function writeFailureSummary(
  inputs: Inputs,
  builder: string,
  repositoryUri: string,
  err: unknown,
  durationMs: number,
): Promise<void> {
  await new Summary()
    .heading('build-push-ecr: failed', 3)
    .paragraph(errorMessage(err))
    .table(
      ['', ''],
      [
        ['Repository', `\`${repositoryUri}\``],
        ['Tags', inputs.tags.map((t) => `\`${t}\``).join(', ')],
        ['Builder', builder],
        ['Duration', `${(durationMs / 1000).toFixed(1)} s`],
      ],
    )
    .write();
}

export async function main(deps: Deps = {}): Promise<void> {
  const env = deps.env ?? process.env;
  const now = deps.now ?? Date.now;
  const signal = deps.signal ?? cancellationSignal();
  const started = now();
  const inputs = getInputs(env);
  const ecr = createClient(ECRClient, { action: ACTION, region: inputs.region, regionInput: 'aws-region', env });
  // The repository lookup (read-only) runs while the builders are probed (`docker buildx version` is a process
  // start of its own, #15 cold start); its result or error is taken after the builder is resolved, so a builder
  // problem is still the error reported.
  const sent = requestSent(ecr);
  const repoLookup = describeRepository(ecr, inputs.repository, inputs.region);
  repoLookup.catch(() => {}); // awaited below; never an unhandled rejection meanwhile
  // The probe's process start (a synchronous spawn) once that request is on its way, not in front of it.
  if (!deps.probe) await Promise.race([sent, repoLookup.then(noop, noop)]);
  const probe = deps.probe ?? (await probeBuilders(inputs.builder, env));
  const builder = resolveBuilder(inputs.builder, probe, inputs.platforms);

  const repo = await repoLookup;
  const existing = await existingTags(ecr, inputs.repository, inputs.tags);
  const decision = decide(inputs, builder, repo, existing);

  let digest: string;
  if (decision.kind === 'skip') {
    core.info(`Skipping the build: ${decision.reason}`);
    for (const note of decision.notes) core.warning(`skip-existing: ${note}`);
    digest = decision.digest;
  } else {
    for (const note of decision.notes) core.info(note);
    const tracker = new LeftoverTracker();
    const workDir = await mkdtemp(join(env.RUNNER_TEMP || tmpdir(), 'build-push-ecr-'));
    tracker.workDir(workDir);
    const ctx: ToolContext = { env, signal, tracker, publicBuildArgs: inputs.publicBuildArgs };
    try {
      // Token right before the build+push (not at the start of the job), registry host and scheme from its
      // proxy endpoint: plain http is the local emulator.
      const token = await getRegistryToken(ecr, signal);
      const { insecure } = registryFromEndpoint(token.proxyEndpoint);
      const plan = makePlan(inputs, builder, repo.uri, { insecure, workDir, storage: buildahStorageFromEnv(env) });
      if (plan.builder === 'buildx') {
        plan.dockerEnv = prepareDockerConfig(join(workDir, 'docker'), env);
        ctx.env = { ...env, ...plan.dockerEnv };
        tracker.credentialFiles([join(plan.dockerEnv.DOCKER_CONFIG!, 'config.json')]);
      } else {
        tracker.credentialFiles([plan.authFile]);
      }
      const built = await buildAndPush(ctx, ecr, plan, token, now);
      const described = await tagDigest(ecr, inputs.repository, inputs.tags[0]!);
      digest = verifyDigest(plan.builder, built, described, `${inputs.repository}:${inputs.tags[0]}`);
    } catch (err) {
      await writeFailureSummary(inputs, builder, repo.uri, err, now() - started);
      throw err;
    } finally {
      // Also after a cancel: the builder is stopped by then (runTool), each command here has 1.5 s, so the auth
      // file is gone before the kit's forced exit 5 s after the signal.
      const done = await cleanUp(tracker.leftovers, { commandTimeoutMs: signal.aborted ? 1500 : 10_000 });
      tracker.cleaned();
      if (done.length > 0) core.info(`Cleaned up: ${done.join('; ')}.`);
    }
  }

  const tags = decision.kind === 'skip' ? decision.tags : inputs.tags;
  setOutputs({
    image: `${repo.uri}@${digest}`,
    digest,
    tags: tags.join(','),
    'repository-uri': repo.uri,
    skipped: decision.kind === 'skip',
  });
  core.info(`Image: ${repo.uri}@${digest}`);
  await writeSummary({ inputs, builder, repositoryUri: repo.uri, digest, tags, decision, durationMs: now() - started });
}

/** @github/local-action's entry (it calls an exported `run()`): the same step src/index.ts runs. */
export const run = (): Promise<void> => runStep(main);
