import { asRecord, type Finding } from './types';

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

function statements(policy: unknown): Record<string, unknown>[] {
  const p = asRecord(policy);
  return (Array.isArray(p.Statement) ? p.Statement : [p.Statement]).map(asRecord);
}

/** Every Action named by an identity policy's Allow statements, lower-cased (IAM action names are case-insensitive). */
export function policyActions(policy: unknown): Set<string> {
  const out = new Set<string>();
  for (const st of statements(policy)) {
    if (st.Effect !== 'Allow') continue;
    for (const a of list(st.Action)) out.add(a.toLowerCase());
  }
  return out;
}

/**
 * Least privilege for a deploy role / per-action policy: no `*` or `service:*` actions, no NotAction, and
 * iam:PassRole only on named roles (never `*`), only to ecs-tasks.amazonaws.com; with `roleArns` given, only those.
 */
export function checkLeastPrivilege(policy: unknown, file: string, roleArns?: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  const add = (where: string, message: string) => findings.push({ rule: 'least-privilege', file, where, message });
  statements(policy).forEach((st, i) => {
    const where = `Statement[${i}]${typeof st.Sid === 'string' ? ` (${st.Sid})` : ''}`;
    if (st.NotAction !== undefined || st.NotResource !== undefined)
      add(where, 'NotAction / NotResource grant too much');
    for (const a of list(st.Action)) {
      if (a === '*' || /:\*$/.test(a)) add(where, `action ${a} is a wildcard`);
    }
    if (list(st.Action).some((a) => a.toLowerCase() === 'iam:passrole')) {
      const resources = list(st.Resource);
      if (!resources.length || resources.some((r) => r === '*' || /role\/\*$/.test(r))) {
        add(where, 'iam:PassRole must name the task and execution roles, not *');
      }
      if (roleArns) {
        for (const r of resources)
          if (!roleArns.includes(r)) add(where, `iam:PassRole on ${r}, which no task definition uses`);
      }
      const passed = list(asRecord(asRecord(st.Condition).StringEquals)['iam:PassedToService']);
      if (!passed.includes('ecs-tasks.amazonaws.com') || passed.length !== 1) {
        add(where, 'iam:PassRole needs Condition StringEquals iam:PassedToService = ecs-tasks.amazonaws.com');
      }
    }
  });
  return findings;
}

/** The IAM actions in the first ```json block under a README heading that mentions IAM (undefined: no such block). */
export function readmeIamActions(markdown: string): Set<string> | undefined {
  const section = /^#{1,6}[^\n]*\bIAM\b[^\n]*\n([\s\S]*?)(?=^#{1,6}\s|(?![\s\S]))/m.exec(markdown);
  if (!section?.[1]) return undefined;
  const block = /```json\s*\n([\s\S]*?)```/.exec(section[1]);
  if (!block?.[1]) return undefined;
  try {
    return policyActions(JSON.parse(block[1]));
  } catch {
    return undefined;
  }
}
