import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';
import { type Clock, createClient } from '@deploy-actions/kit/runtime';
import type { Inputs } from './inputs';
import { invalidates } from './invalidation-paths';

// What one run of the action works with: its inputs, its two clients, its clock and cancellation signal, and the
// count of the requests it made. Built once by main.ts and handed to every stage; it holds no behaviour.

export const ACTION = 'sync-spa-cloudfront';

export interface Session {
  inputs: Inputs;
  s3: S3Client;
  /** Undefined when this run invalidates nothing (no distribution-id, or invalidation: off). */
  cloudfront: CloudFrontClient | undefined;
  clock: Clock;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** Calls made, by operation, counted by the clients themselves (in the summary; the bench checks its budget). */
  requests: Record<string, number>;
}

export interface SessionOptions {
  inputs: Inputs;
  clock: Clock;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** Tests inject clients; production builds them through the kit. */
  s3?: S3Client | undefined;
  cloudfront?: CloudFrontClient | undefined;
}

interface Counted {
  middlewareStack: {
    add(middleware: unknown, options: { step: 'initialize'; name: string; override: boolean }): void;
  };
}

/** Count every call (not every attempt) of `client` by operation into `requests`. */
function countRequests(client: Counted, requests: Record<string, number>): void {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
      requests[operation] = (requests[operation] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'spaRequestCount', override: true },
  );
}

export function openSession(o: SessionOptions): Session {
  const { inputs, env } = o;
  const region = inputs.region ? { region: inputs.region } : {};
  const s3 = o.s3 ?? createClient(S3Client, { action: ACTION, ...region, s3ChecksumMode: inputs.checksumMode, env });
  const cloudfront = invalidates(inputs.distributionId, inputs.invalidation)
    ? (o.cloudfront ?? createClient(CloudFrontClient, { action: ACTION, ...region, env }))
    : undefined;
  const requests: Record<string, number> = {};
  countRequests(s3, requests);
  if (cloudfront) countRequests(cloudfront, requests);
  return { inputs, s3, cloudfront, clock: o.clock, env, signal: o.signal, requests };
}
