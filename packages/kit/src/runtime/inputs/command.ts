import { ConfigurationError } from '../errors';
import { describeJsonError, quote } from './readers';

// The one grammar of every command input (run-migration-task `command`, deploy-ecs `migration-command`, the
// `command` container lines of render-task-def and deploy-ecs). ECS runs a command in exec form: no shell reads it,
// so nothing a shell would do to the text may happen silently. A command is either
//   - a JSON array of strings: `["python", "manage.py", "migrate"]`, taken as it is, or
//   - words as a POSIX shell splits them: blanks separate words; '…' is literal; "…" is literal except for \" \\ \$
//     \` and \<newline>; a backslash outside quotes makes the next character literal; `#` inside a word is a `#`.
// Everything a shell would *do* is an error naming what and how to write it instead, never a different argv:
// operators (| & ; < > ( ) and newlines), a comment (`#` starting a word), expansions ($VAR, ${…}, $(…), `…`,
// a leading ~) and globs (* ? [). Quote a character to pass it literally (`'*.sql'`, `'$HOME'`, `\#`), or run a shell
// yourself: ["sh", "-c", "…"].
//
// Hand-written on purpose: shell-quote (used before) turns `--username ops#1` into `--username ops` (a comment),
// accepts `echo 'x` and `it's` without a word about the open quote, and drops a trailing backslash; shlex and
// shellwords split words but do not tell quoted from unquoted text, which is what the rules above need.

const OPERATOR_CHARS = '|&;<>()';
const GLOB_CHARS = '*?[';
const DOUBLE_QUOTE_ESCAPES = '"\\$`\n';

/** Why a command needs a shell, as one message with the way out. */
function needsShell(input: string, at: string, what: string, text: string): ConfigurationError {
  return new ConfigurationError(
    input,
    `${at}the command contains ${what}, which needs a shell: ECS runs commands without one (exec form). ` +
      `Quote it to pass it literally, or write a JSON array like ["sh", "-c", ${JSON.stringify(text)}]`,
  );
}

/**
 * Parse a command input. Blank → undefined (the task definition's own command). `line` (for multi-line inputs such
 * as `command: web=…`) is named in every error.
 */
export function parseCommand(input: string, raw: string, line?: number): string[] | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  const at = line === undefined ? '' : `line ${line}: `;
  const words = text.startsWith('[') ? parseJsonCommand(input, text, line) : splitWords(input, text, at);
  if (words.length === 0) throw new ConfigurationError(input, `${at}no command words in ${quote(text)}`);
  return words;
}

function parseJsonCommand(input: string, text: string, line: number | undefined): string[] {
  const at = line === undefined ? '' : `line ${line}: `;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const what = line === undefined ? 'JSON array' : `JSON array on line ${line}`;
    throw new ConfigurationError(input, describeJsonError(text, err, what));
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigurationError(
      input,
      `${at}expected a non-empty JSON array of strings like ["python", "manage.py", "migrate"]`,
    );
  }
  value.forEach((item, i) => {
    if (typeof item !== 'string') {
      throw new ConfigurationError(
        input,
        `${at}element ${i} of the JSON array is ${JSON.stringify(item)}: every element must be a string`,
      );
    }
  });
  return value as string[];
}

/** Split into words as a POSIX shell would, refusing everything a shell would interpret. */
function splitWords(input: string, text: string, at: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  const end = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') {
      end();
    } else if (c === '\n' || c === '\r') {
      throw needsShell(input, at, 'a line break (a shell runs each line as a command)', text);
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close === -1) throw new ConfigurationError(input, `${at}unterminated quote (') in ${quote(text)}`);
      word += text.slice(i + 1, close);
      inWord = true;
      i = close;
    } else if (c === '"') {
      i = readDoubleQuoted(input, text, i, at, (part) => {
        word += part;
      });
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new ConfigurationError(input, `${at}the command ends with a lone backslash`);
      word += text[++i];
      inWord = true;
    } else if (OPERATOR_CHARS.includes(c)) {
      const op = /^(&&|\|\||>>|<<|[|&;<>()])/.exec(text.slice(i))![0];
      throw needsShell(input, at, `the shell operator '${op}'`, text);
    } else if (c === '#' && !inWord) {
      throw needsShell(input, at, `a comment (${quote(text.slice(i))})`, text);
    } else if (c === '$' || c === '`') {
      throw needsShell(input, at, `the expansion ${quote(expansionAt(text, i))}`, text);
    } else if (c === '~' && !inWord) {
      throw needsShell(input, at, `'~' (home directory expansion)`, text);
    } else if (GLOB_CHARS.includes(c)) {
      throw needsShell(input, at, `the glob ${quote(globWordAt(text, i))}`, text);
    } else {
      word += c;
      inWord = true;
    }
  }
  end();
  return words;
}

/** Read "…" starting at `start` (the opening quote); returns the index of the closing quote. */
function readDoubleQuoted(input: string, text: string, start: number, at: string, add: (s: string) => void): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') return i;
    if (c === '\\' && i + 1 < text.length && DOUBLE_QUOTE_ESCAPES.includes(text[i + 1]!)) {
      add(text[++i]!);
    } else if (c === '$' || c === '`') {
      throw needsShell(input, at, `the expansion ${quote(expansionAt(text, i))} inside double quotes`, text);
    } else add(c);
  }
  throw new ConfigurationError(input, `${at}unterminated quote (") in ${quote(text)}`);
}

function expansionAt(text: string, i: number): string {
  const m = /^(\$\{[^}]*\}?|\$\([^)]*\)?|\$[A-Za-z_][A-Za-z0-9_]*|\$.|`[^`]*`?|\$)/.exec(text.slice(i));
  return m ? m[0] : text[i]!;
}

/** The whole blank-separated word around position `i` (for the message). */
function globWordAt(text: string, i: number): string {
  let start = i;
  while (start > 0 && !/\s/.test(text[start - 1]!)) start--;
  let end = i;
  while (end < text.length && !/\s/.test(text[end]!)) end++;
  return text.slice(start, end);
}

/** Format a command for logs and summaries (shell-quoted where needed, so it reads back as the same words). */
export function formatCommand(command: readonly string[]): string {
  return command.map((a) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
