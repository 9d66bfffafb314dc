import { ConfigurationError } from '../errors';
import { quote } from './readers';

// AWS identifiers, one rule each wherever an input carries them: ARNs (one pattern), regions, ECS clusters.

/** The one ARN pattern: `arn:<partition>:<service>:<region>:<account>:<resource>` (region/account may be empty). */
const ARN_RE = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws|):(.+)$/;

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/** The parts of an ARN, or undefined when `value` is not one. */
export function parseArn(value: string): Arn | undefined {
  const m = ARN_RE.exec(value);
  if (!m) return undefined;
  return { partition: m[1]!, service: m[2]!, region: m[3]!, account: m[4]!, resource: m[5]! };
}

/** An ARN of `service` in a region and an account (12 digits) whose resource matches `resource`. */
export function isRegionalArn(value: string, service: string, resource: RegExp): boolean {
  const arn = parseArn(value);
  return arn?.service === service && arn.region !== '' && /^\d{12}$/.test(arn.account) && resource.test(arn.resource);
}

/** ECS task definition revision ARN: `…:task-definition/<family>:<revision>`. */
export function isTaskDefinitionArn(value: string): boolean {
  return isRegionalArn(value, 'ecs', /^task-definition\/[A-Za-z0-9_-]{1,255}:\d+$/);
}

/** An ECS name: cluster, service, task definition family, container (1–255 letters, digits, `-`, `_`). */
export const ECS_NAME_RE = /^[A-Za-z0-9_-]{1,255}$/;
/** `family:revision`. */
export const FAMILY_REVISION_RE = /^[A-Za-z0-9_-]{1,255}:[1-9]\d*$/;

/** AWS region names: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, `us-isob-east-1`. */
const REGION_RE = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;

/** A region value (from an input or AWS_REGION): the region syntax, with a hint for an availability zone. */
export function parseRegion(input: string, raw: string): string {
  const value = raw.trim();
  if (REGION_RE.test(value)) return value;
  const zone = /^([a-z]{2,4}(-[a-z]+)+-\d+)[a-z]$/.exec(value);
  throw new ConfigurationError(
    input,
    zone
      ? `${quote(value)} is an availability zone; the region is ${zone[1]}`
      : `expected an AWS region like us-east-1, got ${quote(value)}`,
  );
}

/** An ECS cluster: its name or its ARN (`arn:aws:ecs:<region>:<account>:cluster/<name>`). */
export function parseCluster(input: string, raw: string): string {
  const value = raw.trim();
  if (value === '') throw new ConfigurationError(input, 'is required but was not set');
  if (ECS_NAME_RE.test(value)) return value;
  if (isRegionalArn(value, 'ecs', /^cluster\/[A-Za-z0-9_-]{1,255}$/)) return value;
  throw new ConfigurationError(
    input,
    `expected a cluster name (letters, digits, - and _) or a cluster ARN (arn:aws:ecs:<region>:<account>:cluster/<name>), got ${quote(value)}`,
  );
}
