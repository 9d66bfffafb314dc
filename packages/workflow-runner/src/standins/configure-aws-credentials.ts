// aws-actions/configure-aws-credentials stand-in (OIDC path only, as our workflows use it): needs `role-to-assume`
// and the job's OIDC request URL (GitHub gives it only to jobs with `id-token: write`); fetches the job's token with
// audience sts.amazonaws.com, checks its `sub` against the role's trust policy in the app repo
// (iam/<role-name>/trust-policy.json, see trust.ts), then calls the emulator's STS AssumeRoleWithWebIdentity with
// that token and exports what the real action exports: AWS_REGION, AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, plus AWS_ENDPOINT_URL (the emulator), credentials masked.
import { decodeJwt } from './oidc-token.ts';
import { allowedSubs, parseRoleArn, trustAllows, trustPolicyPath } from './trust.ts';
import { booleanInput, exportVariable, input, type Standin, StandinFailure, setOutput } from './types.ts';

function xmlField(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

/**
 * fetch, tried again when the connection fails (a reset, a keep-alive socket the server closed just then: seen on a
 * loaded machine), as the real action retries AssumeRoleWithWebIdentity (its `retry-max-attempts`, default 12,
 * exponential backoff). HTTP error answers are not retried: they are the answer.
 */
export async function fetchRetrying(url: string, init: RequestInit, attempts = 5): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (err) {
      if (attempt >= attempts || init.signal?.aborted) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

export const configureAwsCredentials: Standin = async (ctx) => {
  const { host, env } = ctx;
  const region = input(ctx, 'aws-region');
  if (!region) throw new StandinFailure('Input required and not supplied: aws-region');
  if (!/^[a-z]{2}(?:-gov)?-[a-z]+-\d$/.test(region)) throw new StandinFailure(`Region is not valid: ${region}`);
  const roleArn = input(ctx, 'role-to-assume');
  if (!roleArn) {
    throw new StandinFailure(
      'aws-actions/configure-aws-credentials stand-in: `role-to-assume` is required (the local runner only does the OIDC flow)',
    );
  }
  const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!requestUrl || !requestToken) {
    throw new StandinFailure(
      `Credentials could not be loaded, please check your action inputs: Could not load credentials from any providers. It looks like you might be trying to authenticate with OIDC. Did you mean to set the \`id-token\` permission? (job ${host.jobLabel} has id-token: ${host.permissions['id-token'] ?? 'none'})`,
    );
  }
  const role = parseRoleArn(roleArn);
  if (!role)
    throw new StandinFailure(`role-to-assume ${roleArn} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
  const audience = input(ctx, 'audience', 'sts.amazonaws.com');
  const res = await fetchRetrying(`${requestUrl}&audience=${encodeURIComponent(audience)}`, {
    headers: { authorization: `Bearer ${requestToken}` },
    signal: host.signal,
  });
  if (!res.ok) throw new StandinFailure(`Failed to get ID Token. Error Code : ${res.status}`);
  const token = ((await res.json()) as { value: string }).value;
  host.mask(token);
  const sub = String(decodeJwt(token).sub);

  const policyPath = trustPolicyPath(role);
  const text = host.run.app.readFile(policyPath);
  if (text === undefined) {
    throw new StandinFailure(
      `Could not assume role with OIDC: no trust policy for role ${roleArn}: looked for ${policyPath} in the app repository (${host.run.app.source}) at ${host.run.app.sha.slice(0, 12)}`,
    );
  }
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch (err) {
    throw new StandinFailure(`Could not assume role with OIDC: ${policyPath} is not JSON: ${(err as Error).message}`);
  }
  if (audience !== 'sts.amazonaws.com' || !trustAllows(policy, sub)) {
    const allowed = allowedSubs(policy);
    throw new StandinFailure(
      `Could not assume role with OIDC: Not authorized to perform sts:AssumeRoleWithWebIdentity: role ${roleArn} (trust policy ${policyPath}) does not allow sub '${sub}' with aud '${audience}'${allowed.length ? `; it allows ${allowed.map((s) => `'${s}'`).join(', ')}` : ''}`,
    );
  }

  const form = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: roleArn,
    RoleSessionName: input(ctx, 'role-session-name', 'GitHubActions'),
    WebIdentityToken: token,
    DurationSeconds: input(ctx, 'role-duration-seconds', '3600'),
  });
  const sts = await fetchRetrying(host.run.emulatorUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: form.toString(),
    signal: host.signal,
  });
  const xml = await sts.text();
  if (!sts.ok) {
    throw new StandinFailure(
      `Could not assume role with OIDC: ${xmlField(xml, 'Code') ?? sts.status}: ${xmlField(xml, 'Message') ?? xml.slice(0, 200)}`,
    );
  }
  const keyId = xmlField(xml, 'AccessKeyId');
  const secret = xmlField(xml, 'SecretAccessKey');
  const session = xmlField(xml, 'SessionToken');
  if (!keyId || !secret || !session) throw new StandinFailure('STS answered without credentials');
  for (const v of [keyId, secret, session]) host.mask(v);
  if (booleanInput(ctx, 'mask-aws-account-id', false)) host.mask(role.account);
  exportVariable(ctx, 'AWS_REGION', region);
  exportVariable(ctx, 'AWS_DEFAULT_REGION', region);
  exportVariable(ctx, 'AWS_ACCESS_KEY_ID', keyId);
  exportVariable(ctx, 'AWS_SECRET_ACCESS_KEY', secret);
  exportVariable(ctx, 'AWS_SESSION_TOKEN', session);
  exportVariable(ctx, 'AWS_ENDPOINT_URL', host.run.emulatorUrl);
  setOutput(ctx, 'aws-account-id', role.account);
  if (booleanInput(ctx, 'output-credentials', false)) {
    setOutput(ctx, 'aws-access-key-id', keyId);
    setOutput(ctx, 'aws-secret-access-key', secret);
    setOutput(ctx, 'aws-session-token', session);
  }
  host.print(`Assuming role with OIDC (sub ${sub}) → ${xmlField(xml, 'Arn') ?? roleArn}`);
};
