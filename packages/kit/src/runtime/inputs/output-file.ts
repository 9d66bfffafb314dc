import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigurationError } from '../errors';
import { quote } from './readers';

/**
 * An `output-file` input: a file path (relative to `baseDir`) the action writes, never a directory: not ending in `/`
 * and not an existing directory. Missing parent directories are created when it is written. Blank → undefined.
 */
export function parseOutputFile(input: string, raw: string, baseDir: string): string | undefined {
  const value = raw.trim();
  if (value === '') return undefined;
  if (/[/\\]$/.test(value) || value === '.' || value === '..') {
    throw new ConfigurationError(
      input,
      `${quote(value)} names a directory; expected a file path like out/task-definition.json`,
    );
  }
  const path = resolve(baseDir, value);
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    // does not exist yet: written later
  }
  if (isDirectory) {
    throw new ConfigurationError(
      input,
      `${quote(value)} is an existing directory; expected a file path inside it, e.g. ${value}/task-definition.json`,
    );
  }
  return path;
}
