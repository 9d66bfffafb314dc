// This checkout's own GitHub identity, `owner/name`, read from the root package.json `repository` field: the single
// source of truth for which `uses:` references mean "this repository" (issue #12). Never hard-coded.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is packages/workflow-runner/src/self-repo.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface SelfRepository {
  owner: string;
  name: string;
  /** `owner/name` */
  full: string;
  /** Checkout root the references resolve to. */
  root: string;
}

/** `owner/name` from the forms npm accepts: "o/n", "github:o/n", a git/https URL, or {url}. */
export function parseRepositoryField(field: unknown): { owner: string; name: string } | undefined {
  const raw = typeof field === 'string' ? field : (field as { url?: unknown } | undefined)?.url;
  if (typeof raw !== 'string') return undefined;
  const m =
    /^(?:github:)?([\w.-]+)\/([\w.-]+)$/.exec(raw.trim()) ??
    /github\.com[/:]([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(raw.trim());
  if (!m) return undefined;
  return { owner: m[1] as string, name: m[2] as string };
}

export function readSelfRepository(root: string = REPO_ROOT): SelfRepository {
  const pkgFile = join(root, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { repository?: unknown };
  const parsed = parseRepositoryField(pkg.repository);
  if (!parsed) {
    throw new Error(`${pkgFile}: "repository" must name the GitHub repository (owner/name or its URL)`);
  }
  return { ...parsed, full: `${parsed.owner}/${parsed.name}`, root };
}
