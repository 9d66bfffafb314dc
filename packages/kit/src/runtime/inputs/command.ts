import { parse as shellParse } from 'shell-quote';
import { ConfigurationError, errorMessage } from '../errors';
import { describeJsonError, quote } from './readers';

/**
 * A container command: a JSON array of strings (`["python", "manage.py", "migrate"]`) or a shell-like string
 * (`python manage.py migrate --noinput`, quotes and backslashes as in sh), parsed with shell-quote. ECS runs the
 * result in exec form, without a shell: operators (`&&`, `|`, `;`, redirections) are rejected with a hint to wrap
 * the command in `sh -c`; `$VAR` is kept literally. Blank → undefined (the task definition's own command).
 */
export function parseCommand(input: string, raw: string): string[] | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  if (text.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new ConfigurationError(input, describeJsonError(text, err, 'JSON array'));
    }
    if (!Array.isArray(value) || value.length === 0) {
      throw new ConfigurationError(
        input,
        'expected a non-empty JSON array of strings like ["python", "manage.py", "migrate"]',
      );
    }
    value.forEach((item, i) => {
      if (typeof item !== 'string') {
        throw new ConfigurationError(
          input,
          `element ${i} of the JSON array is ${JSON.stringify(item)}: every element must be a string`,
        );
      }
    });
    return value as string[];
  }
  let entries: ReturnType<typeof shellParse>;
  try {
    entries = shellParse(text, (name) => `$${name}`);
  } catch (err) {
    throw new ConfigurationError(input, `cannot parse the command ${quote(text)}: ${errorMessage(err)}`);
  }
  const args: string[] = [];
  for (const entry of entries) {
    if (typeof entry === 'string') {
      args.push(entry);
    } else if ('op' in entry && entry.op === 'glob') {
      args.push((entry as { pattern: string }).pattern);
    } else if ('op' in entry) {
      throw new ConfigurationError(
        input,
        `the command contains the shell operator '${entry.op}', but ECS runs commands without a shell: ` +
          `use a JSON array like ["sh", "-c", ${JSON.stringify(text)}]`,
      );
    } else if ('comment' in entry) {
      break;
    }
  }
  if (args.length === 0) throw new ConfigurationError(input, `no command words in ${quote(text)}`);
  if (/(^|[^\\])(["'])/.test(text) && unbalancedQuotes(text)) {
    throw new ConfigurationError(input, `unterminated quote in ${quote(text)}`);
  }
  return args;
}

/** True when a single or double quote is left open (shell-quote silently accepts that). */
function unbalancedQuotes(text: string): boolean {
  let state: 'none' | "'" | '"' = 'none';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (state === 'none') {
      if (c === '\\') i++;
      else if (c === "'" || c === '"') state = c;
    } else if (state === '"') {
      if (c === '\\') i++;
      else if (c === '"') state = 'none';
    } else if (c === "'") state = 'none';
  }
  return state !== 'none';
}

/** Format a command for logs and summaries (shell-quoted where needed). */
export function formatCommand(command: readonly string[]): string {
  return command.map((a) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
