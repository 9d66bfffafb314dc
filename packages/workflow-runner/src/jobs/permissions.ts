// GITHUB_TOKEN permissions as GitHub computes them (docs: "Controlling permissions for GITHUB_TOKEN", "Reusing
// workflows: access and permissions"): job `permissions` else the workflow's else the repository default (here the
// restricted default, `contents: read, packages: read`); `read-all` / `write-all` / `{}`; a called workflow's jobs get
// what they declare capped by the calling job's permissions, inherit the caller's when they declare nothing, and a
// callee job that asks for more than the caller grants makes the run invalid (GitHub: "The nested job 'x' is
// requesting 'id-token: write', but is only allowed 'id-token: none'").
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import { entries, literalString } from '../parse/tokens.ts';

export type Level = 'none' | 'read' | 'write';
export type Permissions = Record<string, Level>;

export const SCOPES = [
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'models',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses',
] as const;

const RANK: Record<Level, number> = { none: 0, read: 1, write: 2 };

function all(level: Level): Permissions {
  // id-token and models have no `read` on GitHub (read-all gives id-token none); write-all gives write.
  return Object.fromEntries(
    SCOPES.map((s) => [s, s === 'id-token' && level === 'read' ? 'none' : level]),
  ) as Permissions;
}

export const REPOSITORY_DEFAULT: Permissions = { ...all('none'), contents: 'read', packages: 'read' };

/** A `permissions:` token → permissions; undefined when the key is absent. */
export function parsePermissions(token: TemplateToken | undefined): Permissions | undefined {
  if (token === undefined) return undefined;
  const s = literalString(token);
  if (s === 'read-all') return all('read');
  if (s === 'write-all') return all('write');
  const out = all('none');
  for (const [scope, value] of entries(token)) out[scope] = (literalString(value) ?? 'none') as Level;
  return out;
}

export function capPermissions(own: Permissions, cap: Permissions | undefined): Permissions {
  if (!cap) return own;
  const out: Permissions = {};
  for (const scope of new Set([...Object.keys(own), ...Object.keys(cap)])) {
    const a = own[scope] ?? 'none';
    const b = cap[scope] ?? 'none';
    out[scope] = RANK[a] <= RANK[b] ? a : b;
  }
  return out;
}

/** Scopes where `asked` exceeds `allowed`: GitHub's startup error text for each. */
export function excess(asked: Permissions, allowed: Permissions): string[] {
  const out: string[] = [];
  for (const [scope, level] of Object.entries(asked)) {
    const max = allowed[scope] ?? 'none';
    if (RANK[level] > RANK[max]) out.push(`'${scope}: ${level}', but is only allowed '${scope}: ${max}'`);
  }
  return out;
}

/** Effective permissions of one job. */
export function jobPermissions(
  jobToken: TemplateToken | undefined,
  workflowToken: TemplateToken | undefined,
  cap: Permissions | undefined,
): Permissions {
  const own = parsePermissions(jobToken) ?? parsePermissions(workflowToken) ?? cap ?? REPOSITORY_DEFAULT;
  return capPermissions(own, cap);
}
