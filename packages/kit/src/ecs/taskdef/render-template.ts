import type { ECSClient } from '@aws-sdk/client-ecs';
import { coreLogger, type Logger } from '../../runtime/log';
import { containerImages, renderTaskDefinition } from './render';
import type { TaskDefRenderInputs, TaskDefTemplateSource } from './render-inputs';
import { type LoadedTaskDefTemplate, loadTaskDefTemplate } from './source';
import type { TaskDefJson } from './taskdef';

// The render step render-task-def and deploy-ecs share: load the template (file, family or ARN) → render the
// overrides (pure) → pin ECR images to digests when asked.

export interface RenderFromTemplateOptions {
  /** The ECS client, made only when the template is a family or ARN (a file template needs no AWS call). */
  ecs: () => ECSClient;
  /** The action's region (for the renderer's awslogs defaults and "not found in <region>" messages). */
  region: string | undefined;
  /** Resolve ECR tags to digests (`pin-digest`), in `pinRegion` for registries whose host names none. */
  pinDigest: boolean;
  pinRegion?: () => string;
  /** User agent of the ECR clients. */
  action: string;
  signal: AbortSignal;
  /** Renderer warnings go to `log.warning` (default: the runner's log). */
  log?: Logger;
}

export interface RenderedFromTemplate {
  template: LoadedTaskDefTemplate;
  family: string;
  taskDefinition: TaskDefJson;
  /** Container name → what pin-digest did to its image (empty without pin-digest). */
  pinNotes: Map<string, string>;
}

export async function renderFromTemplate(
  inputs: TaskDefRenderInputs,
  options: RenderFromTemplateOptions,
): Promise<RenderedFromTemplate> {
  const log = options.log ?? coreLogger;
  const template = await loadTaskDefTemplate(options.ecs, inputs.template, options.signal, {
    ...(options.region !== undefined ? { region: options.region } : {}),
  });
  const rendered = renderTaskDefinition(template.taskDefinition, inputs.overrides, { region: options.region });
  for (const w of rendered.warnings) log.warning(w);
  // Images given with a tag and a digest are checked against ECR even without pin-digest (#14): ECS runs the digest,
  // so a tag naming another image would make every summary lie. Nothing else is looked up without pin-digest.
  const tagged = containerImages(rendered.taskDefinition).some(({ image }) => /:[\w][\w.-]*@sha\d+:/.test(image));
  if (!options.pinDigest && !tagged) {
    return { template, family: rendered.family, taskDefinition: rendered.taskDefinition, pinNotes: new Map() };
  }
  const overridden = new Set(inputs.overrides.images.map((i) => i.container));
  const templateInput = templateInputName(inputs.template);
  // Loaded here: the ECR client and its lookups are a lazy chunk, evaluated after the template's ECS call is on its
  // way (#15 cold start).
  const { pinImageDigests } = await import('./pin-digests');
  const pinned = await pinImageDigests(rendered.taskDefinition, {
    action: options.action,
    region: options.pinRegion?.() ?? options.region ?? '',
    signal: options.signal,
    pinTags: options.pinDigest,
    inputFor: (container) => (overridden.has(container) ? 'containers' : templateInput),
  });
  return { template, family: rendered.family, taskDefinition: pinned.taskDefinition, pinNotes: pinned.notes };
}

/** The input a template came from: `template` (file), `template-family` (latest revision) or `template-arn`. */
export function templateInputName(source: TaskDefTemplateSource): string {
  if (source.kind === 'file') return 'template';
  if (source.kind === 'family' && source.revision === undefined) return 'template-family';
  return 'template-arn';
}
