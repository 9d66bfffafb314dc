// Scaffolding of the registry tests that drive real clients (skopeo, buildah): the password the ECR token carries,
// and a temporary folder per describe block of a peer tool.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll } from 'vitest';
import type { PeerTool } from '../src/index.ts';

/** The registry password of ECR's GetAuthorizationToken (the token is base64 of `AWS:<password>`). */
export async function ecrPassword(ecr: ECRClient): Promise<string> {
  const out = await ecr.send(new GetAuthorizationTokenCommand({}));
  return Buffer.from(out.authorizationData?.[0]?.authorizationToken ?? '', 'base64')
    .toString('utf8')
    .slice('AWS:'.length);
}

/**
 * For a describe block of a real client (skopeo, buildah): requires the tool before the block runs (in CI a missing
 * tool fails it), gives the block a fresh temporary folder, removes it after. Returns the folder's path (once set).
 */
export function peerToolDir(tool: PeerTool, prefix: string): () => string {
  let dir = '';
  beforeAll(async () => {
    tool.require();
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return () => dir;
}
