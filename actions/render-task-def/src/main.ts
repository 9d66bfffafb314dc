// Glue: read inputs → the kit's render step (template → render → pin digests, shared with deploy-ecs) → compare with
// the latest registered revision → file, outputs, summary. Decisions live in the kit (ecs/taskdef); this file only
// sequences them.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ECSClient } from '@aws-sdk/client-ecs';
import {
  containerImages,
  type DescribedTaskDefinition,
  describeTaskDefinition,
  renderFromTemplate,
  taskDefDiffText,
  taskDefsEqual,
} from '@deploy-actions/kit/ecs/taskdef';
import {
  ConfigurationError,
  cancellationSignal,
  core,
  createClient,
  DeployFailure,
  errorMessage,
  formatDuration,
  group,
  infoLines,
  resolveRegion,
  run as runStep,
  Summary,
  setOutputs,
} from '@deploy-actions/kit/runtime';
import { getInputs, type Inputs } from './inputs';

const ACTION = 'render-task-def';

export async function main(): Promise<void> {
  const inputs = getInputs();
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

  // 1-3. Template → render (pure) → pin digests: the kit's render step, shared with deploy-ecs
  const rendered = await renderFromTemplate(inputs, {
    ecs,
    region,
    pinDigest: inputs.pinDigest,
    pinRegion: () => region ?? resolveRegion(undefined),
    action: ACTION,
    signal,
  });
  const { template, pinNotes } = rendered;
  const td = rendered.taskDefinition;
  const templateLabel = inputs.template.kind === 'file' ? `file \`${template.source}\`` : `\`${template.source}\``;
  // A family template describes the family's latest revision: the one to compare with, no second lookup.
  const fromFamily =
    inputs.template.kind === 'family' && inputs.template.revision === undefined ? template.described : undefined;

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

/** @github/local-action's entry (it calls an exported `run()`): the same step src/index.ts runs. */
export const run = (): Promise<void> => runStep(main);
