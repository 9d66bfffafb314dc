// #12: `uses:` of this repository resolve to this checkout (short form, long form, reusable workflows), for the owner
// named in package.json; another owner's copy of our actions is refused with a message naming both repositories.
import { describe, expect, test } from 'vitest';
import { RefError, resolveAction, resolveWorkflow } from '../src/parse/refs.ts';
import { REPO_ROOT, readSelfRepository } from '../src/self-repo.ts';

const self = readSelfRepository();

describe(`this checkout is ${self.full} (from package.json)`, () => {
  test('short form <owner>/<name>/deploy-ecs@v1 → deploy-ecs/action.yml, else actions/deploy-ecs/action.yml', () => {
    const t = resolveAction(`${self.full}/deploy-ecs@v1`, self);
    expect(t.kind).toBe('ours');
    if (t.kind !== 'ours') return;
    expect([`${REPO_ROOT}/deploy-ecs/action.yml`, `${REPO_ROOT}/actions/deploy-ecs/action.yml`]).toContain(t.manifest);
  });

  test('long form <owner>/<name>/actions/deploy-ecs@v1', () => {
    const t = resolveAction(`${self.full}/actions/deploy-ecs@v1`, self);
    expect(t).toMatchObject({ kind: 'ours', manifest: `${REPO_ROOT}/actions/deploy-ecs/action.yml` });
  });

  test('reusable workflows and the owner case-insensitively', () => {
    expect(
      resolveWorkflow(`${self.owner.toUpperCase()}/${self.name}/.github/workflows/deploy-staging.yml@v1`, self),
    ).toMatchObject({
      kind: 'ours',
      file: `${REPO_ROOT}/.github/workflows/deploy-staging.yml`,
    });
  });

  test.each([`other-owner/${self.name}/deploy-ecs@v1`, `other-owner/${self.name}/actions/deploy-ecs@v1`])(
    '%s is refused',
    (uses) => {
      expect(() => resolveAction(uses, self)).toThrow(RefError);
      expect(() => resolveAction(uses, self)).toThrow(
        `${uses} belongs to other-owner/${self.name}; this checkout is ${self.full}`,
      );
    },
  );

  test('another owner of our reusable workflow is refused', () => {
    const uses = `other-owner/${self.name}/.github/workflows/deploy-staging.yml@v1`;
    expect(() => resolveWorkflow(uses, self)).toThrow(
      `${uses} belongs to other-owner/${self.name}; this checkout is ${self.full}`,
    );
  });

  test('a renamed owner in package.json moves the identity', () => {
    const renamed = { ...self, owner: 'acme-platform', full: `acme-platform/${self.name}` };
    expect(resolveAction(`acme-platform/${self.name}/deploy-ecs@v1`, renamed).kind).toBe('ours');
    expect(() => resolveAction(`${self.full}/deploy-ecs@v1`, renamed)).toThrow('belongs to');
  });

  test('stand-ins and unknown actions', () => {
    expect(resolveAction('actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683', self)).toMatchObject({
      kind: 'standin',
      name: 'actions/checkout',
    });
    expect(() => resolveAction('someone/else@v1', self)).toThrow('the local runner has no stand-in for someone/else');
  });
});
