import type { RepoIdentity } from './identity';

/** One `owner/name/path@ref` in a text that names this repository (or looks like it: same owner or same name). */
export interface SelfReference {
  index: number;
  line: number;
  text: string;
  owner: string;
  name: string;
  path: string;
  ref: string;
}

// owner/name/path@ref, not preceded by a path character (so `https://github.com/o/r/...` is not taken apart).
const REFERENCE = /(?<![\w./@-])([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)\/([A-Za-z0-9._/-]+?)@([A-Za-z0-9._-]+)/g;

/**
 * Every reference in `text` to this repository or one that looks like it: same repository name under another owner
 * (`someone-else/deploy-actions/...`, a fork, a placeholder) or another repository of the same owner. Exact matches are what
 * the release stamps; the others are what the checks refuse.
 */
export function findSelfReferences(text: string, identity: RepoIdentity): SelfReference[] {
  const out: SelfReference[] = [];
  for (const m of text.matchAll(REFERENCE)) {
    const [, owner = '', name = '', path = ''] = m;
    const ref = (m[4] ?? '').replace(/\.+$/, ''); // a sentence ending right after `@v1.`
    if (owner.toLowerCase() !== identity.owner.toLowerCase() && name.toLowerCase() !== identity.name.toLowerCase())
      continue;
    const index = m.index ?? 0;
    const line = text.slice(0, index).split('\n').length;
    out.push({ index, line, text: `${owner}/${name}/${path}@${ref}`, owner, name, path, ref });
  }
  return out;
}

export function isOurRepository(owner: string, name: string, identity: RepoIdentity): boolean {
  return `${owner}/${name}`.toLowerCase() === identity.slug.toLowerCase();
}

/**
 * What is wrong with one self-reference, or undefined. `exact`: our own reusable workflows must call our actions at
 * exactly this release (`@vX.Y.Z`), so a workflow at release X runs the actions of release X. Elsewhere (examples,
 * READMEs) the major tag of this release (`@vX`) is allowed too: that is what users write.
 */
export function selfReferenceProblem(
  ref: Pick<SelfReference, 'owner' | 'name' | 'ref'>,
  identity: RepoIdentity,
  mode: 'exact' | 'major-or-exact',
): { rule: 'self-reference-repo' | 'self-reference-version'; message: string } | undefined {
  if (!isOurRepository(ref.owner, ref.name, identity)) {
    return {
      rule: 'self-reference-repo',
      message: `names ${ref.owner}/${ref.name}, but this repository is ${identity.slug} (package.json "repository")`,
    };
  }
  const allowed = mode === 'exact' ? [`v${identity.version}`] : [`v${identity.version}`, `v${identity.major}`];
  if (!allowed.includes(ref.ref)) {
    return {
      rule: 'self-reference-version',
      message: `is @${ref.ref}; this release is v${identity.version} (package.json "version"), so use @${allowed.join(' or @')}`,
    };
  }
  return undefined;
}

/**
 * How strictly a self-reference at `line` of `file` must name the release: `exact` for code in this repository's
 * own workflows (.github/workflows/, not comments), `major-or-exact` for documentation: comments, READMEs,
 * examples, where `@vX` is what users write.
 */
export function referenceMode(file: string, line: string): 'exact' | 'major-or-exact' {
  return /^\.github[\\/]workflows[\\/]/.test(file) && !/^\s*#/.test(line) ? 'exact' : 'major-or-exact';
}

export interface StampChange {
  line: number;
  from: string;
  to: string;
}

/**
 * Rewrite this repository's self-references to release `version`: `@vX.Y.Z` becomes `@v<version>`, a major `@vX`
 * becomes `@v<major of version>`. References to other repositories, branches and SHAs are left alone (the checks
 * report them). Pure: returns the new text and what changed.
 */
export function stampSelfReferences(
  text: string,
  identity: RepoIdentity,
  version: string,
): { text: string; changes: StampChange[] } {
  const major = version.split('.')[0];
  const changes: StampChange[] = [];
  let out = '';
  let last = 0;
  for (const ref of findSelfReferences(text, identity)) {
    if (!isOurRepository(ref.owner, ref.name, identity)) continue;
    let next: string | undefined;
    if (/^v\d+\.\d+\.\d+$/.test(ref.ref)) next = `v${version}`;
    else if (/^v\d+$/.test(ref.ref)) next = `v${major}`;
    if (!next || next === ref.ref) continue;
    const at = ref.index + ref.text.length - ref.ref.length;
    out += text.slice(last, at) + next;
    last = at + ref.ref.length;
    changes.push({ line: ref.line, from: ref.text, to: ref.text.slice(0, -ref.ref.length) + next });
  }
  return { text: out + text.slice(last), changes };
}
