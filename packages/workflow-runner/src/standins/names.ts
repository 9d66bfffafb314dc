// The third-party actions the local runner stands in for (each in its own file in this folder, see README).
export const STANDIN_NAMES = [
  'actions/checkout',
  'aws-actions/configure-aws-credentials',
  'actions/setup-node',
  'actions/upload-artifact',
  'actions/download-artifact',
] as const;

export type StandinName = (typeof STANDIN_NAMES)[number];
