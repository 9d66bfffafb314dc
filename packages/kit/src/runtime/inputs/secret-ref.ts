import { entropyPerChar } from '../redact-shapes';
import { isRegionalArn, parseArn } from './aws-ids';

// `secrets:` values (render-task-def / deploy-ecs): where ECS fetches a secret from, never the secret itself. One rule:
//   - a Secrets Manager secret ARN, optionally `:<json-key>:<version-stage>:<version-id>` (all three colons, empty
//     fields allowed: `…:secret:prod/db-AbCdEf:password::`),
//   - an SSM parameter ARN, or
//   - an SSM parameter name in the task's region (`/prod/db/password`, `db_password`): letters, digits, `_ . -` and
//     `/` between path levels, at most 1011 characters and 15 levels (PutParameter's naming constraints).
// A pasted secret value is refused (spaces, quotes, `=`, over-long, or a random-looking token with no `/` path), so it
// never lands in a task definition. Whether the secret exists is for a preflight check, not for this parser.

const SM_NAME_RE = /^[A-Za-z0-9/_+=.@-]+$/;
const SSM_PARAMETER_RE = /^\/?[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

/**
 * True for a value that reads like a secret rather than a parameter name: long, no path, mixed letters and digits
 * and random-looking (a token, a key, a JWT, a password from a generator).
 */
export function looksLikeSecretValue(value: string): boolean {
  if (value.includes('/') || value.length < 16) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((re) => re.test(value)).length;
  return classes >= 2 && /[0-9]/.test(value) && entropyPerChar(value) >= 3.5;
}

/** Why `value` is not a valid secret `valueFrom`, or undefined when it is one. */
export function secretValueFromProblem(value: string): string | undefined {
  if (value.startsWith('arn:')) {
    const arn = parseArn(value);
    if (arn && isRegionalArn(value, 'secretsmanager', /^secret:/)) {
      const parts = arn.resource.slice('secret:'.length).split(':');
      if (parts[0] === '' || !SM_NAME_RE.test(parts[0]!)) return 'the secret name after "secret:" is empty or invalid';
      if (parts.length === 1 || parts.length === 4) return undefined;
      return `a Secrets Manager reference has the form <secret-arn>:<json-key>:<version-stage>:<version-id> with all three colons (empty fields allowed, e.g. "…:password::"); got ${parts.length - 1} colon(s) after the secret name`;
    }
    if (isRegionalArn(value, 'ssm', /^parameter\/[A-Za-z0-9_.\-/]+$/)) return undefined;
    if (arn && (arn.service === 'secretsmanager' || arn.service === 'ssm')) {
      return 'expected arn:aws:secretsmanager:<region>:<account>:secret:<name> or arn:aws:ssm:<region>:<account>:parameter/<name>';
    }
    return 'only Secrets Manager and SSM Parameter Store ARNs can be secrets';
  }
  const pasted = /[\s"'`=]/.test(value) || value.length > 1011 || (!SSM_PARAMETER_RE.test(value) && value.length >= 16);
  if (pasted || looksLikeSecretValue(value)) {
    return 'this looks like a secret value, not a reference to one: store it in Secrets Manager or SSM Parameter Store and give its ARN or parameter name (the value is not shown)';
  }
  if (!SSM_PARAMETER_RE.test(value)) {
    return 'expected a Secrets Manager ARN, an SSM parameter ARN or an SSM parameter name';
  }
  if (value.split('/').filter(Boolean).length > 15) return 'SSM parameter paths have at most 15 levels';
  return undefined;
}
