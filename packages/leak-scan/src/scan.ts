// Search files and directories for the leak forms of every secret. Reads every regular file as bytes (binary files
// and tarballs of artifacts included, symlinks not followed: they point at what is scanned elsewhere or outside),
// so a leak in a summary, a docker config, a log or an artifact is found wherever the run left it.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Form, leakForms, secretLabel } from './forms.ts';

export interface LeakHit {
  file: string;
  /** Byte offset of the first occurrence in the file. */
  offset: number;
  form: string;
  /** secretLabel(): never the value. */
  secret: string;
}

export interface ScanResult {
  files: number;
  bytes: number;
  secrets: number;
  forms: number;
  hits: LeakHit[];
}

export interface ScanOptions {
  /** Absolute paths skipped (the secrets list itself). */
  exclude?: readonly string[];
}

function* filesUnder(path: string, exclude: ReadonlySet<string>): Generator<string> {
  if (exclude.has(path)) return;
  const st = lstatSync(path);
  if (st.isFile()) {
    yield path;
  } else if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) yield* filesUnder(join(path, name), exclude);
  }
}

export function scanPaths(paths: readonly string[], secrets: readonly string[], opts: ScanOptions = {}): ScanResult {
  const wanted = [...new Set(secrets.filter((s) => s.length > 0))];
  const needles: Array<{ form: Form; secret: string; bytes: Buffer }> = wanted.flatMap((secret, i) =>
    leakForms(secret).map((form) => ({ form, secret: secretLabel(secret, i), bytes: Buffer.from(form.text) })),
  );
  const exclude = new Set((opts.exclude ?? []).map((p) => resolve(p)));
  const result: ScanResult = { files: 0, bytes: 0, secrets: wanted.length, forms: needles.length, hits: [] };
  for (const root of paths) {
    for (const file of filesUnder(resolve(root), exclude)) {
      const content = readFileSync(file);
      result.files++;
      result.bytes += content.length;
      for (const n of needles) {
        const offset = content.indexOf(n.bytes);
        if (offset >= 0) result.hits.push({ file, offset, form: n.form.name, secret: n.secret });
      }
    }
  }
  return result;
}
