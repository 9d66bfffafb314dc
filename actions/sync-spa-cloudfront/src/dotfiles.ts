// Dotfiles (pure): names starting with `.` are never published — `.env`, `.npmrc`, `.git/` and editor or tool state
// end up in build outputs and were uploaded publicly (issue #14, finding 2). The one exception is `.well-known/` at
// the root of `source` (RFC 8615: assetlinks.json, apple-app-site-association, security.txt), which a site must
// serve; dot names inside it are excluded too. There is deliberately no switch to publish other dotfiles: nothing a
// browser loads from S3 + CloudFront needs one (`.htaccess` and `.nojekyll` mean nothing there), and a switch is
// one more way to publish `.env` by mistake.

/** The only dot directory that is published (at the root of `source`). */
export const WELL_KNOWN = '.well-known';

/**
 * The excluded dot name a path falls under, or undefined when it may be published: the path up to and including its
 * first dot segment (`.env`, `.git/`, `assets/.cache/`), a trailing `/` when that segment is a directory. `isDir`
 * says whether the last segment of `relPath` is a directory.
 */
export function dotName(relPath: string, isDir = false): string | undefined {
  const segments = relPath.split('/');
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (!seg.startsWith('.')) continue;
    const last = i === segments.length - 1;
    const dir = !last || isDir;
    if (i === 0 && seg === WELL_KNOWN && dir) continue;
    return segments.slice(0, i + 1).join('/') + (dir ? '/' : '');
  }
  return undefined;
}
