import { ConfigurationError } from '../errors';
import { quote } from './readers';

// Identifiers RunTask takes from inputs: started-by, subnet and security group ids, environment override names.

const STARTED_BY_RE = /^[A-Za-z0-9_/-]{1,128}$/;

/** RunTask's `startedBy`: up to 128 letters, digits, `-`, `_` and `/`. */
export function validateStartedBy(input: string, value: string): string {
  if (!STARTED_BY_RE.test(value)) {
    throw new ConfigurationError(
      input,
      `expected up to 128 letters, digits, '-', '_' or '/' (RunTask startedBy), got ${quote(value)}`,
    );
  }
  return value;
}

export function validateSubnets(input: string, subnets: readonly string[]): string[] {
  for (const s of subnets) {
    if (!/^subnet-[0-9a-zA-Z]+$/.test(s))
      throw new ConfigurationError(input, `expected subnet ids like subnet-0abc123, got ${quote(s)}`);
  }
  if (subnets.length > 16) throw new ConfigurationError(input, `at most 16 subnets are allowed, got ${subnets.length}`);
  return [...subnets];
}

export function validateSecurityGroups(input: string, groups: readonly string[]): string[] {
  for (const g of groups) {
    if (!/^sg-[0-9a-zA-Z]+$/.test(g)) {
      throw new ConfigurationError(input, `expected security group ids like sg-0abc123, got ${quote(g)}`);
    }
  }
  if (groups.length > 5)
    throw new ConfigurationError(input, `at most 5 security groups are allowed, got ${groups.length}`);
  return [...groups];
}

/**
 * Environment variable names, the one rule for every input that sets them (render `environment`, run-migration-task
 * `environment`, deploy-ecs `migration-environment`): letters, digits, `_`, `.` and `-`, not starting with a digit
 * (a name a shell or a framework cannot read is a typo, not a setting).
 */
export const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function validateEnvironmentNames(input: string, pairs: ReadonlyArray<readonly [string, string]>): void {
  for (const [name] of pairs) {
    if (!ENV_NAME_RE.test(name)) {
      throw new ConfigurationError(
        input,
        `${quote(name)} is not a valid environment variable name (letters, digits, _ . and -, not starting with a digit)`,
      );
    }
  }
}
