import { type EcrRepositorySettings, ecrTagIsImmutable } from '@deploy-actions/kit/ecr';
import { ConfigurationError, quote } from '@deploy-actions/kit/runtime';
import semver from 'semver';

// Pure planners: tag parsing, which image tags to write, conflict detection, previous tag, release body.

export interface ReleaseTag {
  /** The git tag as pushed, e.g. `v1.4.0` (also the image tag written). */
  name: string;
  /** Without the `v`, e.g. `1.4.0`. */
  version: string;
  /** `v` or `` (kept on the major/minor image tags). */
  prefix: string;
  major: number;
  minor: number;
  prerelease: boolean;
  /** Has `+build` metadata (not allowed in image tags). */
  build: boolean;
}

/** A release tag: semver with an optional `v` (`v1.4.0`, `1.4.0`, `v2.0.0-rc.1`). */
export function parseReleaseTag(raw: string): ReleaseTag {
  const name = raw.trim();
  const prefix = name.startsWith('v') ? 'v' : '';
  const bare = name.slice(prefix.length);
  const parsed = /^[0-9]/.test(bare) ? semver.parse(bare) : null;
  if (!parsed || bare !== parsed.raw) {
    throw new ConfigurationError(
      'tag',
      `${quote(name)} is not a semantic version tag (expected v1.2.3, 1.2.3 or v1.2.3-rc.1; see semver.org)`,
    );
  }
  return {
    name,
    version: parsed.version,
    prefix,
    major: parsed.major,
    minor: parsed.minor,
    prerelease: parsed.prerelease.length > 0,
    build: parsed.build.length > 0,
  };
}

/** Git tag names that are release versions (optional `v`), with their parsed version. */
export function semverTags(names: readonly string[]): Array<{ name: string; version: semver.SemVer }> {
  const out: Array<{ name: string; version: semver.SemVer }> = [];
  for (const name of names) {
    const bare = name.startsWith('v') ? name.slice(1) : name;
    const version = /^[0-9]/.test(bare) ? semver.parse(bare) : null;
    if (version && version.raw === bare) out.push({ name, version });
  }
  return out;
}

/**
 * The tag the release notes start from: the highest version below this one. A stable release skips prereleases
 * (v1.4.0 after v1.4.0-rc.2 lists everything since v1.3.x); a prerelease takes any lower version.
 */
export function previousTag(tag: ReleaseTag, allTags: readonly string[]): string | undefined {
  const current = new semver.SemVer(tag.version);
  const candidates = semverTags(allTags).filter(
    (t) =>
      t.name !== tag.name && semver.lt(t.version, current) && (tag.prerelease || t.version.prerelease.length === 0),
  );
  candidates.sort((a, b) => semver.rcompare(a.version, b.version));
  return candidates[0]?.name;
}

export interface TagSelection {
  /** Image tags to put on the promoted image: the release tag first, then the floating ones. */
  tags: string[];
  /** Why a requested tag is not written. */
  notes: string[];
}

/**
 * Image tags for this release. `v1` / `v1.4` (major-minor-tags) only for a stable release that is the highest
 * stable version of its line among the repository's tags: a hotfix v1.3.5 after v1.4.0 does not move `v1` back.
 */
export function selectTags(
  tag: ReleaseTag,
  options: { majorMinorTags: boolean; extraTags: readonly string[]; allTags: readonly string[] },
): TagSelection {
  const tags = [tag.name];
  const notes: string[] = [];
  if (options.majorMinorTags) {
    if (tag.prerelease) {
      notes.push(`${tag.name} is a prerelease: major/minor tags are not moved`);
    } else {
      const current = new semver.SemVer(tag.version);
      const stable = semverTags(options.allTags).filter((t) => t.version.prerelease.length === 0);
      const lines: Array<[string, (v: semver.SemVer) => boolean]> = [
        [`${tag.prefix}${tag.major}`, (v) => v.major === tag.major],
        [`${tag.prefix}${tag.major}.${tag.minor}`, (v) => v.major === tag.major && v.minor === tag.minor],
      ];
      for (const [floating, inLine] of lines) {
        const newer = stable.find((t) => inLine(t.version) && semver.gt(t.version, current));
        if (newer) notes.push(`${floating} is not moved: ${newer.name} is newer in that line`);
        else if (!tags.includes(floating)) tags.push(floating);
      }
    }
  }
  for (const extra of options.extraTags) if (!tags.includes(extra)) tags.push(extra);
  return { tags, notes };
}

/** What ECR has for one repository (DescribeRepositories + BatchGetImage), read before anything is written. */
export interface RepositoryState extends EcrRepositorySettings {
  /** The image under the source tag, undefined when the tag does not exist. */
  source: { digest: string; manifest: string; mediaType: string | undefined } | undefined;
  /** Tag → digest for the wanted tags that already exist. */
  existing: Record<string, string>;
}

export interface RepositoryPlan {
  name: string;
  uri: string;
  digest: string;
  manifest: string;
  mediaType: string | undefined;
  /** Tags to PutImage, in order (the release tag first). */
  write: string[];
  /** Tags already on the digest (idempotent re-run). */
  unchanged: string[];
  /** Floating tags that move from another digest. */
  moved: Array<{ tag: string; from: string }>;
}

/** Why a promotion cannot happen, and the input whose value does not match ECR. */
export interface PromotionProblem {
  input: string;
  message: string;
}

export type PromotionPlan = { ok: true; repositories: RepositoryPlan[] } | { ok: false; problems: PromotionProblem[] };

/**
 * Decide every write for every repository, or refuse with ALL the problems before anything is changed: a missing
 * source image, a release tag already on another digest (a release tag never moves), a floating tag that an
 * immutable repository would refuse to move.
 */
export function planPromotion(
  states: readonly RepositoryState[],
  releaseTag: string,
  tags: readonly string[],
  sourceTag: string,
  /** The input a floating tag came from (`extra-tags` or `major-minor-tags`). */
  tagInput: (tag: string) => string = () => 'extra-tags',
): PromotionPlan {
  const problems: PromotionProblem[] = [];
  const repositories: RepositoryPlan[] = [];
  for (const state of states) {
    if (!state.source) {
      problems.push({
        input: 'source-tag',
        message:
          `${state.name}:${sourceTag} not found: was this commit built? staging pushes ${state.name}:<commit sha> ` +
          `(build-push-ecr), so ${state.name}:${sourceTag} must exist before it can be promoted`,
      });
      continue;
    }
    const digest = state.source.digest;
    const plan: RepositoryPlan = {
      name: state.name,
      uri: state.uri,
      digest,
      manifest: state.source.manifest,
      mediaType: state.source.mediaType,
      write: [],
      unchanged: [],
      moved: [],
    };
    for (const tag of tags) {
      const current = state.existing[tag];
      if (current === digest) {
        plan.unchanged.push(tag);
      } else if (current === undefined) {
        plan.write.push(tag);
      } else if (tag === releaseTag) {
        problems.push({
          input: 'tag',
          message:
            `${state.name}:${tag} already exists on ${current}, not on ${digest} (${state.name}:${sourceTag}): ` +
            'a release tag is never moved; release a new version instead',
        });
      } else if (ecrTagIsImmutable(state.mutability, state.exclusionFilters, tag)) {
        problems.push({
          input: tagInput(tag),
          message:
            `${state.name}:${tag} is on ${current} and the repository's tags are immutable (${state.mutability}): ` +
            'it cannot be moved; drop it from the tags or add an exclusion filter for it',
        });
      } else {
        plan.write.push(tag);
        plan.moved.push({ tag, from: current });
      }
    }
    repositories.push(plan);
  }
  return problems.length ? { ok: false, problems } : { ok: true, repositories };
}

export interface PromotedImage {
  repository: string;
  uri: string;
  digest: string;
  tags: string[];
}

export const IMAGES_START = '<!-- tag-release-deploy:images -->';
export const IMAGES_END = '<!-- /tag-release-deploy:images -->';

/** The release-notes section listing the promoted images (between markers, so a re-run replaces it). */
export function imagesSection(images: readonly PromotedImage[], environment: string): string {
  if (images.length === 0) return '';
  const lines = [
    IMAGES_START,
    `## Container images (${environment})`,
    '',
    '| Repository | Image | Tags |',
    '| --- | --- | --- |',
  ];
  for (const img of images) {
    lines.push(`| ${img.repository} | \`${img.uri}@${img.digest}\` | ${img.tags.map((t) => `\`${t}\``).join(', ')} |`);
  }
  lines.push(IMAGES_END);
  return lines.join('\n');
}

/** Release body: generated notes, then the images section. */
export function releaseBody(notes: string, section: string): string {
  return [notes.trim(), section].filter(Boolean).join('\n\n');
}

/**
 * Body for a release that already exists (re-run): its text with the images section replaced (or appended), so the
 * section is never duplicated and edits made on GitHub are kept.
 */
export function mergeReleaseBody(existing: string | null | undefined, section: string): string {
  const body = existing ?? '';
  const start = body.indexOf(IMAGES_START);
  const end = body.indexOf(IMAGES_END);
  if (start !== -1 && end > start) {
    const before = body.slice(0, start).trimEnd();
    const after = body.slice(end + IMAGES_END.length).trim();
    return [before, section, after].filter(Boolean).join('\n\n');
  }
  return releaseBody(body, section);
}

/** `{ "team/api": "sha256:..." }` */
export function digestMap(images: readonly PromotedImage[]): Record<string, string> {
  return Object.fromEntries(images.map((i) => [i.repository, i.digest]));
}
