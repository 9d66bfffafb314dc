import { ConfigurationError } from '@deploy-actions/kit/runtime';
import { compileGlob } from './glob';

// `exclude` (pure): files under `source` that are never published, and remote keys that are never compared or
// pruned — like `aws s3 sync --exclude`, applied to both sides.

/** Build artefacts that must not be served: Vite's backend-integration manifest and macOS Finder junk. */
export const DEFAULT_EXCLUDE: readonly string[] = ['.vite/**', '**/.DS_Store'];

/** The whole `exclude` value `none` publishes every file. */
export const EXCLUDE_NONE = 'none';

export interface ExcludeFilter {
  /** Globs as normalised (`./x/` → `x/**`; a root-anchored name keeps its `/`); empty = nothing excluded. */
  globs: readonly string[];
  /** True when a path relative to `source` (or a key relative to the prefix) is excluded. */
  matches(path: string): boolean;
}

function normaliseGlob(glob: string): { glob: string; anchored: boolean } {
  const anchored = /^\.?\//.test(glob);
  const g = glob.replace(/^\.?\/+/, '');
  return { glob: g.endsWith('/') ? `${g}**` : g, anchored };
}

/** Split on newlines, and on commas outside `{…}` and `[…]` (so `*.{map,txt}` stays one glob); trim, drop empties. */
export function splitGlobList(raw: string): string[] {
  const out: string[] = [];
  let current = '';
  let braces = 0;
  let brackets = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length && raw[i + 1] !== '\n' && raw[i + 1] !== '\r') {
      current += c + raw[++i];
      continue;
    }
    if (c === '\n' || c === '\r' || (c === ',' && braces === 0 && brackets === 0)) {
      out.push(current);
      current = '';
      braces = 0;
      brackets = 0;
      continue;
    }
    if (c === '{') braces += 1;
    else if (c === '}' && braces > 0) braces -= 1;
    else if (c === '[') brackets += 1;
    else if (c === ']' && brackets > 0) brackets -= 1;
    current += c;
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * Newline- or comma-separated picomatch globs (commas inside `{}`/`[]` belong to the glob), relative to `source`,
 * dot files matched, case-sensitive like S3 keys. As in `.gitignore`: a glob without `/` matches file names anywhere,
 * a leading `/` (or `./`) anchors it to the root of `source`, a trailing `/` means everything under that directory.
 * Empty (the input not given) → {@link DEFAULT_EXCLUDE}; `none` → nothing excluded. A given list replaces the
 * defaults. Every glob is compiled here, so a bad one fails before any AWS call.
 */
export function parseExclude(input: string, raw: string): ExcludeFilter {
  const items = splitGlobList(raw);
  if (items.length === 0) return compileExclude(input, DEFAULT_EXCLUDE);
  if (items.some((s) => s.toLowerCase() === EXCLUDE_NONE)) {
    if (items.length > 1) {
      throw new ConfigurationError(
        input,
        `'${EXCLUDE_NONE}' (publish every file) cannot be combined with globs; got ${JSON.stringify(items.join(', '))}`,
      );
    }
    return { globs: [], matches: () => false };
  }
  return compileExclude(input, items);
}

export function compileExclude(input: string, globs: readonly string[]): ExcludeFilter {
  const normalised: string[] = [];
  const matchers: Array<(path: string) => boolean> = [];
  for (const raw of globs) {
    const { glob, anchored } = normaliseGlob(raw);
    if (glob === '') throw new ConfigurationError(input, `${JSON.stringify(raw)} is not a glob`);
    if (glob.split('/').includes('..')) {
      throw new ConfigurationError(
        input,
        `${JSON.stringify(raw)}: globs are relative to source and may not contain '..' segments`,
      );
    }
    try {
      matchers.push(compileGlob(glob, { basename: !anchored && !glob.includes('/') }));
    } catch (err) {
      throw new ConfigurationError(
        input,
        `invalid glob ${JSON.stringify(raw)}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    normalised.push(anchored && !glob.includes('/') ? `/${glob}` : glob);
  }
  return { globs: normalised, matches: (path) => matchers.some((m) => m(path)) };
}
