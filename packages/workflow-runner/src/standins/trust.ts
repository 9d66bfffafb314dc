// The trust-policy check of the configure-aws-credentials stand-in, with the evaluator packages/workflow-checks
// already uses for the examples (expectedSub, trustAllows): one evaluator for "would this role trust this job".
// Convention (fixed by the lead): role `arn:aws:iam::<acct>:role/<name>` ↔ `<app repo>/iam/<name>/trust-policy.json`.
export { expectedSub, trustAllows } from '@deploy-actions/workflow-checks/oidc';

export interface RoleArn {
  account: string;
  name: string;
}

export function parseRoleArn(arn: string): RoleArn | undefined {
  const m = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]+)$/.exec(arn.trim());
  return m ? { account: m[1] as string, name: m[2] as string } : undefined;
}

export function trustPolicyPath(role: RoleArn): string {
  return `iam/${role.name}/trust-policy.json`;
}

/** Every sub a policy names (for the error message). */
export function allowedSubs(policy: unknown): string[] {
  const out: string[] = [];
  const p = policy as { Statement?: unknown };
  const statements = Array.isArray(p?.Statement) ? p.Statement : [p?.Statement];
  for (const st of statements as Array<{ Condition?: Record<string, Record<string, unknown>> }>) {
    for (const op of ['StringEquals', 'StringLike']) {
      const v = st?.Condition?.[op]?.['token.actions.githubusercontent.com:sub'];
      if (v !== undefined) out.push(...(Array.isArray(v) ? v.map(String) : [String(v)]));
    }
  }
  return out;
}
