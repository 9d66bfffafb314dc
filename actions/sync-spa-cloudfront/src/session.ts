import { S3Client } from '@aws-sdk/client-s3';
import { type Clock, createClient } from '@deploy-actions/kit/runtime';
import { type CloudFrontClient, cloudFrontSdk } from './cloudfront-sdk';
import { type Inputs, invalidates } from './inputs';

// What one run of the action works with: its inputs, its two clients, its clock and cancellation signal, and the
// count of the requests it made. Built once by main.ts and handed to every stage; it holds no behaviour.

export const ACTION = 'sync-spa-cloudfront';

// Attempts per call: the kit's (runtime/aws.ts DEFAULT_MAX_ATTEMPTS, and why); uploads are tried again on top of
// that (concurrency.ts).

export interface Session {
  inputs: Inputs;
  s3: S3Client;
  /**
   * Undefined when this run invalidates nothing (no distribution-id, or invalidation: off), and until
   * openCloudFront() has loaded the SDK (main.ts calls it once the listing is in flight, before the plan).
   */
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

function clientSettings(inputs: Inputs, env: NodeJS.ProcessEnv) {
  return {
    action: ACTION,
    env,
    ...(inputs.region ? { region: inputs.region } : {}),
  };
}

/** The session with its S3 client; the CloudFront client comes with openCloudFront() (its SDK loads lazily). */
export function openSession(o: SessionOptions): Session {
  const { inputs, env } = o;
  const s3 = o.s3 ?? createClient(S3Client, { ...clientSettings(inputs, env), s3ChecksumMode: inputs.checksumMode });
  const requests: Record<string, number> = {};
  countRequests(s3, requests);
  const session: Session = { inputs, s3, cloudfront: undefined, clock: o.clock, env, signal: o.signal, requests };
  if (o.cloudfront && invalidates(inputs.distributionId, inputs.invalidation)) attach(session, o.cloudfront);
  return session;
}

/** Load the CloudFront SDK and create the client, when this run invalidates (an injected client is kept). */
export async function openCloudFront(session: Session): Promise<void> {
  const { inputs, env } = session;
  if (session.cloudfront || !invalidates(inputs.distributionId, inputs.invalidation)) return;
  const { CloudFrontClient } = await cloudFrontSdk();
  attach(session, createClient(CloudFrontClient, clientSettings(inputs, env)));
}

function attach(session: Session, cloudfront: CloudFrontClient): void {
  countRequests(cloudfront, session.requests);
  session.cloudfront = cloudfront;
}
