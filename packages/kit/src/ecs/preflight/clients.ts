import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { configuredEndpoint, createClient } from '../../runtime/aws';

/** The read-only clients the preflight uses, one per region each (secrets and images may live elsewhere). */
export interface PreflightClients {
  ecr(region: string): ECRClient;
  secretsManager(region: string): SecretsManagerClient;
  ssm(region: string): SSMClient;
  logs(region: string): CloudWatchLogsClient;
  iam(): IAMClient;
  /** Registry v2 calls and ECR download URLs (tests: a fetch that counts). */
  fetch: typeof fetch;
  /** The host of the configured ECR endpoint (AWS_ENDPOINT_URL_ECR / AWS_ENDPOINT_URL): images there are ECR's. */
  ecrEndpointHost: string | undefined;
}

export function createPreflightClients(action: string, defaultRegion: string): PreflightClients {
  const cache = new Map<string, unknown>();
  const per =
    <T>(kind: string, make: (region: string) => T) =>
    (region: string): T => {
      const key = `${kind}:${region || defaultRegion}`;
      if (!cache.has(key)) cache.set(key, make(region || defaultRegion));
      return cache.get(key) as T;
    };
  const endpoint = configuredEndpoint('ECR');
  let host: string | undefined;
  try {
    host = endpoint ? new URL(endpoint).host : undefined;
  } catch {
    host = undefined;
  }
  return {
    ecr: per('ecr', (region) => createClient(ECRClient, { action, region })),
    secretsManager: per('sm', (region) => createClient(SecretsManagerClient, { action, region })),
    ssm: per('ssm', (region) => createClient(SSMClient, { action, region })),
    logs: per('logs', (region) => createClient(CloudWatchLogsClient, { action, region })),
    // IAM is global; its endpoint is in us-east-1 for the aws partition (the SDK resolves it from any region).
    iam: () => per('iam', (region) => createClient(IAMClient, { action, region }))(defaultRegion),
    fetch: globalThis.fetch,
    ecrEndpointHost: host,
  };
}
