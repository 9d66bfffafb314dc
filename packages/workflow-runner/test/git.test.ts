// git for steps runs without blocking the event loop: the checkout stand-in fetches a whole history while the other
// jobs of the run, the GitHub API stand-in and an in-process emulator must keep answering.
import { expect, test } from 'vitest';
import { git, gitAsync } from '../src/repo/git.ts';
import { tempDir } from './helpers.ts';

test('gitAsync answers like git, and the event loop turns while it runs', async () => {
  const dir = tempDir('wr-git-');
  git(dir, ['init', '-q', '-b', 'main']);
  const order: string[] = [];
  setImmediate(() => order.push('event loop turned'));
  const branch = await gitAsync(dir, ['symbolic-ref', '--short', 'HEAD']);
  order.push('git answered');
  expect(branch).toBe('main');
  expect(order).toEqual(['event loop turned', 'git answered']);
  await expect(gitAsync(dir, ['rev-parse', '--verify', 'no-such-ref'])).rejects.toThrow();
});
