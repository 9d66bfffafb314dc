import { randomUUID } from 'node:crypto';
import { appendFileSync, constants, existsSync } from 'node:fs';
import { access, appendFile } from 'node:fs/promises';
import { EOL } from 'node:os';

// The runner's side of a JavaScript action: inputs, workflow commands (::add-mask::, ::error:: …) and file commands
// (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_ENV, GITHUB_STEP_SUMMARY), written exactly as @actions/core 3.0.1 writes them
// (lib/command.js, lib/file-command.js, lib/core.js, lib/summary.js); test/runtime/core.test.ts compares the two
// byte for byte. Why not @actions/core itself: it imports @actions/http-client (and with it undici, ~0.9 MB of every
// bundle) for getIDToken, which no action calls, and declares no `sideEffects: false`, so no bundler can drop it.
// Formats: https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands

/** null/undefined → '', strings as they are, anything else JSON (toCommandValue). */
function commandValue(input: unknown): string {
  if (input === null || input === undefined) return '';
  if (typeof input === 'string' || input instanceof String) return String(input);
  return JSON.stringify(input);
}

function escapeData(s: unknown): string {
  return commandValue(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: unknown): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::name key=value,…::message` on stdout; empty property values are left out (the space stays, as in core). */
export function issueCommand(command: string, properties: Record<string, unknown>, message: unknown): void {
  const keys = Object.keys(properties);
  const props = Object.entries(properties)
    .filter(([, value]) => value)
    .map(([key, value]) => `${key}=${escapeProperty(value)}`)
    .join(',');
  process.stdout.write(
    `::${command || 'missing.command'}${keys.length > 0 ? ` ${props}` : ''}::${escapeData(message)}${EOL}`,
  );
}

/** `name<<ghadelimiter_<uuid>` … the value … delimiter: the heredoc a file command takes (random delimiter). */
export function keyValueMessage(key: string, value: unknown): string {
  const delimiter = `ghadelimiter_${randomUUID()}`;
  const text = commandValue(value);
  if (key.includes(delimiter))
    throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
  if (text.includes(delimiter)) {
    throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
  }
  return `${key}<<${delimiter}${EOL}${text}${EOL}${delimiter}`;
}

/** Append one message to the file named by GITHUB_<command> (OUTPUT, STATE, ENV, PATH). */
function issueFileCommand(command: string, message: string): void {
  const filePath = process.env[`GITHUB_${command}`];
  if (!filePath) throw new Error(`Unable to find environment variable for file command ${command}`);
  if (!existsSync(filePath)) throw new Error(`Missing file at path: ${filePath}`);
  appendFileSync(filePath, `${message}${EOL}`, { encoding: 'utf8' });
}

/** The input as the runner passed it (INPUT_<NAME>, spaces → '_', upper-cased), trimmed unless told otherwise. */
export function getInput(name: string, options: { required?: boolean; trimWhitespace?: boolean } = {}): string {
  const value = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '';
  if (options.required && !value) throw new Error(`Input required and not supplied: ${name}`);
  return options.trimWhitespace === false ? value : value.trim();
}

export function setOutput(name: string, value: unknown): void {
  if (process.env.GITHUB_OUTPUT) {
    issueFileCommand('OUTPUT', keyValueMessage(name, value));
  } else {
    process.stdout.write(EOL);
    issueCommand('set-output', { name }, commandValue(value));
  }
}

/** State for this action's post step (read back there as STATE_<name>). */
export function saveState(name: string, value: unknown): void {
  if (process.env.GITHUB_STATE) issueFileCommand('STATE', keyValueMessage(name, value));
  else issueCommand('save-state', { name }, commandValue(value));
}

export function getState(name: string): string {
  return process.env[`STATE_${name}`] || '';
}

/** An environment variable for this step's later steps (and this process). */
export function exportVariable(name: string, value: unknown): void {
  process.env[name] = commandValue(value);
  if (process.env.GITHUB_ENV) issueFileCommand('ENV', keyValueMessage(name, value));
  else issueCommand('set-env', { name }, commandValue(value));
}

/** Register a value with the runner so it prints *** in its place. */
export function setSecret(secret: string): void {
  issueCommand('add-mask', {}, secret);
}

export function info(message: string): void {
  process.stdout.write(message + EOL);
}

/** Step debug logging is on (the runner sets RUNNER_DEBUG=1 on a re-run with debug logging). */
export function isDebug(): boolean {
  return process.env.RUNNER_DEBUG === '1';
}

export function debug(message: string): void {
  issueCommand('debug', {}, message);
}

function annotationText(message: string | Error): string {
  return message instanceof Error ? message.toString() : message;
}

export function error(message: string | Error): void {
  issueCommand('error', {}, annotationText(message));
}

export function warning(message: string | Error): void {
  issueCommand('warning', {}, annotationText(message));
}

export function notice(message: string | Error): void {
  issueCommand('notice', {}, annotationText(message));
}

/** One `::error::` line and exit code 1. */
export function setFailed(message: string | Error): void {
  process.exitCode = 1;
  error(message);
}

/** `fn` inside a collapsible `::group::` … `::endgroup::`, closed even when it throws. */
export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  issueCommand('group', {}, name);
  try {
    return await fn();
  } finally {
    issueCommand('endgroup', {}, '');
  }
}

/** Append markdown and a line end to the job summary file, as `core.summary.addRaw(text, true).write()` does. */
export async function appendSummary(markdown: string): Promise<void> {
  const filePath = process.env.GITHUB_STEP_SUMMARY;
  if (!filePath) {
    throw new Error(
      'Unable to find environment variable for $GITHUB_STEP_SUMMARY. Check if your runtime environment supports job summaries.',
    );
  }
  try {
    await access(filePath, constants.R_OK | constants.W_OK);
  } catch {
    throw new Error(
      `Unable to access summary file: '${filePath}'. Check if the file has correct read/write permissions.`,
    );
  }
  await appendFile(filePath, markdown + EOL, { encoding: 'utf8' });
}
