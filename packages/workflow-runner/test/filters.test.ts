// on: filters decide whether the workflow runs for the event, and say why not.
import { describe, expect, test } from 'vitest';
import { decide, matchesFilter } from '../src/events/filters.ts';
import { appRepo, run } from './helpers.ts';

const files = () => ['backend/app.py', 'README.md'];

describe('decide', () => {
  test.each([
    [{ push: { branches: ['main'] } }, 'push', 'main', true],
    [{ push: { branches: ['main'] } }, 'push', 'dev', false],
    [{ push: { branches: ['main'] } }, 'tag', 'v1.0.0', false],
    [{ push: { tags: ['v*'] } }, 'tag', 'v1.0.0', true],
    [{ push: { tags: ['v*'] } }, 'push', 'main', false],
    [{ push: { 'tags-ignore': ['v0.*'] } }, 'tag', 'v0.1.0', false],
    [{ push: { 'branches-ignore': ['dependabot/**'] } }, 'push', 'dependabot/npm/x', false],
    [{ push: { branches: ['release/**', '!release/**-alpha'] } }, 'push', 'release/1.0-alpha', false],
    [{ push: { branches: ['main'], paths: ['backend/**'] } }, 'push', 'main', true],
    [{ push: { branches: ['main'], paths: ['frontend/**'] } }, 'push', 'main', false],
    [{ push: { branches: ['main'], 'paths-ignore': ['**/*.md', 'backend/**'] } }, 'push', 'main', false],
    [{ push: { tags: ['v*'], paths: ['frontend/**'] } }, 'tag', 'v1.0.0', true],
    [{ push: {} }, 'tag', 'v1', true],
    [{ workflow_dispatch: {} }, 'dispatch', 'main', true],
    [{ push: {} }, 'dispatch', 'main', false],
  ] as const)('%j %s %s → %s', (events, kind, ref, expected) => {
    expect(decide(events as never, kind, ref, files).run).toBe(expected);
  });

  test('reasons name the filter', () => {
    expect(decide({ push: { branches: ['main'], paths: ['frontend/**'] } }, 'push', 'main', files)).toEqual({
      run: false,
      reason: 'on.push.paths [frontend/**] matches none of the 2 changed file(s)',
    });
    expect(matchesFilter(['feature/*'], 'feature/a/b')).toBe(false);
  });
});

test('a run that the filters skip says why, and paths compare the commit with its parent', async () => {
  const dir = appRepo({
    '.github/workflows/w.yml': `on:\n  push:\n    branches: [main]\n    paths: ['frontend/**']\njobs:\n  a:\n    runs-on: x\n    steps: [{ run: echo a }]\n`,
    'backend/app.py': 'print(1)\n',
  });
  const r = await run(dir, 'w.yml');
  expect(r.conclusion).toBe('skipped');
  expect(r.skipped).toBe('on.push.paths [frontend/**] matches none of the 2 changed file(s)');
  expect(r.jobs).toEqual([]);
});

test('a plain folder always gives the same commit SHA', async () => {
  const content = {
    '.github/workflows/w.yml': 'on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{ run: echo a }]\n',
    'x.txt': 'x\n',
  };
  const a = await run(appRepo(content), 'w.yml');
  const b = await run(appRepo(content), 'w.yml', { event: 'tag', ref: 'v1.0.0' });
  expect(a.sha).toMatch(/^[0-9a-f]{40}$/);
  expect(b.sha).toBe(a.sha);
  expect(b.ref).toBe('refs/tags/v1.0.0');
});
