import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { outputValue, setOutputs } from '../../src/runtime/outputs';
import { parseCommandFile } from '../../src/testing';

describe('outputValue', () => {
  test.each<[unknown, string | undefined]>([
    ['text', 'text'],
    ['', ''],
    [true, 'true'],
    [false, 'false'],
    [3, '3'],
    [['a', 'b'], '["a","b"]'],
    [{ k: 1 }, '{"k":1}'],
    [undefined, undefined],
    [null, undefined],
  ])('%j → %j', (value, expected) => {
    expect(outputValue(value)).toBe(expected);
  });
});

describe('setOutputs', () => {
  const saved = process.env.GITHUB_OUTPUT;
  afterEach(() => {
    if (saved === undefined) delete process.env.GITHUB_OUTPUT;
    else process.env.GITHUB_OUTPUT = saved;
  });

  test('writes every output to GITHUB_OUTPUT, multi-line values included', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'out-')), 'output');
    await writeFile(file, '');
    process.env.GITHUB_OUTPUT = file;
    const written = setOutputs({
      'task-definition': '/tmp/td.json',
      changed: true,
      count: 2,
      ids: ['a', 'b'],
      notes: 'line1\nline2',
      skipped: undefined,
    });
    expect(written).toEqual({
      'task-definition': '/tmp/td.json',
      changed: 'true',
      count: '2',
      ids: '["a","b"]',
      notes: 'line1\nline2',
    });
    expect(parseCommandFile(await readFile(file, 'utf8'))).toEqual(written);
  });
});
