import { describe, expect, test } from 'vitest';
import { base64Fragment, leakForms, MIN_FRAGMENT, secretLabel } from '../src/forms.ts';

describe('base64Fragment: the part of base64 that a value alone decides, at each alignment', () => {
  const secret = 'pw-from-ssm-4f9a2c';
  test.each([
    [0, ''],
    [1, 'x'],
    [2, 'xy'],
    [0, 'abc'],
    [1, 'AWS:'],
    [2, 'user:'],
  ])('offset %i found inside base64(%j + secret + tail)', (offset, before) => {
    for (const tail of ['', 'a', 'ab', 'abc']) {
      const blob = Buffer.from(`${before}${secret}${tail}`).toString('base64');
      const fragment = base64Fragment(Buffer.from(secret), (before.length % 3) as 0 | 1 | 2);
      expect(fragment.length).toBeGreaterThanOrEqual(MIN_FRAGMENT);
      expect(blob, `${before}|${tail}`).toContain(fragment);
      // the alignment matters: the other two fragments are not in this blob
      for (const other of [0, 1, 2].filter((o) => o !== before.length % 3) as Array<0 | 1 | 2>) {
        expect(blob).not.toContain(base64Fragment(Buffer.from(secret), other));
      }
    }
    expect(offset).toBe(before.length % 3);
  });

  test('a docker config auth (base64 of AWS:<password>) holds a fragment of the password', () => {
    const password = 'eyJwYXlsb2FkIjoiZW11bGF0b3IifQ==';
    const auth = Buffer.from(`AWS:${password}`).toString('base64');
    const forms = leakForms(password);
    expect(forms.some((f) => f.name.startsWith('base64+') && auth.includes(f.text))).toBe(true);
  });
});

describe('leakForms', () => {
  test.each([
    ['s3cr3t-value', ['plain', 'base64+0', 'base64+1', 'base64+2']],
    ['s3cr3t~~~>>>???', ['plain', 'url', 'base64+0', 'base64url+0', 'base64+1', 'base64url+1', 'base64+2']],
    ['line1\nline2 "quoted"', ['plain', 'json', 'url', 'base64+0', 'base64+1', 'base64+2']],
    ['a/b+c=d&e', ['plain', 'url', 'base64+0', 'base64+1', 'base64+2']],
  ])('%j → %j (no duplicates)', (secret, names) => {
    const forms = leakForms(secret);
    for (const n of names) expect(forms.map((f) => f.name)).toContain(n);
    expect(new Set(forms.map((f) => f.text)).size).toBe(forms.length);
  });

  test('JSON-escaped and URL-encoded forms are what JSON.stringify and encodeURIComponent write', () => {
    const secret = 'p@ss "w"\\ord\n';
    const texts = leakForms(secret).map((f) => f.text);
    expect(texts).toContain(JSON.stringify(secret).slice(1, -1));
    expect(texts).toContain(encodeURIComponent(secret));
  });

  test('a value too short for a reliable base64 fragment is searched plain only', () => {
    expect(leakForms('abc').map((f) => f.name)).toEqual(['plain']);
  });
});

test('secretLabel never shows the value', () => {
  const label = secretLabel('hunter2-very-secret', 0);
  expect(label).toMatch(/^secret #1 \(19 chars, id [0-9a-f]{6}\)$/);
  expect(label).not.toContain('hunter');
});
