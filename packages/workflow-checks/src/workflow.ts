import type { RepoIdentity } from './identity';
import { asRecord, isRecord, type Yaml } from './types';

export interface Step {
  jobId: string;
  index: number;
  where: string;
  uses?: string;
  run?: string;
  with: Record<string, unknown>;
  raw: Record<string, unknown>;
}

export interface Job {
  id: string;
  raw: Record<string, unknown>;
  /** Job-level `uses:` (a reusable-workflow call). */
  uses?: string;
  steps: Step[];
}

export function jobsOf(doc: Yaml): Job[] {
  return Object.entries(asRecord(doc.jobs)).map(([id, value]) => {
    const raw = asRecord(value);
    const steps = (Array.isArray(raw.steps) ? raw.steps : []).map((s, index): Step => {
      const step = asRecord(s);
      const label = typeof step.id === 'string' ? step.id : typeof step.name === 'string' ? step.name : String(index);
      return {
        jobId: id,
        index,
        where: `jobs.${id}.steps[${index}] (${label})`,
        ...(typeof step.uses === 'string' ? { uses: step.uses.trim() } : {}),
        ...(typeof step.run === 'string' ? { run: step.run } : {}),
        with: asRecord(step.with),
        raw: step,
      };
    });
    return { id, raw, ...(typeof raw.uses === 'string' ? { uses: raw.uses.trim() } : {}), steps };
  });
}

/** The `on:` triggers as a map (string and list forms normalised). */
export function triggersOf(doc: Yaml): Record<string, unknown> {
  const on = doc.on ?? doc.true; // YAML 1.1 parsers read `on` as true; the yaml package (1.2) keeps "on"
  if (typeof on === 'string') return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(on.map((t) => [String(t), null]));
  return isRecord(on) ? on : {};
}

export type Reference =
  | { kind: 'our-action'; name: string; short: boolean; ref?: string }
  | { kind: 'our-workflow'; path: string; ref?: string }
  | { kind: 'local'; path: string }
  | { kind: 'docker'; image: string }
  /** looks like us (same repository name or same owner) but is another repository: a placeholder, a fork */
  | { kind: 'foreign-self'; repo: string; path: string; ref: string }
  | { kind: 'remote'; repo: string; path: string; ref: string };

/**
 * Classify a `uses:` value against this repository's identity (package.json `repository`). Our actions:
 * `<owner>/<name>/<action>@ref` (short path, a root folder generated from actions/<action>),
 * `<owner>/<name>/actions/<action>@ref` (long path), `./actions/<action>` and the self-repository form
 * `$/actions/<action>`; our workflows likewise under `.github/workflows/`.
 */
export function classifyUses(uses: string, self: Pick<RepoIdentity, 'owner' | 'name'>): Reference {
  if (uses.startsWith('docker://')) return { kind: 'docker', image: uses.slice('docker://'.length) };
  let path: string;
  let ref: string | undefined;
  if (uses.startsWith('./') || uses.startsWith('$/')) {
    path = uses.slice(2).replace(/\/$/, '');
  } else {
    const at = uses.lastIndexOf('@');
    const target = at === -1 ? uses : uses.slice(0, at);
    ref = at === -1 ? '' : uses.slice(at + 1);
    const parts = target.split('/');
    const [owner = '', name = ''] = parts;
    const repo = `${owner}/${name}`;
    const rest = parts.slice(2).join('/');
    const ours = repo.toLowerCase() === `${self.owner}/${self.name}`.toLowerCase();
    if (!ours) {
      const lookalike =
        owner.toLowerCase() === self.owner.toLowerCase() || name.toLowerCase() === self.name.toLowerCase();
      return { kind: lookalike ? 'foreign-self' : 'remote', repo, path: rest, ref: ref ?? '' };
    }
    path = rest;
    const short = /^([a-z0-9][a-z0-9-]*)$/.exec(path);
    if (short?.[1]) return { kind: 'our-action', name: short[1], short: true, ref };
  }
  const action = /^actions\/([^/]+)$/.exec(path);
  if (action?.[1]) return { kind: 'our-action', name: action[1], short: false, ...(ref !== undefined ? { ref } : {}) };
  if (/^\.github\/workflows\/[^/]+\.ya?ml$/.test(path))
    return { kind: 'our-workflow', path, ...(ref !== undefined ? { ref } : {}) };
  return { kind: 'local', path };
}

export function isConfigureAwsCredentials(uses: string | undefined): boolean {
  return !!uses && /^aws-actions\/configure-aws-credentials@/i.test(uses);
}

export function isCheckout(uses: string | undefined): boolean {
  return !!uses && /^actions\/checkout@/i.test(uses);
}

export interface Concurrency {
  group: string;
  cancelInProgress: unknown;
}

/** A `concurrency:` value (string or mapping) at workflow or job level. */
export function concurrencyOf(value: unknown): Concurrency | undefined {
  if (typeof value === 'string') return { group: value, cancelInProgress: undefined };
  if (!isRecord(value) || typeof value.group !== 'string') return undefined;
  return { group: value.group, cancelInProgress: value['cancel-in-progress'] };
}
