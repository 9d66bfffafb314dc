import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import * as core from '@actions/core';
import * as exec from '@actions/exec';
import { ECRClient } from '@aws-sdk/client-ecr';
import {
  createClient,
  DeployFailure,
  errorMessage,
  maskValue,
  run as runStep,
  Summary,
  setOutputs,
} from '@deploy-actions/kit/runtime';
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

/** The test hook: what in-process tests inject (the bundle uses none of it). */
export interface Deps {
  env?: NodeJS.ProcessEnv;
  /** What the runner has (default: probe `docker buildx version` and PATH). */
  probe?: BuilderProbe;
  now?: () => number;
}

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
    const code = await exec.exec('docker', ['buildx', 'version'], { ignoreReturnCode: true, silent: true });
    buildx = code === 0;
  }
  return { buildx, buildah: onPath('buildah', env) };
}

function tool(plan: BuildPlan): string {
  return plan.builder === 'buildx' ? 'docker' : 'buildah';
}

/** Run a builder command (its output streams to the log); `what` names it in the failure. Returns its output. */
async function execTool(what: string, command: string, args: string[], input?: Buffer): Promise<string> {
  let output = '';
  const collect = (data: Buffer) => {
    output += data.toString('utf8');
  };
  const code = await exec.exec(command, args, {
    ignoreReturnCode: true,
    ...(input ? { input } : {}),
    listeners: { stdout: collect, stderr: collect },
  });
  if (code !== 0) throw new DeployFailure(`${what} failed (exit ${code}): see the log above`, { cause: output });
  return output;
}

/**
 * A registry command that is safe to repeat (login; a push, whose blobs already sent are skipped the next time),
 * repeated after a failure: the registry answers 429/5xx or drops a connection now and then, and buildah's own
 * `--retry` does not cover login nor every request of a push (#16 reliability suite). At most 3 attempts.
 */
async function execRegistryTool(what: string, command: string, args: string[], input?: Buffer): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await execTool(what, command, args, input);
    } catch (err) {
      if (attempt >= REGISTRY_ATTEMPTS) throw err;
      core.info(`${what} failed (attempt ${attempt} of ${REGISTRY_ATTEMPTS}); trying again in ${attempt * 2} s`);
      await new Promise((resolve) => setTimeout(resolve, attempt * 2000));
    }
  }
}

const REGISTRY_ATTEMPTS = 3;

/**
 * `buildah bud --cache-to`: a layer cache that cannot be exported must not fail the build (the cache only makes
 * the next build faster). When bud fails while pushing the cache, it runs again without `--cache-to` (its layers
 * are built already) and a warning says the cache was not updated.
 */
async function buildahBud(args: string[]): Promise<void> {
  try {
    await execTool('buildah bud', 'buildah', args);
  } catch (err) {
    const output = err instanceof DeployFailure && typeof err.cause === 'string' ? err.cause : '';
    const at = args.indexOf('--cache-to');
    if (at === -1 || !/failed pushing cache/.test(output)) throw err;
    core.warning('buildah could not push the layer cache to the repository; building again without updating it');
    await execTool('buildah bud', 'buildah', [...args.slice(0, at), ...args.slice(at + 2)]);
  }
}

interface Login {
  host: string;
  expiresAt: Date | undefined;
}

/** Mask the token, log in with the password on stdin (never in argv). */
async function login(plan: BuildPlan, token: RegistryToken): Promise<Login> {
  core.setSecret(token.token);
  const password = passwordFromToken(token.token);
  maskValue(password);
  const { host } = registryFromEndpoint(token.proxyEndpoint);
  await execRegistryTool(
    `${tool(plan)} login to ${host}`,
    tool(plan),
    loginArgs(plan, host),
    Buffer.from(password, 'utf8'),
  );
  return { host, expiresAt: token.expiresAt };
}

/** Build and push; returns the digest the builder reported. */
async function buildAndPush(
  ecr: ECRClient,
  plan: BuildPlan,
  token: RegistryToken,
  now: () => number,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  let session: Login | undefined;
  let ownBuilder: string | undefined;
  try {
    session = await login(plan, token);
    if (plan.builder === 'buildx') {
      const inspect = await exec.getExecOutput('docker', ['buildx', 'inspect'], {
        ignoreReturnCode: true,
        silent: true,
      });
      const driver = buildxDriver(inspect.stdout);
      if (needsOwnBuilder(driver, plan.cache)) {
        ownBuilder = `deploy-actions-${env.GITHUB_RUN_ID || 'local'}-${process.pid}`;
        core.info(
          `The current buildx builder uses the docker driver, which cannot export a registry cache: creating builder ${ownBuilder} (docker-container) for this run.`,
        );
        await execTool('docker buildx create', 'docker', buildxCreateArgs(ownBuilder));
        plan.buildxBuilder = ownBuilder;
      }
      await core.group('docker buildx build --push', () => execTool('docker buildx build', 'docker', buildxArgs(plan)));
      const digest = digestFromMetadata(await readFile(plan.metadataFile, 'utf8').catch(() => ''));
      if (!digest) throw new DeployFailure(`buildx wrote no containerimage.digest to ${plan.metadataFile}`);
      return digest;
    }
    const commands = buildahArgs(plan);
    await core.group('buildah bud', () => buildahBud(commands.build));
    if (tokenNeedsRefresh(session.expiresAt, now())) session = await login(plan, await getRegistryToken(ecr));
    const digests: string[] = [];
    await core.group('buildah push', async () => {
      for (const push of commands.push) {
        await execRegistryTool(`buildah push ${push.ref}`, 'buildah', push.args);
        digests.push((await readFile(push.digestFile, 'utf8')).trim());
      }
    });
    const first = digests[0]!;
    if (digests.some((d) => d !== first)) {
      throw new DeployFailure(`buildah pushed different digests for the tags: ${digests.join(', ')}`);
    }
    return first;
  } finally {
    if (ownBuilder) {
      const code = await exec.exec('docker', buildxRemoveArgs(ownBuilder), { ignoreReturnCode: true });
      if (code !== 0) core.warning(`could not remove buildx builder ${ownBuilder} (exit ${code})`);
    }
    if (session) {
      const code = await exec.exec(tool(plan), logoutArgs(plan, session.host), { ignoreReturnCode: true });
      if (code !== 0) core.warning(`logout from ${session.host} failed (exit ${code})`);
    }
  }
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
  const started = now();
  const inputs = getInputs(env);
  const probe = deps.probe ?? (await probeBuilders(inputs.builder, env));
  const builder = resolveBuilder(inputs.builder, probe, inputs.platforms);

  const ecr = createClient(ECRClient, { action: ACTION, region: inputs.region, regionInput: 'aws-region', env });
  const repo = await describeRepository(ecr, inputs.repository, inputs.region);
  const existing = await existingTags(ecr, inputs.repository, inputs.tags);
  const decision = decide(inputs, builder, repo, existing);

  let digest: string;
  if (decision.kind === 'skip') {
    core.info(`Skipping the build: ${decision.reason}`);
    for (const note of decision.notes) core.warning(`skip-existing: ${note}`);
    digest = decision.digest;
  } else {
    for (const note of decision.notes) core.info(note);
    const workDir = await mkdtemp(join(env.RUNNER_TEMP || tmpdir(), 'build-push-ecr-'));
    try {
      // Token right before the build+push (not at the start of the job), registry host and scheme from its
      // proxy endpoint: plain http is the local emulator.
      const token = await getRegistryToken(ecr);
      const { insecure } = registryFromEndpoint(token.proxyEndpoint);
      const plan = makePlan(inputs, builder, repo.uri, { insecure, workDir, storage: buildahStorageFromEnv(env) });
      const built = await buildAndPush(ecr, plan, token, now, env);
      const described = await tagDigest(ecr, inputs.repository, inputs.tags[0]!);
      digest = verifyDigest(plan.builder, built, described, `${inputs.repository}:${inputs.tags[0]}`);
    } catch (err) {
      await writeFailureSummary(inputs, builder, repo.uri, err, now() - started);
      throw err;
    } finally {
      await rm(workDir, { recursive: true, force: true });
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
