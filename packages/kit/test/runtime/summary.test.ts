import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { group } from '../../src/runtime/log';
import {
  codeBlock,
  details,
  diffStats,
  escapeCell,
  markdownTable,
  Summary,
  unifiedDiff,
} from '../../src/runtime/summary';

describe('markdownTable', () => {
  test.each<[string, string[], Array<Array<string | number | boolean | null | undefined>>, string]>([
    ['simple', ['a', 'b'], [['1', '2']], '| a | b |\n| --- | --- |\n| 1 | 2 |\n'],
    ['pipes escaped', ['k'], [['a|b']], '| k |\n| --- |\n| a\\|b |\n'],
    ['newlines become <br>', ['k'], [['one\ntwo\r\nthree']], '| k |\n| --- |\n| one<br>two<br>three |\n'],
    [
      'numbers, booleans, nullish',
      ['n', 'b', 'u', 'z'],
      [[3, true, undefined, null]],
      '| n | b | u | z |\n| --- | --- | --- | --- |\n| 3 | true |  |  |\n',
    ],
    ['short rows padded', ['a', 'b'], [['x']], '| a | b |\n| --- | --- |\n| x |  |\n'],
    ['no rows', ['a'], [], '| a |\n| --- |\n'],
    ['backslash escaped', ['k'], [['C:\\dir']], '| k |\n| --- |\n| C:\\\\dir |\n'],
  ])('%s', (_name, headers, rows, expected) => {
    expect(markdownTable(headers, rows)).toBe(expected);
  });

  test('alignment', () => {
    expect(markdownTable(['a', 'b', 'c'], [], ['left', 'center', 'right'])).toBe(
      '| a | b | c |\n| --- | :---: | ---: |\n',
    );
  });

  test('too many cells is a bug', () => {
    expect(() => markdownTable(['a'], [['1', '2']])).toThrow(/row 1 has 2 cells/);
  });

  test('escapeCell of a pipe-and-newline value', () => {
    expect(escapeCell('x|y\nz')).toBe('x\\|y<br>z');
  });
});

describe('details / codeBlock', () => {
  test.each([
    ['Diff', 'body', {}, '<details><summary>Diff</summary>\n\nbody\n\n</details>\n'],
    [
      '<b>x</b> & y',
      'body\n\n',
      { open: true },
      '<details open><summary>&lt;b&gt;x&lt;/b&gt; &amp; y</summary>\n\nbody\n\n</details>\n',
    ],
  ])('details(%j)', (summary, body, opts, expected) => {
    expect(details(summary, body, opts)).toBe(expected);
  });

  test.each([
    ['plain', 'x', 'json', '```json\nx\n```\n'],
    ['contains a fence', 'a\n```\nb', '', '````\na\n```\nb\n````\n'],
    ['keeps final newline', 'x\n', '', '```\nx\n```\n'],
  ])('codeBlock %s', (_n, text, lang, expected) => {
    expect(codeBlock(text, lang)).toBe(expected);
  });
});

describe('unifiedDiff', () => {
  test('equal texts → empty', () => {
    expect(unifiedDiff('a\n', 'a\n')).toBe('');
  });

  test('changed line with headers and hunk', () => {
    expect(unifiedDiff('a\nb\nc\n', 'a\nB\nc\n', { oldName: 'registered', newName: 'rendered' })).toBe(
      '--- registered\n+++ rendered\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n',
    );
  });

  test('context option limits the hunk', () => {
    const old = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const changed = old.replace('line 10', 'line ten');
    const diff = unifiedDiff(old, changed, { context: 1 });
    expect(diff).toContain('@@ -10,3 +10,3 @@');
    expect(diff).not.toContain('line 5');
  });

  test('diffStats counts', () => {
    expect(diffStats('a\nb\n', 'a\nc\nd\n')).toEqual({ added: 2, removed: 1 });
  });
});

describe('Summary builder', () => {
  const savedPath = process.env.GITHUB_STEP_SUMMARY;
  afterEach(() => {
    if (savedPath === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = savedPath;
  });

  test('builds markdown and writes it once, appending later additions', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'summary-'));
    const file = join(dir, 'summary.md');
    await writeFile(file, 'previous step\n');
    process.env.GITHUB_STEP_SUMMARY = file;
    const s = new Summary()
      .heading('render-task-def')
      .paragraph('Family **web**')
      .table(['container', 'image'], [['app', 'repo@sha256:1|2']])
      .diff('--- a\n+++ b\n', 'Diff against revision 7')
      .list(['one', 'two']);
    expect(await s.write()).toBe(true);
    const first = await readFile(file, 'utf8');
    expect(first.startsWith('previous step\n## render-task-def\n')).toBe(true);
    expect(first).toContain('| app | repo@sha256:1\\|2 |');
    expect(first).toContain('<details><summary>Diff against revision 7</summary>\n\n```diff\n--- a\n');
    expect(first).toContain('- one\n- two\n');
    expect(s.isEmpty()).toBe(true);
    s.paragraph('later');
    await s.write();
    const second = await readFile(file, 'utf8');
    expect(second).toBe(`${first}later\n\n`); // blocks end with a blank line so the next write starts a new block
  });

  test('empty diff says no changes', () => {
    expect(new Summary().diff('').toString()).toBe('_No changes._\n');
  });

  test('without GITHUB_STEP_SUMMARY write() returns false and does not throw', async () => {
    delete process.env.GITHUB_STEP_SUMMARY;
    expect(await new Summary().heading('x').write()).toBe(false);
  });
});

describe('group', () => {
  afterEach(() => vi.restoreAllMocks());
  test('wraps in ::group:: and closes it even on failure', async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
      out.push(String(c));
      return true;
    });
    await expect(
      group('Render', async () => {
        throw new Error('x');
      }),
    ).rejects.toThrow('x');
    expect(out.join('')).toBe('::group::Render\n::endgroup::\n');
    expect(await group('ok', async () => 5)).toBe(5);
  });
});
