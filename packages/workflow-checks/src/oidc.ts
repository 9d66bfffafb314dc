import { asRecord, type Finding, isRecord } from './types';

/**
 * The `sub` claim GitHub puts in the OIDC token of a job (github/docs reference/security/oidc.md): with an
 * environment it is `repo:O/R:environment:NAME` whatever the event; otherwise pull_request → `pull_request`,
 * else `ref:<ref>`. Repositories created on or after 15 July 2026 with immutable subs use `repo:O@ID/R@ID:…`.
 */
export function expectedSub(opts: {
  repository: string;
  environment?: string;
  event?: string;
  ref?: string;
  immutable?: { ownerId: string; repoId: string };
}): string {
  const [owner, repo] = opts.repository.split('/');
  const prefix = opts.immutable
    ? `repo:${owner}@${opts.immutable.ownerId}/${repo}@${opts.immutable.repoId}`
    : `repo:${opts.repository}`;
  if (opts.environment) return `${prefix}:environment:${opts.environment}`;
  if (opts.event === 'pull_request') return `${prefix}:pull_request`;
  return `${prefix}:ref:${opts.ref ?? 'refs/heads/main'}`;
}

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(value);
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

/** Does this trust policy let a token with `sub` (and aud sts.amazonaws.com) assume the role? */
export function trustAllows(policy: unknown, sub: string): boolean {
  const p = asRecord(policy);
  for (const raw of Array.isArray(p.Statement) ? p.Statement : [p.Statement]) {
    const st = asRecord(raw);
    if (st.Effect !== 'Allow' || !list(st.Action).includes('sts:AssumeRoleWithWebIdentity')) continue;
    const cond = asRecord(st.Condition);
    const eq = asRecord(cond.StringEquals);
    const like = asRecord(cond.StringLike);
    const aud = [
      ...list(eq['token.actions.githubusercontent.com:aud']),
      ...list(like['token.actions.githubusercontent.com:aud']),
    ];
    if (!aud.includes('sts.amazonaws.com')) continue;
    const subEq = list(eq['token.actions.githubusercontent.com:sub']);
    const subLike = list(like['token.actions.githubusercontent.com:sub']);
    if (subEq.includes(sub) || subLike.some((p) => globMatch(p, sub))) return true;
  }
  return false;
}

/**
 * Rules for a GitHub OIDC trust policy (anchors A.5, configure-aws-credentials README): federated principal
 * token.actions.githubusercontent.com, aud = sts.amazonaws.com, a sub condition on every statement, only
 * StringEquals / StringLike (never ForAllValues:/ForAnyValue:), no wildcard that spans repositories.
 */
export function checkTrustPolicy(policy: unknown, file: string): Finding[] {
  const findings: Finding[] = [];
  const add = (where: string, message: string) => findings.push({ rule: 'trust-policy', file, where, message });
  const p = asRecord(policy);
  const statements = Array.isArray(p.Statement) ? p.Statement : [p.Statement];
  statements.forEach((raw, i) => {
    const st = asRecord(raw);
    const where = `Statement[${i}]`;
    const principal = asRecord(st.Principal);
    if (
      !list(principal.Federated).every((f) => /:oidc-provider\/token\.actions\.githubusercontent\.com$/.test(f)) ||
      !principal.Federated
    ) {
      add(where, 'Principal.Federated must be the token.actions.githubusercontent.com OIDC provider');
    }
    if (!list(st.Action).includes('sts:AssumeRoleWithWebIdentity'))
      add(where, 'Action must be sts:AssumeRoleWithWebIdentity');
    const cond = asRecord(st.Condition);
    for (const op of Object.keys(cond)) {
      if (op !== 'StringEquals' && op !== 'StringLike')
        add(where, `condition operator ${op}: use StringEquals / StringLike only`);
    }
    const eq = asRecord(cond.StringEquals);
    const like = asRecord(cond.StringLike);
    if (!list(eq['token.actions.githubusercontent.com:aud']).includes('sts.amazonaws.com')) {
      add(where, 'StringEquals token.actions.githubusercontent.com:aud must be sts.amazonaws.com');
    }
    const subs = [
      ...list(eq['token.actions.githubusercontent.com:sub']),
      ...list(like['token.actions.githubusercontent.com:sub']),
    ];
    if (!subs.length)
      add(where, 'no token.actions.githubusercontent.com:sub condition: any repository could assume the role');
    for (const sub of list(eq['token.actions.githubusercontent.com:sub'])) {
      if (sub.includes('*'))
        add(where, `StringEquals sub ${sub} has a wildcard (use StringLike, or better an exact sub)`);
    }
    for (const sub of subs) {
      const m = /^repo:([^/:*]+)\/([^:*]+):(.+)$/.exec(sub);
      if (!m) add(where, `sub ${sub} must name one repository (repo:ORG/REPO:...)`);
    }
    if (isRecord(st.Condition) && Object.keys(st.Condition).some((k) => /^For(All|Any)Value/.test(k))) {
      add(where, 'ForAllValues/ForAnyValue operators are never right for single-valued OIDC claims');
    }
  });
  return findings;
}
