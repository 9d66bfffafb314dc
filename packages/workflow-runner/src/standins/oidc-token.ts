// GitHub's OIDC tokens, minted locally: RS256 JWTs with the claims GitHub documents ("OpenID Connect reference":
// iss https://token.actions.githubusercontent.com, sub `repo:<owner>/<repo>:environment:<env>` for a job with an
// environment, else `repo:<owner>/<repo>:ref:<ref>`, aud from the request, and the repository/workflow/job claims).
import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';

export const ISSUER = 'https://token.actions.githubusercontent.com';

export interface JobClaims {
  sub: string;
  repository: string;
  ref: string;
  refType: string;
  sha: string;
  environment?: string;
  workflow: string;
  workflowRef: string;
  jobWorkflowRef: string;
  eventName: string;
  runId: string;
  runNumber: string;
  actor: string;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export class OidcIssuer {
  private readonly key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  readonly kid = randomUUID();

  mint(claims: JobClaims, audience: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
    const [owner] = claims.repository.split('/');
    const payload = {
      jti: randomUUID(),
      sub: claims.sub,
      aud: audience,
      ref: claims.ref,
      sha: claims.sha,
      repository: claims.repository,
      repository_owner: owner,
      repository_owner_id: '1',
      repository_id: '1',
      repository_visibility: 'private',
      run_id: claims.runId,
      run_number: claims.runNumber,
      run_attempt: '1',
      runner_environment: 'self-hosted',
      actor: claims.actor,
      actor_id: '1',
      workflow: claims.workflow,
      workflow_ref: claims.workflowRef,
      workflow_sha: claims.sha,
      job_workflow_ref: claims.jobWorkflowRef,
      job_workflow_sha: claims.sha,
      head_ref: '',
      base_ref: '',
      event_name: claims.eventName,
      ref_type: claims.refType,
      ref_protected: 'false',
      ...(claims.environment ? { environment: claims.environment } : {}),
      iss: ISSUER,
      nbf: nowSeconds - 5,
      iat: nowSeconds,
      exp: nowSeconds + 300,
    };
    const header = { alg: 'RS256', typ: 'JWT', kid: this.kid };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    const signature = createSign('RSA-SHA256').update(input).sign(this.key.privateKey);
    return `${input}.${b64url(signature)}`;
  }

  publicKeyPem(): string {
    return this.key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }
}

export function decodeJwt(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}
