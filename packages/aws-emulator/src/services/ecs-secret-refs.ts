// How ECS reads a container's `secrets[].valueFrom` (and `logConfiguration.secretOptions[].valueFrom`), as the ECS
// agent does it (amazon-ecs-agent, agent/taskresource/asmsecret/asmsecret.go getASMParametersFromInput, and the
// developer guide's "Pass sensitive data to an Amazon ECS container"):
// - a Secrets Manager ARN, either `arn:aws:secretsmanager:<region>:<account>:secret:<name>` (the whole secret) or
//   `…:secret:<name>:<json-key>:<version-stage>:<version-id>` with exactly those three extra fields (any may be
//   empty); any other count is "an invalid ARN format";
// - anything else is an SSM Parameter Store parameter: a name (`db-url`), a path (`/app/prod/db-url`) or an SSM ARN.

export type SecretRef =
  | {
      kind: 'secretsmanager';
      valueFrom: string;
      /** The secret's ARN without the json-key/stage/version fields (what GetSecretValue is called with). */
      secretId: string;
      jsonKey?: string;
      versionStage?: string;
      versionId?: string;
    }
  | { kind: 'ssm'; valueFrom: string }
  | { kind: 'invalid'; valueFrom: string; error: string };

const ARN_RE = /^arn:(aws[\w-]*):([^:]+):([^:]*):([^:]*):(.+)$/;

export function parseSecretRef(valueFrom: string): SecretRef {
  const arn = ARN_RE.exec(valueFrom);
  if (arn?.[2] !== 'secretsmanager') return { kind: 'ssm', valueFrom };
  const [, partition, service, region, account, resource] = arn as unknown as string[];
  const fields = (resource as string).split(':'); // secret:<id>[:<json-key>:<stage>:<version-id>]
  if (fields.length === 2) return { kind: 'secretsmanager', valueFrom, secretId: valueFrom };
  if (fields.length !== 5 || fields[0] !== 'secret') {
    return {
      kind: 'invalid',
      valueFrom,
      error: `trying to retrieve secret with value ${valueFrom} resulted in error: an invalid ARN format for the AWS Secrets Manager secret was specified. Specify a valid ARN and try again.`,
    };
  }
  const [, id, jsonKey, versionStage, versionId] = fields as [string, string, string, string, string];
  return {
    kind: 'secretsmanager',
    valueFrom,
    secretId: `arn:${partition}:${service}:${region}:${account}:secret:${id}`,
    ...(jsonKey ? { jsonKey } : {}),
    ...(versionStage ? { versionStage } : {}),
    ...(versionId ? { versionId } : {}),
  };
}
