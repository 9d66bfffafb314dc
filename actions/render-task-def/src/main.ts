// Glue: read inputs → load template → render → pin digests → compare with the latest revision → file, outputs,
// summary. Decisions live in render.ts / images.ts; this file only sequences them and talks to AWS.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as core from '@actions/core';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import {
  ConfigurationError,
  cancellationSignal,
  configuredEndpoint,
  createClient,
  DeployFailure,
  errorMessage,
  formatDuration,
  group,
  infoLines,
  isSecretLookingName,
  maskValue,
  resolveRegion,
  Summary,
  setOutputs,
  type TaskDefJson,
  taskDefDiffText,
  taskDefsEqual,
  warn,
} from '@deploy-actions/kit';
import { type DescribedTaskDefinition, describeTaskDefinition, resolveDigest } from './aws';
import { pinnedImage, planDigestPins } from './images';
import { getInputs, type Inputs } from './inputs';
import { containerImages, renderTaskDefinition, withImages } from './render';

const ACTION = 'render-task-def';

export async function main(): Promise<void> {
  const inputs = getInputs();
  // Values given for secret-looking environment names never show in the log, whatever prints them.
  for (const section of inputs.overrides.environment) {
    for (const e of section.entries) if (isSecretLookingName(e.key)) maskValue(e.value);
  }
  const needsAws = inputs.template.kind !== 'file' || inputs.compare || inputs.pinDigest;
  const region = needsAws
    ? resolveRegion(inputs.region)
    : (inputs.region ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined));
  const deadline = AbortSignal.timeout(inputs.timeoutMs);
  const signal = AbortSignal.any([cancellationSignal(), deadline]);
  try {
    await renderAndCompare(inputs, region, signal);
  } catch (err) {
    if (deadline.aborted && !(err instanceof ConfigurationError)) {
      throw new DeployFailure(
        `AWS lookups did not finish within ${formatDuration(inputs.timeoutMs)} (the timeout input); last error: ${errorMessage(err)}`,
        { cause: err },
      );
    }
    throw err;
  }
}

async function renderAndCompare(inputs: Inputs, region: string | undefined, signal: AbortSignal): Promise<void> {
  let ecsClient: ECSClient | undefined;
  const ecs = () => {
    ecsClient ??= createClient(ECSClient, { action: ACTION, region });
    return ecsClient;
  };

  // 1. Template
  let templateTd: TaskDefJson;
  let templateLabel: string;
  let fromFamily: DescribedTaskDefinition | undefined;
  if (inputs.template.kind === 'file') {
    templateTd = inputs.template.taskDefinition;
    templateLabel = `file \`${inputs.template.path}\``;
  } else {
    const isFamily = inputs.template.kind === 'family';
    const reference = isFamily
      ? (inputs.template as { family: string }).family
      : (inputs.template as { reference: string }).reference;
    const described = await describeTaskDefinition(ecs(), reference, signal);
    if (!described) {
      throw new ConfigurationError(
        isFamily ? 'template-family' : 'template-arn',
        isFamily
          ? `family '${reference}' has no ACTIVE revision in ${region}`
          : `task definition '${reference}' not found in ${region}`,
      );
    }
    if (isFamily) fromFamily = described;
    templateTd = described.taskDefinition;
    templateLabel = `\`${described.arn ?? reference}\``;
  }

  // 2. Render (pure)
  const rendered = renderTaskDefinition(templateTd, inputs.overrides, { region });
  for (const w of rendered.warnings) warn(w);
  let td = rendered.taskDefinition;

  // 3. Pin digests
  const pinNotes = new Map<string, string>();
  if (inputs.pinDigest) td = await pinDigests(td, region ?? resolveRegion(undefined), signal, pinNotes);

  // 4. Compare with the latest registered revision of the family
  let latest: DescribedTaskDefinition | undefined;
  let changed = true;
  let diff = '';
  if (inputs.compare) {
    latest =
      fromFamily && fromFamily.taskDefinition.family === rendered.family
        ? fromFamily
        : await describeTaskDefinition(ecs(), rendered.family, signal);
    if (latest) {
      changed = !taskDefsEqual(latest.taskDefinition, td);
      diff = taskDefDiffText(latest.taskDefinition, td, { oldName: latest.arn ?? 'registered', newName: 'rendered' });
    } else {
      diff = taskDefDiffText(undefined, td, { oldName: '(no registered revision)', newName: 'rendered' });
    }
  }

  // 5. File
  const path =
    inputs.outputFile ??
    join(await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), `${ACTION}-`)), `${rendered.family}.json`);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(td, null, 2)}\n`);

  // 6. Log, summary, outputs
  const images = containerImages(td);
  core.info(`Rendered task definition family '${rendered.family}' from ${templateLabel.replace(/`/g, '')} → ${path}`);
  for (const { name, image } of images)
    core.info(`  ${name}: ${image}${pinNotes.has(name) ? ` (${pinNotes.get(name)})` : ''}`);
  const verdict = !inputs.compare
    ? 'not compared (compare: false): changed=true'
    : latest
      ? changed
        ? `differs from ${latest.arn}`
        : `identical to ${latest.arn}`
      : `family '${rendered.family}' has no registered revision yet: changed=true`;
  core.info(verdict);
  if (diff)
    await group('Diff against the latest registered revision (normalised, secrets redacted)', async () =>
      infoLines(diff),
    );

  const summary = new Summary()
    .heading(`render-task-def: ${rendered.family}`, 3)
    .list([`Template: ${templateLabel}`, `Result: ${verdict.replace(/(arn:[^\s]+)/g, '`$1`')}`])
    .table(
      ['Container', 'Image', 'Note'],
      images.map(({ name, image }) => [name, `\`${image}\``, pinNotes.get(name) ?? '']),
    );
  if (inputs.compare) {
    summary.diff(
      diff,
      latest
        ? `Diff against ${latest.arn ?? 'the latest revision'} (normalised, secret-looking values redacted)`
        : 'New family: full task definition',
    );
  }
  await summary.write();

  setOutputs({
    'task-definition': path,
    changed: changed ? 'true' : 'false',
    family: rendered.family,
    'latest-task-definition-arn': latest?.arn ?? '',
  });
}

async function pinDigests(
  td: TaskDefJson,
  region: string,
  signal: AbortSignal,
  notes: Map<string, string>,
): Promise<TaskDefJson> {
  const steps = planDigestPins(containerImages(td), configuredEndpoint('ECR'));
  const clients = new Map<string, ECRClient>();
  const pinned = new Map<string, string>();
  const cache = new Map<string, Promise<string>>();
  for (const step of steps) {
    if (step.action === 'skip') {
      notes.set(
        step.container,
        step.reason === 'already pinned by digest' ? 'pinned by digest' : `not pinned: ${step.reason}`,
      );
      if (step.reason !== 'already pinned by digest')
        warn(`pin-digest: container '${step.container}' image ${step.image} ${step.reason}`);
      continue;
    }
    const lookupRegion = step.lookup.region ?? region;
    let client = clients.get(lookupRegion);
    if (!client) {
      client = createClient(ECRClient, { action: ACTION, region: lookupRegion });
      clients.set(lookupRegion, client);
    }
    const key = JSON.stringify([lookupRegion, step.lookup]);
    const c = client;
    if (!cache.has(key)) cache.set(key, resolveDigest(c, step.lookup, signal));
    const digest = await cache.get(key)!;
    pinned.set(step.container, pinnedImage(step.ref, digest));
    notes.set(step.container, `pinned from tag ${step.lookup.tag}`);
  }
  return withImages(td, pinned);
}

/** Entry point for @github/local-action, which calls an exported `run()` (the runner uses src/index.ts). */
export { main as run };
