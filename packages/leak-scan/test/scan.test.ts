import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { main } from '../src/cli.ts';
import { scanPaths } from '../src/scan.ts';

const SECRET = 'fixture-django-secret-4f9a2c';
const PASSWORD = 'eyJwYXlsb2FkIjoiZW11bGF0b3ItcGFzc3dvcmQifQ';

function tree(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'leak-scan-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

describe('scanPaths', () => {
  test('a clean run output: zero hits, every file counted', () => {
    const dir = tree({
      'runs/a/job.log': '::add-mask::***\nDJANGO_SECRET_KEY=***\n',
      'runs/a/home/.docker/config.json': '{"auths":{}}',
      'runs/a/temp/summary.md': '## deployed',
    });
    const r = scanPaths([dir], [SECRET, PASSWORD]);
    expect(r.hits).toEqual([]);
    expect(r.files).toBe(3);
    expect(r.secrets).toBe(2);
  });

  test.each([
    ['plain in a log', 'runs/a/job.log', `key=${SECRET}\n`, 'plain'],
    ['JSON-escaped in a result', 'runs/a/result.json', JSON.stringify({ v: `"${SECRET}"\n` }), 'plain'],
    [
      'inside a docker config auth',
      'runs/a/home/.docker/config.json',
      JSON.stringify({ auths: { h: { auth: Buffer.from(`AWS:${PASSWORD}`).toString('base64') } } }),
      'base64+1',
    ],
    ['base64 at offset 2', 'runs/a/temp/x.b64', Buffer.from(`xy${SECRET}z`).toString('base64'), 'base64+2'],
    [
      'in a binary artifact',
      'runs/a/artifacts/site.bin',
      Buffer.concat([Buffer.from([0, 1, 2, 255]), Buffer.from(SECRET)]),
      'plain',
    ],
  ])('%s is found', (_label, path, content, form) => {
    const dir = tree({ 'runs/a/clean.txt': 'nothing', [path]: content });
    const r = scanPaths([dir], [SECRET, PASSWORD]);
    expect(r.hits.map((h) => [h.file.slice(dir.length + 1), h.form])).toContainEqual([path, form]);
    expect(JSON.stringify(r)).not.toContain(SECRET);
  });

  test('a JSON-escaped secret with quotes and a newline is found in its escaped form', () => {
    const secret = 'line1\n"two"-pw-9f8e7d';
    const dir = tree({ 'out.json': JSON.stringify({ value: secret }) });
    expect(scanPaths([dir], [secret]).hits.map((h) => h.form)).toEqual(['json']);
  });

  test('excluded files (the secret list) and symlinks are not read', () => {
    const dir = tree({ 'secrets.json': JSON.stringify([SECRET]), 'ok.txt': 'fine' });
    const outside = tree({ 'leak.txt': SECRET });
    symlinkSync(join(outside, 'leak.txt'), join(dir, 'link.txt'));
    const r = scanPaths([dir], [SECRET], { exclude: [join(dir, 'secrets.json')] });
    expect(r.hits).toEqual([]);
    expect(r.files).toBe(1);
  });
});

describe('leak-scan CLI', () => {
  test('exit 0 on a clean tree, 1 with a hit line that names file and form but not the value', () => {
    const dir = tree({
      'secrets.json': JSON.stringify({ secret: [SECRET], issued: [PASSWORD], publicByDesign: ['VITE_PUBLIC_X'] }),
      'a.txt': 'ok VITE_PUBLIC_X',
    });
    expect(main(['--secrets', join(dir, 'secrets.json'), dir])).toBe(0);
    writeFileSync(join(dir, 'b.txt'), Buffer.from(SECRET).toString('base64'));
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => lines.push(s);
    try {
      expect(main(['--secrets', join(dir, 'secrets.json'), dir])).toBe(1);
    } finally {
      console.log = log;
    }
    expect(lines.join('\n')).toMatch(/LEAK .*b\.txt @0: secret #1 .* as base64\+0/);
    expect(lines.join('\n')).not.toContain(SECRET);
  });

  test('nothing to look for or nothing to look in fails instead of passing', () => {
    const dir = tree({ 'empty.json': '[]', 'list.json': JSON.stringify([SECRET]) });
    const error = console.error;
    console.error = () => {};
    try {
      expect(main(['--secrets', join(dir, 'empty.json'), dir])).toBe(1);
      expect(main(['--secrets', join(dir, 'list.json'), join(dir, 'missing-dir-is-an-error')])).not.toBe(0);
      expect(main([dir])).toBe(2);
    } finally {
      console.error = error;
    }
  });
});

test('the demo secret list: seeded and issued values are both searched, publicByDesign ones are not', async () => {
  const { readSecretList } = await import('../src/secret-list.ts');
  const dir = tree({
    'list.json': JSON.stringify({ secret: ['a-seeded-1'], issued: ['b-issued-2'], publicByDesign: ['c'] }),
  });
  expect(readSecretList(join(dir, 'list.json'))).toEqual(['a-seeded-1', 'b-issued-2']);
  const bad = tree({ 'list.json': JSON.stringify({ secret: 'not-a-list' }) });
  expect(() => readSecretList(join(bad, 'list.json'))).toThrow(/expected an array of strings/);
});
