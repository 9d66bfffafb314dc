import * as core from '@actions/core';

/** Run `fn` inside a collapsible log group (`::group::name` … `::endgroup::`), closing it even on failure. */
export function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  return core.group(name, fn);
}

/** Log lines with a common prefix, one `core.info` per line. */
export function infoLines(text: string, prefix = ''): void {
  for (const line of text.replace(/\n$/, '').split('\n')) core.info(`${prefix}${line}`);
}

/** Warning annotation (one line, shown on the run page). */
export function warn(message: string): void {
  core.warning(message);
}

export function debug(message: string): void {
  core.debug(message);
}
