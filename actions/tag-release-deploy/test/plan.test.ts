// Pure planners: tag parsing, previous tag, which image tags to write, conflict detection, release body.
import { ConfigurationError } from '@deploy-actions/kit/runtime';
import { describe, expect, test } from 'vitest';
import {
  digestMap,
  IMAGES_END,
  IMAGES_START,
  imagesSection,
  mergeReleaseBody,
  parseReleaseTag,
  planPromotion,
  previousTag,
  type RepositoryState,
  releaseBody,
  selectTags,
} from '../src/plan';

describe('parseReleaseTag', () => {
  test.each([
    ['v1.4.0', { name: 'v1.4.0', version: '1.4.0', prefix: 'v', major: 1, minor: 4, prerelease: false, build: false }],
    ['1.4.0', { name: '1.4.0', version: '1.4.0', prefix: '', major: 1, minor: 4, prerelease: false, build: false }],
    ['v2.0.0-rc.1', { version: '2.0.0-rc.1', prerelease: true, build: false }],
    ['v1.0.0+build.7', { version: '1.0.0', prerelease: false, build: true }],
    [' v0.1.0 ', { name: 'v0.1.0', version: '0.1.0', major: 0, minor: 1 }],
  ])('%s', (raw, expected) => {
    expect(parseReleaseTag(raw)).toMatchObject(expected);
  });

  test.each(['v1.4', '1', 'release-1.4.0', 'vv1.4.0', 'V1.4.0', '=1.4.0', 'v01.4.0', 'v1.4.0.1', 'latest', ''])(
    'rejects %j',
    (raw) => {
      expect(() => parseReleaseTag(raw)).toThrow(ConfigurationError);
    },
  );
});

describe('previousTag', () => {
  const tags = ['v1.3.0', 'v1.4.0-rc.1', 'v1.4.0-rc.2', 'v1.2.9', 'nightly', 'v1.10.0', 'v0.9.0', '1.3.5'];
  test.each<[string, string[], string | undefined]>([
    ['v1.4.0', tags, '1.3.5'], // semver order, not string order; prereleases skipped for a stable release
    ['v1.4.0-rc.3', tags, 'v1.4.0-rc.2'], // a prerelease starts from the previous prerelease
    ['v1.11.0', tags, 'v1.10.0'], // 1.10 > 1.9 > 1.3 (string sort would get this wrong)
    ['v0.9.0', tags, undefined], // the first release
    ['v1.3.0', ['v1.3.0'], undefined], // only itself
    ['v2.0.0', [], undefined],
  ])('%s → %s', (tag, all, expected) => {
    expect(previousTag(parseReleaseTag(tag), all)).toBe(expected);
  });
});

describe('selectTags', () => {
  const all = ['v1.3.0', 'v1.4.0', 'v1.4.1', 'v2.0.0-rc.1'];
  test.each<[string, boolean, string[], string[], RegExp | undefined]>([
    ['v1.4.0', false, [], ['v1.4.0'], undefined],
    ['v1.4.0', false, ['latest'], ['v1.4.0', 'latest'], undefined],
    ['v1.4.2', true, ['latest'], ['v1.4.2', 'v1', 'v1.4', 'latest'], undefined],
    ['1.5.0', true, [], ['1.5.0', '1', '1.5'], undefined], // no v → no v on the floating tags
    ['v1.4.1', true, [], ['v1.4.1', 'v1', 'v1.4'], undefined], // the current highest itself
    ['v1.3.1', true, [], ['v1.3.1', 'v1.3'], /v1 is not moved: v1\.4\.0 is newer/], // hotfix on an older line
    ['v1.4.0', true, [], ['v1.4.0'], /v1\.4 is not moved: v1\.4\.1/],
    ['v2.0.0-rc.2', true, [], ['v2.0.0-rc.2'], /prerelease/],
    ['v2.0.0', true, [], ['v2.0.0', 'v2', 'v2.0'], undefined], // rc tags do not block the final
  ])('%s major-minor=%s extra=%j → %j', (tag, majorMinorTags, extraTags, expected, note) => {
    const sel = selectTags(parseReleaseTag(tag), { majorMinorTags, extraTags, allTags: all });
    expect(sel.tags).toEqual(expected);
    if (note) expect(sel.notes.join('\n')).toMatch(note);
    else expect(sel.notes).toEqual([]);
  });
});

describe('planPromotion', () => {
  const D1 = `sha256:${'1'.repeat(64)}`;
  const D2 = `sha256:${'2'.repeat(64)}`;
  const state = (over: Partial<RepositoryState> = {}): RepositoryState => ({
    name: 'team/api',
    uri: '1.dkr.ecr.us-east-1.amazonaws.com/team/api',
    mutability: 'MUTABLE',
    exclusionFilters: [],
    source: { digest: D1, manifest: '{}', mediaType: 'application/vnd.oci.image.manifest.v1+json' },
    existing: {},
    ...over,
  });
  const tags = ['v1.4.0', 'v1', 'latest'];

  test('new tags are written, the release tag first', () => {
    const p = planPromotion([state()], 'v1.4.0', tags, 'abc');
    expect(p).toMatchObject({ ok: true, repositories: [{ digest: D1, write: tags, unchanged: [], moved: [] }] });
  });
  test('re-run: everything already on the digest → nothing to write', () => {
    const p = planPromotion([state({ existing: { 'v1.4.0': D1, v1: D1, latest: D1 } })], 'v1.4.0', tags, 'abc');
    expect(p).toMatchObject({ ok: true, repositories: [{ write: [], unchanged: tags }] });
  });
  test('floating tags move in a mutable repository', () => {
    const p = planPromotion([state({ existing: { latest: D2, v1: D2 } })], 'v1.4.0', tags, 'abc');
    expect(p).toMatchObject({
      ok: true,
      repositories: [
        {
          write: tags,
          moved: [
            { tag: 'v1', from: D2 },
            { tag: 'latest', from: D2 },
          ],
        },
      ],
    });
  });
  test('immutable repository: new tags are fine', () => {
    const p = planPromotion([state({ mutability: 'IMMUTABLE' })], 'v1.4.0', tags, 'abc');
    expect(p.ok).toBe(true);
  });
  test('all problems of all repositories, before anything is written', () => {
    const p = planPromotion(
      [
        state({ existing: { 'v1.4.0': D2 } }),
        state({ name: 'team/worker', source: undefined }),
        state({
          name: 'team/web',
          mutability: 'IMMUTABLE_WITH_EXCLUSION',
          exclusionFilters: ['v1'],
          existing: { latest: D2 },
        }),
        state({ name: 'team/ok' }),
      ],
      'v1.4.0',
      tags,
      'abc',
    );
    expect(p.ok).toBe(false);
    if (p.ok) return;
    expect(p.problems).toHaveLength(3);
    expect(p.problems[0]!.message).toMatch(
      /team\/api:v1\.4\.0 already exists on sha256:2+, not on sha256:1+.*never moved/,
    );
    expect(p.problems[1]!.message).toMatch(
      /team\/worker:abc not found: was this commit built\? staging pushes team\/worker:<commit sha>/,
    );
    expect(p.problems[2]!.message).toMatch(/team\/web:latest .* immutable \(IMMUTABLE_WITH_EXCLUSION\)/);
    // each problem names the input that does not match ECR
    expect(p.problems.map((x) => x.input)).toEqual(['tag', 'source-tag', 'extra-tags']);
  });
});

describe('release body', () => {
  const images = [
    { repository: 'team/api', uri: 'r/team/api', digest: 'sha256:aa', tags: ['v1.4.0', 'latest'] },
    { repository: 'team/worker', uri: 'r/team/worker', digest: 'sha256:bb', tags: ['v1.4.0'] },
  ];
  const section = imagesSection(images, 'production');

  test('images section between markers, with digest-pinned URIs', () => {
    expect(section.startsWith(IMAGES_START)).toBe(true);
    expect(section.endsWith(IMAGES_END)).toBe(true);
    expect(section).toContain('| team/api | `r/team/api@sha256:aa` | `v1.4.0`, `latest` |');
    expect(imagesSection([], 'production')).toBe('');
    expect(digestMap(images)).toEqual({ 'team/api': 'sha256:aa', 'team/worker': 'sha256:bb' });
  });
  test('notes + section; no section without images', () => {
    expect(releaseBody('## Notes\n', section)).toBe(`## Notes\n\n${section}`);
    expect(releaseBody('## Notes', '')).toBe('## Notes');
  });
  test('merge: the section is replaced, not duplicated; edits around it are kept', () => {
    const first = releaseBody('## Notes', section);
    const edited = `${first}\n\nThanks to everyone!`;
    const other = imagesSection([{ ...images[0]!, digest: 'sha256:cc' }], 'production');
    const merged = mergeReleaseBody(edited, other);
    expect(merged).toBe(`## Notes\n\n${other}\n\nThanks to everyone!`);
    expect(merged.split(IMAGES_START)).toHaveLength(2);
    expect(mergeReleaseBody(merged, other)).toBe(merged);
    expect(mergeReleaseBody('hand written', section)).toBe(`hand written\n\n${section}`);
    expect(mergeReleaseBody(null, '')).toBe('');
  });
});
