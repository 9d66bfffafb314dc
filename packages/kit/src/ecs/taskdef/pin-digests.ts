// `pin-digest` applied to a task definition: every container image in a private ECR registry pinned to its digest
// (the planning and lookups are ecr/digest's). Used by render-task-def and deploy-ecs.
import { ECRClient } from '@aws-sdk/client-ecr';
import { findDigest, pinnedImage, planDigestPins, resolveDigest, taggedDigestProblem } from '../../ecr/digest';
import { configuredEndpoint, createClient } from '../../runtime/aws';
import { ConfigurationError } from '../../runtime/errors';
import { coreLogger } from '../../runtime/log';
import { containerImages, withImages } from './render';
import type { TaskDefJson } from './taskdef';

export interface PinImageDigestsOptions {
  /** Action name for the client's user agent. */
  action: string;
  /** Region of registries whose host names none (the ECR endpoint override, e.g. the emulator). */
  region: string;
  signal: AbortSignal;
  /** ECR endpoint override (default: AWS_ENDPOINT_URL_ECR / AWS_ENDPOINT_URL, as the SDK reads them). */
  ecrEndpointUrl?: string;
  /**
   * false: only check `repo:tag@digest` images (their tag must resolve to their digest), pin nothing. Default true.
   */
  pinTags?: boolean;
  /** The input a container's image came from, named in the error of a tag+digest mismatch (default 'containers'). */
  inputFor?: (container: string) => string;
}

export interface PinImageDigestsResult {
  taskDefinition: TaskDefJson;
  /** Container name → what happened to its image (`pinned from tag v1`, `pinned by digest`, `not pinned: …`). */
  notes: Map<string, string>;
}

/**
 * Pin every container image that lives in a private ECR registry to its digest (one DescribeImages per distinct
 * repository:tag and region, one client per region). Images already pinned are kept; images in other registries are
 * kept with a warning. A tag that does not exist is a DeployFailure naming the image. An image given with a tag and
 * a digest (`repo:v1.4.0@sha256:…`) is checked, also with `pinTags: false`: a tag that resolves to another digest (or
 * to none) is a ConfigurationError naming the input the image came from (read-only, before anything is registered).
 */
export async function pinImageDigests(
  td: TaskDefJson,
  options: PinImageDigestsOptions,
): Promise<PinImageDigestsResult> {
  const { action, region, signal } = options;
  const notes = new Map<string, string>();
  const ecrEndpointUrl = options.ecrEndpointUrl ?? configuredEndpoint('ECR');
  const steps = planDigestPins(containerImages(td), ecrEndpointUrl);
  const clients = new Map<string, ECRClient>();
  const pinned = new Map<string, string>();
  const cache = new Map<string, Promise<string>>();
  const pinTags = options.pinTags ?? true;
  const clientFor = (lookupRegion: string) => {
    let client = clients.get(lookupRegion);
    if (!client) {
      client = createClient(ECRClient, { action, region: lookupRegion });
      clients.set(lookupRegion, client);
    }
    return client;
  };
  for (const step of steps) {
    if (step.action === 'verify') {
      const resolved = await findDigest(clientFor(step.lookup.region ?? region), step.lookup, signal);
      const problem = taggedDigestProblem(step, resolved);
      if (problem) throw new ConfigurationError(options.inputFor?.(step.container) ?? 'containers', problem);
      notes.set(step.container, `pinned by digest (tag ${step.lookup.tag} verified)`);
      continue;
    }
    if (!pinTags) continue;
    if (step.action === 'skip') {
      notes.set(
        step.container,
        step.reason === 'already pinned by digest' ? 'pinned by digest' : `not pinned: ${step.reason}`,
      );
      if (step.reason !== 'already pinned by digest')
        coreLogger.warning(`pin-digest: container '${step.container}' image ${step.image} ${step.reason}`);
      continue;
    }
    const lookupRegion = step.lookup.region ?? region;
    const key = JSON.stringify([lookupRegion, step.lookup]);
    const c = clientFor(lookupRegion);
    if (!cache.has(key)) cache.set(key, resolveDigest(c, step.lookup, signal));
    const digest = await cache.get(key)!;
    pinned.set(step.container, pinnedImage(step.ref, digest));
    notes.set(step.container, `pinned from tag ${step.lookup.tag}`);
  }
  return { taskDefinition: withImages(td, pinned), notes };
}
