import * as core from '@actions/core';
import { ConfigurationError, DeployFailure, describeAwsError, errorMessage, isAwsError } from './errors';
import { redactText } from './redact';

// `run` means one thing in this repository: run an action step (its main, or its post step) inside the single catch.
// src/index.ts is `void run(main)`; @github/local-action's entry (main.ts `export const run`) does the same.

function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'PollAbortedError');
}

/** True when step debug logging is on (ACTIONS_STEP_DEBUG secret/variable or RUNNER_DEBUG=1 on re-run with debug). */
export function isDebugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const truthy = (v: string | undefined) => v !== undefined && /^(1|true)$/i.test(v.trim());
  return truthy(env.ACTIONS_STEP_DEBUG) || truthy(env.RUNNER_DEBUG);
}

/** The one line `run()` prints for a failure (exported so it can be table-tested), secrets redacted. */
export function failureMessage(err: unknown): string {
  return redactText(unredactedFailureMessage(err));
}

function unredactedFailureMessage(err: unknown): string {
  if (err instanceof ConfigurationError) return `Input '${err.input}': ${err.message}`;
  if (err instanceof DeployFailure) return err.message;
  if (isAbortError(err)) return `Cancelled: ${errorMessage(err)}`;
  if (isAwsError(err)) return describeAwsError(err);
  const name = err instanceof Error && err.name && err.name !== 'Error' ? `${err.name}: ` : '';
  return `Unexpected error: ${name}${errorMessage(err)}`;
}

/**
 * The single catch of every action: `run(main)` in `src/index.ts`.
 * Failure → exactly one `::error::` line (core.setFailed) and process.exitCode = 1;
 * DeployFailure details are printed as plain lines before it; stack traces only with step debug on.
 */
export async function run(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (err instanceof DeployFailure && err.details) {
      for (const line of err.details.split('\n')) core.info(redactText(line));
    }
    if (isDebugEnabled() && err instanceof Error && err.stack) {
      core.info(redactText(err.stack));
      if (err.cause instanceof Error && err.cause.stack) core.info(`Caused by: ${redactText(err.cause.stack)}`);
    }
    core.setFailed(failureMessage(err));
    process.exitCode = 1;
  }
}
