// Stand-in by action name (see names.ts and the README table).
import { downloadArtifact, uploadArtifact } from './artifacts.ts';
import { checkout } from './checkout.ts';
import { configureAwsCredentials } from './configure-aws-credentials.ts';
import type { StandinName } from './names.ts';
import { setupNode } from './setup-node.ts';
import type { Standin } from './types.ts';

export const STANDINS: Record<StandinName, Standin> = {
  'actions/checkout': checkout,
  'aws-actions/configure-aws-credentials': configureAwsCredentials,
  'actions/setup-node': setupNode,
  'actions/upload-artifact': uploadArtifact,
  'actions/download-artifact': downloadArtifact,
};
