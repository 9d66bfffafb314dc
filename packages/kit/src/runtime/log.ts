import * as core from '@actions/core';
import { redactText } from './redact';

// The one logger shape of the kit. Engines (deploy, one-off task) take a `Logger` in their deps, so tests capture
// the lines and deploy-ecs can prefix them; action code logs through `coreLogger`, which redacts every line (URL
// passwords, tokens, registered secrets: runtime/redact) before the runner sees it.

export interface Logger {
  /** A status or progress line. */
  info(message: string): void;
  /** A warning annotation (one line, shown on the run page). */
  warning(message: string): void;
}

/** The runner's log: `core.info` / `core.warning`. */
export const coreLogger: Logger = {
  info: (message) => core.info(redactText(message)),
  warning: (message) => core.warning(redactText(message)),
};

/** The same logger with `prefix` in front of every info line (warnings stay as they are: they are annotations). */
export function prefixedLogger(log: Logger, prefix: string): Logger {
  return { info: (message) => log.info(`${prefix}${message}`), warning: (message) => log.warning(message) };
}

/** Log a multi-line text one info line per line. */
export function infoLines(text: string, log: Logger = coreLogger): void {
  for (const line of text.replace(/\n$/, '').split('\n')) log.info(line);
}

/** Run `fn` inside a collapsible log group (`::group::name` … `::endgroup::`), closing it even on failure. */
export function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  return core.group(redactText(name), fn);
}
