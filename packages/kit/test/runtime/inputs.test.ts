import { describe, expect, test } from 'vitest';
import {
  describeJsonError,
  getBoolean,
  getDuration,
  getEnum,
  getInteger,
  getJson,
  getKeyValue,
  getList,
  getOptionalString,
  getString,
  lineColumn,
  parseBoolean,
  parseDuration,
  parseEnum,
  parseInteger,
  parseJson,
  parseKeyValue,
  parseLines,
  parseList,
  parseString,
} from '../../src/runtime/inputs/readers';
import { configurationError, withInputs } from '../../src/testing';

const configError = configurationError;

describe('parseBoolean', () => {
  test.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    [' true\n', true],
    ['false', false],
    ['False', false],
    ['FALSE', false],
    ['', true], // default
  ])('%j → %s', (raw, expected) => {
    expect(parseBoolean('wait', raw, true)).toBe(expected);
  });

  test.each(['yes', 'no', '1', '0', 'on', 'tRuE', 'y'])('rejects %j naming the input', (raw) => {
    const err = configError(() => parseBoolean('wait', raw, false));
    expect(err.input).toBe('wait');
    expect(err.message).toBe(`expected true or false, got "${raw}"`);
  });

  test('empty without default is required', () => {
    expect(configError(() => parseBoolean('wait', '')).message).toMatch(/is required/);
  });
});

describe('parseInteger', () => {
  test.each<[string, { min?: number; max?: number; default?: number }, number]>([
    ['5', {}, 5],
    [' 42 ', {}, 42],
    ['-3', {}, -3],
    ['+7', {}, 7],
    ['1_000', {}, 1000],
    ['', { default: 9 }, 9],
    ['1', { min: 1, max: 10 }, 1],
    ['10', { min: 1, max: 10 }, 10],
  ])('%j %o → %d', (raw, opts, expected) => {
    expect(parseInteger('count', raw, opts)).toBe(expected);
  });

  test.each<[string, { min?: number; max?: number }, string]>([
    ['abc', {}, 'expected an integer, got "abc"'],
    ['1.5', {}, 'expected an integer, got "1.5"'],
    ['1e3', {}, 'expected an integer, got "1e3"'],
    ['0', { min: 1, max: 10 }, 'expected an integer between 1 and 10, got 0'],
    ['11', { min: 1, max: 10 }, 'expected an integer between 1 and 10, got 11'],
    ['-1', { min: 0 }, 'expected an integer >= 0, got -1'],
    ['101', { max: 100 }, 'expected an integer <= 100, got 101'],
    ['99999999999999999999', {}, 'expected an integer, got "99999999999999999999" (too large)'],
    ['', {}, 'is required: expected an integer'],
  ])('%j %o → %s', (raw, opts, message) => {
    const err = configError(() => parseInteger('count', raw, opts));
    expect(err.input).toBe('count');
    expect(err.message).toBe(message);
  });
});

describe('parseDuration', () => {
  test.each([
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['2h', 7_200_000],
    ['1m30s', 90_000],
    ['1h2m3s', 3_723_000],
    ['500ms', 500],
    ['1s500ms', 1500],
    ['600', 600_000],
    ['0', 0],
    ['0s', 0],
    ['10M', 600_000],
    [' 45s ', 45_000],
    // days: one duration grammar for every input (sync-spa-cloudfront's retention had its own before)
    ['1d', 86_400_000],
    ['7d', 604_800_000],
    ['1d12h', 129_600_000],
  ])('%j → %d ms', (raw, ms) => {
    expect(parseDuration('timeout', raw)).toBe(ms);
  });

  test.each([['10 minutes'], ['1.5m'], ['-5s'], ['30m1h'], ['m'], ['1w'], ['2h1d'], ['ten'], ['5s5s']])(
    'rejects %j',
    (raw) => {
      const err = configError(() => parseDuration('timeout', raw));
      expect(err.input).toBe('timeout');
      expect(err.message).toContain("expected a duration like '90s', '10m', '1h30m' or a number of seconds");
      expect(err.message).toContain(JSON.stringify(raw.trim()));
    },
  );

  test.each<[number | string, number]>([
    [1234, 1234],
    ['15m', 900_000],
  ])('empty uses default %j', (def, ms) => {
    expect(parseDuration('timeout', '', def)).toBe(ms);
  });
});

describe('parseList / parseLines', () => {
  test.each<[string, string[]]>([
    ['a,b,c', ['a', 'b', 'c']],
    ['a\nb\nc', ['a', 'b', 'c']],
    [' a , b \n\n c,,\n', ['a', 'b', 'c']],
    ['a\r\nb', ['a', 'b']],
    ['', []],
    ['  \n , \n', []],
    ['single', ['single']],
  ])('parseList(%j)', (raw, expected) => {
    expect(parseList('services', raw)).toEqual(expected);
  });

  test('parseLines keeps commas', () => {
    expect(parseLines('x', 'a,b\n c \n\n')).toEqual(['a,b', 'c']);
  });
});

describe('parseKeyValue', () => {
  test.each<[string, Array<[string, string]>]>([
    ['app=nginx:1', [['app', 'nginx:1']]],
    [
      'a=1\nb=2',
      [
        ['a', '1'],
        ['b', '2'],
      ],
    ],
    ['URL=postgres://u:p@h/db?x=1&y=2', [['URL', 'postgres://u:p@h/db?x=1&y=2']]],
    ['  spaced = value with spaces  ', [['spaced', 'value with spaces']]],
    ['EMPTY=', [['EMPTY', '']]],
    ['# comment\n\napp=x\n', [['app', 'x']]],
    [
      'a=1\r\nb=2\r\n',
      [
        ['a', '1'],
        ['b', '2'],
      ],
    ],
    ['', []],
  ])('%j', (raw, expected) => {
    expect(parseKeyValue('containers', raw)).toEqual(expected);
  });

  test.each([
    ['app=x\nnoequals', 'line 2: expected key=value, got "noequals"'],
    ['=value', 'line 1: missing key before \'=\' in "=value"'],
    ['a=1\n\n\nmy key=2', 'line 4: key "my key" contains whitespace'],
    ['a=1\nb=2\na=3', 'line 3: key "a" already set on line 1'],
  ])('%j → %s', (raw, message) => {
    const err = configError(() => parseKeyValue('containers', raw));
    expect(err.input).toBe('containers');
    expect(err.message).toBe(message);
  });

  test('duplicates allowed on request', () => {
    expect(parseKeyValue('x', 'a=1\na=2', { duplicates: 'allow' })).toEqual([
      ['a', '1'],
      ['a', '2'],
    ]);
  });
});

describe('parseJson', () => {
  test.each<[string, unknown]>([
    ['{"a":1}', { a: 1 }],
    ['[1,2]', [1, 2]],
    ['  "s"  ', 's'],
    ['null', null],
  ])('%j', (raw, expected) => {
    expect(parseJson('overrides', raw)).toEqual(expected);
  });

  test.each([
    ['{"a": 1,}', /^invalid JSON at line 1, column 9: /],
    ['{\n  "a": 1\n  "b": 2\n}', /^invalid JSON at line 3, column 3: /],
    ['{\n  "a": [1, 2\n', /^invalid JSON at line 2, column 13: unexpected end of input$/],
    ["{'a': 1}", /^invalid JSON at line 1, column 2: /],
    ['nope', /^invalid JSON at line 1, column 1: Unexpected token 'o'$/],
    ['{"a":1} x', /^invalid JSON at line 1, column 9: Unexpected non-whitespace character after JSON$/],
  ])('%j → %s', (raw, message) => {
    const err = configError(() => parseJson('overrides', raw));
    expect(err.input).toBe('overrides');
    expect(err.message).toMatch(message);
    expect(err.message).not.toMatch(/position \d+/);
  });

  test('custom subject in the message', () => {
    expect(configError(() => parseJson('template', '{', 'JSON in task-def.json')).message).toMatch(
      /^invalid JSON in task-def\.json at line 1, column 2/,
    );
  });

  test('empty is required', () => {
    expect(configError(() => parseJson('overrides', '  ')).message).toBe('is required: expected JSON');
  });

  test.each([
    ['abc\ndef', 0, { line: 1, column: 1 }],
    ['abc\ndef', 4, { line: 2, column: 1 }],
    ['abc\ndef', 6, { line: 2, column: 3 }],
  ])('lineColumn(%j, %d)', (text, offset, expected) => {
    expect(lineColumn(text, offset)).toEqual(expected);
  });

  test('describeJsonError without position', () => {
    expect(describeJsonError('{}', new Error('weird'))).toBe('invalid JSON: weird');
  });
});

describe('parseEnum / parseString', () => {
  const modes = ['merge', 'replace'] as const;
  test.each([
    ['merge', 'merge'],
    ['REPLACE', 'replace'],
    [' replace ', 'replace'],
    ['', 'merge'],
  ])('%j → %s', (raw, expected) => {
    expect(parseEnum('environment-mode', raw, modes, 'merge')).toBe(expected);
  });

  test('rejects unknown value listing the allowed ones', () => {
    const err = configError(() => parseEnum('environment-mode', 'append', modes, 'merge'));
    expect(err.message).toBe('expected one of merge, replace, got "append"');
  });

  test.each<[string, { required?: boolean; default?: string; trim?: boolean }, string]>([
    [' x ', {}, 'x'],
    [' x ', { trim: false }, ' x '],
    ['', { default: 'd' }, 'd'],
    ['   ', {}, ''],
  ])('parseString(%j, %o)', (raw, opts, expected) => {
    expect(parseString('name', raw, opts)).toBe(expected);
  });

  test('required string', () => {
    expect(configError(() => parseString('cluster', ' ', { required: true })).message).toBe(
      'is required but was not set',
    );
  });

  test('long values are shortened in messages', () => {
    const err = configError(() => parseBoolean('flag', 'x'.repeat(200)));
    expect(err.message.length).toBeLessThan(100);
  });
});

describe('get* readers use INPUT_* (names with dashes and spaces)', () => {
  test('reads every kind', async () => {
    await withInputs(
      {
        'pin-digest': 'true',
        'desired count': '3',
        timeout: '1h30m',
        services: 'api\nworker, jobs',
        containers: 'app=nginx\nsidecar=envoy:1',
        overrides: '{"a":1}',
        mode: 'Replace',
        cluster: '  prod  ',
      },
      () => {
        expect(getBoolean('pin-digest', false)).toBe(true);
        expect(getInteger('desired count', { min: 0 })).toBe(3);
        expect(getDuration('timeout', '10m')).toBe(5_400_000);
        expect(getDuration('wait', '10m')).toBe(600_000);
        expect(getList('services')).toEqual(['api', 'worker', 'jobs']);
        expect(getKeyValue('containers')).toEqual([
          ['app', 'nginx'],
          ['sidecar', 'envoy:1'],
        ]);
        expect(getJson('overrides')).toEqual({ a: 1 });
        expect(getEnum('mode', ['merge', 'replace'], 'merge')).toBe('replace');
        expect(getString('cluster', { required: true })).toBe('prod');
        expect(getOptionalString('absent')).toBeUndefined();
        expect(getOptionalString('cluster')).toBe('prod');
      },
    );
  });

  test('a bad input names itself', async () => {
    await withInputs({ 'pin-digest': 'yes' }, () => {
      expect(configError(() => getBoolean('pin-digest', false)).input).toBe('pin-digest');
    });
  });
});
