// STS (query protocol, XML): GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity. Any access key is
// accepted; keys handed out by AssumeRole* remember their assumed-role ARN so GetCallerIdentity reports it.
import type { EmuContext, EmuRequest, EmuResponse, ServiceModule } from '../types.ts';
import { AwsError, parseQueryParams, queryError, queryOk, randomAlnum, type XmlValue } from './ecs-wire.ts';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

interface Session {
  arn: string;
  userId: string;
  account: string;
}

/** The identity every unknown access key gets. */
export const DEFAULT_ROLE_NAME = 'emulator-role';
export const DEFAULT_SESSION_NAME = 'emulator-session';

function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length < 2 || !parts[1]) return undefined;
  try {
    return JSON.parse(Buffer.from(parts[1].replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

export function createStsService(): ServiceModule {
  const sessions = new Map<string, Session>();

  function accessKeyOf(req: EmuRequest): string | undefined {
    return (
      /Credential=([^/,\s]+)/.exec(req.headers.authorization ?? '')?.[1] ??
      req.query.get('X-Amz-Credential')?.split('/')[0]
    );
  }

  function assume(params: URLSearchParams, ctx: EmuContext, action: string): XmlValue {
    const roleArn = params.get('RoleArn') ?? '';
    const sessionName = params.get('RoleSessionName') ?? '';
    const m = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(roleArn);
    if (!m) {
      throw new AwsError('ValidationError', `${roleArn || 'RoleArn'} is invalid`);
    }
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
      );
    }
    const account = m[1] as string;
    const roleName = m[2] as string;
    const duration = Number(params.get('DurationSeconds') ?? 3600);
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
      throw new AwsError(
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      );
    }
    const accessKeyId = `ASIA${randomAlnum(16, UPPER)}`;
    const roleId = `AROA${randomAlnum(17, UPPER)}`;
    const arn = `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;
    sessions.set(accessKeyId, { arn, userId: `${roleId}:${sessionName}`, account });
    const credentials = {
      AccessKeyId: accessKeyId,
      SecretAccessKey: randomAlnum(40),
      SessionToken: `IQoJb3JpZ2luX2VjE${randomAlnum(300)}`,
      Expiration: new Date(ctx.clock.now() + duration * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    ctx.state.issuedCredentials.add(credentials.SecretAccessKey).add(credentials.SessionToken);
    const assumedRoleUser = { AssumedRoleId: `${roleId}:${sessionName}`, Arn: arn };
    if (action === 'AssumeRoleWithWebIdentity') {
      const token = params.get('WebIdentityToken') ?? '';
      if (token.length < 4)
        throw new AwsError('InvalidIdentityToken', "Couldn't retrieve verification key from your identity provider");
      const claims = decodeJwtPayload(token) ?? {};
      const aud = Array.isArray(claims.aud) ? String(claims.aud[0]) : String(claims.aud ?? 'sts.amazonaws.com');
      const iss = String(claims.iss ?? 'https://token.actions.githubusercontent.com').replace(/^https:\/\//, '');
      return {
        Credentials: credentials,
        SubjectFromWebIdentityToken: String(claims.sub ?? 'emulator-subject'),
        AssumedRoleUser: assumedRoleUser,
        Provider: iss,
        Audience: aud,
      };
    }
    return { Credentials: credentials, AssumedRoleUser: assumedRoleUser };
  }

  return {
    name: 'sts',
    classify(req) {
      const action = parseQueryParams(req).get('Action') ?? 'Unknown';
      // AssumeRole* mint credentials but change no AWS resources: not mutating for "no mutating call" checks.
      return { operation: action, mutating: false };
    },
    handle(req, ctx) {
      const params = parseQueryParams(req);
      const action = params.get('Action') ?? '';
      try {
        switch (action) {
          case 'GetCallerIdentity': {
            const key = accessKeyOf(req);
            const s = key ? sessions.get(key) : undefined;
            const account = s?.account ?? ctx.accountId;
            return queryOk(
              action,
              NS,
              {
                Arn: s?.arn ?? `arn:aws:sts::${account}:assumed-role/${DEFAULT_ROLE_NAME}/${DEFAULT_SESSION_NAME}`,
                UserId: s?.userId ?? `AROAEMULATOR00000000:${DEFAULT_SESSION_NAME}`,
                Account: account,
              },
              req.requestId,
            );
          }
          case 'AssumeRole':
          case 'AssumeRoleWithWebIdentity':
            return queryOk(action, NS, assume(params, ctx, action), req.requestId);
          default:
            throw new AwsError('InvalidAction', `Could not find operation ${action} for version 2011-06-15`);
        }
      } catch (err) {
        if (err instanceof AwsError) return queryError(NS, err, req.requestId);
        throw err;
      }
    },
    reset() {
      sessions.clear();
    },
    throttleError(req): EmuResponse {
      return queryError(NS, new AwsError('Throttling', 'Rate exceeded'), req.requestId);
    },
  };
}
