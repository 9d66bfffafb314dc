import { ECRClient } from '@aws-sdk/client-ecr';
import { describeEcrRepository } from '@deploy-actions/kit/ecr';
import {
  ConfigurationError,
  core,
  createClient,
  maskValue,
  requestSent,
  run as runStep,
  Summary,
  setOutputs,
} from '@deploy-actions/kit/runtime';
import {
  createDeployment,
  createOctokit,
  getDeployment,
  listTagNames,
  type Octokit,
  type ReleaseResult,
  type Repo,
  setDeploymentStatus,
  upsertRelease,
} from './github';
import { ACTION, type FinishInputs, getInputs, type ReleaseInputs } from './inputs';
import { digestMap, imagesSection, type PromotedImage, planPromotion, previousTag, selectTags } from './plan';
import { putTag, readRepository } from './registry';

/** The test hook: what in-process tests inject (the bundle uses none of it). */
export interface Deps {
  env?: NodeJS.ProcessEnv;
}

export async function main(deps: Deps = {}): Promise<void> {
  const env = deps.env ?? process.env;
  const inputs = getInputs(env);
  maskValue(inputs.token);
  const repo: Repo = { owner: inputs.owner, repo: inputs.repo };
  if (inputs.mode === 'finish') return finish(await createOctokit(inputs.token, inputs.apiUrl), repo, inputs);
  return release(repo, inputs, env);
}

/** Finishing mode: set the final status of the deployment a previous step opened, nothing else. */
async function finish(octokit: Octokit, repo: Repo, inputs: FinishInputs): Promise<void> {
  // Read before the write: a wrong id, or a status that would move the deployment to another environment, changes
  // nothing on GitHub.
  const deployment = await getDeployment(octokit, repo, inputs.deploymentId);
  if (!deployment) {
    throw new ConfigurationError(
      'deployment-id',
      `deployment ${inputs.deploymentId} does not exist in ${repo.owner}/${repo.repo}: pass the deployment-id output of the release step`,
    );
  }
  if (inputs.environmentGiven && deployment.environment !== inputs.environment) {
    throw new ConfigurationError(
      'environment',
      `deployment ${inputs.deploymentId} is for ${JSON.stringify(deployment.environment)}, not ${JSON.stringify(inputs.environment)}: a status would move it; leave environment empty or pass the one the release step used`,
    );
  }
  const environment = deployment.environment || inputs.environment;
  await setDeploymentStatus(octokit, repo, inputs.deploymentId, {
    state: inputs.deploymentStatus,
    environment,
    description: `Deployment ${inputs.deploymentStatus}`,
    environmentUrl: inputs.environmentUrl,
    logUrl: inputs.logUrl,
  });
  core.info(`Deployment ${inputs.deploymentId} (${environment}) is now ${inputs.deploymentStatus}`);
  setOutputs({ 'deployment-id': String(inputs.deploymentId) });
  await new Summary()
    .heading(`tag-release-deploy: deployment ${inputs.deploymentStatus}`, 3)
    .paragraph(`Deployment ${inputs.deploymentId} to \`${environment}\` marked **${inputs.deploymentStatus}**.`)
    .write();
}

/** Read both sides, decide, then write: ECR tags, the deployment, the release. */
async function release(repo: Repo, inputs: ReleaseInputs, env: NodeJS.ProcessEnv): Promise<void> {
  const { tag } = inputs;
  const region = inputs.region!;
  const ecr =
    inputs.repositories.length > 0
      ? createClient(ECRClient, { action: ACTION, region, regionInput: 'aws-region', env })
      : undefined;
  const firstSent = ecr ? requestSent(ecr) : Promise.resolve();
  // The repositories' lookups (read-only) run while Octokit loads and GitHub lists the tags (#15 cold start); each
  // result or error is taken in the same order as before, after the tags, so a GitHub error is still the one reported.
  const described = new Map(
    inputs.repositories.map((name) => {
      const lookup = describeEcrRepository(ecr!, name);
      lookup.catch(() => {}); // awaited in readRepository; never an unhandled rejection meanwhile
      return [name, lookup] as const;
    }),
  );
  let octokit: Octokit;
  let allTags: string[];
  let selection: ReturnType<typeof selectTags>;
  try {
    // Octokit (a lazy chunk, ~50 ms to evaluate) once the first ECR request is on its way, not in front of it.
    await Promise.race([firstSent, Promise.allSettled(described.values())]);
    octokit = await createOctokit(inputs.token, inputs.apiUrl);
    allTags = await listTagNames(octokit, repo);
    selection = selectTags(tag, { majorMinorTags: inputs.majorMinorTags, extraTags: inputs.extraTags, allTags });
  } catch (err) {
    ecr?.destroy();
    throw err;
  }
  for (const note of selection.notes) core.info(note);

  const images: PromotedImage[] = [];
  const actions: string[][] = [];
  if (ecr) {
    try {
      // Read every repository first; nothing is written unless every repository can be promoted.
      const states = [];
      for (const name of inputs.repositories) {
        states.push(await readRepository(ecr, name, region, inputs.sourceTag, selection.tags, described.get(name)));
      }
      const tagInput = (t: string) => (inputs.extraTags.includes(t) ? 'extra-tags' : 'major-minor-tags');
      const plan = planPromotion(states, tag.name, selection.tags, inputs.sourceTag, tagInput);
      if (!plan.ok) {
        // Every problem is a mismatch between the inputs and what ECR holds: the first one names its input.
        const [first, ...rest] = plan.problems;
        if (rest.length) for (const p of rest) core.info(`also: ${p.message}`);
        throw new ConfigurationError(
          first!.input,
          rest.length
            ? `${first!.message} (and ${rest.length} more problem(s) above; nothing was changed)`
            : `${first!.message} (nothing was changed)`,
        );
      }
      for (const p of plan.repositories) {
        for (const t of p.write) {
          const result = await putTag(ecr, p, t);
          const moved = p.moved.find((m) => m.tag === t);
          const what = result === 'already-exists' ? 'already there' : moved ? `moved from ${moved.from}` : 'added';
          core.info(`${p.name}:${t} → ${p.digest} (${what})`);
          actions.push([p.name, t, what]);
        }
        for (const t of p.unchanged) {
          core.info(`${p.name}:${t} already on ${p.digest}`);
          actions.push([p.name, t, 'already there']);
        }
        images.push({ repository: p.name, uri: p.uri, digest: p.digest, tags: [...p.write, ...p.unchanged] });
      }
    } finally {
      ecr.destroy();
    }
  } else {
    core.info('No repositories: nothing to promote');
  }

  let deploymentId: number | undefined;
  if (inputs.createDeployment) {
    deploymentId = await createDeployment(octokit, repo, {
      ref: tag.name,
      environment: inputs.environment,
      description: `Release ${tag.name}`,
      payload: { version: tag.version, tag: tag.name, images: digestMap(images) },
    });
    // Right away, so a finishing step with `if: always()` can close the deployment even if a later call fails.
    setOutputs({ 'deployment-id': String(deploymentId) });
    await setDeploymentStatus(octokit, repo, deploymentId, {
      state: 'in_progress',
      environment: inputs.environment,
      description: `Deploying ${tag.name}`,
      environmentUrl: inputs.environmentUrl,
      logUrl: inputs.logUrl,
    });
    core.info(`Deployment ${deploymentId} to ${inputs.environment}: in_progress`);
  } else {
    core.info('create-deployment is off: no GitHub Deployment opened (a job with `environment:` records its own)');
  }

  let releaseResult: ReleaseResult | undefined;
  if (inputs.createRelease) {
    const previous = previousTag(tag, allTags);
    releaseResult = await upsertRelease(octokit, repo, {
      tag: tag.name,
      name: tag.name,
      prerelease: tag.prerelease,
      previousTag: previous,
      section: imagesSection(images, inputs.environment),
    });
    core.info(
      `Release ${tag.name} ${releaseResult.created ? 'created' : 'updated'}: ${releaseResult.url}` +
        (previous && releaseResult.created ? ` (notes since ${previous})` : ''),
    );
  }

  const pinned = images.map((i) => `${i.uri}@${i.digest}`);
  setOutputs({
    version: tag.version,
    tag: tag.name,
    images: pinned.join('\n'),
    digests: JSON.stringify(digestMap(images)),
    'deployment-id': deploymentId === undefined ? '' : String(deploymentId),
    'release-url': releaseResult?.url ?? '',
    prerelease: tag.prerelease,
  });

  const s = new Summary().heading(`tag-release-deploy: ${tag.name}`, 3);
  s.table(
    ['', ''],
    [
      ['Version', `\`${tag.version}\``],
      ['Prerelease', tag.prerelease ? 'yes' : 'no'],
      ['Environment', `\`${inputs.environment}\``],
      [
        'Deployment',
        deploymentId === undefined ? 'not opened (create-deployment: false)' : `${deploymentId} (in_progress)`,
      ],
      [
        'Release',
        releaseResult ? `${releaseResult.url} (${releaseResult.created ? 'created' : 'updated'})` : 'not created',
      ],
      ['Source tag', inputs.repositories.length ? `\`${inputs.sourceTag}\`` : 'no repositories'],
    ],
  );
  if (images.length) {
    s.heading('Images', 4).table(
      ['Image', 'Tags'],
      images.map((i) => [`\`${i.uri}@${i.digest}\``, i.tags.map((t) => `\`${t}\``).join(', ')]),
    );
    s.table(['Repository', 'Tag', 'Result'], actions);
  }
  if (selection.notes.length) s.list(selection.notes);
  await s.write();
}

/** @github/local-action's entry (it calls an exported `run()`): the same step src/index.ts runs. */
export const run = (): Promise<void> => runStep(main);
